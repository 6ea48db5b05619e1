"""Operational health: is the database answering and is a scheduler alive; the figures monitoring scrapes."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Health:
    """The answer /healthz gives."""

    database: bool
    last_beat: datetime | None
    age_seconds: float | None
    limit_seconds: float

    @property
    def scheduler_ok(self) -> bool:
        return self.age_seconds is not None and self.age_seconds <= self.limit_seconds

    @property
    def ok(self) -> bool:
        return self.database and self.scheduler_ok


def check_health(uow, now: datetime, limit_seconds: float) -> Health:
    """Ask the database a trivial question and read the newest scheduler heartbeat."""
    try:
        with uow:
            uow.ops.ping()
            beat = uow.ops.latest_heartbeat()
    except Exception:
        log.exception("health check could not reach the database")
        return Health(False, None, None, limit_seconds)
    return Health(True, beat, (now - beat).total_seconds() if beat else None, limit_seconds)


def operational_figures(uow, now: datetime) -> tuple[dict, float | None]:
    """Counts for /metrics and the heartbeat age in seconds."""
    with uow:
        beat = uow.ops.latest_heartbeat()
        return uow.ops.figures(now), (now - beat).total_seconds() if beat else None
