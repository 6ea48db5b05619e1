"""One round of work at each Training stage, called in a loop so that repeated rounds never deepen the task tree.

A round ends with `<stage>_next` set to 'done' (respond), 'again' (interim response or cooperation resumed: the
stage's deadline has moved) or 'not_cooperating' (the non-cooperation period ran out).
"""
from __future__ import annotations

from .diagram_builder import Diagram, Pool

ALERTED = "['line_manager', 'complaints_team']"
WINDOW = 10


def due_expression(stage: str, received: str, days: int) -> str:
    """The stage's response deadline: N working days from receipt until an extension moves it."""
    return (f"working_days_after({received}, {days}) if not {stage}_extended_to "
            f"else working_days_after({stage}_extended_to, 0)")


def warning_expression(stage: str, received: str, days: int) -> str:
    return (f"working_days_after({received}, {days - 5}) if not {stage}_extended_to "
            f"else working_days_after({stage}_warn_on, 0)")


def deadline_timers(pool: Pool, host: str, stage: str, received: str, days: int, lane: str, col: float, row: int):
    """Non-interrupting warning before the response deadline, and a breach alert at it."""
    label = stage.capitalize()
    pool.boundary(f"{stage}_response_warning", f"{label} response due soon", host, interrupting=False,
                  timer=warning_expression(stage, received, days),
                  props={"deadlineKind": "warning", "stage": stage})
    pool.boundary(f"{stage}_response_due", f"{label} response due", host, interrupting=False, slot=1,
                  timer=due_expression(stage, received, days), props={"deadlineKind": "response", "stage": stage})
    pool.service(f"{stage}_warn_staff", "Warn the line manager and complaints team", lane, col, row,
                 op="notify_roles", params={"template": "'sla_warning'", "roles": ALERTED})
    pool.end(f"{stage}_warned", "Warning sent", lane, col + 0.7, row)
    pool.service(f"{stage}_alert_breach", "Alert the line manager and complaints team", lane, col, row + 1,
                 op="notify_roles", params={"template": "'sla_breach'", "roles": ALERTED})
    pool.end(f"{stage}_breach_alerted", "Breach alerted", lane, col + 0.7, row + 1)
    pool.chain(f"{stage}_response_warning", f"{stage}_warn_staff", f"{stage}_warned")
    pool.chain(f"{stage}_response_due", f"{stage}_alert_breach", f"{stage}_breach_alerted")


def misconduct_referral(pool: Pool, stage: str, after: str, before: str, lane: str, col: float, work: str):
    """Straight after the investigation, possible misconduct goes to HR; the complaint carries on meanwhile."""
    pool.gateway(f"{stage}_misconduct_check", "Misconduct to refer to HR?", lane, col, parent=work)
    pool.throw(f"{stage}_refer_misconduct", "Misconduct referred to HR", lane, col + 0.5, 1, parent=work,
               message="misconduct_referred", payload=f"{{'stage': '{stage}', 'misconduct_concern': "
                                                      "misconduct_concern, 'colleague_name': colleague_name}")
    pool.flow(after, f"{stage}_misconduct_check")
    pool.flow(f"{stage}_misconduct_check", f"{stage}_refer_misconduct", "Yes", condition="misconduct_suspected == True")
    pool.flow(f"{stage}_misconduct_check", before, "No", default=True)
    pool.flow(f"{stage}_refer_misconduct", before)


def round_tail(pool: Pool, stage: str, lane: str, col: float, received: str, days: int, *, interim: bool = False):
    """After the stage's work: respond, send an interim response and extend, or send a non-cooperation notice."""
    decision = f"{stage}_decision"
    pool.gateway(f"{stage}_next_check", "What next?", lane, col + 1)
    pool.script(f"{stage}_responded", "Ready to respond", lane, col + 2, code=f"{stage}_next = 'done'")
    pool.end(f"{stage}_round_done", "Round done", lane, col + 3)
    pool.flow(f"{stage}_next_check", f"{stage}_responded", "Respond", default=True)
    pool.flow(f"{stage}_responded", f"{stage}_round_done")
    due = due_expression(stage, received, days)
    _non_cooperation(pool, stage, lane, col + 2, 2, due, decision)
    if interim:
        pool.service(f"{stage}_send_interim", "Send the interim response", lane, col + 2, 1, op="send_letter",
                     params={"template": "'interim_response'"})
        pool.service(f"{stage}_extend_to_promised_date", "Extend the deadline to the promised date", lane, col + 3, 1,
                     op="extend_deadline", result=f"{stage}_extension",
                     params={"stage": f"'{stage}'", "reason": "'interim response: more detailed investigation'",
                             "due": due, "until": "new_response_due"},
                     post=_moved(stage))
        pool.end(f"{stage}_round_extended", "Deadline extended", lane, col + 4, 1)
        pool.flow(f"{stage}_next_check", f"{stage}_send_interim", "Interim response",
                  condition=f"{decision} == 'interim'")
        pool.chain(f"{stage}_send_interim", f"{stage}_extend_to_promised_date", f"{stage}_round_extended")


