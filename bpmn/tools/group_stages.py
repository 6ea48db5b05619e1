"""The three stages of the group complaints procedure (policy 3.1.3 to 3.2.1)."""
from diagram import Diagram

CT, LM, IO, AP, PSRD = "Complaints team", "Line manager", "Investigating officer", "Appeal panel", "PSRD director"


def acknowledgement(d: Diagram, task: str, stage: str, received: str, at: tuple) -> None:
    """Non-interrupting warning and breach alerts on a 3-working-day acknowledgement (policy 3.1.2)."""
    col, row = at
    d.timer(f"{stage}_ack_warning", "One day left to acknowledge", task, 0, f"working_days_after({received}, 2)",
            False, "warning", stage)
    d.timer(f"{stage}_ack_due", "Acknowledgement due", task, 1, f"working_days_after({received}, 3)",
            False, "acknowledgement", stage, doc="Policy 3.1.2: acknowledged within 3 working days of receipt.")
    alert(d, f"{stage}_ack_warning", f"warn_{stage}_ack", "sla_warning", stage, "acknowledgement", (col, row + 1))
    alert(d, f"{stage}_ack_due", f"alert_{stage}_ack", "sla_breach", stage, "acknowledgement", (col, row))


def alert(d: Diagram, source: str, id: str, template: str, stage: str, deadline: str, at: tuple) -> None:
    lane = d.nodes[source].lane
    d.service(id, "Warn line manager and complaints team" if template == "sla_warning" else
              "Alert line manager and complaints team", at, lane, "alert_deadline",
              {"template": f"'{template}'", "stage": f"'{stage}'", "deadline": f"'{deadline}'"})
    d.end(f"{id}_sent", "Alert sent", (at[0] + 1, at[1]), lane)
    d.flow(source, id)
    d.flow(id, f"{id}_sent")


def pass_up_closure(d: Diagram, call: str, at: tuple) -> None:
    """Catch a closure for non-cooperation from the called process and throw it on to the caller (policy 2.9.2).

    SpiffWorkflow runs the steps after a call activity if the error is only caught further up, so each level
    catches it from the level below."""
    d.error_boundary(f"{call}_closed", "Closed for non-cooperation", call, 0, "non_cooperation_closure")
    d.end(f"{call}_closure_passed_up", "Closed for non-cooperation", at, d.nodes[call].lane,
          error="non_cooperation_closure")
    d.flow(f"{call}_closed", f"{call}_closure_passed_up")


def informal_stage() -> Diagram:
    d = Diagram("group_informal_stage", "Informal stage 1", [CT, LM],
                doc="Policy 3.1.4: a line manager or above investigates; 3.1.3: written response.")
    d.start("informal_start", "Informal stage begins", (0, 0), CT)
    d.service("informal_record_stage", "Record the informal stage", (1, 0), CT, "record_stage", {"stage": "'informal'"})
    d.user("allocate_line_manager", "Allocate a line manager or above", (2, 0), CT,
           "forms/allocate_line_manager.json", stage="informal", doc="Policy 3.1.4.")
    d.script("informal_assign", "Assign the investigation", (3, 0), CT,
             "investigator = line_manager\ncurrent_stage = 'informal'")
    d.service("informal_notify", "Tell the line manager", (4, 0), CT, "notify_assignment",
              {"role": "'line_manager'", "assignee": "line_manager", "stage": "'informal'"})
    d.call("informal_investigation", "Investigate the complaint", (5, 0), LM, "shared_investigation")
    pass_up_closure(d, "informal_investigation", (6, 1))
    d.service("send_informal_response", "Send the written response", (6, 0), LM, "send_stage_letter",
              {"template": "'stage_response'", "stage": "'informal'", "window_days": "10"},
              doc="Policy 3.1.3 and 3.1.5: the letter says escalation may be asked for within 10 working days.")
    d.script("informal_conclude", "Note the outcome and response date", (7, 0), LM,
             "informal_outcome = outcome\ninformal_responded_at = now()")
    d.end("informal_done", "Response sent", (8, 0), LM)
    d.chain("informal_start", "informal_record_stage", "allocate_line_manager", "informal_assign", "informal_notify",
            "informal_investigation", "send_informal_response", "informal_conclude", "informal_done")
    return d


