"""Scheduled packs through the outbox, learning reminders, the learning register and closure classification."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from processes.access import SYSTEM, Actor
from processes.classification import add_category, classify_case, set_category_active
from processes.errors import Conflict, Forbidden, InvalidInput, NotFound
from processes.learning import RegisterFilter, learning_register, remind_overdue_actions, update_learning_action
from processes.report_schedule import send_report_packs
from scheduler import CRON_JOBS, make_scheduler
from storage import models as m
from tests import reports_seed as seed

NEW_YEAR = datetime(2026, 1, 1, 6, 30, tzinfo=timezone.utc)  # a bank holiday; 2 January is the first working day


def outbox(container, prefix):
    with container.session_factory() as session:
        return list(session.scalars(select(m.Outbox).where(m.Outbox.idempotency_key.startswith(prefix))
                                    .order_by(m.Outbox.idempotency_key)))


@pytest.fixture
def december(container, clock):
    cases = [c for c in seed.generate_year(per_division=60, divisions=("IA", "ST"))]
    seed.insert(container, cases)
    return cases


def test_monthly_packs_wait_for_the_first_working_day_then_go_once_per_recipient(container, clock, december):
    assert send_report_packs(container.reporting_uow, NEW_YEAR) == 0
    clock.set(NEW_YEAR + timedelta(days=1))
    queued = send_report_packs(container.reporting_uow, clock.now())
    monthly = outbox(container, "monthly-pack:")
    assert sorted(r.idempotency_key.split(":")[1] for r in monthly) == ["EUK", "IA", "PL", "ST"]
    assert all(":2025-12:" in r.idempotency_key and r.status == "pending" for r in monthly)
    ia = next(r for r in monthly if ":IA:" in r.idempotency_key)
    assert ia.recipient == "IAComplaints@interventionsalliance.com"
    assert ia.subject == "Monthly complaints pack: Interventions Alliance, December 2025"
    assert "SLA compliance by deadline" in ia.body_text and "<table" in ia.body_html
    review = outbox(container, "compliments-review:")
    assert [r.idempotency_key for r in review] == ["compliments-review:ST:2025-Q4:feedback@seetec.co.uk"]
    assert "Compliments received, by team" in review[0].body_text
    assert queued == 5
    clock.set(NEW_YEAR + timedelta(days=5))
    assert send_report_packs(container.reporting_uow, clock.now()) == 0


def test_configured_recipients_each_get_the_pack(container, clock, december):
    with container.session_factory() as session, session.begin():
        ia = session.scalars(select(m.Division).where(m.Division.code == "IA")).one()
        ia.config = {**ia.config, "report_recipients": ["gbst@seetec.example", "board@seetec.example"]}
    send_report_packs(container.reporting_uow, datetime(2026, 2, 2, 7, tzinfo=timezone.utc))
    assert [r.recipient for r in outbox(container, "monthly-pack:IA:2026-01")] == ["board@seetec.example",
                                                                                    "gbst@seetec.example"]


def test_the_scheduler_carries_the_daily_report_reminder_and_retention_jobs(container):
    scheduler = make_scheduler(container)
    ids = {job.id for job in scheduler.get_jobs()}
    assert {job_id for _, _, job_id in CRON_JOBS} <= ids


@pytest.fixture
def actions(container, clock, december):
    clock.set(seed.AS_OF)
    return seed.add_learning(container, december)


def test_overdue_actions_get_one_reminder_a_week(container, clock, actions):
    overdue = sum(a["status"] == "open" and a["review_on"] < seed.AS_OF.date() for a in actions)
    assert overdue and remind_overdue_actions(container.reporting_uow(), clock.now()) == overdue
    assert remind_overdue_actions(container.reporting_uow(), clock.now() + timedelta(days=1)) == 0
    assert remind_overdue_actions(container.reporting_uow(), clock.now() + timedelta(days=7)) == overdue
    first = outbox(container, "learning-reminder:")[0]
    assert first.subject.startswith("Learning action overdue: ") and "learning register" in first.body_text


def test_the_register_lists_only_the_actors_divisions_and_marks_best_practice(container, clock, actions):
    ia = Actor("ia", 1, {"IA": frozenset({"complaints_team"})})
    listed = learning_register(container.reporting_uow(), ia, RegisterFilter(), clock.now())
    assert listed and {a.division for a in listed} == {"IA"}
    assert len(listed) == sum(a["division"] == "IA" for a in actions)
    target = next(a for a in listed if not a.best_practice)
    update_learning_action(container.reporting_uow(), target.id, ia, best_practice=True, status="done")
    shared = learning_register(container.reporting_uow(), ia, RegisterFilter(best_practice_only=True), clock.now())
    assert target.id in {a.id for a in shared} and next(a for a in shared if a.id == target.id).status == "done"
    st_action = next(a for a in learning_register(container.reporting_uow(), SYSTEM, RegisterFilter(), clock.now())
                     if a.division == "ST")
    with pytest.raises(NotFound):
        update_learning_action(container.reporting_uow(), st_action.id, ia, status="done")


def test_a_case_is_classified_with_an_outcome_and_active_categories(container, clock, december):
    admin = Actor("admin", 1, {"IA": frozenset({"administrator"})})
    handler = Actor("handler", 2, {"IA": frozenset({"complaints_team"})})
    add_category(container.reporting_uow(), "late_letters", "Late letters", "root_cause", admin)
    with pytest.raises(Forbidden):
        add_category(container.reporting_uow(), "other", "Other", "theme", handler)
    open_case = next(c.reference for c in december if c.division == "IA" and c.status == "open")
    with pytest.raises(Conflict):  # its closing form classifies it
        classify_case(container.reporting_uow(), open_case, {"outcome": "upheld", "themes": ["late_letters"]}, handler)
    reference = next(c.reference for c in december
                     if c.division == "IA" and c.kind == "complaint" and c.status == "closed")
    with pytest.raises(InvalidInput):
        classify_case(container.reporting_uow(), reference, {"outcome": "upheld", "themes": []}, handler)
    classify_case(container.reporting_uow(), reference,
                  {"outcome": "partly_upheld", "themes": ["late_letters", "delay"], "team": "Leeds"}, handler)
    with container.session_factory() as session:
        case = session.scalars(select(m.Case).where(m.Case.reference == reference)).one()
        event = session.scalars(select(m.Event).where(m.Event.case_id == case.id, m.Event.kind == "case_classified")
                                .order_by(m.Event.id.desc())).first()
    assert case.outcome == "partly_upheld"
    assert event.data == {"outcome": "partly_upheld", "themes": ["delay", "late_letters"], "team": "Leeds"}
    set_category_active(container.reporting_uow(), "late_letters", False, admin)
    with pytest.raises(InvalidInput):
        classify_case(container.reporting_uow(), reference, {"outcome": "upheld", "themes": ["late_letters"]}, handler)
