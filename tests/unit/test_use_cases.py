"""The lifecycle use cases against the in-memory unit of work: no database, no Flask."""
from datetime import date, datetime, timezone

import pytest

from handlers import build_registry
from handlers.case_handlers import send_letter as working_send_letter
from processes import lifecycle
from processes.access import SYSTEM, Actor
from processes.errors import Conflict, Forbidden
from processes.vocabulary import CaseStatus, DeadlineStatus, Outcome, Role, TaskRowState
from tests.fakes import fake_world

RECEIVED = datetime(2026, 12, 23, 10, tzinfo=timezone.utc)  # a Wednesday
COMPLAINANT = {"name": "Sam Example", "email": "sam@example.org"}


@pytest.fixture
def world():
    return fake_world(RECEIVED)


def submit(world, **kwargs) -> str:
    return lifecycle.start_case(world.store.uow(), world.runtime, division="IA", kind="complaint",
                                complainant=COMPLAINANT, summary="Late appointment", **kwargs)


def case_of(world, reference):
    return next(c for c in world.store.rows("cases") if c.reference == reference)


def open_tasks(world, reference):
    case = case_of(world, reference)
    return [t for t in world.store.rows("tasks") if t.case_id == case.id and t.state == TaskRowState.OPEN]


def event_kinds(world, reference):
    case = case_of(world, reference)
    return [e.kind for e in world.store.rows("events") if e.case_id == case.id]


def letters(world):
    return [(reference, draft.template, draft.recipient) for reference, draft in world.store.rows("outbox")]


def test_submitting_a_complaint_opens_a_case_with_its_first_task_deadlines_and_acknowledgement(world):
    reference = submit(world)
    case = case_of(world, reference)
    assert (reference, case.status, case.stage) == ("IA-2026-000001", CaseStatus.OPEN, "intake")
    [task] = open_tasks(world, reference)
    assert (task.spec_name, task.stage, task.role) == ("triage", "triage", Role.COMPLAINTS_TEAM)
    assert {(d.element_id, d.status) for d in world.store.rows("deadlines")} == {
        ("triage_reminder", DeadlineStatus.RUNNING), ("triage_deadline", DeadlineStatus.RUNNING)}
    assert letters(world) == [(reference, "acknowledgement", "complainant")]
    assert event_kinds(world, reference) == ["case_started", "service_completed"]


def test_completing_a_task_runs_the_case_on_and_closes_it_with_its_retention(world):
    reference = submit(world)
    [task] = open_tasks(world, reference)
    done = lifecycle.complete_task(world.store.uow(), world.runtime, task.id,
                                   {"eligible": False, "notes": "anonymous"}, SYSTEM)
    case = case_of(world, reference)
    assert (done.status, done.outcome, done.open_tasks) == (CaseStatus.CLOSED, Outcome.INELIGIBLE, [])
    assert case.closed_at == RECEIVED and case.retention_until == date(2028, 12, 23)
    assert [t.state for t in world.store.rows("tasks")] == [TaskRowState.COMPLETED]
    assert {(d.element_id, d.status) for d in world.store.rows("deadlines")} == {
        ("triage_reminder", DeadlineStatus.NOT_NEEDED), ("triage_deadline", DeadlineStatus.MET)}
    assert event_kinds(world, reference)[-3:] == ["task_completed", "service_completed", "case_closed"]


def test_a_task_completed_a_second_time_is_a_conflict_and_changes_nothing(world):
    reference = submit(world)
    [task] = open_tasks(world, reference)
    lifecycle.complete_task(world.store.uow(), world.runtime, task.id, {"eligible": False, "notes": "x"}, SYSTEM)
    before = event_kinds(world, reference)
    with pytest.raises(Conflict, match="already been completed"):
        lifecycle.complete_task(world.store.uow(), world.runtime, task.id, {"eligible": True, "notes": "y"}, SYSTEM)
    assert case_of(world, reference).outcome == Outcome.INELIGIBLE and event_kinds(world, reference) == before


def test_a_run_that_saves_after_another_committed_the_same_case_is_a_conflict(world):
    reference = submit(world)
    [task] = open_tasks(world, reference)
    late = world.store.uow()
    with late:  # loads the instance, then another completion commits before it saves
        instance = late.instances.for_case(case_of(world, reference).id)
        lifecycle.complete_task(world.store.uow(), world.runtime, task.id, {"eligible": False, "notes": "x"}, SYSTEM)
        with pytest.raises(Conflict, match="at the same time"):
            late.instances.save(instance, "{}", None, False)
    assert case_of(world, reference).outcome == Outcome.INELIGIBLE