def formal_stage() -> Diagram:
    d = Diagram("group_formal_stage", "Formal stage 2", [CT, IO],
                doc="Policy 3.1.5: an investigating officer not previously involved; 3.1.3: written response.")
    d.start("formal_start", "Formal stage begins", (0, 0), CT)
    d.service("formal_record_stage", "Record the formal stage", (1, 0), CT, "record_stage", {"stage": "'formal'"})
    d.gateway("formal_reopened_gateway", "Escalation to acknowledge?", (2, 0), CT)
    d.user("acknowledge_escalation", "Acknowledge the escalation request", (3, 1), CT,
           "forms/acknowledge_request.json", stage="formal", due_timer="formal_ack_due",
           doc="Policy 3.1.2 and 3.1.5: acknowledged within 3 working days; the request states its reasons.")
    acknowledgement(d, "acknowledge_escalation", "formal", "formal_received_at", (4, 2))
    d.service("send_escalation_ack", "Send the acknowledgement", (4, 1), CT, "send_stage_letter",
              {"template": "'acknowledgement'", "stage": "'formal'"})
    d.gateway("allocation_join", None, (5, 0), CT)
    d.user("allocate_investigator", "Allocate an independent investigating officer", (6, 0), CT,
           "forms/allocate_investigator.json", stage="formal",
           doc="Policy 3.1.5: the officer must not have been involved before (x-independent).")
    d.script("formal_assign", "Assign the investigation", (7, 0), CT,
             "investigator = investigating_officer\ncurrent_stage = 'formal'")
    d.service("formal_notify", "Tell the investigating officer", (8, 0), CT, "notify_assignment",
              {"role": "'investigating_officer'", "assignee": "investigating_officer", "stage": "'formal'"})
    d.call("formal_investigation", "Investigate the complaint", (9, 0), IO, "shared_investigation")
    pass_up_closure(d, "formal_investigation", (10, 1))
    d.service("send_formal_response", "Send the written response", (10, 0), IO, "send_stage_letter",
              {"template": "'stage_response'", "stage": "'formal'", "window_days": "10"},
              doc="Policy 3.1.6: the letter says an appeal may be asked for within 10 working days.")
    d.script("formal_conclude", "Note the outcome and response date", (11, 0), IO,
             "formal_outcome = outcome\nformal_responded_at = now()")
    d.end("formal_done", "Response sent", (12, 0), IO)
    d.chain("formal_start", "formal_record_stage", "formal_reopened_gateway")
    d.flow("formal_reopened_gateway", "acknowledge_escalation", "Escalation request", "escalated == True")
    d.flow("formal_reopened_gateway", "allocation_join", "Reopened or too serious", default=True)
    d.chain("acknowledge_escalation", "send_escalation_ack", "allocation_join", "allocate_investigator",
            "formal_assign", "formal_notify", "formal_investigation", "send_formal_response", "formal_conclude",
            "formal_done")
    return d


