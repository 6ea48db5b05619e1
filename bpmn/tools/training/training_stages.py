"""The Seetec Training stages: survey agreement, triage, third parties, informal, formal and appeal."""
from __future__ import annotations

from .diagram_builder import Diagram, Pool
from .training_rounds import ALERTED, WINDOW

TEAM, LM, IO, PANEL, PSRD = "Complaints team", "Line manager", "Investigating officer", "Appeal panel", "PSRD director"
CLOSE = "close_case_with_retention"
NEW_STAGE = "learning_actions = []\nlearning_summary = ''\nimprovement_actions = ''\n"  # nothing carried over


def acknowledgement_task(pool: Pool, id: str, name: str, received: str, stage: str, col: float, row: int = 0,
                         form: str = "forms/acknowledge.json", post: str | None = None) -> None:
    """A complaints-team task due five working days after receipt, warned at three, alerted when missed."""
    pool.user(id, name, TEAM, col, row, form=form, stage=stage, due=f"{id}_due", post=post)
    pool.boundary(f"{id}_warning", "Acknowledgement due soon", id, interrupting=False,
                  timer=f"working_days_after({received}, 3)", props={"deadlineKind": "warning", "stage": stage})
    pool.boundary(f"{id}_due", "Acknowledgement due", id, interrupting=False, slot=1,
                  timer=f"working_days_after({received}, 5)", props={"deadlineKind": "acknowledgement", "stage": stage})
    pool.service(f"{id}_warn", "Warn the complaints team", TEAM, col + 0.7, row + 1, op="notify_roles",
                 params={"template": "'sla_warning'", "roles": "['complaints_team']"})
    pool.end(f"{id}_warned", "Warned", TEAM, col + 1.4, row + 1)
    pool.service(f"{id}_alert", "Alert the line manager and complaints team", TEAM, col + 0.7, row + 2,
                 op="notify_roles", params={"template": "'sla_breach'", "roles": ALERTED})
    pool.end(f"{id}_alerted", "Alerted", TEAM, col + 1.4, row + 2)
    pool.chain(f"{id}_warning", f"{id}_warn", f"{id}_warned")
    pool.chain(f"{id}_due", f"{id}_alert", f"{id}_alerted")


def close(pool: Pool, id: str, name: str, outcome: str, lane: str, col: float, row: int, end_name: str) -> str:
    pool.service(id, name, lane, col, row, op=CLOSE, params={"outcome": outcome})
    pool.end(f"{id}_end", end_name, lane, col + 1, row)
    pool.flow(id, f"{id}_end")
    return id


def learning(pool: Pool, stage: str, element: str, lane: str, col: float, row: int = 0) -> tuple[str, str]:
    """Record the stage's action plan, then hand it to the main process, which reminds owners at review dates."""
    pool.service(f"record_{stage}_learning", "Record the learning and action plan", lane, col, row,
                 op="record_learning_actions", params={"stage": f"'{stage}'", "element": f"'{element}'"},
                 result=f"{stage}_action_plan")
    pool.throw(f"share_{stage}_learning", "Action plan agreed", lane, col + 1, row, message="learning_agreed",
               payload=f"{stage}_action_plan")
    pool.flow(f"record_{stage}_learning", f"share_{stage}_learning")
    return f"record_{stage}_learning", f"share_{stage}_learning"


