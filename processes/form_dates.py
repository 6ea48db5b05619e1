"""Dates in task forms that make sense for the case: the schema says what kind of day a date field asks for.

A date field may carry `"x-date"`:
- `"past"`: the day something happened, today or earlier;
- `"since_received"`: something done on the case, between the day it was received and today;
- `"future_working_day"`: a planned day (a review, a promised reply), after today and a working day;
- `"upcoming_working_day"`: a planned day that may be today (a meeting), a working day.
and `"x-not-before": "<field>"` names another date of the same form (or row) it may not precede.
Each refusal says why, in words written for the field.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .calendar import WorkingCalendar

DATE_RULE = "x-date"
NOT_BEFORE = "x-not-before"
RULES = ("past", "since_received", "future_working_day", "upcoming_working_day")


@dataclass(frozen=True)
class DateContext:
    """What a form's dates are judged against: today, the day the case was received, the division's calendar."""

    today: date
    received_on: date
    calendar: WorkingCalendar


def day_words(day: date) -> str:
    """A day as people read it in letters and on pages, e.g. 'Wed 23 Dec 2026'."""
    return day.strftime("%a %d %b %Y")


def date_problems(schema: dict | None, data: dict, context: DateContext) -> dict[str, list[str]]:
    """Field path -> why each date of submitted data is not one the form can take."""
    problems: dict[str, list[str]] = {}
    _check(schema or {}, data if isinstance(data, dict) else {}, context, "", problems)
    return problems


def _check(schema: dict, data: dict, context: DateContext, prefix: str, problems: dict) -> None:
    props = schema.get("properties") or {}
    for name, spec in props.items():
        spec, value = spec or {}, data.get(name)
        if spec.get("type") == "array" and isinstance(value, list) and (spec.get("items") or {}).get("properties"):
            for i, row in enumerate(value):
                if isinstance(row, dict):
                    _check(spec["items"], row, context, f"{prefix}{name}.{i}.", problems)
            continue
        day = _day(value)
        if day is None or spec.get("format") != "date":
            continue
        found = _rule_problem(spec.get(DATE_RULE), day, context)
        earlier_name = spec.get(NOT_BEFORE)
        earlier = _day(data.get(earlier_name)) if isinstance(earlier_name, str) else None
        if found is None and earlier is not None and day < earlier:
            title = (props.get(earlier_name) or {}).get("title") or earlier_name.replace("_", " ")
            found = f"This is before ‘{title}’ ({day_words(earlier)}); it cannot come earlier"
        if found:
            problems.setdefault(prefix + name, []).append(found)


def _rule_problem(rule, day: date, context: DateContext) -> str | None:
    today = context.today
    if rule in ("past", "since_received") and day > today:
        return f"This date is in the future; enter a day no later than today ({day_words(today)})"
    if rule == "since_received" and day < context.received_on:
        return f"This is before the case was received ({day_words(context.received_on)}); enter a day since then"
    if rule == "future_working_day" and day <= today:
        return f"Choose a day after today ({day_words(today)}): this date is for something still to come"
    if rule == "upcoming_working_day" and day < today:
        return f"Choose today ({day_words(today)}) or a later day: this date is for something still to come"
    if rule in ("future_working_day", "upcoming_working_day"):
        reason = context.calendar.non_working_reason(day)
        if reason:
            return f"{day_words(day)} is not a working day ({reason}); choose a working day"
    return None


def _day(value) -> date | None:
    if not isinstance(value, str) or len(value) != 10:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None
