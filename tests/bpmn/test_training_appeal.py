"""Seetec Training appeal stage: request within 10 working days, panel, response in 30, next avenues, retention."""
import pytest

from processes.errors import InvalidInput
from processes.forms import independent_fields, validate_form
from tests.bpmn.test_training_support import (
    appeal,
    at,
    awaited,
    decide_appeal,
    deliver,
    end_of,
    event,
    formal_response_sent,
    investigate_informally,
    lane,
    timer_kind,
    training_case,
    triage,
    write_informal_response,
)

ARBITER = [{"name": "Independent adjudicator", "contact": "adjudicator@example.org"}]


def appealed_on_4_january():
    run = formal_response_sent()
    appeal(run, when=at(2027, 1, 4, 10))
    return run


def convene(run, members=("pat.panel", "quinn.panel")):
    run.complete("convene_panel", panel_members=list(members), panel_meets_on="2027-01-20")


def test_appeal_is_acknowledged_within_five_working_days_of_the_request():
    run = formal_response_sent()
    run.advance_to(at(2027, 1, 4, 10))
    deliver(run, "appeal_requested", reasons="Evidence missed")
    assert run.case.stage == "appeal"
    assert run.ready == ["acknowledge_appeal"] and run.due("acknowledge_appeal") == end_of(2027, 1, 11)
    assert timer_kind(run, "acknowledge_appeal_due") == ("acknowledgement", "appeal")


def test_appeal_made_on_the_last_day_of_the_window_is_in_time_and_the_day_after_is_too_late():
    late = formal_response_sent()
    late.advance_to(at(2027, 1, 12))
    assert "appeal_requested" not in awaited(late) and late.case.outcome == "upheld"
    in_time = formal_response_sent()
    in_time.advance_to(at(2027, 1, 11, 23))
    deliver(in_time, "appeal_requested")
    assert in_time.ready == ["acknowledge_appeal"]


def test_a_panel_is_convened_and_the_written_response_is_due_30_working_days_from_the_request():
    run = appealed_on_4_january()
    assert ("acknowledgement", "complainant") in run.letters()
    assert run.ready == ["convene_panel"] and lane(run, "convene_panel") == "Complaints team"
    assert run.due("convene_panel") == end_of(2027, 2, 15)
    convene(run)
    assert run.ready == ["decide_appeal"] and lane(run, "decide_appeal") == "Appeal panel"
    assert run.due("decide_appeal") == end_of(2027, 2, 15)
    assert timer_kind(run, "appeal_response_due") == ("response", "appeal")


def test_the_panel_needs_two_members_who_took_no_earlier_part_in_the_case():
    run = appealed_on_4_january()
    schema = run.definition.form_for(run.task("convene_panel").task_spec)
    assert independent_fields(schema) == ["panel_members"]
    with pytest.raises(InvalidInput) as refused:
        validate_form(schema, {"panel_members": ["pat.panel"], "panel_meets_on": "2027-01-20"})
    assert "panel_members" in refused.value.fields


def test_the_final_response_names_the_independent_arbiter_when_one_applies_and_closes_the_case():
    run = appealed_on_4_january()
    convene(run)
    decide_appeal(run, next_avenues_applicable=True, next_steps=ARBITER)
    final = [d for d in run.effects.letters if d.template == "stage_response"][-1]
    assert final.context["data"]["next_steps"] == ARBITER
    assert (run.case.status, run.case.outcome, run.case.stage) == ("closed", "upheld", "appeal")
    assert run.effects.learning_actions == [] and event(run, "learning_considered")["stage"] == "appeal"


def test_no_arbiter_is_named_when_none_applies():
    run = appealed_on_4_january()
    convene(run)
    decide_appeal(run, next_steps=ARBITER)
    final = [d for d in run.effects.letters if d.template == "stage_response"][-1]
    assert final.context["data"]["next_steps"] == []


def test_closed_cases_are_kept_for_their_contracts_retention_period():
    run = training_case()
    run.division.config["contracts"] = {"Adult Skills": {"retention_years": 6}}
    triage(run, contract="Adult Skills")
    investigate_informally(run)
    write_informal_response(run)
    run.advance_to(at(2027, 1, 12))
    assert (run.case.outcome, run.kept_for_years()) == ("resolved_informally", 6)


def test_closed_cases_are_kept_for_two_years_when_their_contract_sets_no_period():
    run = appealed_on_4_january()
    convene(run)
    decide_appeal(run)
    assert run.kept_for_years() == 2


def test_appeal_deadline_warns_and_then_alerts_without_stopping_the_panel():
    run = appealed_on_4_january()
    convene(run)
    run.advance_to(at(2027, 2, 9))
    assert ("sla_warning", "role:complaints_team") in run.letters()
    run.advance_to(at(2027, 2, 16))
    assert ("sla_breach", "role:line_manager") in run.letters() and run.ready == ["decide_appeal"]


def test_a_complainant_who_stops_cooperating_at_appeal_is_closed_as_withdrawn_after_the_notice_period():
    run = appealed_on_4_january()
    convene(run)
    decide_appeal(run, decision="not_cooperating")
    assert ("non_cooperation_notice", "complainant") in run.letters()
    run.advance_to(at(2027, 1, 19))
    assert (run.case.status, run.case.outcome) == ("closed", "withdrawn")


def test_a_panel_that_resumes_after_cooperation_does_not_convene_again():
    run = appealed_on_4_january()
    convene(run)
    decide_appeal(run, decision="not_cooperating")
    run.advance_to(at(2027, 1, 6))
    deliver(run, "cooperation_resumed")
    assert run.ready == ["decide_appeal"]
