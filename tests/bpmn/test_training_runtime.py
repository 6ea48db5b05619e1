"""The Training and compliment bundles through the real use cases and a real database: inbox, messages, deadlines."""
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

import bootstrap
from processes import lifecycle
from processes.access import SYSTEM
from processes.bundle import bundle_from_directory
from processes.versions import publish_shipped
from storage import models as m
from storage.db import migrate
from storage.reports_models import Category
from storage.seed import load_divisions
from tests.bpmn.harness import BPMN
from tests.bpmn.test_training_support import end_of

pytestmark = pytest.mark.both_databases  # the persisted runtime's storage

LEARNER = {"name": "Lee Learner", "email": "lee@example.org"}


@pytest.fixture
def runtime(settings, clock):
    """Divisions from divisions.json and only this card's two bundles published, on a fresh database."""
    built = bootstrap.build(settings, clock=clock)
    migrate(settings.database_url)
    load_divisions(built.session_factory, BPMN / "divisions.json")
    for name in ("training_complaint", "compliment"):
        publish_shipped(built.uow(), built.runtime, bundle_from_directory(BPMN / name))
    with built.session_factory() as session, session.begin():
        officer = m.User(username="ian.officer", display_name="Ian Officer", email="ian@seetec.example")
        session.add(officer)
        session.flush()
        training = session.scalars(select(m.Division).where(m.Division.code == "ST")).one()
        session.add(m.Membership(user_id=officer.id, division_id=training.id, role="investigating_officer"))
        session.add(Category(code="marking", label="Marking", kind="theme", active=True, created_at=clock.now()))
    yield built
    built.engine.dispose()


def open_tasks(c, reference) -> dict[str, m.Task]:
    with c.session_factory() as session:
        case_id = session.scalar(select(m.Case.id).where(m.Case.reference == reference))
        rows = session.scalars(select(m.Task).where(m.Task.case_id == case_id, m.Task.state == "open"))
        return {row.spec_name: row for row in rows}


def deadlines(c, reference) -> list[tuple[str, str, str, datetime, str]]:
    with c.session_factory() as session:
        case_id = session.scalar(select(m.Case.id).where(m.Case.reference == reference))
        rows = session.scalars(select(m.Deadline).where(m.Deadline.case_id == case_id).order_by(m.Deadline.id))
        return [(r.element_id, r.kind, r.stage, r.due_at.replace(tzinfo=timezone.utc), r.status) for r in rows]


def complete(c, reference, element, **data):
    lifecycle.complete_task(c.uow(), c.runtime, open_tasks(c, reference)[element].id, data, SYSTEM)


def test_a_training_complaint_reaches_the_inbox_with_its_role_and_christmas_adjusted_due_date(runtime):
    reference = lifecycle.start_case(runtime.uow(), runtime.runtime, division="ST", kind="complaint",
                                     complainant=LEARNER, summary="Marking is late")
    triage = open_tasks(runtime, reference)["triage"]
    assert (triage.role, triage.due_at.replace(tzinfo=timezone.utc)) == ("complaints_team", end_of(2027, 1, 4))


def test_escalation_and_an_interim_extension_show_in_the_case_deadline_list(runtime):
    c = runtime
    reference = lifecycle.start_case(c.uow(), c.runtime, division="ST", kind="complaint", complainant=LEARNER)
    complete(c, reference, "triage", route="informal", triage_notes="Late marking", colleague_name="Sam Tutor")
    complete(c, reference, "resolve_informally", findings="Late", colleague_informed=True,
             mediation_appropriate=False, informal_decision="respond", misconduct_suspected=False)
    complete(c, reference, "write_informal_response", outcome="not_upheld", response_text="Marked on time",
             learning_considered=True, themes=["marking"])
    lifecycle.deliver_message(c.uow(), c.runtime, reference, "escalation_requested", {"reasons": "Disagree"})
    complete(c, reference, "acknowledge_formal", support_needs_checked=True)
    assert open_tasks(c, reference)["review_formal_complaint"].role == "psrd_director"
    complete(c, reference, "review_formal_complaint", complaint_review_notes="Investigate",
             investigating_officer="ian.officer")
    complete(c, reference, "investigate_formal", findings="More to do", colleague_informed=True,
             colleague_interviewed=False, confidentiality_maintained=True, formal_decision="interim",
             interim_text="Interviewing tutors", new_response_due="2027-03-05", responder_name="Ian Officer",
             misconduct_suspected=False)
    formal = [d for d in deadlines(c, reference) if d[:3] == ("formal_response_due", "response", "formal")]
    assert [(due, status) for *_, due, status in formal] == [(end_of(2027, 2, 8), "extended"),
                                                             (end_of(2027, 3, 5), "running")]
    assert open_tasks(c, reference)["investigate_formal"].due_at.replace(tzinfo=timezone.utc) == end_of(2027, 3, 5)
    with c.session_factory() as session:
        kinds = list(session.scalars(select(m.Event.kind).join(m.Case).where(m.Case.reference == reference)))
    assert "deadline_extended" in kinds


def test_a_compliment_for_a_group_division_is_recorded_and_closed(runtime):
    c = runtime
    reference = lifecycle.start_case(c.uow(), c.runtime, division="IA", kind="compliment", complainant=LEARNER,
                                     summary="Great support")
    complete(c, reference, "describe_compliment", compliment_text="Great support", business_area="IA",
             best_practice=False, ask_permission_to_share=False)
    with c.session_factory() as session:
        case = session.scalars(select(m.Case).where(m.Case.reference == reference)).one()
        templates = set(session.scalars(select(m.Outbox.template).where(m.Outbox.case_id == case.id)))
    assert (case.status, case.outcome, case.retention_until.isoformat()) == ("closed", "recorded", "2028-12-23")
    assert {"compliment_notice", "compliment_thanks"} <= templates
