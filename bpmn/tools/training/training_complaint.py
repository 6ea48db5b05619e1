"""The Seetec Training complaint bundle: the case pool runs the stages and handles what can happen at any time."""
from __future__ import annotations

from .diagram_builder import Diagram, Pool
from .training_forms import training_forms
from .training_rounds import appeal_round, formal_round, informal_round
from .training_stages import CLOSE, stages

TEAM, LM, HR = "Complaints team", "Line manager", "HR"
MANIFEST = {"process_key": "training_complaint", "entry_process": "training_complaint",
            "title": "Seetec Training complaint (Seetec Training complaints policy)"}


def case_pool(diagram: Diagram) -> None:
    """Run the stages; a withdrawal at any stage interrupts them; unacceptable behaviour can be recorded any time.

    Two listeners run beside the case: action plans and misconduct referrals are thrown to them from the stages,
    so that reminders and HR's work neither hold the complaint up nor end when it closes.
    """
    pool = diagram.pool("training_complaint", "Seetec Training complaint", [LM, TEAM, HR])
    pool.start("complaint_received", "Complaint, concern or survey feedback received", TEAM, 0)
    pool.gateway("case_and_listeners", "Case and listeners", TEAM, 1, kind="parallelGateway")
    handling = pool.subprocess("case_handling", "Handle the case")
    pool.start("handling_started", "Handling starts", TEAM, 2, parent=handling)
    pool.gateway("handle_in_parallel", "Stages and behaviour", TEAM, 3, kind="parallelGateway", parent=handling)
    pool.call("run_stages", "Work through the stages", TEAM, 4, called="training_stages", parent=handling)
    pool.boundary("withdrawal_received", "Complainant withdraws", "run_stages", message="withdrawn",
                  variable="withdrawal")
    pool.end("case_finished", "Case closed", TEAM, 8, terminate=True, parent=handling)
    pool.service("record_withdrawal", "Record the withdrawal", TEAM, 5, 1, op="record_decision", parent=handling,
                 params={"decision": "'complaint_withdrawn'", "fields": "['withdrawal']"})
    pool.service("confirm_withdrawal", "Confirm the withdrawal in writing", TEAM, 6, 1, op="send_letter",
                 parent=handling, params={"template": "'withdrawal_confirmation'"},
                 pre="withdrawn_on = withdrawal.get('withdrawn_on') or now()")
    pool.service("close_withdrawn", "Close as withdrawn", TEAM, 7, 1, op=CLOSE, parent=handling,
                 params={"outcome": "'withdrawn'"})
    pool.end("case_withdrawn", "Withdrawn", TEAM, 8, 1, terminate=True, parent=handling)
    watch = pool.subprocess("behaviour_watch", "Record unacceptable behaviour whenever reported", LM, parent=handling)
    pool.nodes[watch].spec["loop"] = "True"
    pool.start("watch_started", "Watching", LM, 4, parent=watch)
    pool.catch("behaviour_reported", "Unacceptable behaviour reported", LM, 5, parent=watch,
               message="unacceptable_behaviour", variable="behaviour_report")
    pool.user("record_behaviour", "Record the unacceptable behaviour and any restrictions", LM, 6, parent=watch,
              form="forms/behaviour.json")
    pool.service("record_restrictions_placed", "Put the restrictions on the case record", LM, 7, parent=watch,
                 op="record_decision", params={"decision": "'unacceptable_behaviour_recorded'", "fields":
                                               "['behaviour_description', 'restrictions', 'restrictions_review_on']"})
    pool.end("behaviour_recorded", "Recorded", LM, 8, parent=watch)
    pool.end("watch_stopped", "Case closed", LM, 9.5, parent=handling)
    pool.throw("handling_finished", "Case handled", TEAM, 11, message="case_handled", payload="{}")
    pool.end("case_done", "Done", TEAM, 12)
    pool.chain("complaint_received", "case_and_listeners", handling, "handling_finished", "case_done")
    pool.chain("handling_started", "handle_in_parallel", "run_stages", "case_finished")
    pool.chain("withdrawal_received", "record_withdrawal", "confirm_withdrawal", "close_withdrawn", "case_withdrawn")
    pool.flow("handle_in_parallel", watch)
    pool.flow(watch, "watch_stopped")
    pool.chain("watch_started", "behaviour_reported", "record_behaviour", "record_restrictions_placed",
               "behaviour_recorded")
    learning_reviews(pool)
    misconduct_referrals(pool)


