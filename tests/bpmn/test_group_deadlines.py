"""Group policy 3.1.2, 3.1.3, 3.1.5 and 3.1.6: exact due dates on the working-day calendar, alerts and windows."""
from tests.bpmn.test_group_support import (
    at,
    closed_as,
    end_of,
    findings,
    new_case,
    sent,
    to_escalation_window,
    to_formal_investigation,
    to_informal_investigation,
    to_panel_review,
    triage_answers,
    utc,
)


def alerts(run, template):
    return sorted((d.recipient, d.context["stage"], d.context["deadline"]) for d in sent(run, template))


def test_a_complaint_received_on_wednesday_23_december_2026_is_to_be_acknowledged_by_wednesday_30_december():
    run = new_case()
    assert run.ready == ["triage"] and run.case.stage == "intake"
    assert run.due("triage") == utc(end_of(2026, 12, 30))
    assert run.timers()["triage_acknowledgement_warning"] == utc(end_of(2026, 12, 29))


def test_a_complaint_received_on_a_saturday_counts_from_the_next_working_day():
    run = new_case(received=at(2027, 1, 2, 14))
    assert run.due("triage") == utc(end_of(2027, 1, 7))


def test_the_acknowledgement_warning_and_breach_alert_the_line_manager_and_complaints_team_and_leave_the_task():
    run = new_case()
    run.advance_to(at(2026, 12, 30, 9))
    assert alerts(run, "sla_warning") == [("role:complaints_team", "intake", "acknowledgement"),
                                          ("role:line_manager", "intake", "acknowledgement")]
    run.advance_to(at(2026, 12, 31, 9))
    assert alerts(run, "sla_breach") == [("assignees", "intake", "acknowledgement"),
                                         ("role:complaints_team", "intake", "acknowledgement"),
                                         ("role:line_manager", "intake", "acknowledgement")]
    assert run.ready == ["triage"]


def test_the_informal_response_is_due_20_working_days_after_receipt_with_a_warning_5_days_before():
    run = to_informal_investigation(new_case())
    assert run.due("investigate") == utc(end_of(2027, 1, 25))
    assert run.timers()["informal_response_warning"] == utc(end_of(2027, 1, 18))
    run.advance_to(at(2027, 1, 19))
    assert alerts(run, "sla_warning") == [("role:complaints_team", "informal", "response"),
                                          ("role:line_manager", "informal", "response")]
    run.advance_to(at(2027, 1, 26))
    assert alerts(run, "sla_breach") == [("assignees", "informal", "response"),
                                         ("role:complaints_team", "informal", "response"),
                                         ("role:line_manager", "informal", "response")]
    assert run.ready == ["investigate"]


def test_the_informal_response_letter_gives_the_end_of_the_escalation_window():
    run = to_escalation_window(new_case())
    [letter] = sent(run, "stage_response")
    assert (letter.context["stage"], letter.context["window_days"]) == ("informal", 10)
    assert letter.context["window_ends"] == utc(end_of(2027, 1, 11)).isoformat()
    assert run.timers() == {"escalation_window_closes": utc(end_of(2027, 1, 11))}


def test_an_escalation_requested_on_the_last_day_of_the_window_is_in_time():
    run = to_escalation_window(new_case())
    run.advance_to(at(2027, 1, 11, 23, 30))
    run.message("escalation_requested", reasons="Not resolved")
    assert run.ready == ["acknowledge_escalation"] and run.case.stage == "formal"


def test_without_an_escalation_request_the_case_closes_with_the_informal_outcome_when_the_window_ends():
    run = to_escalation_window(new_case(), outcome="partly_upheld")
    run.advance_to(at(2027, 1, 12, 0, 1))
    assert closed_as(run) == ("closed", "partly_upheld") and run.completed


