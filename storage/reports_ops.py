"""Operational figures for /metrics and /healthz, read straight from the database."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from . import models as m


class SqlOperations:
    """Cheap aggregate queries for monitoring; no personal data."""

    def __init__(self, session: Session):
        self.session = session

    def ping(self) -> None:
        self.session.execute(text("SELECT 1"))

    def latest_heartbeat(self) -> datetime | None:
        return self.session.scalar(select(func.max(m.SchedulerHeartbeat.beat_at)))

    def figures(self, now: datetime) -> dict:
        s = self.session
        cases = s.execute(select(m.Division.code, m.Case.status, func.count()).join(m.Division)
                          .group_by(m.Division.code, m.Case.status)).all()
        tasks = s.execute(select(m.Division.code, func.count(), func.count(m.Task.id).filter(m.Task.due_at < now))
                          .join(m.Division, m.Division.id == m.Task.division_id)
                          .where(m.Task.state == "open").group_by(m.Division.code)).all()
        oldest_due = s.scalar(select(func.min(m.Instance.due_at)).where(m.Instance.due_at <= now))
        outbox = s.execute(select(m.Outbox.status, func.count()).group_by(m.Outbox.status)).all()
        retrying = s.scalar(select(func.count()).select_from(m.Outbox)
                            .where(m.Outbox.status == "pending", m.Outbox.attempts > 0))
        return {
            "cases": {(code, status): n for code, status, n in cases},
            "open_tasks": {code: n for code, n, _ in tasks},
            "overdue_tasks": {code: overdue for code, _, overdue in tasks},
            "timer_lag_seconds": max(0.0, (now - oldest_due).total_seconds()) if oldest_due else 0.0,
            "outbox": {status: n for status, n in outbox},
            "outbox_retrying": retrying or 0,
        }
