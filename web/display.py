"""Template filters and globals every page uses: London times, plain-language names, the inbox badge."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, g
from markupsafe import Markup

from processes.access import ROLES

LONDON = ZoneInfo("Europe/London")
WORDS = {
    "complaint": "Complaint", "compliment": "Compliment", "concern": "Low-level concern", "open": "Open",
    "closed": "Closed", "in_person": "In person", "web": "Online form", "escalation_requested": "Escalation request",
    "appeal_requested": "Appeal request", "withdrawn": "Withdrawn", "consent_received": "Written consent received",
    "resolved_informally": "Resolved informally", "partly_upheld": "Partly upheld", "not_upheld": "Not upheld",
}

bp = Blueprint("display", __name__)


@bp.app_template_filter("london")
def london(value) -> str:
    """A UTC instant as London local time, e.g. 'Wed 30 Dec 2026, 23:59'."""
    if not isinstance(value, datetime):
        return "" if value is None else str(value)
    try:
        return value.astimezone(LONDON).strftime("%a %d %b %Y, %H:%M")
    except (OverflowError, ValueError):  # at the calendar's very edge there is no London time: show it as stored
        return value.strftime("%d %b %Y, %H:%M UTC")


@bp.app_template_filter("due_tag")
def due_tag(due_at, days_left, overdue) -> Markup:
    """How soon a task is due, in working days, then its London due time."""
    if due_at is None:
        return Markup('<span class="muted">No deadline</span>')
    if overdue:
        late = ""
        if days_left is not None and days_left < 0:
            late = f" by {-days_left} working day{'' if days_left == -1 else 's'}"
        tag = f'<span class="tag tag-overdue">Overdue{late}</span>'
    elif days_left == 0:
        tag = '<span class="tag tag-soon">Due today</span>'
    elif days_left is not None and days_left <= 2:
        tag = f'<span class="tag tag-soon">{days_left} working day{"" if days_left == 1 else "s"} left</span>'
    else:
        tag = f'<span class="tag tag-ok">{days_left} working days left</span>'
    return Markup(f'{tag}\n<span class="muted small">{london(due_at)}</span>')  # numbers and a formatted date only


@bp.app_template_filter("day")
def day(value) -> str:
    """A date (or the London date of an instant), e.g. 'Wed 23 Dec 2026'."""
    if isinstance(value, datetime):
        try:
            value = value.astimezone(LONDON).date()
        except (OverflowError, ValueError):  # at the calendar's very edge: the stored day
            value = value.date()
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    return value.strftime("%a %d %b %Y") if isinstance(value, date) else ""


@bp.app_template_filter("longday")
def longday(value) -> str:
    """A date written out in full, e.g. 'Monday 14 December 2026'; text that is not a date is shown as typed."""
    if isinstance(value, datetime):
        value = value.astimezone(LONDON).date()
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip()[:10])
        except ValueError:
            return value
    return value.strftime("%A %-d %B %Y") if isinstance(value, date) else ""


@bp.app_template_filter("words")
def words(value) -> str:
    """A stored code in plain words ('partly_upheld' -> 'Partly upheld')."""
    if value is None or value == "":
        return "–"
    text = str(value)
    return WORDS.get(text) or ROLES.get(text) or text.replace("_", " ").capitalize()


@bp.app_context_processor
def badge():
    def inbox_badge():
        """Open tasks for the signed-in actor, counted once per request (capped)."""
        if g.get("actor") is None:
            return None
        if "inbox_total" not in g:
            from processes.read_models import inbox_count

            from .security import container
            g.inbox_total = inbox_count(container().uow(), g.actor, container().clock)
        return g.inbox_total
    return {"inbox_badge": inbox_badge}