def appeal_stage() -> Diagram:
    d = Diagram("group_appeal_stage", "Appeal stage 3", [CT, AP, PSRD],
                doc="Policy 3.1.6: a panel of at least two people not previously involved decides whether the "
                    "formal investigation was sufficient and reasonable, or reopens it; 3.2.1: next avenues.")
    d.start("appeal_start", "Appeal requested", (0, 0), CT)
    d.service("appeal_record_stage", "Record the appeal stage", (1, 0), CT, "record_stage", {"stage": "'appeal'"})
    d.user("acknowledge_appeal", "Acknowledge the appeal request", (2, 0), CT, "forms/acknowledge_request.json",
           stage="appeal", due_timer="appeal_ack_due", doc="Policy 3.1.2 and 3.1.6.")
    acknowledgement(d, "acknowledge_appeal", "appeal", "appeal_received_at", (3, 1))
    d.service("send_appeal_ack", "Send the acknowledgement", (3, 0), CT, "send_stage_letter",
              {"template": "'acknowledgement'", "stage": "'appeal'"})
    d.user("convene_panel", "Convene the appeal panel", (5, 0), CT, "forms/convene_panel.json", stage="appeal",
           due_timer="panel_convening_due", doc="Policy 3.1.6: at least two people, none involved before.")
    d.timer("panel_chase_due", "Panel not yet convened", "convene_panel", 0,
            "working_days_after(appeal_received_at, 5)", False, "warning", "appeal")
    d.timer("panel_convening_due", "Panel convening overdue", "convene_panel", 1,
            "working_days_after(appeal_received_at, 10)", False, "panel_convening", "appeal")
    d.service("chase_panel", "Chase the complaints team", (6, 2), CT, "notify_staff",
              {"template": "'panel_chase'", "role": "'complaints_team'"})
    d.end("panel_chased", "Chased", (7, 2), CT)
    d.service("escalate_panel", "Escalate to the PSRD director", (6, 0), PSRD, "notify_staff",
              {"template": "'panel_chase'", "role": "'psrd_director'"})
    d.end("panel_escalated", "Escalated", (7, 0), PSRD)
    d.script("appeal_assign", "Name the panel chair", (6, 0), CT,
             "panel_chair = panel[0]\ninvestigator = panel_chair\ncurrent_stage = 'appeal'")
    d.service("appeal_notify", "Tell the panel", (7, 0), CT, "notify_assignment",
              {"role": "'appeal_panel'", "assignee": "panel", "stage": "'appeal'"})
    d.gateway("review_join", None, (8, 0), AP)
    d.user("panel_review", "Review the formal stage investigation", (9, 0), AP, "forms/panel_review.json",
           assignee="panel_chair", classify="true",
           doc="Policy 3.1.6: was the formal investigation sufficient and reasonable? A closing form (themes).")
    d.message_boundary("panel_unacceptable_behaviour", "Unacceptable behaviour", "panel_review", 0,
                       "unacceptable_behaviour", "behaviour_report", False, doc="Policy 2.8.1.")
    d.call("panel_behaviour_restrictions", "Record unacceptable behaviour restrictions", (10, 3), AP,
           "shared_unacceptable_behaviour")
    d.end("panel_behaviour_recorded", "Restrictions recorded", (11, 3), AP)
    d.message_boundary("panel_non_cooperation", "Complainant not cooperating", "panel_review", 1,
                       "non_cooperation", "non_cooperation_report", True, doc="Policy 2.9.2.")
    d.call("panel_non_cooperation_notice", "Give notice of closure", (10, 2), AP, "shared_non_cooperation")
    d.gateway("panel_cooperation_gateway", "Cooperating again?", (11, 2), AP)
    d.end("panel_closed_for_non_cooperation", "Closed as withdrawn", (12, 2), AP, error="non_cooperation_closure")
    d.gateway("appeal_misconduct_gateway", "Misconduct concern?", (10, 0), AP)
    d.call("appeal_misconduct_referral", "Refer the misconduct concern to HR", (11, 1), AP, "shared_hr_referral")
    d.gateway("appeal_misconduct_join", None, (12, 0), AP)
    d.gateway("appeal_learning_gateway", "Learning or best practice?", (13, 0), AP)
    d.call("appeal_learning_plan", "Complete the learning action plan", (14, 1), AP, "shared_learning_plan")
    d.gateway("appeal_learning_join", None, (15, 0), AP)
    d.gateway("panel_decision_gateway", "Formal investigation sufficient?", (16, 0), AP)
    d.service("send_reopen_letter", "Explain that the complaint is reopened", (17, 1), AP, "send_stage_letter",
              {"template": "'stage_response'", "stage": "'appeal'"}, doc="Policy 3.1.6: the panel writes to explain.")
    d.script("reopen_formal_stage", "Reopen at the formal stage", (18, 1), AP,
             "panel_decision = 'reopen'\nreopened = True\nescalated = False\nentry = 'formal'\n"
             "formal_received_at = now()")
    d.end("appeal_reopened", "Reopened", (19, 1), AP)
    d.service("send_appeal_response", "Send the final response with next steps", (17, 0), AP, "send_final_response",
              {"outcome": "outcome"}, doc="Policy 3.2.1: the letter names the contract's other avenues.")
    d.script("appeal_conclude", "Note the final outcome", (18, 0), AP,
             "panel_decision = 'final'\nappeal_outcome = outcome\nfinal_outcome = outcome")
    d.end("appeal_done", "Procedure exhausted", (19, 0), AP)

    d.chain("appeal_start", "appeal_record_stage", "acknowledge_appeal", "send_appeal_ack", "convene_panel",
            "appeal_assign", "appeal_notify", "review_join", "panel_review", "appeal_misconduct_gateway")
    d.flow("panel_chase_due", "chase_panel")
    d.flow("chase_panel", "panel_chased")
    d.flow("panel_convening_due", "escalate_panel")
    d.flow("escalate_panel", "panel_escalated")
    d.flow("panel_unacceptable_behaviour", "panel_behaviour_restrictions")
    d.flow("panel_behaviour_restrictions", "panel_behaviour_recorded")
    d.flow("panel_non_cooperation", "panel_non_cooperation_notice")
    d.flow("panel_non_cooperation_notice", "panel_cooperation_gateway")
    d.flow("panel_cooperation_gateway", "review_join", "Yes", "cooperation == 'resumed'", route="below")
    d.flow("panel_cooperation_gateway", "panel_closed_for_non_cooperation", "No", default=True)
    d.flow("appeal_misconduct_gateway", "appeal_misconduct_referral", "Yes", "misconduct_concern == True")
    d.flow("appeal_misconduct_gateway", "appeal_misconduct_join", default=True)
    d.flow("appeal_misconduct_referral", "appeal_misconduct_join")
    d.flow("appeal_misconduct_join", "appeal_learning_gateway")
    d.flow("appeal_learning_gateway", "appeal_learning_plan", "Yes",
           "learning_identified == True or best_practice_identified == True")
    d.flow("appeal_learning_gateway", "appeal_learning_join", default=True)
    d.flow("appeal_learning_plan", "appeal_learning_join")
    d.flow("appeal_learning_join", "panel_decision_gateway")
    d.flow("panel_decision_gateway", "send_reopen_letter", "No: reopen", "investigation_sufficient == False")
    d.flow("panel_decision_gateway", "send_appeal_response", "Yes", default=True)
    d.chain("send_reopen_letter", "reopen_formal_stage", "appeal_reopened")
    d.chain("send_appeal_response", "appeal_conclude", "appeal_done")
    return d
