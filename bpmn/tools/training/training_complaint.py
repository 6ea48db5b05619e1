"""The Seetec Training complaint bundle: the case pool, which runs the stages and handles what can happen at any time."""
from __future__ import annotations

from .diagram_builder import Diagram, Pool
from .training_forms import training_forms
from .training_rounds import appeal_round, formal_round, informal_round
from .training_stages import CLOSE, stages

TEAM, LM, HR = "Complaints team", "Line manager", "HR"
MANIFEST = {"process_key": "training_complaint", "entry_process": "training_complaint",
            "title": "Seetec Training complaint (Seetec Training complaints policy)"}


def case_pool(diagram: Diagram) -> None:
    """Run the stages; a withdrawal at any stage interrupts them; unacceptable behaviour can be recorded any time."""
    pool = diagram.pool("training_complaint", "Seetec Training complaint", [TEAM, LM, HR])
    pool.start("complaint_received", "Complaint, concern or survey feedback received", TEAM, 0)
    handling = pool.subprocess("case_handling", "Handle the case")
    pool.start("handling_started", "Handling starts", TEAM, 1, parent=handling)
    pool.gateway("handle_in_parallel", "Stages and behaviour", TEAM, 2, kind="parallelGateway", parent=handling)
    pool.call("run_stages", "Work through the stages", TEAM, 3, called="training_stages", parent=handling)
    pool.boundary("withdrawal_received", "Complainant withdraws", "run_stages", message="withdrawn",
                  variable="withdrawal")
    pool.end("case_finished", "Case closed", TEAM, 7, terminate=True, parent=handling)
    pool.service("record_withdrawal", "Record the withdrawal", TEAM, 4, 1, op="record_decision", parent=handling,
                 params={"decision": "'complaint_withdrawn'", "fields": "['withdrawal']"})
    pool.service("confirm_withdrawal", "Confirm the withdrawal in writing", TEAM, 5, 1, op="send_letter",
                 parent=handling, params={"template": "'withdrawal_confirmation'"},
                 pre="withdrawn_on = withdrawal.get('withdrawn_on') or now()")
    pool.service("close_withdrawn", "Close as withdrawn", TEAM, 6, 1, op=CLOSE, parent=handling,
                 params={"outcome": "'withdrawn'"})
    pool.end("case_withdrawn", "Withdrawn", TEAM, 7, 1, terminate=True, parent=handling)
    watch = pool.subprocess("behaviour_watch", "Record unacceptable behaviour whenever reported", LM, parent=handling)
    pool.nodes[watch].spec["loop"] = "True"
    pool.start("watch_started", "Watching", LM, 3, parent=watch)
    pool.catch("behaviour_reported", "Unacceptable behaviour reported", LM, 4, parent=watch,
               message="unacceptable_behaviour_reported", variable="behaviour_report")
    pool.user("record_behaviour", "Record the unacceptable behaviour and any restrictions", LM, 5, parent=watch,
              form="forms/behaviour.json", stage="any")
    pool.service("record_restrictions_placed", "Put the restrictions on the case record", LM, 6, parent=watch,
                 op="record_decision", params={"decision": "'unacceptable_behaviour_recorded'", "fields":
                                               "['behaviour_description', 'restrictions', 'restrictions_review_on']"})
    pool.end("behaviour_recorded", "Recorded", LM, 7, parent=watch)
    pool.end("watch_stopped", "Case closed", LM, 8.5, parent=handling)
    pool.end("case_done", "Done", TEAM, 9)
    pool.chain("complaint_received", handling, "case_done")
    pool.chain("handling_started", "handle_in_parallel", "run_stages", "case_finished")
    pool.chain("withdrawal_received", "record_withdrawal", "confirm_withdrawal", "close_withdrawn", "case_withdrawn")
    pool.flow("handle_in_parallel", watch)
    pool.flow(watch, "watch_stopped")
    pool.chain("watch_started", "behaviour_reported", "record_behaviour", "record_restrictions_placed",
               "behaviour_recorded")
    learning_reviews(pool)
    misconduct_referrals(pool)


def learning_reviews(pool: Pool) -> None:
    """Each agreed action plan: when an action's review date comes, remind its owner. Outlives the case's closure."""
    sub = pool.subprocess("follow_up_learning", "Follow up an action plan", event=True)
    pool.start("action_plan_agreed", "Action plan agreed", TEAM, 1, 3, parent=sub, message="learning_agreed",
               variable="action_plan", interrupting=False)
    pool.script("list_actions", "List the actions", TEAM, 2, 3, parent=sub, code="plan_actions = action_plan['actions']")
    each = pool.subprocess("review_each_action", "For each action", parent=sub, items="plan_actions",
                           item="learning_action")
    pool.start("action_review_started", "Action", TEAM, 3, 3, parent=each)
    pool.script("read_review_date", "Read the review date", TEAM, 4, 3, parent=each,
                code="review_on = learning_action['review_on']")
    pool.catch("review_date_reached", "Review date reached", TEAM, 5, 3, parent=each,
               timer="working_days_after(review_on, 0)", props={"deadlineKind": "review"})
    pool.service("remind_action_owner", "Remind the action's owner", TEAM, 6, 3, parent=each, op="send_letter",
                 params={"template": "'learning_review_due'", "recipient": "'user:' + learning_action['owner']"})
    pool.end("action_reminded", "Owner reminded", TEAM, 7, 3, parent=each)
    pool.end("action_plan_followed_up", "Followed up", TEAM, 8.5, 3, parent=sub)
    pool.chain("action_plan_agreed", "list_actions", each, "action_plan_followed_up")
    pool.chain("action_review_started", "read_review_date", "review_date_reached", "remind_action_owner",
               "action_reminded")


def misconduct_referrals(pool: Pool) -> None:
    """A stage flagged possible misconduct: HR is told and records the next steps, while the complaint goes on."""
    sub = pool.subprocess("refer_misconduct_to_hr", "Refer misconduct to HR", event=True)
    pool.start("misconduct_flagged", "Misconduct flagged", HR, 1, parent=sub, message="misconduct_referred",
               variable="referral", interrupting=False)
    pool.script("read_referral", "Read the referral", HR, 2, parent=sub,
                code="misconduct_concern = referral['misconduct_concern']\n"
                     "colleague_name = referral['colleague_name']\nraised_at_stage = referral['stage']")
    pool.service("tell_hr", "Send the referral to HR", HR, 3, parent=sub, op="notify_staff",
                 params={"template": "'hr_referral'", "role": "'hr'"})
    pool.user("consider_misconduct", "Consider the misconduct referral", HR, 4, parent=sub,
              form="forms/hr_referral.json", stage="any")
    pool.service("record_hr_decision", "Record HR's next steps", HR, 5, parent=sub, op="record_decision",
                 params={"decision": "'hr_referral_considered'",
                         "fields": "['raised_at_stage', 'hr_decision', 'hr_notes']"})
    pool.end("misconduct_considered", "Considered", HR, 6, parent=sub)
    pool.chain("misconduct_flagged", "read_referral", "tell_hr", "consider_misconduct", "record_hr_decision",
               "misconduct_considered")


def training_bundle() -> dict[str, bytes | dict]:
    """Every file of the bundle: manifest, diagram and forms."""
    diagram = Diagram("training_complaint_definitions", "Seetec Training complaint")
    case_pool(diagram)
    stages(diagram)
    informal_round(diagram)
    formal_round(diagram)
    appeal_round(diagram)
    return {"bundle.json": MANIFEST, "training_complaint.bpmn": diagram.to_xml(), **training_forms()}
