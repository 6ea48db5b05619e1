"""Crash recovery without long waits: a killed worker's timer and letter claims are taken over within two sweeps,
and a worker that lost its lease fires and marks nothing another worker has taken over. On SQLite and PostgreSQL,
with real worker processes, SIGKILL and a real SMTP server; every figure is read from the product's own clock."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import sessionmaker

from handlers.smtp import SmtpConnection, SmtpSender
from processes.lifecycle import fire_due_timers
from processes.timer_sweep import LeaseLost
from settings import Settings
from storage import models as m
from storage.db import make_engine
from storage.timer_claims import SqlTimerClaims
from tests.integration.test_outbox_dispatch import dispatcher, route_to_demo, rows, start
from tests.integration.test_runtime_concurrency import REMINDER_DUE, clone_cases, reminders_fired_per_case
from tests.integration.test_smtp_sender import free_port, smtp_server  # noqa: F401  (fixture)
from tests.security.crash_drill import Drill, Takeover, held_by

pytestmark = pytest.mark.both_databases  # claims and leases are dialect-specific SQL

SWEEP = 1.0  # seconds between sweeps in the drills
DRILL = Settings(sweep_seconds=SWEEP)
LEASE = timedelta(seconds=DRILL.lease_seconds)
INSTANCES, OUTBOX = m.Instance.__table__, m.Outbox.__table__


def test_a_claim_lasts_under_one_sweep_and_is_renewed_three_times_a_lease():
    settings = Settings(sweep_seconds=5.0)
    assert (settings.lease_seconds, settings.lease_renew_seconds) == (3.75, 1.25)
    assert Settings.from_env(sweep_seconds=2.0, lease_sweeps=3.0).lease_seconds == 6.0  # operators may lengthen it
    with pytest.raises(ValueError, match="COMPLAINTS_LEASE_SWEEPS"):
        Settings(lease_sweeps=0)  # a zero lease would renew in a busy loop and lapse at once


def test_a_worker_killed_during_a_timer_sweep_has_its_timers_fired_by_another_within_two_sweeps(
        container, database_url, tmp_path):
    route_to_demo(container)
    clone_cases(container, start(container), 29)  # 30 reminders due at once: one claim holds them all
    drill = Drill(database_url, REMINDER_DUE, tmp_path, SWEEP, COMPLAINTS_SMTP_PORT=str(free_port()))
    try:
        doomed = drill.start("doomed", stall="after-first-fire")
        drill.wait_until("the doomed worker fired one timer and holds the rest", lambda: (
            fired(drill) == 1 and len(held_by(drill, INSTANCES, "doomed")) == 29))
        claimed = drill.scalar(select(func.max(INSTANCES.c.claimed_at)).where(INSTANCES.c.lease_owner == "doomed"))
        survivor = drill.start("survivor")
        drill.wait_until("the survivor swept while the doomed worker was stuck for two leases", lambda: (
            drill.has_beaten(survivor) and drill.now() > claimed + 2 * LEASE))
        alive = held_by(drill, INSTANCES, "doomed")
        assert len(alive) == 29 and min(alive.values()) > claimed + LEASE  # renewed: nothing was taken from it

        killed_at = drill.kill(doomed)
        held = held_by(drill, INSTANCES, "doomed")
        drill.wait_until("every timer fired", lambda: fired(drill) == 30)
        takeover = Takeover(killed_at, held, dict(drill.rows(
            select(INSTANCES.c.id, INSTANCES.c.claimed_at).where(INSTANCES.c.id.in_(held)))))
    finally:
        drill.stop()

    assert len(takeover.held_until) == 29
    assert all(takeover.claimed_at[row] > until for row, until in takeover.held_until.items())  # not before it lapsed
    assert max(takeover.delays(takeover.last_renewal(LEASE))) <= 2 * timedelta(seconds=SWEEP)
    per_case = reminders_fired_per_case(container)
    assert len(per_case) == 30 and set(per_case.values()) == {1}
    with container.session_factory() as session:
        warnings = select(func.count()).select_from(m.Outbox).where(m.Outbox.template == "sla_warning")
        assert session.scalar(warnings) == 30


def test_a_worker_killed_between_sending_and_marking_has_its_letters_sent_by_another_within_two_sweeps(
        container, clock, database_url, tmp_path, smtp_server):
    route_to_demo(container)
    for n in range(6):
        start(container, email=f"person{n}@example.org")  # six acknowledgements: one claim holds them all
    drill = Drill(database_url, clock.now(), tmp_path, SWEEP, COMPLAINTS_SMTP_HOST=smtp_server.host,
                  COMPLAINTS_SMTP_PORT=str(smtp_server.port))
    try:
        doomed = drill.start("doomed", stall="after-first-send")
        drill.wait_until("the doomed worker sent one letter and holds all six", lambda: (
            len(smtp_server.received) == 1 and len(held_by(drill, OUTBOX, "doomed")) == 6))
        claimed = drill.scalar(select(func.max(OUTBOX.c.last_attempt_at)))
        survivor = drill.start("survivor")
        drill.wait_until("the survivor's scheduler started", lambda: drill.beat_at(survivor) is not None)
        first_beat = drill.beat_at(survivor)
        drill.wait_until("the survivor dispatched while the doomed worker was stuck for two leases", lambda: (
            drill.beat_at(survivor) > first_beat + 1.5 * timedelta(seconds=SWEEP)
            and drill.now() > claimed + 2 * LEASE))
        alive = held_by(drill, OUTBOX, "doomed")
        assert len(alive) == 6 and min(alive.values()) > claimed + LEASE

        killed_at = drill.kill(doomed)
        held = held_by(drill, OUTBOX, "doomed")
        drill.wait_until("every letter is marked sent", lambda: drill.scalar(
            select(func.count()).select_from(OUTBOX).where(OUTBOX.c.status == "sent")) == 6)
        takeover = Takeover(killed_at, held, dict(drill.rows(select(OUTBOX.c.id, OUTBOX.c.last_attempt_at))))
    finally:
        drill.stop()

    assert len(takeover.held_until) == 6
    assert all(takeover.claimed_at[row] > until for row, until in takeover.held_until.items())
    assert max(takeover.delays(takeover.last_renewal(LEASE))) <= 2 * timedelta(seconds=SWEEP)
    letters = rows(container)
    assert {(r.status, r.attempts) for r in letters} == {("sent", 2)}  # claimed by the dead worker, then the survivor
    assert sent_events(container) == sorted(r.id for r in letters)  # each marked once
    assert_one_message_per_letter(smtp_server, letters, copies=7)  # the first went twice, as the same message


def test_a_sweep_whose_lease_was_taken_over_fires_none_of_it(container, clock):
    route_to_demo(container)
    start(container)
    clock.set(REMINDER_DUE)
    first, rival = timer_claims(container, "first"), timer_claims(container, "rival")
    mine = first.claim(clock.now(), 100)
    clock.advance(seconds=container.settings.lease_seconds, microseconds=1)  # paused past its lease
    theirs = rival.claim(clock.now(), 100)
    assert theirs.ids == mine.ids and len(mine.ids) == 1

    before = instance_rows(container)
    with pytest.raises(LeaseLost):
        fire_due_timers(first.unit_of_work(mine, mine.ids[0]), container.runtime, mine.ids[0], "first")
    assert instance_rows(container) == before and reminders_fired_per_case(container) == {}

    assert fire_due_timers(rival.unit_of_work(theirs, theirs.ids[0]), container.runtime, theirs.ids[0], "rival")
    assert list(reminders_fired_per_case(container).values()) == [1]


def test_no_rival_can_take_over_an_instance_while_its_holder_is_firing_it(container, clock, database_url):
    route_to_demo(container)
    start(container)
    clock.set(REMINDER_DUE)
    holder = timer_claims(container, "holder")
    # the rival's own engine: on SQLite it gives up on the write lock at once instead of queueing for 30 s
    rival_engine = make_engine(database_url)
    if database_url.startswith("sqlite"):
        event.listen(rival_engine, "connect", lambda dbapi, _: dbapi.execute("PRAGMA busy_timeout=100"))
    rival = SqlTimerClaims(sessionmaker(rival_engine), clock, "rival", timedelta(seconds=1), 1.0)
    mine, rivals = holder.claim(clock.now(), 100), []
    uow = holder.unit_of_work(mine, mine.ids[0])
    commit = uow.commit

    def rival_steps_in_then_commit() -> None:
        clock.advance(seconds=container.settings.lease_seconds, microseconds=1)  # the holder's lease has lapsed
        rivals.append(rival.claim(clock.now(), 100))
        commit()

    uow.commit = rival_steps_in_then_commit
    try:
        assert fire_due_timers(uow, container.runtime, mine.ids[0], "holder")
        assert rivals[0].ids == () and rival.claim(clock.now(), 100).ids == ()
    finally:
        rival_engine.dispose()
    assert list(reminders_fired_per_case(container).values()) == [1]


def test_a_dispatcher_paused_past_its_lease_neither_sends_nor_marks_what_another_took_over(
        container, clock, smtp_server):
    route_to_demo(container)
    start(container, email="first@example.org")
    start(container, email="second@example.org")
    rival = dispatcher(container, smtp_server, owner="rival")
    paused = dispatcher(container, smtp_server, owner="paused", lease=timedelta(seconds=2))
    paused.sender = RivalAfterFirstSend(smtp_server, lambda: (clock.advance(seconds=3), rival.dispatch()))

    report = paused.dispatch()

    letters = rows(container)
    assert report.sent == [] and report.lost == [r.id for r in letters]
    assert {(r.status, r.attempts, r.lease_owner) for r in letters} == {("sent", 2, None)}
    assert sent_events(container) == [r.id for r in letters]
    assert_one_message_per_letter(smtp_server, letters, copies=3)  # the second letter went once, not twice


def test_a_dispatcher_that_lost_its_lease_while_sending_leaves_the_marking_to_the_new_holder(
        container, clock, smtp_server):
    route_to_demo(container)
    start(container)
    rival, taken = dispatcher(container, smtp_server, owner="rival"), []
    paused = dispatcher(container, smtp_server, owner="paused", lease=timedelta(seconds=2))
    paused.sender = RivalAfterFirstSend(smtp_server, lambda: (clock.advance(seconds=3), taken.append(rival.claim())))

    assert paused.dispatch().lost == [taken[0].letters[0].id]
    [row] = rows(container)
    assert (row.status, row.lease_owner, sent_events(container)) == ("pending", "rival", [])

    assert rival.send(taken[0]).sent == [row.id]
    [row] = rows(container)
    assert (row.status, row.attempts, sent_events(container)) == ("sent", 2, [row.id])
    assert_one_message_per_letter(smtp_server, [row], copies=2)


class RivalAfterFirstSend(SmtpSender):
    """The real server; right after it takes the first letter, this dispatcher stalls and a rival steps in."""

    def __init__(self, server, rival):
        super().__init__(server.host, server.port, timeout=5)
        self.rival = rival

    @contextmanager
    def connect(self):
        with super().connect() as connection:
            yield _ThenRival(connection.client, self)


class _ThenRival(SmtpConnection):
    def __init__(self, client, sender: RivalAfterFirstSend):
        super().__init__(client)
        self.sender = sender

    def send(self, *args):
        refused = super().send(*args)
        rival, self.sender.rival = self.sender.rival, None
        if rival:
            rival()
        return refused


def timer_claims(container, owner: str) -> SqlTimerClaims:
    settings = container.settings
    return SqlTimerClaims(container.session_factory, container.clock, owner,
                          timedelta(seconds=settings.lease_seconds), settings.lease_renew_seconds)


def fired(drill: Drill) -> int:
    return drill.scalar(select(func.count()).select_from(m.Event).where(
        m.Event.kind == "timer_fired", m.Event.element == "triage_reminder"))


def instance_rows(container) -> list[tuple]:
    with container.session_factory() as session:
        return list(session.execute(select(m.Instance.id, m.Instance.state, m.Instance.due_at,
                                           m.Instance.lock_version)))


def sent_events(container) -> list[int]:
    with container.session_factory() as session:
        events = session.scalars(select(m.Event).where(m.Event.kind == "letter_sent"))
        return sorted(event.data["outbox_id"] for event in events)


def assert_one_message_per_letter(server, letters, copies: int) -> None:
    """Every copy the server got is one of the letters, and all copies of a letter are the same bytes."""
    assert len(server.received) == copies
    by_id: dict[str, set[bytes]] = {}
    for got in server.received:
        by_id.setdefault(got.message["Message-ID"], set()).add(got.message.as_bytes())
    assert sorted(by_id) == sorted(r.message_id for r in letters)
    assert all(len(versions) == 1 for versions in by_id.values())
