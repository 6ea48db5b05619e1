import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import create_engine, func, select

from processes import lifecycle
from processes.access import SYSTEM
from processes.errors import Conflict
from scheduler import sweep_timers
from storage import models as m
from tests.integration.helpers import count, open_task_ids

ROOT = Path(__file__).resolve().parents[2]
UUID_PATTERN = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
REMINDER_DUE = datetime(2026, 12, 30, 8, tzinfo=timezone.utc)


def start(container) -> str:
    return lifecycle.start_case(container.uow(), container.runtime, division="IA", kind="complaint",
                                complainant={"email": "sam@example.org"})


def with_fresh_task_ids(state: str) -> str:
    mapping = {}
    return UUID_PATTERN.sub(lambda match: mapping.setdefault(match.group(0), str(uuid.uuid4())), state)


def clone_cases(container, reference: str, copies: int) -> None:
    """Copy one waiting case many times at the storage level, so many timers fall due together."""
    with container.session_factory() as session, session.begin():
        case = session.scalars(select(m.Case).where(m.Case.reference == reference)).one()
        instance = session.scalars(select(m.Instance).where(m.Instance.case_id == case.id)).one()
        for n in range(copies):
            clone = m.Case(reference=f"IA-2026-9{n:05d}", division_id=case.division_id, kind=case.kind,
                           channel=case.channel, received_at=case.received_at, version_id=case.version_id,
                           complainant={}, created_at=case.created_at)
            session.add(clone)
            session.flush()
            session.add(m.Instance(case_id=clone.id, version_id=instance.version_id,
                                   state=with_fresh_task_ids(instance.state), due_at=instance.due_at))


def reminders_fired_per_case(container) -> dict[int, int]:
    with container.session_factory() as session:
        rows = session.execute(select(m.Event.case_id, func.count()).where(
            m.Event.kind == "timer_fired", m.Event.element == "triage_reminder").group_by(m.Event.case_id))
        return dict(rows.all())


def any_reminder_fired(engine) -> bool:
    with engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(m.Event).where(
            m.Event.kind == "timer_fired", m.Event.element == "triage_reminder")) > 0


def worker_command(settings, worker: str, now: datetime):
    env = {**os.environ, "COMPLAINTS_DATABASE_URL": settings.database_url, "COMPLAINTS_CLOCK": "demo",
           "COMPLAINTS_WORKER_NAME": worker}
    return [sys.executable, "-m", "cli", "timers", "run-due", "--now", now.isoformat()], env


def test_two_concurrent_completions_of_one_task_give_one_success_and_one_conflict(demo_container):
    c = demo_container
    [task_id] = open_task_ids(c, start(c))
    barrier, outcomes = threading.Barrier(2), []

    def complete(notes):
        barrier.wait()
        try:
            lifecycle.complete_task(c.uow(), c.runtime, task_id, {"eligible": False, "notes": notes}, SYSTEM)
            outcomes.append("ok")
        except Conflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=complete, args=(n,)) for n in ("first", "second")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict", "ok"]
    assert count(c, m.Event, m.Event.kind == "task_completed") == 1
    assert count(c, m.Event, m.Event.kind == "case_closed") == 1


def test_two_workers_sweeping_1000_due_timers_fire_each_exactly_once(demo_container, settings, tmp_path):
    c = demo_container
    clone_cases(c, start(c), 999)
    procs, logs = [], [tmp_path / f"worker-{n}.log" for n in "ab"]
    for log in logs:
        command, env = worker_command(settings, log.stem, REMINDER_DUE)
        with log.open("wb") as out:
            procs.append(subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT))
    for proc in procs:
        proc.wait(timeout=900)
    assert [p.returncode for p in procs] == [0, 0], [log.read_text()[-2000:] for log in logs]
    fired = reminders_fired_per_case(c)
    assert len(fired) == 1000 and set(fired.values()) == {1}
    assert count(c, m.Outbox, m.Outbox.template == "sla_warning") == 1000


def test_a_worker_killed_mid_sweep_loses_no_timer(demo_container, settings, clock):
    c = demo_container
    clone_cases(c, start(c), 299)
    command, env = worker_command(settings, "doomed", REMINDER_DUE)
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # watch through plain reads: on SQLite the app's transactions take the write lock at BEGIN, and a poll
    # queued behind a busy worker would only get in once the whole sweep was done
    watcher, deadline = create_engine(c.engine.url), time.monotonic() + 120
    while not any_reminder_fired(watcher) and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)  # waiting for a real process to make progress, not for a timer
    proc.send_signal(signal.SIGKILL)
    watcher.dispose()
    proc.wait()
    fired_before = sum(reminders_fired_per_case(c).values())
    with c.session_factory() as session:
        held_until = session.scalar(select(func.max(m.Instance.lease_until)).where(m.Instance.lease_owner == "doomed"))
    clock.set((held_until or REMINDER_DUE) + timedelta(microseconds=1))  # just past the dead worker's last lease
    sweep_timers(c)
    fired = reminders_fired_per_case(c)
    assert len(fired) == 300 and set(fired.values()) == {1}
    assert fired_before < 300 or proc.returncode != -signal.SIGKILL
