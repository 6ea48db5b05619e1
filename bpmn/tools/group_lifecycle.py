"""The group complaint lifecycle: concern, intake, stages, windows, reopening, withdrawal, closure, learning."""
from diagram import Diagram
from group_stages import alert, pass_up_closure

CT, LM, IO, AP = "Complaints team", "Line manager", "Investigating officer", "Appeal panel"


def response_deadline(d: Diagram, stage_call: str, stage: str, received: str, at: tuple) -> None:
    """Warning 5 working days before, and a breach alert at, the 20-working-day response deadline (3.1.3);
    below them, a closure for non-cooperation inside the stage is passed up (slot 0)."""
    col, row = at
    d.timer(f"{stage}_response_warning", "Response due in 5 working days", stage_call, 1,
            f"working_days_after({received}, 15)", False, "warning", stage)
    d.timer(f"{stage}_response_due", "Response due", stage_call, 2, f"working_days_after({received}, 20)",
            False, "response", stage, doc="Policy 3.1.3: written response within 20 working days of receipt.")
    alert(d, f"{stage}_response_warning", f"warn_{stage}_response", "sla_warning", stage, "response", (col, row + 1))
    alert(d, f"{stage}_response_due", f"alert_{stage}_response", "sla_breach", stage, "response", (col, row))
    pass_up_closure(d, stage_call, (col, row + 2))



def formal_and_appeal() -> Diagram:
    d = Diagram("group_formal_and_appeal", "Formal stage and appeal", [CT, IO, AP],
                doc="One pass of formal stage 2 and appeal stage 3; the caller loops when the panel reopens.")
    d.start("pass_start", "Formal stage or appeal", (0, 0), CT)
    d.gateway("entry_gateway", "Where does it start?", (1, 0), CT)
    d.call("formal_stage", "Formal stage 2", (2, 0), IO, "group_formal_stage", width=120)
    response_deadline(d, "formal_stage", "formal", "formal_received_at", (3, 1))
    d.receive("await_appeal", "Await an appeal request", (5, 0), CT, "appeal_requested", "appeal_request",
              doc="Policy 3.1.6: in writing, with reasons, within 10 working days of the formal reply.")
    d.timer("appeal_window_closes", "Appeal window closes", "await_appeal", 0,
            "working_days_after(formal_responded_at, 10)", True, "appeal_window", "formal")
    d.script("formal_outcome_stands", "The formal outcome stands", (6, 1), CT,
             "final_outcome = formal_outcome\npanel_decision = 'none'")
    d.end("appeal_window_expired", "No appeal", (6, 2), CT)
    d.script("receive_appeal", "Record the appeal request", (6, 0), CT,
             "appeal_received_at = appeal_request.get('received_at') or now()\n"
             "appeal_reasons = appeal_request.get('reasons', '')")
    d.gateway("appeal_join", None, (7, 0), CT)
    d.call("appeal_stage", "Appeal stage 3", (8, 0), AP, "group_appeal_stage", width=120)
    response_deadline(d, "appeal_stage", "appeal", "appeal_received_at", (9, 1))
    d.end("pass_done", "Appeal decided", (11, 0), AP)
    d.flow("pass_start", "entry_gateway")
    d.flow("entry_gateway", "appeal_join", "Appeal only", "entry == 'appeal'", route="above")
    d.flow("entry_gateway", "formal_stage", "Formal stage", default=True)
    d.chain("formal_stage", "await_appeal", "receive_appeal", "appeal_join", "appeal_stage", "pass_done")
    d.flow("appeal_window_closes", "formal_outcome_stands")
    d.flow("formal_outcome_stands", "appeal_window_expired")
    return d


