"""Bounds every input keeps, whatever face it comes through (public forms, staff pages, the API, the CLI):
no NUL characters, ids that fit their columns, instants in a sane window and JSON data of a stated size."""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from .errors import InvalidInput

LONDON = ZoneInfo("Europe/London")
EARLIEST = datetime(2000, 1, 1, tzinfo=timezone.utc)  # nothing the product records was received or happened earlier
EARLIEST_DAY = EARLIEST.date()
LATEST_DAY = date(2099, 12, 31)  # the furthest day a filter, a plan or a moved clock may name
LATEST = datetime(2099, 12, 31, 23, 59, 59, tzinfo=timezone.utc)
MAX_ID = 2**31 - 1  # the integer primary keys
MAX_PAGE = 100_000
DATA_MAX_ITEMS = 5_000  # keys, values and list items, counted across the whole object
DATA_MAX_KEYS = 200  # in any one object
DATA_MAX_DEPTH = 8
DATA_MAX_TEXT = 20_000  # characters: the longest text any shipped form takes
NUL = "\x00"
NUL_MESSAGE = "Remove the NUL (zero) character: text may not contain one"


def _day_words(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def nul_paths(value: object, path: str = "") -> list[str]:
    """The dotted paths (`complainant.name`, `data.notes.1`) of every key or text in a JSON-like value holding NUL."""
    found, stack = [], [(path, value)]
    while stack:  # a loop, not recursion: JSON may nest as deep as the parser allowed
        where, item = stack.pop()
        if isinstance(item, str):
            if NUL in item:
                found.append(where)
        elif isinstance(item, dict):
            for key, inner in item.items():
                name = f"{where}.{key}" if where else str(key)
                if isinstance(key, str) and NUL in key:
                    found.append(where or key.replace(NUL, "") or "field")
                    continue
                stack.append((name, inner))
        elif isinstance(item, (list, tuple)):
            stack.extend((f"{where}.{n}" if where else str(n), inner) for n, inner in enumerate(item))
    return sorted(set(found))


def refuse_nul(fields: dict[str, object]) -> None:
    """Refuse named inputs that hold a NUL character anywhere, with a message against each."""
    bad = nul_paths(fields)
    if bad:
        raise InvalidInput("the input has a NUL character", {name: [NUL_MESSAGE] for name in bad})


def received_problems(received_at: datetime | None, now: datetime, case_received: datetime | None = None) -> list[str]:
    """What is wrong with when something was received: missing, before 2000, in the future, or (for a message
    about a case) on a day before the case itself was received. Days are London days: a date typed without a
    time cannot be ordered within its day."""
    if received_at is None:
        return ["Enter the date it was received"]
    if received_at.tzinfo is None:  # naive instants are UTC, as everywhere in the product
        received_at = received_at.replace(tzinfo=timezone.utc)
    if received_at < EARLIEST:
        return [f"The date received must be on or after {_day_words(EARLIEST_DAY)}"]
    if received_at > now:
        return ["The date received cannot be in the future"]
    if case_received is not None and received_at.astimezone(LONDON).date() < case_received.astimezone(LONDON).date():
        return ["The date received must not be before the case was received "
                f"({_day_words(case_received.astimezone(LONDON).date())})"]
    return []


def happened_problems(day: date, today: date, label: str) -> list[str]:
    """What is wrong with the day something happened (or became known): before 2000 or after today."""
    if day < EARLIEST_DAY:
        return [f"{label} must be on or after {_day_words(EARLIEST_DAY)}"]
    if day > today:
        return [f"{label} must be today or in the past"]
    return []


def day_in_window(day: date) -> bool:
    """A day any input may name at all (filters, planned dates): 1 January 2000 to 31 December 2099."""
    return EARLIEST_DAY <= day <= LATEST_DAY


def window_problems(day: date | None) -> list[str]:
    """A message for a day outside the window any input may name, or nothing."""
    if day is None or day_in_window(day):
        return []
    return [f"Choose a date between {_day_words(EARLIEST_DAY)} and {_day_words(LATEST_DAY)}"]


def clock_instant(text: str, option: str = "--now") -> datetime:
    """An instant to move a demo clock to, read from ISO 8601 and kept in the window; refused naming the option."""
    try:
        when = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        raise InvalidInput("not an instant", {option: ["Give an ISO 8601 instant, like 2026-12-30T09:00:00+00:00"]}) \
            from None
    utc: datetime | None
    try:
        utc = when.replace(tzinfo=timezone.utc) if when.tzinfo is None else when.astimezone(timezone.utc)
    except OverflowError:  # an offset that carries it past year 1 or 9999
        utc = None
    if utc is None or not EARLIEST <= utc <= LATEST:
        raise InvalidInput("instant out of range", {option: [
            f"Give an instant between {_day_words(EARLIEST_DAY)} and {_day_words(LATEST_DAY)}"]})
    return utc


def data_problems(value: object) -> list[str]:
    """What makes a JSON data object too big to take: too many keys or items, too deep, or too long a text."""
    items, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        items += 1
        if items > DATA_MAX_ITEMS:
            return [f"Send at most {DATA_MAX_ITEMS:,} values in all"]
        if depth > DATA_MAX_DEPTH:
            return [f"Nest objects and lists at most {DATA_MAX_DEPTH} deep"]
        if isinstance(item, str) and len(item) > DATA_MAX_TEXT:
            return [f"Texts may be at most {DATA_MAX_TEXT:,} characters long"]
        if isinstance(item, dict):
            if len(item) > DATA_MAX_KEYS:
                return [f"An object may have at most {DATA_MAX_KEYS} keys"]
            stack.extend((inner, depth + 1) for inner in item.values())
            items += len(item)
        elif isinstance(item, (list, tuple)):
            stack.extend((inner, depth + 1) for inner in item)
    return []
