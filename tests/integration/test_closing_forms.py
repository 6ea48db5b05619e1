"""Closing forms on the shipped diagrams through the real runtime: themes are required and reach the reports."""
import pytest
from sqlalchemy import select

from processes import lifecycle
from processes.access import SYSTEM
from processes.classification import set_category_active
from processes.errors import InvalidInput
from processes.reports import report_for
from processes.task_view import task_view
from scheduler import sweep_timers
from storage import models as m
from tests.bpmn.test_group_support import findings, triage_answers
from tests.integration.helpers import case_row, open_task_ids

COMPLAINANT = {"name": "Sam Example", "email": "sam@example.org"}


@pytest.fixture
def group(container, categories):
    """IA complaints on the group diagram (as shipped), with a line manager and an investigating officer."""
    with container.session_factory() as session, session.begin():
        ia = session.scalars(select(m.Division).where(m.Division.code == "IA")).one()
        for username, role in (("ia.manager", "line_manager"), ("ia.officer", "investigating_officer")):
            user = m.User(username=username, display_name=username.title(), email=f"{username}@example.org")
            session.add(user)
            session.flush()
            session.add(m.Membership(user_id=user.id, division_id=ia.id, role=role))
    return container


def open_task(c, reference, spec_name) -> int:
    with c.session_factory() as session:
        return session.scalars(select(m.Task.id).join(m.Case).where(
            m.Case.reference == reference, m.Task.spec_name == spec_name, m.Task.state == "open")).one()


def complete(c, reference, spec_name, data) -> None:
    lifecycle.complete_task(c.uow(), c.runtime, open_task(c, reference, spec_name), data, SYSTEM)


def classifications(c, reference) -> list[dict]:
    with c.session_factory() as session:
        return list(session.scalars(select(m.Event.data).join(m.Case).where(
            m.Case.reference == reference, m.Event.kind == "case_classified").order_by(m.Event.id)))


def at_informal_response(c) -> str:
    reference = lifecycle.start_case(c.uow(), c.runtime, division="IA", kind="complaint", complainant=COMPLAINANT,
                                     summary="Missed appointments")
    complete(c, reference, "triage", triage_answers())
    complete(c, reference, "allocate_line_manager", {"line_manager": "ia.manager"})
    return reference


def test_a_closing_form_without_themes_gets_a_field_error_and_changes_nothing(group):
    reference = at_informal_response(group)
    task_id = open_task(group, reference, "investigate")
    before = case_row(group, reference)
    with pytest.raises(InvalidInput) as refused:
        lifecycle.complete_task(group.uow(), group.runtime, task_id, findings(), SYSTEM)
    assert refused.value.fields == {"themes": ["Choose at least one"]}
    with pytest.raises(InvalidInput) as empty:
        lifecycle.complete_task(group.uow(), group.runtime, task_id, {**findings(), "themes": []}, SYSTEM)
    assert empty.value.fields == {"themes": ["Choose at least one"]}
    assert open_task_ids(group, reference) == [task_id] and classifications(group, reference) == []
    after = case_row(group, reference)
    assert (after.stage, after.status, after.outcome) == (before.stage, before.status, before.outcome)


def test_a_closing_form_refuses_an_unknown_or_retired_category(group):
    reference = at_informal_response(group)
    with pytest.raises(InvalidInput) as unknown:
        complete(group, reference, "investigate", findings(themes=["made_up"]))
    assert unknown.value.fields == {"themes": ["Choose only from the options offered"]}
    set_category_active(group.uow(), "appointments", False, SYSTEM)
    with pytest.raises(InvalidInput) as retired:
        complete(group, reference, "investigate", findings(themes=["appointments"]))
    assert "themes" in retired.value.fields and classifications(group, reference) == []


def test_a_closing_form_keeps_its_own_outcome_choices_and_offers_the_active_categories(group):
    reference = at_informal_response(group)
    set_category_active(group.uow(), "process_not_followed", False, SYSTEM)
    view = task_view(group.uow(), group.runtime, open_task(group, reference, "investigate"), SYSTEM)
    outcomes = [o["const"] for o in view.schema["properties"]["outcome"]["oneOf"]]
    assert outcomes == ["upheld", "partly_upheld", "not_upheld", "resolved_informally"]
    items = view.schema["properties"]["themes"]["items"]
    assert (items["enum"], items["enumNames"]) == (["appointments", "communication"], ["Appointments", "Communication"])
    assert {"outcome", "themes"} <= set(view.schema["required"]) and "team" in view.schema["properties"]


def test_a_closing_form_records_the_classification_and_the_monthly_report_counts_its_theme(group):
    reference = at_informal_response(group)
    complete(group, reference, "investigate",
             findings(outcome="partly_upheld", themes=["communication", "appointments"], team=" Leeds office "))
    assert classifications(group, reference) == [
        {"outcome": "partly_upheld", "themes": ["appointments", "communication"], "team": "Leeds office"}]
    assert case_row(group, reference).outcome is None  # the diagram sets the outcome when the case closes
    report = report_for(group.reporting_uow(), SYSTEM, "IA", "2026-12", group.clock.now())
    assert dict(report.table("themes").rows) == {"Appointments": 1, "Communication": 1}


def test_the_latest_closing_form_decides_the_reported_themes_and_the_case_closes_with_its_outcome(group, clock):
    reference = at_informal_response(group)
    complete(group, reference, "investigate", findings(outcome="not_upheld", themes=["communication"]))
    lifecycle.deliver_message(group.uow(), group.runtime, reference, "escalation_requested",
                              {"reasons": "Not answered", "received_at": clock.now().isoformat()})
    complete(group, reference, "acknowledge_escalation", {"reasons_for_dissatisfaction": "Not answered"})
    complete(group, reference, "allocate_investigator", {"investigating_officer": "ia.officer"})
    complete(group, reference, "investigate", findings(outcome="upheld", themes=["process_not_followed"]))
    clock.advance(days=30)
    sweep_timers(group)
    case = case_row(group, reference)
    assert (case.status, case.outcome) == ("closed", "upheld")
    assert [e["themes"] for e in classifications(group, reference)] == [["communication"], ["process_not_followed"]]
    report = report_for(group.reporting_uow(), SYSTEM, "IA", "2026-12", clock.now())
    assert dict(report.table("themes").rows) == {"Process not followed": 1}


def test_a_compliment_records_the_team_it_is_about_for_the_reports(group):
    reference = lifecycle.start_case(group.uow(), group.runtime, division="IA", kind="compliment",
                                     complainant=COMPLAINANT, summary="Great support")
    complete(group, reference, "describe_compliment", {
        "compliment_text": "Great support", "business_area": "Employment", "team_name": "Leeds tutors",
        "best_practice": False, "ask_permission_to_share": False})
    assert classifications(group, reference) == [{"outcome": "recorded", "themes": [], "team": "Leeds tutors"}]
    report = report_for(group.reporting_uow(), SYSTEM, "IA", "2026-12", group.clock.now())
    assert dict(report.table("compliments_by_team").rows) == {"Leeds tutors": 1}
