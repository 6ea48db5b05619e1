"""Template filters and globals every page uses: London times, plain-language names, the inbox badge."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, g

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
    return value.astimezone(LONDON).strftime("%a %d %b %Y, %H:%M")


@bp.app_template_filter("day")
def day(value) -> str:
    """A date (or the London date of an instant), e.g. 'Wed 23 Dec 2026'."""
    if isinstance(value, datetime):
        value = value.astimezone(LONDON).date()
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    return value.strftime("%a %d %b %Y") if isinstance(value, date) else ""


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
