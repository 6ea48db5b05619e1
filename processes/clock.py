"""The one source of "now" for the whole product."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Protocol


class Clock(Protocol):
    """Tells the current time, always timezone-aware UTC."""

    allows_time_travel: bool

    def now(self) -> datetime: ...


class SystemClock:
    """Wall-clock time; refuses to be moved."""

    allows_time_travel = False

    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class SettableClock:
    """A clock that tests and demos move by hand; it never moves on its own."""

    allows_time_travel = True

    def __init__(self, start: datetime | None = None):
        self._now = as_utc(start or datetime.now(timezone.utc))

    def now(self) -> datetime:
        return self._now

    def set(self, when: datetime) -> None:
        """Jump to the given instant."""
        self._now = as_utc(when)

    def advance(self, **delta: float) -> datetime:
        """Move forward by a timedelta's keyword arguments."""
        self._now += timedelta(**delta)
        return self._now


class OffsetClock:
    """Wall-clock time shifted by an offset that can be moved forward (demo set-ups)."""

    allows_time_travel = True

    def __init__(self, offset: timedelta = timedelta()):
        self.offset = offset

    def now(self) -> datetime:
        return datetime.now(timezone.utc) + self.offset

    def set(self, when: datetime) -> None:
        """Move the shifted clock so that it reads `when` now."""
        self.offset = as_utc(when) - datetime.now(timezone.utc)


def as_utc(value: datetime) -> datetime:
    """Treat a naive datetime as UTC and convert an aware one to UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def parse_instant(value: str | datetime) -> datetime:
    """Read an ISO 8601 instant; naive values are taken as UTC."""
    if isinstance(value, datetime):
        return as_utc(value)
    return as_utc(datetime.fromisoformat(value))