def listener(pool: Pool, name: str, lane: str, row: int, message: str, variable: str) -> tuple[str, str]:
    """Wait for a message thrown by the stages; after each, wait again (one cycle per stage or referral, so the
    task tree stays shallow), until the case has been handled."""
    pool.gateway(f"{name}_wait", "Wait", lane, 2, row, kind="eventBasedGateway")
    pool.catch(f"{name}_received", message.replace("_", " ").capitalize(), lane, 3, row, message=message,
               variable=variable)
    pool.gateway(f"{name}_split", "Deal with it and wait again", lane, 4, row, kind="parallelGateway")
    pool.catch(f"{name}_stop", "Case handled", lane, 3, row + 1, message="case_handled", variable="handled")
    pool.end(f"{name}_stopped", "Listening ends", lane, 4, row + 1)
    pool.flow("case_and_listeners", f"{name}_wait")
    pool.chain(f"{name}_wait", f"{name}_received", f"{name}_split")
    pool.flow(f"{name}_split", f"{name}_wait")
    pool.chain(f"{name}_wait", f"{name}_stop", f"{name}_stopped")
    return f"{name}_split", f"{name}_received"


def learning_reviews(pool: Pool) -> None:
    """Each agreed action plan: when an action's review date comes, remind its owner, even after closure."""
    split, _ = listener(pool, "learning", TEAM, 3, "learning_agreed", "action_plan")
    pool.script("list_actions", "List the actions", TEAM, 5, 3, code="plan_actions = action_plan['actions']")
    each = pool.subprocess("review_each_action", "For each action", items="plan_actions", item="learning_action")
    pool.start("action_review_started", "Action", TEAM, 6, 3, parent=each)
    pool.script("read_review_date", "Read the review date", TEAM, 7, 3, parent=each,
                code="review_on = learning_action['review_on']")
    pool.catch("review_date_reached", "Review date reached", TEAM, 8, 3, parent=each,
               timer="working_days_after(review_on, 0)", props={"deadlineKind": "review"})
    pool.service("remind_action_owner", "Remind the action's owner", TEAM, 9, 3, parent=each, op="send_letter",
                 params={"template": "'learning_review_due'", "recipient": "'user:' + learning_action['owner']"})
    pool.end("action_reminded", "Owner reminded", TEAM, 10, 3, parent=each)
    pool.end("action_plan_followed_up", "Followed up", TEAM, 11.5, 3)
    pool.chain(split, "list_actions", each, "action_plan_followed_up")
    pool.chain("action_review_started", "read_review_date", "review_date_reached", "remind_action_owner",
               "action_reminded")


def misconduct_referrals(pool: Pool) -> None:
    """A stage flagged possible misconduct: HR is told and records the next steps, while the complaint goes on."""
    split, _ = listener(pool, "misconduct", HR, 0, "misconduct_referred", "referral")
    pool.script("read_referral", "Read the referral", HR, 5, 0,
                code="misconduct_concern = referral['misconduct_concern']\n"
                     "colleague_name = referral['colleague_name']\nraised_at_stage = referral['stage']")
    pool.service("tell_hr", "Send the referral to HR", HR, 6, 0, op="notify_staff",
                 params={"template": "'hr_referral'", "role": "'hr'"})
    pool.user("consider_misconduct", "Consider the misconduct referral", HR, 7, 0, form="forms/hr_referral.json")
    pool.service("record_hr_decision", "Record HR's next steps", HR, 8, 0, op="record_decision",
                 params={"decision": "'hr_referral_considered'",
                         "fields": "['raised_at_stage', 'hr_decision', 'hr_notes']"})
    pool.end("misconduct_considered", "Considered", HR, 9, 0)
    pool.chain(split, "read_referral", "tell_hr", "consider_misconduct", "record_hr_decision", "misconduct_considered")


def training_bundle() -> dict[str, bytes | dict]:
    """Every file of the bundle: manifest, diagram and forms."""
    diagram = Diagram("training_complaint_definitions", "Seetec Training complaint")
    case_pool(diagram)
    stages(diagram)
    informal_round(diagram)
    formal_round(diagram)
    appeal_round(diagram)
    return {"bundle.json": MANIFEST, "training_complaint.bpmn": diagram.to_xml(), **training_forms()}