def _moved(stage: str) -> str:
    return (f"{stage}_extended_to = {stage}_extension['due_on']\n{stage}_warn_on = {stage}_extension['warn_on']\n"
            f"{stage}_next = 'again'")


def _non_cooperation(pool: Pool, stage: str, lane: str, col: float, row: int, due: str, decision: str):
    """A notice, then closure as withdrawn if the period runs out; cooperation resumed restarts the paused clock."""
    pool.service(f"{stage}_send_non_cooperation_notice", "Send the non-cooperation notice", lane, col, row,
                 op="send_letter", params={"template": "'non_cooperation_notice'"},
                 pre=f"{stage}_paused_at = now()\ncooperation_due = working_days_after({stage}_paused_at, {WINDOW})")
    pool.receive(f"{stage}_await_cooperation", "Wait for the complainant to cooperate", lane, col + 1, row,
                 message="cooperation_resumed", variable="cooperation")
    pool.boundary(f"{stage}_cooperation_expired", "Non-cooperation period over", f"{stage}_await_cooperation",
                  timer=f"working_days_after({stage}_paused_at, {WINDOW})",
                  props={"deadlineKind": "non_cooperation", "stage": stage})
    pool.script(f"{stage}_give_up", "Treat as withdrawn", lane, col + 2, row + 1,
                code=f"{stage}_next = 'not_cooperating'")
    pool.end(f"{stage}_round_not_cooperating", "Not cooperating", lane, col + 3, row + 1)
    pool.service(f"{stage}_restart_clock", "Restart the paused clock", lane, col + 2, row, op="extend_deadline",
                 result=f"{stage}_extension", post=_moved(stage),
                 params={"stage": f"'{stage}'", "reason": "'clock paused while the complainant did not cooperate'",
                         "due": due, "paused_since": f"{stage}_paused_at"})
    pool.end(f"{stage}_round_resumed", "Cooperation resumed", lane, col + 3, row)
    pool.flow(f"{stage}_next_check", f"{stage}_send_non_cooperation_notice", "Not cooperating",
              condition=f"{decision} == 'not_cooperating'")
    pool.chain(f"{stage}_send_non_cooperation_notice", f"{stage}_await_cooperation", f"{stage}_restart_clock",
               f"{stage}_round_resumed")
    pool.chain(f"{stage}_cooperation_expired", f"{stage}_give_up", f"{stage}_round_not_cooperating")


def informal_round(diagram: Diagram) -> None:
    """The line manager resolves the concern, with mediation where appropriate, and writes the response."""
    lm, team = "Line manager", "Complaints team"
    pool = diagram.pool("training_informal_round", "Informal stage: one round", [lm, team])
    pool.start("informal_round_start", "Round starts", lm, 0)
    work = pool.subprocess("informal_work", "Resolve the concern informally", lm)
    pool.start("informal_work_start", "Work starts", lm, 1, parent=work)
    pool.user("resolve_informally", "Look into the concern and put things right", lm, 2, parent=work,
              form="forms/informal_investigation.json", stage="informal")
    pool.gateway("informal_path", "Mediation or response?", lm, 4, parent=work)
    pool.user("hold_mediation", "Hold mediation between the complainant and the colleague", lm, 5, 1, parent=work,
              form="forms/mediation.json", stage="informal")
    pool.user("write_informal_response", "Write the informal response", lm, 6, parent=work,
              form="forms/informal_response.json", stage="informal", classify="true")
    pool.end("informal_work_done", "Response written", lm, 7, parent=work)
    pool.end("informal_work_paused", "Complainant not cooperating", lm, 5, 2, parent=work)
    pool.chain("informal_work_start", "resolve_informally")
    misconduct_referral(pool, "informal", "resolve_informally", "informal_path", lm, 3, work)
    pool.flow("informal_path", "informal_work_paused", "Not cooperating",
              condition="informal_decision == 'not_cooperating'")
    pool.flow("informal_path", "hold_mediation", "Mediation", condition="mediation_appropriate == True")
    pool.flow("informal_path", "write_informal_response", "Respond", default=True)
    pool.chain("hold_mediation", "write_informal_response", "informal_work_done")
    deadline_timers(pool, work, "informal", "complaint_received_at", 20, team, 3, 0)
    pool.flow("informal_round_start", work)
    pool.flow(work, "informal_next_check")
    round_tail(pool, "informal", lm, 8, "complaint_received_at", 20)


