"""Shared casework: investigation, non-cooperation, HR referral, learning action plan and its reviews."""
from diagram import Diagram

CT, LM, IO, HR = "Complaints team", "Line manager", "Investigating officer", "HR"
FORMS = "shared/forms"


def investigation() -> Diagram:
    d = Diagram("shared_investigation", "Investigation", [IO, CT],
                doc="Policy 2.6 (colleague involvement), 2.7 (learning, misconduct), 2.8 (unacceptable behaviour) "
                    "and 2.9.2 (non-cooperation), for whoever investigates at this stage (`investigator`).")
    d.start("investigation_start", "Investigation allocated", (0, 0), IO)
    d.gateway("colleague_gateway", "About a colleague?", (1, 0), IO)
    d.user("discuss_with_colleague", "Discuss the complaint with the colleague concerned", (2, 1), IO,
           f"{FORMS}/colleague_discussion.json", assignee="investigator", doc="Policy 2.6.1 and 2.6.2.")
    d.gateway("colleague_join", None, (3, 0), IO)
    d.gateway("investigate_join", None, (4, 0), IO)
    d.user("investigate", "Investigate and draft the written response", (5, 0), IO,
           f"{FORMS}/investigation.json", assignee="investigator", classify="true",
           doc="Policy 3.1.3; learning and best practice must be considered at every stage (2.7.1). "
               "Its outcome closes the stage, so it also records the themes (closing form).")
    d.message_boundary("non_cooperation_reported", "Complainant not cooperating", "investigate", 0,
                       "non_cooperation", "non_cooperation_report", True, doc="Policy 2.9.2.")
    d.message_boundary("unacceptable_behaviour_reported", "Unacceptable behaviour", "investigate", 1,
                       "unacceptable_behaviour", "behaviour_report", False, doc="Policy 2.8.1.")
    d.call("give_non_cooperation_notice", "Give notice of closure", (6, 2), IO, "shared_non_cooperation")
    d.gateway("cooperation_gateway", "Cooperating again?", (7, 2), IO)
    d.end("closed_for_non_cooperation", "Closed as withdrawn", (8, 2), IO, error="non_cooperation_closure",
          doc="Policy 2.9.2: the notice period ran out; the complaint closes as withdrawn.")
    d.call("behaviour_restrictions", "Record unacceptable behaviour restrictions", (6, 0), CT,
           "shared_unacceptable_behaviour", doc="Policy 2.8.1.")
    d.end("behaviour_recorded", "Restrictions recorded", (7, 0), CT)
    d.gateway("misconduct_gateway", "Misconduct concern?", (6, 0), IO)
    d.call("misconduct_referral", "Refer the misconduct concern to HR", (7, 1), IO, "shared_hr_referral",
           doc="Policy 2.7.3.")
    d.gateway("misconduct_join", None, (8, 0), IO)
    d.gateway("learning_gateway", "Learning or best practice?", (9, 0), IO)
    d.call("learning_action_plan", "Complete the learning action plan", (10, 1), IO, "shared_learning_plan",
           doc="Policy 2.7.1 and 2.7.2.")
    d.gateway("learning_join", None, (11, 0), IO)
    d.end("investigation_done", "Ready to respond", (12, 0), IO)

    d.flow("investigation_start", "colleague_gateway")
    d.flow("colleague_gateway", "discuss_with_colleague", "Yes", "about_colleague == True")
    d.flow("colleague_gateway", "colleague_join", default=True)
    d.flow("discuss_with_colleague", "colleague_join")
    d.chain("colleague_join", "investigate_join", "investigate", "misconduct_gateway")
    d.flow("non_cooperation_reported", "give_non_cooperation_notice")
    d.flow("give_non_cooperation_notice", "cooperation_gateway")
    d.flow("cooperation_gateway", "investigate_join", "Yes", "cooperation == 'resumed'", route="below")
    d.flow("cooperation_gateway", "closed_for_non_cooperation", "No", default=True)
    d.flow("unacceptable_behaviour_reported", "behaviour_restrictions")
    d.flow("behaviour_restrictions", "behaviour_recorded")
    d.flow("misconduct_gateway", "misconduct_referral", "Yes", "misconduct_concern == True")
    d.flow("misconduct_gateway", "misconduct_join", default=True)
    d.flow("misconduct_referral", "misconduct_join")
    d.flow("misconduct_join", "learning_gateway")
    d.flow("learning_gateway", "learning_action_plan", "Yes",
           "learning_identified == True or best_practice_identified == True")
    d.flow("learning_gateway", "learning_join", default=True)
    d.flow("learning_action_plan", "learning_join")
    d.flow("learning_join", "investigation_done")
    return d


def unacceptable_behaviour() -> Diagram:
    d = Diagram("shared_unacceptable_behaviour", "Unacceptable behaviour", [CT],
                doc="Policy 2.8.1: restrictions under the Seetec Group Complaints Unacceptable Behaviour Policy.")
    d.start("behaviour_start", "Unacceptable behaviour reported", (0, 0), CT)
    d.user("record_behaviour", "Record unacceptable behaviour restrictions", (1, 0), CT, f"{FORMS}/restrictions.json")
    d.service("record_behaviour_restrictions", "Record the restrictions", (2, 0), CT, "record_restrictions",
              {"behaviour": "behaviour", "restrictions": "restrictions", "review_on": "restrictions_review_on"})
    d.end("restrictions_recorded", "Restrictions recorded", (3, 0), CT)
    d.chain("behaviour_start", "record_behaviour", "record_behaviour_restrictions", "restrictions_recorded")
    return d