def test_a_task_claimed_by_someone_else_cannot_be_completed_or_claimed(world):
    world.store.add_user("ann", {"IA": (Role.COMPLAINTS_TEAM,)})
    world.store.add_user("bob", {"IA": (Role.COMPLAINTS_TEAM,)})
    ann, bob = (Actor(name, user.id, {"IA": frozenset({Role.COMPLAINTS_TEAM})})
                for name, user in (("ann", world.store.rows("users")[0]), ("bob", world.store.rows("users")[1])))
    reference = submit(world)
    [task] = open_tasks(world, reference)
    lifecycle.claim_task(world.store.uow(), task.id, ann)
    assert open_tasks(world, reference)[0].assignee_id == ann.user_id
    with pytest.raises(Conflict, match="claimed"):
        lifecycle.claim_task(world.store.uow(), task.id, bob)
    with pytest.raises(Conflict, match="claimed by someone else"):
        lifecycle.complete_task(world.store.uow(), world.runtime, task.id, {"eligible": True, "notes": "x"}, bob)
    assert open_tasks(world, reference)[0].assignee_id == ann.user_id
    assert event_kinds(world, reference).count("task_assigned") == 1


def test_someone_without_the_tasks_role_cannot_claim_it(world):
    user = world.store.add_user("hal", {"IA": (Role.HR,)})
    reference = submit(world)
    [task] = open_tasks(world, reference)
    with pytest.raises(Forbidden):
        lifecycle.claim_task(world.store.uow(), task.id, Actor("hal", user.id, {"IA": frozenset({Role.HR})}))
    assert open_tasks(world, reference)[0].assignee_id is None


def test_a_timer_that_fell_due_fires_and_its_deadline_is_breached(world):
    reference = submit(world)
    world.clock.set(datetime(2027, 1, 5, 8, tzinfo=timezone.utc))  # past the triage deadline
    [instance] = world.store.rows("instances")
    assert lifecycle.fire_due_timers(world.store.uow(), world.runtime, instance.id) is True
    case = case_of(world, reference)
    assert (case.status, case.outcome) == (CaseStatus.CLOSED, Outcome.EXPIRED)
    assert open_tasks(world, reference) == [] and "timer_fired" in event_kinds(world, reference)
    statuses = {d.element_id: d.status for d in world.store.rows("deadlines")}
    assert statuses["triage_deadline"] == DeadlineStatus.BREACHED


def test_a_timer_leased_to_another_worker_is_not_fired(world):
    submit(world)
    [instance] = world.store.rows("instances")
    instance.lease_owner = "other-worker"
    world.clock.set(datetime(2027, 1, 5, 8, tzinfo=timezone.utc))
    assert lifecycle.fire_due_timers(world.store.uow(), world.runtime, instance.id, "this-worker") is False
    assert world.store.rows("tasks")[0].state == TaskRowState.OPEN


def test_a_service_task_that_fails_is_recorded_as_an_incident_and_the_case_is_kept_for_a_retry():
    def send_letter(ctx, template, recipient="complainant"):
        raise ValueError("the letter service is down")

    services = build_registry()
    services.register(send_letter)
    world = fake_world(RECEIVED, services=services)
    reference = submit(world)
    case = case_of(world, reference)
    assert "the letter service is down" in case.incident
    assert event_kinds(world, reference) == ["case_started", "incident_raised"]
    assert open_tasks(world, reference) == [] and letters(world) == []

    services.register(working_send_letter)  # the cause is put right
    assert lifecycle.retry_incident(world.store.uow(), world.runtime, reference, SYSTEM) is True
    assert case_of(world, reference).incident is None
    assert [t.spec_name for t in open_tasks(world, reference)] == ["triage"]
    assert letters(world) == [(reference, "acknowledgement", "complainant")]


def test_a_complaint_withdrawn_by_message_closes_as_withdrawn_with_written_confirmation():
    world = fake_world(RECEIVED, bundles=("group_complaint",))
    reference = submit(world)
    assert open_tasks(world, reference)
    lifecycle.deliver_message(world.store.uow(), world.runtime, reference, "withdrawn", {"reason": "Sorted out"})
    case = case_of(world, reference)
    assert (case.status, case.outcome) == (CaseStatus.CLOSED, Outcome.WITHDRAWN)
    assert case.retention_until == date(2028, 12, 23)
    assert open_tasks(world, reference) == []
    assert (reference, "withdrawal_confirmation", "complainant") in letters(world)


def test_a_message_the_case_does_not_wait_for_is_a_conflict(world):
    reference = submit(world)
    with pytest.raises(Conflict, match="not waiting"):
        lifecycle.deliver_message(world.store.uow(), world.runtime, reference, "withdrawn")
    assert event_kinds(world, reference) == ["case_started", "service_completed"]
