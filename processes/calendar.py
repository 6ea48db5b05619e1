"""Working days: Monday to Friday, less the nation's bank holidays and closure days."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")
# A date received without a time is taken as received when the working day opens (docs/decisions.md).
RECEIVED_WITHOUT_A_TIME = time(9)
NATIONS = {"england": "ENG", "wales": "WLS", "scotland": "SCT", "northern_ireland": "NIR"}


@lru_cache(maxsize=16)
def _bank_holidays(nation: str) -> holidays.HolidayBase:
    try:
        subdiv = NATIONS[nation]
    except KeyError:
        raise ValueError(f"unknown nation {nation!r}; expected one of {sorted(NATIONS)}") from None
    return holidays.country_holidays("GB", subdiv=subdiv)


@dataclass(frozen=True)
class Deadline:
    """A working-day deadline and the reasons it falls where it does."""

    due: datetime
    counted_from: date
    working_days: int
    skipped: tuple[tuple[date, str], ...]

    def explain(self) -> str:
        """Say in words why the deadline is what it is."""
        holidays_skipped = [f"{d:%a %d %b %Y} ({why})" for d, why in self.skipped]
        text = f"{self.working_days} working days counted from {self.counted_from:%a %d %b %Y}"
        if holidays_skipped:
            text += "; skipped " + ", ".join(holidays_skipped)
        return text


@dataclass
class WorkingCalendar:
    """The working-day calendar of one nation plus the organisation's closure days."""

    nation: str = "england"
    closures: dict[date, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._holidays = _bank_holidays(self.nation)

    def non_working_reason(self, day: date) -> str | None:
        """Why a day is not a working day, or None if it is one."""
        if day.weekday() >= 5:
            return "weekend"
        if day in self.closures:
            return self.closures[day] or "organisation closure"
        name = self._holidays.get(day)
        return name

    def is_working_day(self, day: date) -> bool:
        """True for a Monday to Friday that is neither a bank holiday nor a closure."""
        return self.non_working_reason(day) is None

    def add_working_days(self, start: date, n: int) -> date:
        """The Nth working day after `start` (N=0 gives `start` itself)."""
        return self.deadline_after(start, n).due.astimezone(LONDON).date()

    def deadline_after(self, received: date | datetime, n: int) -> Deadline:
        """End of the Nth working day after receipt; receipt on a non-working day counts from the next working day."""
        if n < 0:
            raise ValueError("working days must not be negative")
        day = _local_date(received)
        skipped: list[tuple[date, str]] = []
        counted_from = day
        while (reason := self.non_working_reason(counted_from)) is not None:
            _note(skipped, counted_from, reason)
            counted_from += timedelta(days=1)
        day, remaining = counted_from, n
        while remaining:
            day += timedelta(days=1)
            reason = self.non_working_reason(day)
            if reason is None:
                remaining -= 1
            else:
                _note(skipped, day, reason)
        end = datetime.combine(day, time(23, 59, 59), LONDON)
        return Deadline(end, counted_from, n, tuple(skipped))

    def working_days_between(self, start: date | datetime, end: date | datetime) -> int:
        """Working days after `start` up to and including `end` (negative when `end` is earlier)."""
        a, b = _local_date(start), _local_date(end)
        sign = 1
        if b < a:
            a, b, sign = b, a, -1
        count, day = 0, a
        while day < b:
            day += timedelta(days=1)
            count += self.is_working_day(day)
        return sign * count


def _note(skipped: list[tuple[date, str]], day: date, reason: str) -> None:
    if reason != "weekend":
        skipped.append((day, reason))


def _local_date(value: date | datetime) -> date:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.date()
        return value.astimezone(LONDON).date()
    return value


def received_instant(day: date, at: time | None, now: datetime) -> datetime:
    """When something staff record arrived: the day at the time given (London), else now if the day is today,
    else 09:00 London on that day."""
    if at is not None:
        return datetime.combine(day, at, LONDON)
    if day == now.astimezone(LONDON).date():
        return now
    return datetime.combine(day, RECEIVED_WITHOUT_A_TIME, LONDON)
