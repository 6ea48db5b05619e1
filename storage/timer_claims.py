"""Claiming due workflow instances for a worker: SKIP LOCKED on PostgreSQL, a lease on SQLite."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import sessionmaker

from .models import Instance

LEASE = timedelta(minutes=2)
log = logging.getLogger(__name__)


def claim_due(session_factory: sessionmaker, now: datetime, owner: str, limit: int = 100) -> list[int]:
    """Lease up to `limit` instances whose earliest timer is due and that no live worker holds."""
    try:
        return _claim(session_factory, now, owner, limit)
    except OperationalError as exc:
        if "locked" not in str(exc).lower():
            raise
        log.info("another worker holds the SQLite write lock; this sweep claims nothing")
        return []


def _claim(session_factory: sessionmaker, now: datetime, owner: str, limit: int) -> list[int]:
    with session_factory() as session, session.begin():
        query = (select(Instance.id)
                 .where(Instance.due_at <= now, or_(Instance.lease_until.is_(None), Instance.lease_until < now))
                 .order_by(Instance.due_at).limit(limit))
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        ids = list(session.scalars(query))
        if ids:
            session.execute(update(Instance).where(Instance.id.in_(ids))
                            .values(lease_owner=owner, lease_until=now + LEASE))
        return ids