def non_cooperation() -> Diagram:
    d = Diagram("shared_non_cooperation", "Non-cooperation notice", [CT],
                doc="Policy 2.9.2: notice that the complaint will close as withdrawn unless the complainant "
                    "cooperates within 10 working days.")
    d.start("notice_start", "Complainant not cooperating", (0, 0), CT)
    d.service("send_non_cooperation_notice", "Send the notice", (1, 0), CT, "send_stage_letter",
              {"template": "'non_cooperation_notice'", "stage": "current_stage", "window_days": "10"})
    d.script("notice_clock", "Note when notice was given", (2, 0), CT, "notice_sent_at = now()")
    d.receive("await_cooperation", "Await cooperation", (3, 0), CT, "cooperation_resumed", "resumption")
    d.timer("notice_period_ends", "Notice period ends", "await_cooperation", 0,
            "working_days_after(notice_sent_at, 10)", True, "non_cooperation", doc="Policy 2.9.2.")
    d.script("cooperation_lapsed", "Record that it lapsed", (4, 1), CT, "cooperation = 'lapsed'")
    d.end("notice_lapsed", "Notice ran out", (5, 1), CT)
    d.script("cooperation_back", "Record that cooperation resumed", (4, 0), CT, "cooperation = 'resumed'")
    d.end("notice_withdrawn", "Cooperating", (5, 0), CT)
    d.chain("notice_start", "send_non_cooperation_notice", "notice_clock", "await_cooperation", "cooperation_back",
            "notice_withdrawn")
    d.flow("notice_period_ends", "cooperation_lapsed")
    d.flow("cooperation_lapsed", "notice_lapsed")
    return d


def hr_referral() -> Diagram:
    d = Diagram("shared_hr_referral", "HR referral", [IO, HR],
                doc="Policy 2.7.3: misconduct concerns are discussed with HR and next steps agreed.")
    d.start("referral_start", "Misconduct concern", (0, 0), IO)
    d.service("make_hr_referral", "Refer to HR", (1, 0), IO, "refer_to_hr", {"stage": "current_stage"})
    d.user("agree_next_steps", "Agree next steps on the misconduct concern", (2, 0), HR,
           f"{FORMS}/hr_next_steps.json")
    d.service("record_next_steps", "Record the next steps", (3, 0), HR, "record_hr_next_steps",
              {"stage": "current_stage", "next_steps": "hr_next_steps", "disciplinary_action": "disciplinary_action"})
    d.end("referral_done", "Next steps agreed", (4, 0), HR)
    d.chain("referral_start", "make_hr_referral", "agree_next_steps", "record_next_steps", "referral_done")
    return d


def learning_plan() -> Diagram:
    d = Diagram("shared_learning_plan", "Learning action plan", [IO],
                doc="Policy 2.7.1-2.7.2: the investigating officer completes an action plan; its reviews are "
                    "scheduled by the complaint's learning reviews.")
    d.start("plan_start", "Learning identified", (0, 0), IO)
    d.user("complete_action_plan", "Complete the action plan", (1, 0), IO, f"{FORMS}/action_plan.json",
           assignee="investigator")
    d.service("record_plan", "Record the learning actions", (2, 0), IO, "record_action_plan",
              {"stage": "current_stage", "actions": "actions"}, result="action_plan")
    d.throw("announce_action_plan", "Action plan agreed", (3, 0), IO, "learning_actions_agreed", "action_plan")
    d.end("plan_done", "Plan recorded", (4, 0), IO)
    d.chain("plan_start", "complete_action_plan", "record_plan", "announce_action_plan", "plan_done")
    return d


def learning_reviews() -> Diagram:
    d = Diagram("shared_learning_reviews", "Learning action reviews", [LM],
                doc="Policy 2.7.2: each action is reviewed on its agreed date.")
    d.start("reviews_start", "Action plan agreed", (0, 0), LM)
    d.script("list_actions", "List the actions", (1, 0), LM, "learning_actions = action_plan['actions']")
    d.call("review_each_action", "Review each action", (2, 0), LM, "shared_learning_review",
           loop_over="learning_actions", item="learning_action")
    d.end("reviews_done", "All reviewed", (3, 0), LM)
    d.chain("reviews_start", "list_actions", "review_each_action", "reviews_done")
    return d


def learning_review() -> Diagram:
    d = Diagram("shared_learning_review", "Learning action review", [LM])
    d.start("review_start", "Action to review", (0, 0), LM)
    d.script("prepare_review", "Read the action", (1, 0), LM,
             "review_at = learning_action['remind_at']\naction_owner = learning_action['owner']\n"
             "action_description = learning_action['description']\naction_stage = learning_action['stage']")
    d.wait("review_date", "Review date", (2, 0), LM, "review_at", "review")
    d.service("remind_action_owner", "Remind the owner", (3, 0), LM, "notify_learning_review",
              {"owner": "action_owner", "description": "action_description", "stage": "action_stage"})
    d.user("review_learning_action", "Review the learning action", (4, 0), LM, f"{FORMS}/learning_review.json",
           assignee="action_owner")
    d.timer("review_overdue", "Review overdue", "review_learning_action", 0,
            "working_days_after(review_at, 5)", False, "review")
    d.service("chase_review", "Chase the review", (5, 1), LM, "notify_learning_review",
              {"owner": "action_owner", "description": "action_description", "stage": "action_stage"})
    d.end("review_chased", "Chased", (6, 1), LM)
    d.service("record_review", "Record the review", (5, 0), LM, "record_learning_review",
              {"description": "action_description", "completed": "action_completed", "notes": "review_notes"})
    d.end("review_done", "Reviewed", (6, 0), LM)
    d.chain("review_start", "prepare_review", "review_date", "remind_action_owner", "review_learning_action",
            "record_review", "review_done")
    d.flow("review_overdue", "chase_review")
    d.flow("chase_review", "review_chased")
    return d