def complaint_handling() -> Diagram:
    d = Diagram("group_complaint_handling", "Complaint handling", [CT, LM],
                doc="From an eligible complaint to its outcome: informal stage 1, escalation window, formal and "
                    "appeal passes (looping when the panel reopens), or a Delivery Partner's procedure.")
    d.start("handling_start", "Eligible complaint", (0, 0), CT)
    d.gateway("handling_route", "Which route?", (1, 0), CT)
    d.call("informal_stage", "Informal stage 1", (2, 0), LM, "group_informal_stage", width=140)
    response_deadline(d, "informal_stage", "informal", "stage1_received_at", (3, 1))
    d.receive("await_escalation", "Await an escalation request", (3, 1), CT, "escalation_requested",
              "escalation_request", doc="Policy 3.1.5: in writing, with reasons, within 10 working days.")
    d.timer("escalation_window_closes", "Escalation window closes", "await_escalation", 0,
            "working_days_after(informal_responded_at, 10)", True, "escalation_window", "informal")
    d.script("informal_outcome_stands", "The informal outcome stands", (4, 2), CT,
             "final_outcome = informal_outcome\npanel_decision = 'none'")
    d.end("escalation_window_expired", "No escalation", (5, 2), CT)
    d.script("receive_escalation", "Record the escalation request", (4, 1), CT,
             "formal_received_at = escalation_request.get('received_at') or now()\n"
             "escalation_reasons = escalation_request.get('reasons', '')\nreopened = False\nescalated = True\n"
             "entry = 'formal'")
    d.script("go_straight_to_formal", "Too serious for the informal stage", (2, 0), CT,
             "formal_received_at = stage1_received_at\nreopened = False\nescalated = False\nentry = 'formal'",
             doc="Policy 3.1.4: the response clock counts from the complaint's receipt.")
    d.service("partner_referral", "Explain the Delivery Partner's procedure", (3, 3), CT, "send_stage_letter",
              {"template": "'third_party_referral'", "stage": "'delivery_partner'"}, doc="Policy 2.5.3.")
    d.service("partner_record_stage", "Record the partner stage", (4, 3), CT, "record_stage",
              {"stage": "'delivery_partner'"})
    d.gateway("partner_join", None, (5, 3), CT)
    d.receive("await_partner_copy", "Await the partner's copy of a stage", (6, 3), CT, "partner_update",
              "partner_update", doc="Policy 2.5.3: partners copy Seetec in at each stage.")
    d.service("record_partner_stage", "Record the copy", (7, 3), CT, "record_partner_copy",
              {"update": "partner_update"})
    d.gateway("partner_gateway", "Which stage did the partner reach?", (8, 3), CT)
    d.script("partner_closed", "The partner closed it", (9, 4), CT, "final_outcome = 'transferred'")
    d.end("partner_done", "Closed by the partner", (9, 5), CT)
    d.script("partner_appeal_clock", "Note the partner's formal reply", (9, 3), CT,
             "partner_responded_at = partner_update.get('responded_at') or now()")
    d.receive("await_partner_appeal", "Await an appeal to Seetec", (10, 3), CT, "appeal_requested",
              "appeal_request", doc="Policy 2.5.3: stage 3 is handled by Seetec.")
    d.timer("partner_appeal_window_closes", "Appeal window closes", "await_partner_appeal", 0,
            "working_days_after(partner_responded_at, 10)", True, "appeal_window", "delivery_partner")
    d.script("partner_outcome_stands", "The partner's outcome stands", (11, 4), CT, "final_outcome = 'transferred'")
    d.end("partner_appeal_expired", "No appeal", (12, 4), CT)
    d.script("receive_partner_appeal", "Record the appeal request", (11, 3), CT,
             "appeal_received_at = appeal_request.get('received_at') or now()\n"
             "appeal_reasons = appeal_request.get('reasons', '')\nreopened = False\nentry = 'appeal'")
    d.gateway("formal_join", None, (12, 0), CT)
    d.call("formal_and_appeal", "Formal stage and appeal", (13, 0), CT, "group_formal_and_appeal", width=120)
    pass_up_closure(d, "formal_and_appeal", (14, 1))
    d.gateway("reopen_gateway", "Reopened by the panel?", (14, 0), CT)
    d.end("handling_done", "Outcome reached", (15, 0), CT)

    d.flow("handling_start", "handling_route")
    d.flow("handling_route", "partner_referral", "Delivery Partner", "eligibility == 'delivery_partner'")
    d.flow("handling_route", "go_straight_to_formal", "Too serious",
           "eligibility != 'delivery_partner' and first_stage == 'formal'")
    d.flow("handling_route", "informal_stage", "Informal", default=True)
    d.flow("go_straight_to_formal", "formal_join")
    d.flow("informal_stage", "await_escalation", route="vertical")
    d.flow("escalation_window_closes", "informal_outcome_stands")
    d.flow("informal_outcome_stands", "escalation_window_expired")
    d.flow("await_escalation", "receive_escalation")
    d.flow("receive_escalation", "formal_join")
    d.chain("partner_referral", "partner_record_stage", "partner_join", "await_partner_copy", "record_partner_stage",
            "partner_gateway")
    d.flow("partner_gateway", "partner_closed", "Closed", "partner_update.get('stage') == 'closed'")
    d.flow("partner_gateway", "partner_appeal_clock", "Formal reply", "partner_update.get('stage') == 'formal'")
    d.flow("partner_gateway", "partner_join", "Informal reply", default=True, route="below")
    d.flow("partner_closed", "partner_done")
    d.chain("partner_appeal_clock", "await_partner_appeal", "receive_partner_appeal", "formal_join")
    d.flow("partner_appeal_window_closes", "partner_outcome_stands")
    d.flow("partner_outcome_stands", "partner_appeal_expired")
    d.chain("formal_join", "formal_and_appeal", "reopen_gateway")
    d.flow("reopen_gateway", "formal_join", "Reopened", "panel_decision == 'reopen'", route="above")
    d.flow("reopen_gateway", "handling_done", "Decided", default=True)
    return d


