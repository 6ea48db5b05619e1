"""How long a killed worker's claims wait before another worker takes them over, as a multiple of the sweep interval.

Two crash drills with real worker processes (tests/security/crash_drill.py): a worker stalls in the middle of a timer
sweep (or between sending a letter and marking it), a second worker is started, the first is killed with SIGKILL.
Every time is read on the product clock: the kill, the dead worker's lease end, and the survivor's claim of each
row was done (the timer's `timer_fired` event, the letter's `sent_at`). The reference is the sweep interval.

    python -m benchmarks.crash_takeover [--sweep 5] [--postgres postgresql://postgres@127.0.0.1/test]
"""
from __future__ import annotations

import argparse
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import select

import bootstrap
from benchmarks.scratch_db import drop_database, scratch_database
from cli import init
from processes.clock import SettableClock
from settings import Settings
from storage import models as m
from tests.integration.test_outbox_dispatch import route_to_demo, start
from tests.integration.test_runtime_concurrency import REMINDER_DUE, clone_cases
from tests.integration.test_smtp_sender import SmtpServer, free_port
from tests.security.crash_drill import Drill, held_by

RECEIVED = datetime(2026, 12, 23, 10, tzinfo=timezone.utc)
INSTANCES, OUTBOX = m.Instance.__table__, m.Outbox.__table__


def prepared(url: str):
    container = bootstrap.build(Settings(database_url=url, clock="demo"), clock=SettableClock(RECEIVED))
    init(container)
    route_to_demo(container)
    return container


def timers(url: str, logs: Path, sweep: float, limit: float) -> dict:
    container = prepared(url)
    clone_cases(container, start(container), 29)
    drill = Drill(url, REMINDER_DUE, logs, sweep, COMPLAINTS_SMTP_PORT=str(free_port()))
    try:
        doomed = drill.start("doomed", stall="after-first-fire")
        drill.wait_until("one timer fired", lambda: len(held_by(drill, INSTANCES, "doomed")) == 29, limit)
        survivor = drill.start("survivor")
        drill.wait_until("the survivor swept", lambda: drill.has_beaten(survivor), limit)
        killed_at = drill.kill(doomed)
        held = held_by(drill, INSTANCES, "doomed")
        cases = dict(drill.rows(select(INSTANCES.c.id, INSTANCES.c.case_id).where(INSTANCES.c.id.in_(held))))
        fired = lambda: dict(drill.rows(select(m.Event.case_id, m.Event.at).where(  # noqa: E731
            m.Event.kind == "timer_fired", m.Event.element == "triage_reminder", m.Event.case_id.in_(cases.values()))))
        drill.wait_until("every timer fired", lambda: len(fired()) == len(held), limit)
        at = fired()
        return figures(killed_at, held, {row: at[case] for row, case in cases.items()}, sweep)
    finally:
        drill.stop()
        container.engine.dispose()


def letters(url: str, logs: Path, sweep: float, limit: float) -> dict:
    container = prepared(url)
    for n in range(6):
        start(container, email=f"person{n}@example.org")
    server = SmtpServer(free_port()).start()
    drill = Drill(url, RECEIVED, logs, sweep, COMPLAINTS_SMTP_HOST=server.host, COMPLAINTS_SMTP_PORT=str(server.port))
    try:
        doomed = drill.start("doomed", stall="after-first-send")
        drill.wait_until("one letter sent", lambda: len(server.received) == 1, limit)
        survivor = drill.start("survivor")
        drill.wait_until("the survivor swept", lambda: drill.has_beaten(survivor), limit)
        killed_at = drill.kill(doomed)
        held = held_by(drill, OUTBOX, "doomed")
        drill.wait_until("every letter sent", lambda: all(status == "sent" for _, status in drill.rows(
            select(OUTBOX.c.id, OUTBOX.c.status))), limit)
        sent = dict(drill.rows(select(OUTBOX.c.id, OUTBOX.c.sent_at).where(OUTBOX.c.id.in_(held))))
        return figures(killed_at, held, sent, sweep)
    finally:
        drill.stop()
        server.stop()
        container.engine.dispose()


def figures(killed_at: datetime, held: dict, done: dict, sweep: float) -> dict:
    after_kill = [(done[row] - killed_at).total_seconds() for row in held]
    after_lease = [(done[row] - held[row]).total_seconds() for row in held]
    lease_left = max((until - killed_at).total_seconds() for until in held.values())
    return {"rows": len(held), "lease left at the kill s": lease_left, "kill to last done s": max(after_kill),
            "lease end to last done s": max(after_lease), "kill to last done in sweeps": max(after_kill) / sweep}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sweep", type=float, default=5.0, help="sweep interval in seconds (the product default)")
    parser.add_argument("--postgres", help="also run on a scratch database of this server")
    parser.add_argument("--limit", type=float, default=900, help="give up after this many seconds per drill")
    parser.add_argument("--only", choices=["timers", "letters"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        targets = [("SQLite", lambda kind: f"sqlite:///{scratch}/{kind}.sqlite", None)]
        if args.postgres:
            targets.append(("PostgreSQL", None, args.postgres))
        for label, sqlite_url, server in targets:
            for kind, drill in (("timers", timers), ("letters", letters)):
                if args.only and kind != args.only:
                    continue
                name, url = scratch_database(server) if server else (None, sqlite_url(kind))
                logs = Path(scratch) / f"{label}-{kind}"
                logs.mkdir()
                try:
                    result = drill(url, logs, args.sweep, args.limit)
                finally:
                    if name:
                        drop_database(server, name)
                print(f"{label:10} {kind:7} sweep {args.sweep:g} s: " + ", ".join(
                    f"{key} {value:.2f}" if isinstance(value, float) else f"{key} {value}"
                    for key, value in result.items()), flush=True)


if __name__ == "__main__":
    main()
