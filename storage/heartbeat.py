"""Heartbeats: the scheduler's, which /healthz reads, and the lease renewals of a worker that is busy with a claim."""
from __future__ import annotations

import logging
import threading
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Iterator

from sqlalchemy import Column, Table, select, update
from sqlalchemy.orm import sessionmaker

from .models import SchedulerHeartbeat

log = logging.getLogger(__name__)
# A claim is renewed for at most this long after it was made. A batch still running by then is taken to be hung
# (a healthy batch of timers or letters takes seconds), and its rows go back to the other workers; the hung worker
# cannot fire or mark them any more, because every commit checks the claim.
MAX_HOLD = timedelta(minutes=10)


def beat(session_factory, worker: str, now: datetime) -> None:
    with session_factory() as session, session.begin():
        row = session.get(SchedulerHeartbeat, worker)
        if row is None:
            session.add(SchedulerHeartbeat(worker=worker, beat_at=now))
        else:
            row.beat_at = now


@contextmanager
def keep_leases(session_factory: sessionmaker, clock, table: Table, claimed_at: Column, owner: str, token: str,
                lease: timedelta, every: float) -> Iterator[None]:
    """Renew a claim's leases every `every` seconds from a background thread until the block ends."""
    stop = threading.Event()

    def renew_until_stopped() -> None:
        while not stop.wait(every):
            try:
                renew_leases(session_factory, table, claimed_at, owner, token, clock.now(), lease)
            except Exception:  # a missed renewal is not fatal: the lease covers two more periods
                log.exception("renewing the leases on %s failed; trying again in %s s", table.name, every)

    keeper = threading.Thread(target=renew_until_stopped, name=f"leases-{table.name}", daemon=True)
    keeper.start()
    try:
        yield
    finally:
        stop.set()
        keeper.join()


def renew_leases(session_factory: sessionmaker, table: Table, claimed_at: Column, owner: str, token: str,
                 now: datetime, lease: timedelta) -> int:
    """Extend to now + lease the rows this claim still holds; rows done, released or taken over stay as they are."""
    held = [table.c.lease_owner == owner, table.c.lease_token == token, claimed_at >= now - MAX_HOLD]
    with session_factory() as session, session.begin():
        if session.get_bind().dialect.name == "postgresql":
            # pass by the row the worker is firing or marking right now: that transaction holds it already
            ids = select(table.c.id).where(*held).with_for_update(skip_locked=True).scalar_subquery()
            held = [table.c.id.in_(ids)]
        return session.execute(update(table).where(*held).values(lease_until=now + lease)).rowcount
