"""Claiming due workflow instances for a worker: SKIP LOCKED on PostgreSQL, a lease on SQLite, and a unit of work
that fires an instance only while the worker's own claim still holds it."""
from __future__ import annotations

import logging
import uuid
from contextlib import AbstractContextManager
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import sessionmaker

from processes.timer_sweep import Claim, LeaseLost

from .heartbeat import keep_leases
from .models import Instance
from .unit_of_work import SqlUnitOfWork

log = logging.getLogger(__name__)
INSTANCES = Instance.__table__


def new_token() -> str:
    """A token that names one claim, so that a later claim of the same rows (even by the same worker) differs."""
    return uuid.uuid4().hex


class SqlTimerClaims:
    """The timer claims of one worker, on the database of `session_factory`, measured on the product clock."""

    def __init__(self, session_factory: sessionmaker, clock, owner: str, lease: timedelta, renew_every: float):
        self.session_factory, self.clock, self.owner = session_factory, clock, owner
        self.lease, self.renew_every = lease, renew_every

    def claim(self, now: datetime, limit: int) -> Claim:
        """Lease up to `limit` instances whose earliest timer is due and that no live lease holds."""
        return claim_due(self.session_factory, now, self.owner, self.lease, limit)

    def kept(self, claim: Claim) -> AbstractContextManager[None]:
        """Renew the claim's leases from a background thread while the sweep fires them."""
        return keep_leases(self.session_factory, self.clock, INSTANCES, INSTANCES.c.claimed_at, claim.owner,
                           claim.token, self.lease, self.renew_every)

    def unit_of_work(self, claim: Claim, instance_id: int) -> "ClaimedInstanceUnitOfWork":
        return ClaimedInstanceUnitOfWork(self.session_factory, self.clock, claim, instance_id, self.lease)

    def hold_back(self, claim: Claim, instance_id: int, until: datetime) -> None:
        with self.session_factory() as session, session.begin():
            session.execute(update(INSTANCES).where(*_held_by(claim, instance_id)).values(lease_until=until))


def claim_due(session_factory: sessionmaker, now: datetime, owner: str, lease: timedelta, limit: int = 100) -> Claim:
    """Lease up to `limit` instances whose earliest timer is due and that no live lease holds."""
    token = new_token()
    try:
        return Claim(owner, token, _claim(session_factory, now, owner, token, lease, limit))
    except OperationalError as exc:
        if "locked" not in str(exc).lower():
            raise
        log.info("another worker holds the SQLite write lock; this sweep claims nothing")
        return Claim(owner, token, ())


def _claim(session_factory: sessionmaker, now: datetime, owner: str, token: str, lease: timedelta,
           limit: int) -> tuple[int, ...]:
    with session_factory() as session, session.begin():
        query = (select(Instance.id)
                 .where(Instance.due_at <= now, or_(Instance.lease_until.is_(None), Instance.lease_until < now))
                 .order_by(Instance.due_at).limit(limit))
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        ids = tuple(session.scalars(query))
        if ids:
            session.execute(update(INSTANCES).where(INSTANCES.c.id.in_(ids))
                            .values(lease_owner=owner, lease_token=token, lease_until=now + lease, claimed_at=now))
        return ids


def _held_by(claim: Claim, instance_id: int) -> tuple:
    return (INSTANCES.c.id == instance_id, INSTANCES.c.lease_owner == claim.owner,
            INSTANCES.c.lease_token == claim.token)


class ClaimedInstanceUnitOfWork(SqlUnitOfWork):
    """A unit of work for firing one claimed instance, which starts only while the claim still holds the row.

    The check is a conditional update on owner and token in the firing transaction itself. It takes the row lock
    on PostgreSQL (a rival's SKIP LOCKED claim passes the row by) and the write lock on SQLite, both held until the
    commit, so no other worker can take the row over between the check and the commit.
    """

    def __init__(self, session_factory: sessionmaker, clock, claim: Claim, instance_id: int, lease: timedelta):
        super().__init__(session_factory, clock)
        self.claim, self.instance_id, self.lease = claim, instance_id, lease

    def __enter__(self) -> "ClaimedInstanceUnitOfWork":
        super().__enter__()
        try:
            # on the connection, not the session: nothing may autoflush before the check
            held = self.session.connection().execute(update(INSTANCES).where(*_held_by(self.claim, self.instance_id))
                                                     .values(lease_until=self.clock.now() + self.lease))
        except BaseException:
            self.session.close()
            raise
        if held.rowcount != 1:
            self.session.rollback()
            self.session.close()
            raise LeaseLost(f"instance {self.instance_id} is no longer held by this worker's claim")
        return self