def survey(pool: Pool) -> None:
    """A feedback survey becomes a complaint only with the participant's or employer's agreement."""
    pool.user("record_survey_agreement", "Ask the participant or employer and record whether they agree", TEAM,
              2, 3, form="forms/survey_agreement.json", stage="survey", due="survey_agreement_due")
    pool.boundary("survey_agreement_chase", "Agreement still awaited", "record_survey_agreement", interrupting=False,
                  timer="working_days_after(received_at, 5)", props={"deadlineKind": "warning", "stage": "survey"})
    pool.boundary("survey_agreement_due", "No agreement in time", "record_survey_agreement", slot=1,
                  timer="working_days_after(received_at, 10)", props={"deadlineKind": "consent", "stage": "survey"})
    pool.service("chase_survey_agreement", "Remind the complaints team", TEAM, 2.5, 4, op="notify_roles",
                 params={"template": "'sla_warning'", "roles": "['complaints_team']"})
    pool.end("survey_agreement_chased", "Reminded", TEAM, 2.5, 5)
    pool.chain("survey_agreement_chase", "chase_survey_agreement", "survey_agreement_chased")
    pool.gateway("agreement_check", "Agreed to log a complaint?", TEAM, 3, 3)
    pool.script("log_survey_complaint", "Log it as a complaint received today", TEAM, 4, 3,
                code="complaint_received_at = survey_agreed_on")
    pool.service("record_survey_logged", "Record that it is logged as a complaint", TEAM, 5, 3,
                 op="record_decision", params={"decision": "'survey_logged_as_complaint'",
                                               "fields": "['survey_agreed_on', 'how_asked']"})
    pool.user("decide_internal_investigation", "Decide whether an internal investigation is needed", PSRD, 4, 0,
              form="forms/internal_investigation_decision.json", stage="survey")
    pool.service("record_survey_not_logged", "Record that it is not logged as a complaint", PSRD, 5, 0,
                 op="record_decision", params={"decision": "'survey_not_logged_as_complaint'",
                                               "fields": "['internal_investigation_needed', 'decision_reasons']"})
    pool.gateway("internal_check", "Internal investigation?", PSRD, 6, 0)
    pool.user("investigate_internally", "Carry out the internal investigation", IO, 7, 0,
              form="forms/internal_investigation.json", stage="survey")
    first, last = learning(pool, "survey", "investigate_internally", IO, 8)
    close(pool, "close_internal_investigation", "Close: passed to an internal investigation", "'transferred'", IO,
          10, 0, "Investigated internally")
    close(pool, "close_survey_feedback", "Close: feedback recorded, not a complaint", "'recorded'", PSRD, 7, 1,
          "Feedback recorded")
    pool.chain("record_survey_agreement", "agreement_check")
    pool.flow("agreement_check", "log_survey_complaint", "Yes", condition="survey_agreed == True")
    pool.flow("agreement_check", "decide_internal_investigation", "No", default=True)
    pool.flow("survey_agreement_due", "decide_internal_investigation")
    pool.flow("log_survey_complaint", "record_survey_logged")
    pool.chain("decide_internal_investigation", "record_survey_not_logged", "internal_check")
    pool.flow("internal_check", "investigate_internally", "Yes", condition="internal_investigation_needed == True")
    pool.flow("internal_check", "close_survey_feedback", "No", default=True)
    pool.chain("investigate_internally", first)
    pool.flow(last, "close_internal_investigation")


def intake(pool: Pool) -> None:
    """Survey check, triage with the acknowledgement deadline, and the route it chooses."""
    pool.start("case_opened", "Complaint or concern received", TEAM, 0)
    pool.gateway("survey_check", "Feedback survey?", TEAM, 1)
    pool.script("note_receipt", "Count from the day of receipt", TEAM, 2, code="complaint_received_at = received_at")
    acknowledgement_task(pool, "triage", "Triage and acknowledge", "complaint_received_at", "informal", 6,
                         form="forms/triage.json")
    pool.gateway("route_check", "Which route?", TEAM, 8)
    pool.service("refer_third_party", "Tell the complainant who it was passed to and why", TEAM, 9, 3,
                 op="send_letter", params={"template": "'third_party_referral'"})
    pool.user("liaise_third_party", "Liaise with the complainant and the third party until resolved", TEAM, 10, 3,
              form="forms/third_party_liaison.json", stage="third_party")
    pool.service("record_third_party_themes", "Record the complaint and its themes", TEAM, 11, 3,
                 op="record_decision", params={"decision": "'third_party_complaint_resolved'",
                                               "fields": "['third_party_name', 'resolution_summary', 'themes']"})
    close(pool, "close_third_party", "Close: passed to the third party", "'transferred'", TEAM, 12, 3,
          "Resolved with the third party")
    pool.flow("case_opened", "survey_check")
    pool.flow("survey_check", "record_survey_agreement", "Survey", condition="channel == 'survey'")
    pool.flow("survey_check", "note_receipt", "No", default=True)
    pool.flow("note_receipt", "triage")
    pool.flow("record_survey_logged", "triage")
    pool.flow("triage", "route_check")
    pool.flow("route_check", "refer_third_party", "Third party", condition="route == 'third_party'")
    pool.chain("refer_third_party", "liaise_third_party", "record_third_party_themes", "close_third_party")
    survey(pool)


