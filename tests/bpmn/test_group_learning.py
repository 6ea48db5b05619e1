"""Group policy 2.7.1 and 2.7.2: learning and best practice at every stage, action plans and their reviews."""
from datetime import date

import pytest

from processes.errors import InvalidInput
from processes.forms import validate_form
from tests.bpmn.test_group_support import (
    at,
    closed_as,
    end_of,
    events,
    findings,
    new_case,
    panel_decision,
    sent,
    to_informal_investigation,
    to_panel_review,
    utc,
)

ACTION = {"description": "Refresh appointment-letter training", "owner": "team.lead", "review_on": "2027-02-10",
          "best_practice": False}


def with_plan(run, *actions):
    run.complete("complete_action_plan", actions=list(actions) or [ACTION], discussed_with_colleague_and_manager=True)
    return run


def test_learning_and_best_practice_must_be_considered_at_every_stage():
    run = to_panel_review(new_case())
    for form in ("shared/forms/investigation.json", "forms/panel_review.json"):
        required = run.definition.bundle.json_file(form)["required"]
        assert {"learning_identified", "best_practice_identified", "misconduct_concern"} <= set(required)
    schema = run.definition.form_for(run.task("panel_review").task_spec)
    with pytest.raises(InvalidInput):
        validate_form(schema, {k: v for k, v in panel_decision().items() if k != "learning_identified"})


def test_the_investigating_officer_completes_an_action_plan_with_owners_and_review_dates():
    run = to_informal_investigation(new_case(), line_manager="lm.one")
    run.complete("investigate", **findings(learning_identified=True))
    assert run.ready == ["complete_action_plan"] and sent(run, "stage_response") == []
    assert run.task("complete_action_plan").data["investigator"] == "lm.one"
    with_plan(run, ACTION, {**ACTION, "description": "Share the good practice", "owner": "area.manager",
                            "best_practice": True})
    assert run.effects.learning_actions == [
        {"stage": "informal", "element": "complete_action_plan", "description": ACTION["description"],
         "owner": "team.lead", "review_on": date(2027, 2, 10), "best_practice": False},
        {"stage": "informal", "element": "complete_action_plan", "description": "Share the good practice",
         "owner": "area.manager", "review_on": date(2027, 2, 10), "best_practice": True}]
    assert len(sent(run, "stage_response")) == 1


def test_the_actions_must_have_been_discussed_with_the_colleague_and_line_management():
    run = to_informal_investigation(new_case())
    run.complete("investigate", **findings(best_practice_identified=True))
    schema = run.definition.form_for(run.task("complete_action_plan").task_spec)
    with pytest.raises(InvalidInput):
        validate_form(schema, {"actions": [ACTION], "discussed_with_colleague_and_manager": False})


def test_each_action_is_reminded_at_9am_on_its_review_date_and_reviewed_by_its_owner():
    run = to_informal_investigation(new_case())
    run.complete("investigate", **findings(learning_identified=True))
    with_plan(run)
    assert run.timers()["review_date"] == utc(at(2027, 2, 10, 9))
    run.advance_to(at(2027, 2, 10, 9, 1))
    [reminder] = sent(run, "learning_review_due")
    assert (reminder.recipient, reminder.context["owner"]) == ("role:line_manager", "team.lead")
    task = run.task("review_learning_action")
    assert task.data["action_owner"] == "team.lead" and run.due("review_learning_action") == utc(end_of(2027, 2, 17))
    run.complete("review_learning_action", action_completed=True, review_notes="Training delivered")
    assert events(run, "learning_action_reviewed")[0]["completed"] is True


def test_an_overdue_review_is_chased():
    run = to_informal_investigation(new_case())
    run.complete("investigate", **findings(learning_identified=True))
    with_plan(run)
    run.advance_to(at(2027, 2, 18, 9))
    assert len(sent(run, "learning_review_due")) == 2 and "review_learning_action" in run.ready


def test_reviews_carry_on_after_the_complaint_is_closed():
    run = to_informal_investigation(new_case())
    run.complete("investigate", **findings(learning_identified=True))
    with_plan(run)
    run.advance_to(at(2027, 1, 12, 9))
    assert closed_as(run) == ("closed", "upheld") and not run.completed
    run.advance_to(at(2027, 2, 10, 10))
    run.complete("review_learning_action", action_completed=False, review_notes="Postponed")
    assert run.completed


def test_action_plans_from_several_stages_are_each_reviewed():
    run = to_informal_investigation(new_case())
    run.complete("investigate", **findings(learning_identified=True))
    with_plan(run)
    run.message("escalation_requested", reasons="Not resolved")
    run.complete("acknowledge_escalation", reasons_for_dissatisfaction="Not resolved")
    run.complete("allocate_investigator", investigating_officer="io.one")
    run.complete("investigate", **findings(best_practice_identified=True))
    with_plan(run, {**ACTION, "review_on": "2027-03-01", "owner": "io.lead"})
    assert sorted({a["stage"] for a in run.effects.learning_actions}) == ["formal", "informal"]
    run.advance_to(at(2027, 3, 1, 10))
    assert {d.context["owner"] for d in sent(run, "learning_review_due")} == {"io.lead", "team.lead"}
    assert run.ready.count("review_learning_action") == 2
