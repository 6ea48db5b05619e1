"""Reporting periods (a month or a quarter, in UK local time) and the statistics the reports use."""
from __future__ import annotations

import math
import re
import statistics
from dataclasses import dataclass
from datetime import date, datetime, time

from .calendar import LONDON, WorkingCalendar
from .errors import InvalidInput

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


@dataclass(frozen=True)
class Period:
    """A calendar month or quarter; `start` inclusive, `end` exclusive, both UTC instants of London midnights."""

    key: str
    first_day: date
    months: int

    @property
    def next_first_day(self) -> date:
        return add_months(self.first_day, self.months)

    @property
    def start(self) -> datetime:
        return london_midnight(self.first_day)

    @property
    def end(self) -> datetime:
        return london_midnight(self.next_first_day)

    @property
    def is_quarter(self) -> bool:
        return self.months == 3

    @property
    def label(self) -> str:
        if self.is_quarter:
            return f"Q{(self.first_day.month - 1) // 3 + 1} {self.first_day.year} ({self.first_day:%B}–" \
                   f"{add_months(self.first_day, 2):%B %Y})"
        return f"{self.first_day:%B %Y}"

    def contains(self, instant: datetime | None) -> bool:
        return instant is not None and self.start <= instant < self.end

    def months_in(self) -> list["Period"]:
        return [month_of(add_months(self.first_day, i)) for i in range(self.months)]

    def previous(self) -> "Period":
        if self.is_quarter:
            return quarter_of(add_months(self.first_day, -3))
        return month_of(add_months(self.first_day, -1))


def london_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), LONDON)


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_of(day: date) -> Period:
    """The month containing a day."""
    return Period(f"{day.year}-{day.month:02d}", date(day.year, day.month, 1), 1)


def quarter_of(day: date) -> Period:
    """The calendar quarter containing a day."""
    q = (day.month - 1) // 3
    return Period(f"{day.year}-Q{q + 1}", date(day.year, q * 3 + 1, 1), 3)


def parse_period(text: str | None, today: date) -> Period:
    """Read '2026-11' or '2026-Q4'; nothing given means the last complete month."""
    if not text:
        return month_of(add_months(today, -1))
    if match := _MONTH.match(text.strip()):
        year, month = int(match[1]), int(match[2])
        if 1 <= month <= 12:
            return month_of(date(year, month, 1))
    if match := _QUARTER.match(text.strip().upper()):
        return quarter_of(date(int(match[1]), (int(match[2]) - 1) * 3 + 1, 1))
    raise InvalidInput("unknown reporting period",
                       {"period": ["use a month such as 2026-11 or a quarter such as 2026-Q4"]})


def trailing_months(period: Period, count: int = 12) -> list[Period]:
    """The `count` months ending with the period's last month, oldest first."""
    last = add_months(period.next_first_day, -1)
    return [month_of(add_months(last, -i)) for i in reversed(range(count))]


def first_working_day(calendar: WorkingCalendar, year: int, month: int) -> date:
    """The first working day of a month on a division's calendar."""
    return calendar.add_working_days(date(year, month, 1), 0)


def median(values: list[float]) -> float | None:
    """The middle value (the mean of the middle two for an even count); None when there are none."""
    return statistics.median(values) if values else None


def percentile(values: list[float], p: float) -> float | None:
    """The nearest-rank percentile: the smallest value with at least p% of values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def rate(part: int, whole: int) -> float | None:
    """A percentage rounded to one decimal place, or None when the whole is zero."""
    return round(100 * part / whole, 1) if whole else None