def group_complaint() -> Diagram:
    d = Diagram("group_complaint", "Group complaint lifecycle", [CT, LM],
                doc="Seetec Group Compliments and Complaints Policy (30.09.2023) for Interventions Alliance, "
                    "Employability UK and Pluss: concerns, complaints, withdrawal, closure and learning reviews.")
    d.start("case_received", "Complaint or concern received", (0, 0), CT)
    d.gateway("kind_gateway", "Concern or complaint?", (1, 0), CT)
    d.service("concern_record_stage", "Record the pre-complaint stage", (2, 0), LM, "record_stage",
              {"stage": "'pre_complaint'"})
    d.user("resolve_concern", "Resolve the concern locally", (3, 0), LM, "forms/concern.json", stage="pre_complaint",
           doc="Policy 3.1.1: resolved by the colleague working with the service user where possible.")
    d.service("notify_concern_raised", "Tell the line manager and complaints team", (4, 0), LM, "notify_concern",
              doc="Policy 3.1.1: concerns raised and actions taken are notified.")
    d.gateway("concern_gateway", "Resolved?", (5, 0), LM)
    d.service("close_concern", "Close as resolved", (6, 1), LM, "close_complaint",
              {"outcome": "'resolved_informally'", "stage": "'pre_complaint'"})
    d.end("concern_closed", "Concern resolved", (7, 1), LM)
    d.script("raise_complaint", "Raise an official complaint", (6, 0), LM,
             "complaint_received_at = now()\nstage1_received_at = complaint_received_at")
    d.script("complaint_receipt", "Start the complaint's clocks", (2, 0), CT,
             "complaint_received_at = received_at\nstage1_received_at = received_at")
    d.gateway("complaint_join", None, (6, 0), CT)
    d.gateway("learning_listener_split", None, (7, 0), CT, kind="parallel")
    d.call("intake", "Intake and eligibility", (8, 0), CT, "shared_intake_eligibility")
    d.message_boundary("intake_withdrawn", "Withdrawn", "intake", 0, "withdrawn", "withdrawal", True)
    d.gateway("intake_route", "Eligible?", (9, 0), CT)
    d.call("handle_complaint", "Handle the complaint", (10, 0), CT, "group_complaint_handling", width=140,
           doc="Withdrawal (2.9.1) and closure after non-cooperation (2.9.2) can end it at any stage.")
    d.error_boundary("non_cooperation_closure", "Notice ran out", "handle_complaint", 0, "non_cooperation_closure")
    d.message_boundary("handling_withdrawn", "Withdrawn", "handle_complaint", 1, "withdrawn", "withdrawal", True)
    d.service("close_handled", "Close with the outcome", (12, 0), CT, "close_complaint",
              {"outcome": "final_outcome"}, doc="Policy 2.10.1: retention runs from closure.")
    d.service("signpost_ineligible", "Signpost the complainant", (11, 1), CT, "signpost_complainant",
              {"reason": "eligibility_reason", "signpost": "signpost"}, doc="Policy 2.4.2.")
    d.service("close_ineligible", "Close as ineligible", (12, 1), CT, "close_complaint", {"outcome": "'ineligible'"})
    d.service("refer_other_provider", "Refer to the other provider", (11, 2), CT, "send_stage_letter",
              {"template": "'third_party_referral'", "stage": "'intake'"}, doc="Policy 2.5.1.")
    d.service("close_transferred", "Close as transferred", (12, 2), CT, "close_complaint",
              {"outcome": "'transferred'"})
    d.gateway("withdrawal_join", None, (11, 3), CT)
    d.service("confirm_withdrawal", "Confirm the withdrawal in writing", (12, 3), CT, "send_stage_letter",
              {"template": "'withdrawal_confirmation'"}, doc="Policy 2.9.1.")
    d.service("close_withdrawn", "Close as withdrawn", (13, 3), CT, "close_complaint", {"outcome": "'withdrawn'"})
    d.service("confirm_non_cooperation_closure", "Confirm the closure in writing", (11, 4), CT,
              "send_stage_letter", {"template": "'withdrawal_confirmation'"}, doc="Policy 2.9.2.")
    d.service("close_non_cooperation", "Close as withdrawn", (12, 4), CT, "close_complaint",
              {"outcome": "'withdrawn'"})
    d.gateway("closed_join", None, (14, 0), CT)
    d.throw("announce_closed", "Complaint closed", (15, 0), CT, "complaint_closed", "{'outcome': 'closed'}")
    d.end("complaint_closed_end", "Closed", (16, 0), CT)
    d.gateway("listener_join", None, (8, 5), CT)
    d.gateway("listener_gateway", "Action plan or closure?", (9, 5), CT, kind="eventBased")
    d.catch("action_plan_agreed", "Action plan agreed", (10, 5), CT, "learning_actions_agreed", "action_plan")
    d.gateway("reviews_split", None, (11, 5), CT, kind="parallel")
    d.call("schedule_reviews", "Review the learning actions", (12, 6), CT, "shared_learning_reviews",
           doc="Policy 2.7.2: actions reviewed on their agreed dates, even after closure.")
    d.end("reviews_done", "Actions reviewed", (13, 6), CT)
    d.catch("closure_announced", "Complaint closed", (10, 7), CT, "complaint_closed", "closure")
    d.end("listener_done", "No more plans", (11, 7), CT)

    d.flow("case_received", "kind_gateway")
    d.flow("kind_gateway", "concern_record_stage", "Concern", "kind == 'concern'")
    d.flow("kind_gateway", "complaint_receipt", "Complaint", default=True)
    d.chain("concern_record_stage", "resolve_concern", "notify_concern_raised", "concern_gateway")
    d.flow("concern_gateway", "close_concern", "Resolved", "concern_resolved == True")
    d.flow("concern_gateway", "raise_complaint", "Official complaint", default=True)
    d.flow("close_concern", "concern_closed")
    d.flow("raise_complaint", "complaint_join")
    d.chain("complaint_receipt", "complaint_join", "learning_listener_split", "intake", "intake_route")
    d.flow("learning_listener_split", "listener_join", route="vertical")
    d.flow("intake_route", "signpost_ineligible", "Ineligible", "eligibility == 'ineligible'")
    d.flow("intake_route", "refer_other_provider", "Another provider", "eligibility == 'other_provider'")
    d.flow("intake_route", "handle_complaint", "Eligible", default=True)
    d.chain("handle_complaint", "close_handled", "closed_join")
    d.chain("signpost_ineligible", "close_ineligible", "closed_join")
    d.chain("refer_other_provider", "close_transferred", "closed_join")
    d.flow("intake_withdrawn", "withdrawal_join")
    d.flow("handling_withdrawn", "withdrawal_join")
    d.chain("withdrawal_join", "confirm_withdrawal", "close_withdrawn", "closed_join")
    d.flow("non_cooperation_closure", "confirm_non_cooperation_closure")
    d.chain("confirm_non_cooperation_closure", "close_non_cooperation", "closed_join")
    d.chain("closed_join", "announce_closed", "complaint_closed_end")
    d.chain("listener_join", "listener_gateway", "action_plan_agreed", "reviews_split", "schedule_reviews",
            "reviews_done")
    d.flow("reviews_split", "listener_join", route="above")
    d.flow("listener_gateway", "closure_announced")
    d.flow("closure_announced", "listener_done")
    return d
