"""Seetec Training formal stage: acknowledgement, director's reviews, 30 working days, interim responses."""
import pytest

from processes.errors import InvalidInput
from tests.bpmn.test_training_support import (
    at,
    deliver,
    end_of,
    event,
    explanation,
    formal_response_sent,
    informal_response_sent,
    investigate_formally,
    lane,
    review_formal_complaint,
    task_tree_depth,
    timer_kind,
    training_case,
    triage,
)


def escalated_on_4_january():
    run = informal_response_sent()
    run.advance_to(at(2027, 1, 4, 10))
    deliver(run, "escalation_requested", reasons="Still unhappy")
    return run


def test_formal_complaint_is_acknowledged_within_five_working_days_of_the_escalation_request():
    run = escalated_on_4_january()
    assert run.case.stage == "formal"
    assert run.ready == ["acknowledge_formal"] and lane(run, "acknowledge_formal") == "Complaints team"
    assert run.due("acknowledge_formal") == end_of(2027, 1, 11)
    assert timer_kind(run, "acknowledge_formal_due") == ("acknowledgement", "formal")


def test_an_escalation_received_by_post_earlier_counts_from_its_true_receipt():
    run = informal_response_sent()
    run.advance_to(at(2027, 1, 4, 10))
    deliver(run, "escalation_requested", received_at="2026-12-31")
    assert run.due("acknowledge_formal") == end_of(2027, 1, 8)


def test_the_psrd_director_reviews_the_complaint_and_the_response_is_due_30_working_days_from_receipt():
    run = escalated_on_4_january()
    run.complete("acknowledge_formal", support_needs_checked=True)
    assert ("acknowledgement", "complainant") in run.letters()
    assert run.ready == ["review_formal_complaint"] and lane(run, "review_formal_complaint") == "PSRD director"
    assert run.due("review_formal_complaint") == end_of(2027, 2, 15)
    assert run.timers()["formal_response_warning"] == end_of(2027, 2, 8)
    assert timer_kind(run, "formal_response_due") == ("response", "formal")
    assert "30 working days counted from Mon 04 Jan 2027" in explanation(run, "formal_response_due")


def test_the_appointed_investigating_officer_investigates_and_the_director_reviews_the_response():
    run = escalated_on_4_january()
    run.complete("acknowledge_formal", support_needs_checked=True)
    review_formal_complaint(run, officer="ian.officer")
    task = run.task("investigate_formal")
    assert task.task_spec.lane == "Investigating officer" and task.data["investigating_officer"] == "ian.officer"
    investigate_formally(run)
    assert run.ready == ["review_formal_response"] and lane(run, "review_formal_response") == "PSRD director"
    assert run.due("review_formal_response") == end_of(2027, 2, 15)


def test_the_director_can_send_the_response_back_for_revision_until_it_is_approved():
    run = escalated_on_4_january()
    run.complete("acknowledge_formal", support_needs_checked=True)
    review_formal_complaint(run)
    investigate_formally(run)
    run.complete("review_formal_response", response_approved=False, director_comments="Say what we will change")
    assert run.ready == ["revise_formal_response"] and lane(run, "revise_formal_response") == "Investigating officer"
    run.complete("revise_formal_response", outcome="partly_upheld", response_text="Better response")
    run.complete("review_formal_response", response_approved=True)
    assert ("stage_response", "complainant") in run.letters()
    assert "appeal_window_closed" in run.timers()


def test_fifty_revisions_of_the_response_do_not_deepen_the_task_tree():
    run = escalated_on_4_january()
    run.complete("acknowledge_formal", support_needs_checked=True)
    review_formal_complaint(run)
    investigate_formally(run)
    depths = []
    for _ in range(50):
        run.complete("review_formal_response", response_approved=False, director_comments="Again")
        run.complete("revise_formal_response", outcome="upheld", response_text="Revised")
        depths.append(task_tree_depth(run))
    assert depths[-1] == depths[0]
    run.complete("review_formal_response", response_approved=True)
    assert ("stage_response", "complainant") in run.letters()