def informal(pool: Pool) -> None:
    """Details to the Training complaints mailbox, the informal rounds, the response and the escalation window."""
    pool.service("send_concern_details", "Send the details to the Training complaints mailbox", LM, 9, 0,
                 op="send_letter", params={"template": "'concern_notice'", "recipient": "'mailbox:complaints_mailbox'"})
    pool.service("open_informal", "Open the informal stage", LM, 10, 0, op="record_stage",
                 params={"stage": "'informal'"})
    pool.service("acknowledge_informal", "Send the acknowledgement", LM, 11, 0, op="send_letter",
                 params={"template": "'acknowledgement'"},
                 pre=NEW_STAGE + "response_due = working_days_after(complaint_received_at, 20)\n"
                     "informal_extended_to = None\ninformal_warn_on = None\ninformal_next = 'again'")
    pool.call("informal_rounds", "Resolve informally", LM, 12, called="training_informal_round",
              loop="informal_next == 'again'")
    pool.gateway("informal_result", "Resolved?", LM, 13)
    close(pool, "close_informal_not_cooperating", "Close as withdrawn: not cooperating", "'withdrawn'", LM, 14, 1,
          "Withdrawn")
    pool.service("send_informal_response", "Send the written informal response", LM, 14, 0, op="send_letter",
                 params={"template": "'stage_response'"},
                 pre="informal_responded_at = now()\n"
                     f"window_closes = working_days_after(informal_responded_at, {WINDOW})")
    first, last = learning(pool, "informal", "write_informal_response", LM, 15)
    pool.receive("await_escalation", "Wait for a request to go to the formal stage", LM, 17,
                 message="escalation_requested", variable="escalation_request",
                 post="formal_received_at = escalation_request.get('received_at') or now()\n"
                      "request_received_at = formal_received_at\nformal_triaged = False")
    pool.boundary("escalation_window_closed", "No request within 10 working days", "await_escalation",
                  timer=f"working_days_after(informal_responded_at, {WINDOW})",
                  props={"deadlineKind": "escalation_window", "stage": "informal"})
    close(pool, "close_informal", "Close with the informal outcome", "outcome", LM, 18, 1, "Resolved informally")
    pool.flow("route_check", "send_concern_details", "Informal", default=True)
    pool.chain("send_concern_details", "open_informal", "acknowledge_informal", "informal_rounds", "informal_result")
    pool.flow("informal_result", "close_informal_not_cooperating", "Not cooperating",
              condition="informal_next == 'not_cooperating'")
    pool.flow("informal_result", "send_informal_response", "Resolved", default=True)
    pool.chain("send_informal_response", first)
    pool.flow(last, "await_escalation")
    pool.flow("escalation_window_closed", "close_informal")


