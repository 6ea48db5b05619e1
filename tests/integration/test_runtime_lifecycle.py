from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from processes import lifecycle
from processes.access import SYSTEM
from processes.errors import Conflict, InvalidInput
from scheduler import sweep_timers
from storage import models as m
from tests.integration.helpers import case_row, count, events, open_task_ids

COMPLAINANT = {"name": "Sam Example", "email": "sam@example.org"}


def start(container, **kwargs) -> str:
    return lifecycle.start_case(container.uow(), container.runtime, division="IA", kind="complaint",
                                complainant=COMPLAINANT, summary="Late appointment", **kwargs)


def test_a_case_runs_through_the_demo_diagram_to_closure(demo_container):
    c = demo_container
    reference = start(c)
    assert reference == "IA-2026-000001"
    [task_id] = open_task_ids(c, reference)
    lifecycle.complete_task(c.uow(), c.runtime, task_id, {"eligible": True, "notes": "in scope"}, SYSTEM)
    lifecycle.deliver_message(c.uow(), c.runtime, reference, "complainant_replied", {"text": "thanks"})
    assert case_row(c, reference).status == "closed"
    case = case_row(c, reference)
    assert (case.status, case.outcome) == ("closed", "resolved_informally")
    assert case.retention_until.isoformat() == "2028-12-23"
    assert [kind for kind, _ in events(c, reference)] == [
        "case_started", "service_completed", "task_completed", "message_delivered", "message_received",
        "service_completed", "case_closed"]
    assert count(c, m.Outbox, m.Outbox.template == "acknowledgement") == 1


def test_case_references_count_per_division_and_year(demo_container):
    assert [start(demo_container) for _ in range(2)] == ["IA-2026-000001", "IA-2026-000002"]
    earlier = start(demo_container, received_at=datetime(2025, 12, 1, tzinfo=timezone.utc))
    assert earlier == "IA-2025-000001"


def test_deadlines_count_from_the_true_received_date(demo_container):
    c = demo_container
    reference = start(c, received_at=datetime(2026, 12, 18, 9, tzinfo=timezone.utc))
    with c.session_factory() as session:
        due = session.scalar(select(m.Task.due_at).where(m.Task.id == open_task_ids(c, reference)[0]))
    assert due == datetime(2026, 12, 29, 23, 59, 59, tzinfo=timezone.utc)  # Fri 18 Dec + 5 working days


def test_a_timer_that_fell_due_fires_on_the_next_sweep_without_interrupting_the_task(demo_container, clock):
    c = demo_container
    reference = start(c)
    clock.set(datetime(2026, 12, 30, 8, tzinfo=timezone.utc))
    assert sweep_timers(c) == 1
    assert ("timer_fired", "triage_reminder") in events(c, reference)
    assert len(open_task_ids(c, reference)) == 1
    assert sweep_timers(c) == 0


def test_the_interrupting_deadline_closes_the_case_when_it_passes(demo_container, clock):
    c = demo_container
    reference = start(c)
    clock.set(datetime(2027, 1, 5, 8, tzinfo=timezone.utc))
    sweep_timers(c)
    assert case_row(c, reference).outcome == "expired"
    assert open_task_ids(c, reference) == []


def test_a_task_completed_twice_gives_a_conflict_the_second_time(demo_container):
    c = demo_container
    reference = start(c)
    [task_id] = open_task_ids(c, reference)
    lifecycle.complete_task(c.uow(), c.runtime, task_id, {"eligible": False, "notes": "anonymous"}, SYSTEM)
    with pytest.raises(Conflict, match="already been completed"):
        lifecycle.complete_task(c.uow(), c.runtime, task_id, {"eligible": True, "notes": "again"}, SYSTEM)
    assert case_row(c, reference).outcome == "ineligible"


def test_form_data_that_fails_its_schema_changes_nothing(demo_container):
    c = demo_container
    reference = start(c)
    [task_id] = open_task_ids(c, reference)
    before = (count(c, m.Event), count(c, m.Outbox), case_row(c, reference).stage)
    with c.session_factory() as session:
        lock = session.scalar(select(m.Instance.lock_version))
    with pytest.raises(InvalidInput) as error:
        lifecycle.complete_task(c.uow(), c.runtime, task_id, {"eligible": "yes"}, SYSTEM)
    assert error.value.fields == {"eligible": ["Choose yes or no"], "notes": ["Enter an answer"]}
    assert (count(c, m.Event), count(c, m.Outbox), case_row(c, reference).stage) == before
    with c.session_factory() as session:
        assert session.scalar(select(m.Instance.lock_version)) == lock
    assert open_task_ids(c, reference) == [task_id]


def test_a_message_the_case_is_not_waiting_for_is_refused(demo_container):
    reference = start(demo_container)
    with pytest.raises(Conflict, match="not waiting for ‘complainant replied’"):
        lifecycle.deliver_message(demo_container.uow(), demo_container.runtime, reference, "complainant_replied")


def test_the_event_log_refuses_updates_and_deletes(demo_container):
    start(demo_container)
    from sqlalchemy import delete, update
    for statement in (update(m.Event).values(kind="tampered"), delete(m.Event)):
        with pytest.raises(Exception, match="append-only"):
            with demo_container.session_factory() as session, session.begin():
                session.execute(statement)