def test_escalation_over_easter_is_acknowledged_and_answered_on_working_days_in_summer_time():
    run = new_case(received=at(2027, 3, 1))
    to_informal_investigation(run)
    run.advance_to(at(2027, 3, 15))
    run.complete("investigate", **findings())
    run.advance_to(at(2027, 3, 25, 16))
    run.message("escalation_requested", reasons="Not resolved")
    assert run.due("acknowledge_escalation") == utc(end_of(2027, 4, 1))
    assert run.timers()["formal_response_due"] == utc(end_of(2027, 4, 26))
    assert run.timers()["formal_response_due"].hour == 22  # 23:59:59 British Summer Time


def test_a_request_received_by_post_counts_from_its_true_receipt_date():
    run = to_escalation_window(new_case())
    run.advance_to(at(2027, 1, 11, 15))
    run.message("escalation_requested", reasons="By post", received_at=utc(at(2027, 1, 8, 9)).isoformat())
    assert run.due("acknowledge_escalation") == utc(end_of(2027, 1, 13))
    assert run.timers()["formal_response_due"] == utc(end_of(2027, 2, 5))


def test_the_formal_response_is_due_20_working_days_after_the_escalation_request():
    run = to_formal_investigation(new_case(), when=at(2027, 1, 5, 11))
    assert run.due("investigate") == utc(end_of(2027, 2, 2))
    assert run.task("investigate").data["investigator"] == "io.one"


def test_the_appeal_window_closes_10_working_days_after_the_formal_response():
    run = to_formal_investigation(new_case())
    run.advance_to(at(2027, 1, 6, 12))
    run.complete("investigate", **findings(outcome="not_upheld"))
    assert run.timers() == {"appeal_window_closes": utc(end_of(2027, 1, 20))}
    run.advance_to(at(2027, 1, 21, 0, 5))
    assert closed_as(run) == ("closed", "not_upheld") and run.completed


def test_the_appeal_is_acknowledged_within_3_and_answered_within_20_working_days_of_the_request():
    run = to_panel_review(new_case())
    assert run.timers()["appeal_response_due"] == utc(end_of(2027, 1, 25))
    assert run.due("panel_review") == utc(end_of(2027, 1, 25))


def test_convening_the_panel_is_chased_after_5_and_escalated_to_the_psrd_director_after_10_working_days():
    run = new_case()
    run.complete("triage", **triage_answers(too_serious_for_informal=True))
    run.complete("allocate_investigator", investigating_officer="io.one")
    run.complete("investigate", **findings())
    run.advance_to(at(2027, 1, 4, 9))
    run.message("appeal_requested", reasons="Unfair")
    run.complete("acknowledge_appeal", reasons_for_dissatisfaction="Unfair")
    assert run.due("convene_panel") == utc(end_of(2027, 1, 18))
    run.advance_to(at(2027, 1, 12))
    assert [d.recipient for d in sent(run, "panel_chase")] == ["role:complaints_team"]
    run.advance_to(at(2027, 1, 19))
    assert [d.recipient for d in sent(run, "panel_chase")] == ["role:complaints_team", "role:psrd_director"]
    assert run.ready == ["convene_panel"]


def test_an_unacknowledged_escalation_raises_a_warning_and_a_breach_alert_for_the_formal_stage():
    run = to_escalation_window(new_case())
    run.advance_to(at(2027, 1, 4, 9))
    run.message("escalation_requested", reasons="Not resolved")
    assert run.due("acknowledge_escalation") == utc(end_of(2027, 1, 7))
    run.advance_to(at(2027, 1, 8, 9))
    assert ("role:complaints_team", "formal", "acknowledgement") in alerts(run, "sla_warning")
    assert ("role:line_manager", "formal", "acknowledgement") in alerts(run, "sla_breach")
    assert run.ready == ["acknowledge_escalation"]


def test_a_late_appeal_response_raises_a_breach_alert_for_the_appeal_stage_and_the_panel_carries_on():
    run = to_panel_review(new_case())
    run.advance_to(at(2027, 1, 26, 9))
    assert ("role:line_manager", "appeal", "response") in alerts(run, "sla_breach")
    assert run.ready == ["panel_review"]