def test_an_interim_response_says_what_is_being_done_and_moves_the_deadline_to_the_promised_date():
    run = escalated_on_4_january()
    run.complete("acknowledge_formal", support_needs_checked=True)
    review_formal_complaint(run)
    investigate_formally(run, decision="interim", new_response_due="2027-03-05")
    assert ("interim_response", "complainant") in run.letters()
    assert run.ready == ["investigate_formal"]  # the director's review of the complaint is not repeated
    assert run.due("investigate_formal") == end_of(2027, 3, 5)
    assert run.timers()["formal_response_warning"] == end_of(2027, 2, 26)
    assert timer_kind(run, "formal_response_due") == ("response", "formal")
    assert "counted from Fri 05 Mar 2027" in explanation(run, "formal_response_due")
    extended = event(run, "deadline_extended")
    assert extended["previous_due"].startswith("2027-02-15T23:59:59")
    assert extended["new_due"].startswith("2027-03-05T23:59:59") and extended["reason"].startswith("interim")


def test_the_breach_alert_uses_the_extended_deadline_not_the_original_one():
    run = escalated_on_4_january()
    run.complete("acknowledge_formal", support_needs_checked=True)
    review_formal_complaint(run)
    investigate_formally(run, decision="interim", new_response_due="2027-03-05")
    run.advance_to(at(2027, 2, 16))
    assert ("sla_breach", "role:line_manager") not in run.letters()
    run.advance_to(at(2027, 3, 8))
    assert ("sla_breach", "role:line_manager") in run.letters() and run.ready == ["investigate_formal"]


def test_sixty_interim_responses_keep_the_case_moving_with_a_constant_task_tree_depth():
    run = escalated_on_4_january()
    run.complete("acknowledge_formal", support_needs_checked=True)
    review_formal_complaint(run)
    depths = []
    for week in range(60):
        investigate_formally(run, decision="interim", new_response_due=f"2027-{3 + week // 20:02d}-{1 + week % 20:02d}")
        depths.append(task_tree_depth(run))
    assert depths[-1] == depths[0]
    assert [t for t, _ in run.letters()].count("interim_response") == 60
    investigate_formally(run)
    run.complete("review_formal_response", response_approved=True)
    assert ("stage_response", "complainant") in run.letters()


def test_case_closes_with_the_formal_outcome_when_no_appeal_comes_within_ten_working_days():
    run = formal_response_sent()
    assert timer_kind(run, "appeal_window_closed") == ("appeal_window", "formal")
    assert run.timers()["appeal_window_closed"] == end_of(2027, 1, 11)
    run.advance_to(at(2027, 1, 12))
    assert (run.case.status, run.case.outcome) == ("closed", "upheld")


def test_a_written_complaint_after_informal_attempts_can_start_at_the_formal_stage():
    run = training_case()
    triage(run, route="formal")
    assert run.letters() == [("acknowledgement", "complainant")] and run.case.stage == "formal"
    assert run.ready == ["review_formal_complaint"]
    assert run.due("review_formal_complaint") == end_of(2027, 2, 8)


def test_non_cooperation_at_the_formal_stage_closes_the_case_as_withdrawn():
    run = escalated_on_4_january()
    run.complete("acknowledge_formal", support_needs_checked=True)
    review_formal_complaint(run)
    investigate_formally(run, decision="not_cooperating")
    assert ("non_cooperation_notice", "complainant") in run.letters()
    run.advance_to(at(2027, 1, 19))
    assert (run.case.status, run.case.outcome) == ("closed", "withdrawn")


def test_misconduct_found_in_the_formal_investigation_goes_to_hr():
    run = escalated_on_4_january()
    run.complete("acknowledge_formal", support_needs_checked=True)
    review_formal_complaint(run)
    investigate_formally(run, misconduct_suspected=True, misconduct_concern="Falsified records")
    assert sorted(run.ready) == ["consider_misconduct", "review_formal_response"]
    assert ("hr_referral", "role:hr") in run.letters()


def test_the_investigation_records_that_the_colleague_was_told_and_interviewed_and_any_confidentiality_limits():
    run = escalated_on_4_january()
    run.complete("acknowledge_formal", support_needs_checked=True)
    review_formal_complaint(run)
    schema = run.definition.form_for(run.task("investigate_formal").task_spec)
    assert {"colleague_informed", "colleague_interviewed", "confidentiality_maintained"} <= set(schema["required"])
    with pytest.raises(InvalidInput) as refused:
        investigate_formally(run, confidentiality_maintained=False)
    assert "confidentiality_explanation" in refused.value.fields
