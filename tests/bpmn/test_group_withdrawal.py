"""Group policy 2.9 and 2.10: withdrawal at any stage, closure after non-cooperation, and retention."""
import pytest

from tests.bpmn.test_group_support import (
    at,
    closed_as,
    end_of,
    findings,
    new_case,
    sent,
    to_appeal_window,
    to_escalation_window,
    to_formal_investigation,
    to_informal_investigation,
    to_panel_review,
    triage_answers,
    utc,
)


def at_intake(run):
    return run


def awaiting_permission(run):
    run.complete("triage", **triage_answers(on_behalf_of_someone=True))
    return run


def at_delivery_partner(run):
    run.complete("triage", **triage_answers(provider="delivery_partner", delivery_partner="Partner Ltd"))
    return run


STAGES = {"intake": at_intake, "awaiting permission": awaiting_permission, "informal stage": to_informal_investigation,
          "escalation window": to_escalation_window, "formal stage": to_formal_investigation,
          "appeal window": to_appeal_window, "appeal stage": to_panel_review,
          "delivery partner procedure": at_delivery_partner}


def waiting_for(run):
    return {event.name for event in run.workflow.waiting_events()}


@pytest.mark.parametrize("stage", sorted(STAGES))
def test_a_complaint_can_be_withdrawn_at_any_stage_with_written_confirmation(stage):
    run = STAGES[stage](new_case())
    assert "withdrawn" in waiting_for(run)
    run.message("withdrawn", reason="Sorted out")
    assert [d.recipient for d in sent(run, "withdrawal_confirmation")] == ["complainant"]
    assert closed_as(run) == ("closed", "withdrawn") and run.kept_for_years() == 2
    assert run.completed and run.ready == [] and run.timers() == {}


def test_a_closed_complaint_no_longer_accepts_a_withdrawal():
    run = to_escalation_window(new_case())
    run.advance_to(at(2027, 1, 12, 9))
    assert closed_as(run) == ("closed", "upheld") and "withdrawn" not in waiting_for(run)


def test_a_withdrawn_complaint_keeps_the_retention_of_its_contract():
    run = to_informal_investigation(new_case(), contract="Probation services")
    run.message("withdrawn")
    assert run.kept_for_years() == 7


def test_learning_reviews_agreed_before_a_withdrawal_still_happen():
    run = to_informal_investigation(new_case())
    run.complete("investigate", **findings(learning_identified=True))
    run.complete("complete_action_plan", discussed_with_colleague_and_manager=True,
                 actions=[{"description": "Coach the team", "owner": "team.lead", "review_on": "2027-02-10"}])
    run.message("withdrawn")
    assert closed_as(run) == ("closed", "withdrawn") and not run.completed
    run.advance_to(at(2027, 2, 10, 10))
    assert run.ready == ["review_learning_action"]


def test_a_complainant_who_does_not_cooperate_is_given_notice_that_the_complaint_will_close():
    run = to_informal_investigation(new_case())
    run.message("non_cooperation", reason="No reply to three calls")
    [notice] = sent(run, "non_cooperation_notice")
    assert (notice.context["stage"], notice.context["window_days"]) == ("informal", 10)
    assert notice.context["window_ends"] == utc(end_of(2027, 1, 11)).isoformat()
    assert run.ready == [] and run.timers()["notice_period_ends"] == utc(end_of(2027, 1, 11))


def test_when_the_notice_period_runs_out_the_complaint_closes_as_withdrawn_with_written_confirmation():
    run = to_informal_investigation(new_case())
    run.message("non_cooperation")
    run.advance_to(at(2027, 1, 12, 9))
    assert closed_as(run) == ("closed", "withdrawn") and len(sent(run, "withdrawal_confirmation")) == 1
    assert run.completed and sent(run, "stage_response") == []


def test_a_complainant_who_cooperates_again_within_the_notice_period_keeps_the_complaint_open():
    run = to_informal_investigation(new_case())
    run.message("non_cooperation")
    run.advance_to(at(2027, 1, 8))
    run.message("cooperation_resumed")
    assert run.ready == ["investigate"] and run.timers().get("notice_period_ends") is None
    run.message("non_cooperation")
    assert len(sent(run, "non_cooperation_notice")) == 2
    run.message("cooperation_resumed")
    run.complete("investigate", **findings())
    assert len(sent(run, "stage_response")) == 1 and run.case.status == "open"


@pytest.mark.parametrize("step, task", [(to_formal_investigation, "investigate"), (to_panel_review, "panel_review")])
def test_non_cooperation_closes_the_complaint_at_the_formal_and_appeal_stages_too(step, task):
    run = step(new_case())
    assert task in run.ready
    run.message("non_cooperation")
    assert sent(run, "non_cooperation_notice")[0].context["stage"] == run.case.stage
    run.advance_to(at(2027, 1, 12, 9))
    assert closed_as(run) == ("closed", "withdrawn") and run.completed


def test_the_panel_review_comes_back_when_the_complainant_cooperates_again():
    run = to_panel_review(new_case())
    run.message("non_cooperation")
    assert "panel_review" not in run.ready
    run.message("cooperation_resumed")
    assert run.ready == ["panel_review"] and run.task("panel_review").data["panel_chair"] == "panel.one"