def formal(pool: Pool) -> None:
    """Acknowledge the escalation, the formal rounds with interim extensions, the response and the appeal window."""
    pool.script("go_straight_to_formal", "Informal resolution already tried", TEAM, 9, 1,
                code="formal_received_at = complaint_received_at\nrequest_received_at = formal_received_at\n"
                     "formal_triaged = True")
    pool.service("open_formal", "Open the formal stage", TEAM, 18, 0, op="record_stage", params={"stage": "'formal'"})
    pool.gateway("formal_triaged_check", "Acknowledged at triage?", TEAM, 19, 0)
    acknowledgement_task(pool, "acknowledge_formal", "Acknowledge the formal complaint", "formal_received_at",
                         "formal", 20, 2)
    pool.service("send_formal_acknowledgement", "Send the formal acknowledgement", TEAM, 22, 0, op="send_letter",
                 params={"template": "'acknowledgement'"},
                 pre=NEW_STAGE + "response_due = working_days_after(formal_received_at, 30)\n"
                     "formal_extended_to = None\nformal_warn_on = None\nformal_next = 'again'\n"
                     "formal_complaint_reviewed = False")
    pool.call("formal_rounds", "Investigate formally", IO, 23, called="training_formal_round",
              loop="formal_next == 'again'")
    pool.gateway("formal_result", "Response agreed?", IO, 24)
    close(pool, "close_formal_not_cooperating", "Close as withdrawn: not cooperating", "'withdrawn'", IO, 25, 1,
          "Withdrawn")
    pool.service("send_formal_response", "Send the written formal response", IO, 25, 0, op="send_letter",
                 params={"template": "'stage_response'"},
                 pre=f"formal_responded_at = now()\nwindow_closes = working_days_after(formal_responded_at, {WINDOW})")
    first, last = learning(pool, "formal", "investigate_formal", IO, 26)
    pool.receive("await_appeal", "Wait for an appeal", IO, 28, message="appeal_requested", variable="appeal_request",
                 post="appeal_received_at = appeal_request.get('received_at') or now()\n"
                      "request_received_at = appeal_received_at")
    pool.boundary("appeal_window_closed", "No appeal within 10 working days", "await_appeal",
                  timer=f"working_days_after(formal_responded_at, {WINDOW})",
                  props={"deadlineKind": "appeal_window", "stage": "formal"})
    close(pool, "close_formal", "Close with the formal outcome", "outcome", IO, 29, 1, "Formal stage complete")
    pool.flow("route_check", "go_straight_to_formal", "Formal", condition="route == 'formal'")
    pool.flow("go_straight_to_formal", "open_formal")
    pool.flow("await_escalation", "open_formal")
    pool.flow("open_formal", "formal_triaged_check")
    pool.flow("formal_triaged_check", "send_formal_acknowledgement", "Yes", condition="formal_triaged == True")
    pool.flow("formal_triaged_check", "acknowledge_formal", "No", default=True)
    pool.chain("acknowledge_formal", "send_formal_acknowledgement", "formal_rounds", "formal_result")
    pool.flow("formal_result", "close_formal_not_cooperating", "Not cooperating",
              condition="formal_next == 'not_cooperating'")
    pool.flow("formal_result", "send_formal_response", "Agreed", default=True)
    pool.chain("send_formal_response", first)
    pool.flow(last, "await_appeal")
    pool.flow("appeal_window_closed", "close_formal")


def appeal(pool: Pool) -> None:
    """Acknowledge the appeal, the panel rounds, the final response with any independent arbiter, and closure."""
    pool.service("open_appeal", "Open the appeal stage", TEAM, 29, 0, op="record_stage", params={"stage": "'appeal'"})
    acknowledgement_task(pool, "acknowledge_appeal", "Acknowledge the appeal", "appeal_received_at", "appeal", 30)
    pool.service("send_appeal_acknowledgement", "Send the appeal acknowledgement", TEAM, 32, 0, op="send_letter",
                 params={"template": "'acknowledgement'"},
                 pre=NEW_STAGE + "response_due = working_days_after(appeal_received_at, 30)\n"
                     "appeal_extended_to = None\nappeal_warn_on = None\nappeal_next = 'again'\npanel_convened = False")
    pool.call("appeal_rounds", "Hear the appeal", PANEL, 33, called="training_appeal_round",
              loop="appeal_next == 'again'")
    pool.gateway("appeal_result", "Decided?", PANEL, 34)
    close(pool, "close_appeal_not_cooperating", "Close as withdrawn: not cooperating", "'withdrawn'", PANEL, 35, 1,
          "Withdrawn")
    pool.service("send_appeal_response", "Send the final response with any next avenues", PANEL, 35, 0,
                 op="send_letter", params={"template": "'stage_response'"},
                 pre="next_steps = next_steps if next_avenues_applicable else []")
    first, last = learning(pool, "appeal", "decide_appeal", PANEL, 36)
    close(pool, "close_appeal", "Close with the appeal outcome", "outcome", PANEL, 38, 0, "Procedure complete")
    pool.flow("await_appeal", "open_appeal")
    pool.chain("open_appeal", "acknowledge_appeal", "send_appeal_acknowledgement", "appeal_rounds", "appeal_result")
    pool.flow("appeal_result", "close_appeal_not_cooperating", "Not cooperating",
              condition="appeal_next == 'not_cooperating'")
    pool.flow("appeal_result", "send_appeal_response", "Decided", default=True)
    pool.chain("send_appeal_response", first)
    pool.flow(last, "close_appeal")


def stages(diagram: Diagram) -> None:
    """The pool that carries a Training case through its stages."""
    pool = diagram.pool("training_stages", "Seetec Training complaint stages", [TEAM, LM, IO, PANEL, PSRD])
    intake(pool)
    informal(pool)
    formal(pool)
    appeal(pool)
