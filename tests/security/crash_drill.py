"""Crash drills with real worker processes: one stalls in the middle of a batch holding its claims and is killed
with SIGKILL, a second one (already running) takes the claims over. Used by the tests and by
benchmarks/crash_takeover.py; it reads only what the workers wrote to the database."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

from sqlalchemy import create_engine, select

from storage import models as m

ROOT = Path(__file__).resolve().parents[2]
# The product's worker loop (`complaints worker`) on a clock shifted by a given offset. With a stall, the first
# timer fire (or the first SMTP send) completes and then the batch waits for good, as if that step hung: the
# worker keeps its claims, and its lease heartbeat, if it has one, keeps running, until it is killed.
WORKER = r'''
import sys, threading
from datetime import timedelta

import bootstrap, cli
from processes.clock import OffsetClock
from settings import Settings

offset, stall = timedelta(seconds=float(sys.argv[1])), sys.argv[2]
HUNG = threading.Event()


def then_hang(step):
    def hanging(*args, **kwargs):
        result = step(*args, **kwargs)
        HUNG.wait()  # never set
        return result
    return hanging


if stall == "after-first-fire":
    import processes.timer_sweep as sweep
    sweep.fire_due_timers = then_hang(sweep.fire_due_timers)
elif stall == "after-first-send":  # the server has the letter; the row is never marked
    from handlers.smtp import SmtpConnection
    SmtpConnection.send = then_hang(SmtpConnection.send)
cli.worker(bootstrap.build(Settings.from_env(), clock=OffsetClock(offset)))
'''


@dataclass
class Worker:
    """A worker process and where its output goes."""

    name: str
    process: subprocess.Popen
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]


class Drill:
    """Workers on one database, all on the same product clock: the wall clock shifted to start at `start`."""

    def __init__(self, database_url: str, start: datetime, logs: Path, sweep_seconds: float, **env: str):
        self.database_url, self.logs, self.sweep_seconds = database_url, logs, sweep_seconds
        self.offset = start - datetime.now(timezone.utc)
        self.env = {**os.environ, "COMPLAINTS_DATABASE_URL": database_url, "COMPLAINTS_CLOCK": "demo",
                    "COMPLAINTS_SWEEP_SECONDS": str(sweep_seconds), "COMPLAINTS_DEMO_MAIL": "0", **env}
        self.watcher = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
        self.workers: list[Worker] = []

    def now(self) -> datetime:
        """The product clock the workers read."""
        return datetime.now(timezone.utc) + self.offset

    def start(self, name: str, stall: str = "") -> Worker:
        log = self.logs / f"{name}.log"
        with log.open("wb") as out:
            process = subprocess.Popen([sys.executable, "-c", WORKER, str(self.offset.total_seconds()), stall],
                                       cwd=ROOT, env={**self.env, "COMPLAINTS_WORKER_NAME": name}, stdout=out,
                                       stderr=subprocess.STDOUT)
        worker = Worker(name, process, log)
        self.workers.append(worker)
        return worker

    def kill(self, worker: Worker) -> datetime:
        """SIGKILL the worker; returns the product clock's reading at the kill."""
        killed_at = self.now()
        worker.process.send_signal(signal.SIGKILL)
        worker.process.wait()
        return killed_at

    def wait_until(self, what: str, condition: Callable[[], bool], limit: float = 120) -> None:
        # waiting for real processes to make progress; the limit only stops a broken run from hanging the suite
        deadline = time.monotonic() + limit
        while not condition():
            for worker in self.workers:
                if worker.process.poll() not in (None, -signal.SIGKILL):
                    raise AssertionError(f"worker {worker.name} exited: {worker.output()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"gave up waiting until {what}: " + " | ".join(
                    f"{w.name}: {w.output()}" for w in self.workers))
            time.sleep(0.05)

    def scalar(self, query):
        # plain reads: on SQLite the app's transactions take the write lock at BEGIN, and a poll queued behind a
        # busy worker would only get in once its whole batch was done
        with self.watcher.connect() as connection:
            return connection.scalar(query)

    def rows(self, query) -> list:
        with self.watcher.connect() as connection:
            return list(connection.execute(query))

    def has_beaten(self, worker: Worker) -> bool:
        """The worker finished its first sweep (it beats after each one)."""
        return self.beat_at(worker) is not None

    def beat_at(self, worker: Worker) -> datetime | None:
        """When the worker last finished a sweep, on the product clock."""
        return self.scalar(select(m.SchedulerHeartbeat.beat_at).where(m.SchedulerHeartbeat.worker == worker.name))

    def stop(self) -> None:
        for worker in self.workers:
            if worker.process.poll() is None:
                worker.process.terminate()
                worker.process.wait(timeout=30)
        self.watcher.dispose()


@dataclass
class Takeover:
    """What the dead worker held when it died and when the survivor claimed each row, on the product clock."""

    killed_at: datetime
    held_until: dict[int, datetime]  # row id -> the dead worker's lease end
    claimed_at: dict[int, datetime]  # row id -> the survivor's claim

    def last_renewal(self, lease: timedelta) -> datetime:
        """The dead worker's last sign of life: its latest lease end minus one lease."""
        return max(self.held_until.values()) - lease

    def delays(self, since: datetime) -> list[timedelta]:
        return [self.claimed_at[row] - since for row in self.held_until]


def held_by(drill: Drill, table, name: str) -> dict[int, datetime]:
    return dict(drill.rows(select(table.c.id, table.c.lease_until).where(table.c.lease_owner == name)))
