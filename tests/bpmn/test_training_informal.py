"""Seetec Training informal stage: response in 20 working days, mediation, escalation window, non-cooperation."""
from tests.bpmn.test_training_support import (
    ACTIONS,
    at,
    awaited,
    deliver,
    end_of,
    event,
    events,
    informal_response_sent,
    investigate_informally,
    lane,
    timer_kind,
    training_case,
    triage,
    write_informal_response,
)


def informal_case():
    run = training_case()
    triage(run)
    return run


def test_informal_response_is_due_twenty_working_days_after_receipt():
    run = informal_case()
    assert run.due("resolve_informally") == end_of(2027, 1, 25)
    assert run.timers()["informal_response_warning"] == end_of(2027, 1, 18)
    assert timer_kind(run, "informal_response_due") == ("response", "informal")


def test_every_task_of_the_informal_stage_shows_the_stage_deadline():
    run = informal_case()
    investigate_informally(run, mediation_appropriate=True)
    assert run.ready == ["hold_mediation"] and run.due("hold_mediation") == end_of(2027, 1, 25)


def test_informal_warning_and_breach_alert_the_line_manager_and_complaints_team_without_stopping_the_work():
    run = informal_case()
    run.advance_to(at(2027, 1, 19))
    assert ("sla_warning", "role:line_manager") in run.letters()
    run.advance_to(at(2027, 1, 26))
    assert ("sla_breach", "role:line_manager") in run.letters()
    assert ("sla_breach", "role:complaints_team") in run.letters()
    assert run.ready == ["resolve_informally"]


def test_mediation_between_the_complainant_and_the_colleague_comes_before_the_written_response():
    run = informal_case()
    investigate_informally(run, mediation_appropriate=True)
    assert lane(run, "hold_mediation") == "Line manager"
    run.complete("hold_mediation", mediation_held_on="2027-01-07", mediation_outcome="Apology given",
                 mediation_agreed=True)
    assert run.ready == ["write_informal_response"]


def test_written_informal_response_records_the_learning_and_opens_the_escalation_window():
    run = informal_case()
    investigate_informally(run)
    run.advance_to(at(2027, 1, 8))
    write_informal_response(run, actions=ACTIONS)
    assert ("stage_response", "complainant") in run.letters()
    assert run.effects.learning_actions[0]["owner"] == "amy.lead"
    assert event(run, "learning_considered")["actions"] == 1
    assert run.timers()["escalation_window_closed"] == end_of(2027, 1, 22)
    assert timer_kind(run, "escalation_window_closed") == ("escalation_window", "informal")
    assert "escalation_requested" in awaited(run)


def test_case_closes_with_the_informal_outcome_when_no_escalation_comes_in_the_window():
    run = informal_response_sent()
    run.advance_to(at(2027, 1, 12))  # window closed at the end of Mon 11 Jan
    assert (run.case.status, run.case.outcome) == ("closed", "partly_upheld")
    assert run.completed


def test_an_escalation_made_on_the_last_day_of_the_window_is_in_time():
    run = informal_response_sent()
    deliver_at = at(2027, 1, 11, 22)  # 22:00 UTC on Mon 11 Jan
    run.advance_to(deliver_at)
    deliver(run, "escalation_requested", reasons="Still unhappy")
    assert run.ready == ["acknowledge_formal"] and run.case.stage == "formal"


def test_action_plan_owners_are_reminded_on_the_review_date_even_after_the_case_closes():
    run = informal_case()
    investigate_informally(run)
    write_informal_response(run, actions=ACTIONS)
    run.advance_to(at(2027, 2, 1))
    assert run.case.status == "closed" and not run.completed
    assert timer_kind(run, "review_date_reached") == ("review", None)
    run.advance_to(at(2027, 6, 2))
    assert ("learning_review_due", "user:amy.lead") in run.letters()
    assert run.completed


def test_non_cooperation_notice_then_closure_as_withdrawn_when_the_period_runs_out():
    run = informal_case()
    run.advance_to(at(2027, 1, 4))
    investigate_informally(run, decision="not_cooperating")
    assert ("non_cooperation_notice", "complainant") in run.letters()
    assert run.timers()["informal_cooperation_expired"] == end_of(2027, 1, 18)
    assert timer_kind(run, "informal_cooperation_expired") == ("non_cooperation", "informal")
    run.advance_to(at(2027, 1, 19))
    assert (run.case.status, run.case.outcome) == ("closed", "withdrawn")
    assert ("stage_response", "complainant") not in run.letters()


def test_cooperation_resumed_restarts_the_work_with_the_deadline_moved_by_the_paused_working_days():
    run = informal_case()
    run.advance_to(at(2027, 1, 4))
    investigate_informally(run, decision="not_cooperating")
    run.advance_to(at(2027, 1, 8))
    deliver(run, "cooperation_resumed", note="Dates sent")
    # paused Mon 4 to Fri 8 Jan: 4 working days, so Mon 25 Jan becomes Fri 29 Jan
    assert run.ready == ["resolve_informally"] and run.due("resolve_informally") == end_of(2027, 1, 29)
    assert event(run, "deadline_extended")["reason"].startswith("clock paused")


def test_misconduct_flagged_informally_is_referred_to_hr_while_the_complaint_goes_on():
    run = informal_case()
    investigate_informally(run, misconduct_suspected=True, misconduct_concern="Shouted at the learner")
    assert run.ready == ["consider_misconduct", "write_informal_response"]
    assert lane(run, "consider_misconduct") == "HR"
    assert ("hr_referral", "role:hr") in run.letters()
    run.complete("consider_misconduct", hr_decision="informal_management", hr_notes="Coaching agreed")
    assert event(run, "hr_referral_considered")["raised_at_stage"] == "informal"
    assert "hr_referral_considered" in events(run) and run.ready == ["write_informal_response"]