def formal_round(diagram: Diagram) -> None:
    """The director reviews the complaint, the officer investigates, and the director reviews the response."""
    io, psrd, team = "Investigating officer", "PSRD director", "Complaints team"
    pool = diagram.pool("training_formal_round", "Formal stage: one round", [io, psrd, team])
    pool.start("formal_round_start", "Round starts", io, 0)
    work = pool.subprocess("formal_work", "Investigate and agree the formal response")
    pool.start("formal_work_start", "Work starts", io, 1, parent=work)
    pool.gateway("complaint_reviewed_check", "Director has reviewed the complaint?", io, 2, parent=work)
    pool.user("review_formal_complaint", "Review the complaint and appoint the investigating officer", psrd, 3,
              parent=work, form="forms/psrd_complaint_review.json", stage="formal",
              post="formal_complaint_reviewed = True")
    pool.user("investigate_formal", "Investigate the formal complaint", io, 4, parent=work,
              form="forms/formal_investigation.json", stage="formal", assignee="investigating_officer",
              classify="true")
    pool.gateway("formal_path", "Ready to respond?", io, 6, parent=work)
    agree = pool.subprocess("agree_formal_response", "Agree the response with the director", parent=work)
    pool.nodes[agree].spec["loop"] = "response_approved != True"
    pool.start("agree_start", "Draft ready", psrd, 7, parent=agree)
    pool.user("review_formal_response", "Review the formal response", psrd, 8, parent=agree,
              form="forms/psrd_response_review.json", stage="formal")
    pool.gateway("approval_check", "Approved?", psrd, 9, parent=agree)
    pool.user("revise_formal_response", "Revise the formal response", io, 10, 1, parent=agree,
              form="forms/revise_response.json", stage="formal", assignee="investigating_officer",
              classify="true")
    pool.end("response_approved_end", "Approved", psrd, 10, parent=agree)
    pool.end("response_revised", "Revised", io, 11, 1, parent=agree)
    pool.chain("agree_start", "review_formal_response", "approval_check")
    pool.flow("approval_check", "response_approved_end", "Yes", condition="response_approved == True")
    pool.flow("approval_check", "revise_formal_response", "No", default=True)
    pool.flow("revise_formal_response", "response_revised")
    pool.end("formal_work_done", "Response agreed", io, 12, parent=work)
    pool.end("formal_work_other", "Interim or not cooperating", io, 6, 2, parent=work)
    pool.chain("formal_work_start", "complaint_reviewed_check")
    pool.flow("complaint_reviewed_check", "investigate_formal", "Yes", condition="formal_complaint_reviewed == True")
    pool.flow("complaint_reviewed_check", "review_formal_complaint", "No", default=True)
    pool.flow("review_formal_complaint", "investigate_formal")
    misconduct_referral(pool, "formal", "investigate_formal", "formal_path", io, 5, work)
    pool.flow("formal_path", agree, "Respond", condition="formal_decision == 'respond'")
    pool.flow("formal_path", "formal_work_other", "Interim or not cooperating", default=True)
    pool.flow(agree, "formal_work_done")
    deadline_timers(pool, work, "formal", "formal_received_at", 30, team, 4, 0)
    pool.flow("formal_round_start", work)
    pool.flow(work, "formal_next_check")
    round_tail(pool, "formal", io, 13, "formal_received_at", 30, interim=True)


def appeal_round(diagram: Diagram) -> None:
    """The complaints team convenes a panel, which reviews the formal investigation and decides."""
    team, panel = "Complaints team", "Appeal panel"
    pool = diagram.pool("training_appeal_round", "Appeal stage: one round", [team, panel])
    pool.start("appeal_round_start", "Round starts", team, 0)
    work = pool.subprocess("appeal_work", "Convene the panel and decide the appeal")
    pool.start("appeal_work_start", "Work starts", team, 1, parent=work)
    pool.gateway("panel_check", "Panel convened?", team, 2, parent=work)
    pool.user("convene_panel", "Convene the appeal panel", team, 3, parent=work, form="forms/convene_panel.json",
              stage="appeal", post="panel_convened = True")
    pool.user("decide_appeal", "Review the formal investigation and decide the appeal", panel, 4, parent=work,
              form="forms/appeal_decision.json", stage="appeal", classify="true")
    pool.end("appeal_work_done", "Decided", panel, 6, parent=work)
    pool.chain("appeal_work_start", "panel_check")
    pool.flow("panel_check", "decide_appeal", "Yes", condition="panel_convened == True")
    pool.flow("panel_check", "convene_panel", "No", default=True)
    pool.flow("convene_panel", "decide_appeal")
    misconduct_referral(pool, "appeal", "decide_appeal", "appeal_work_done", panel, 5, work)
    deadline_timers(pool, work, "appeal", "appeal_received_at", 30, panel, 3, 2)
    pool.flow("appeal_round_start", work)
    pool.flow(work, "appeal_next_check")
    round_tail(pool, "appeal", panel, 7, "appeal_received_at", 30)
