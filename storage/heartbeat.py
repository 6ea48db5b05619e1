"""The scheduler heartbeat that /healthz reads."""
from __future__ import annotations

from datetime import datetime

from .models import SchedulerHeartbeat


def beat(session_factory, worker: str, now: datetime) -> None:
    with session_factory() as session, session.begin():
        row = session.get(SchedulerHeartbeat, worker)
        if row is None:
            session.add(SchedulerHeartbeat(worker=worker, beat_at=now))
        else:
            row.beat_at = now
