"""Intake: complaints and compliments from the public and from staff, and the complainant's private status link."""
from __future__ import annotations

import re
import secrets
from datetime import date, datetime, timedelta

from .access import Actor
from .accounts import token_hash
from .calendar import LONDON
from .case_rules import years_after
from .case_run import Runtime
from .case_view import COMPLAINANT_MESSAGES
from .clock import as_utc
from .errors import Conflict, InvalidInput, NotFound
from .input_bounds import happened_problems, received_problems
from .lifecycle import CHANNELS, KINDS, deliver_message, start_case
from .public_status import case_for_token, public_status

ACCESS_DAYS = 365
RECORD_MONTHS = 12  # how far back staff may date a case they record
MAX_TEXT = 10_000
STAFF_CHANNELS = ("phone", "post", "email", "in_person", "web", "survey")
SUPPORT_FORMATS = ("large_print", "easy_read", "braille", "audio", "translation", "british_sign_language")
DATA_KEY = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
RESERVED_KEYS = {"now", "working_days_after", "reference", "division", "kind", "channel", "received_at", "summary",
                 "complainant", "support_needs"}
MESSAGE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,79}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def complaint_problems(answers: dict, today: date, kind: str = "complaint") -> dict[str, list[str]]:
    """Every problem with a complaint (or concern) as field -> messages, in plain words."""
    problems: dict[str, list[str]] = {}

    def add(name, message):
        problems.setdefault(name, []).append(message)

    if not (answers.get("summary") or "").strip():
        add("summary", "Tell us what happened")
    elif len(answers["summary"]) > MAX_TEXT:
        add("summary", f"What happened must be {MAX_TEXT:,} characters or fewer")
    for name, label in (("happened_on", "The date it happened"), ("aware_on", "The date you found out")):
        value = answers.get(name)
        if value and not isinstance(value, date):
            add(name, f"{label} must be a real date, like 27 3 2026")
        elif value:
            for message in happened_problems(value, today, label):
                add(name, message)
    happened, aware = answers.get("happened_on"), answers.get("aware_on")
    if isinstance(happened, date) and isinstance(aware, date) and aware < happened and "aware_on" not in problems:
        add("aware_on", f"The date you found out must be the same as or after the date it happened "
                        f"({happened:%A %-d %B %Y})")
    anonymous = answers.get("give_name") is False  # anonymous complaints are recorded and signposted (2.4.1-2.4.2)
    if not anonymous and not (answers.get("name") or "").strip():
        add("name", "Enter your full name, or choose to stay anonymous")
    email = (answers.get("email") or "").strip()
    if email and not EMAIL.match(email):
        add("email", "Enter an email address in the correct format, like name@example.com")
    if not anonymous and not (email or (answers.get("phone") or "").strip() or (answers.get("address") or "").strip()):
        add("email", "Give at least one way to contact you: email, phone or postal address")
    if answers.get("on_behalf") is None:
        add("on_behalf", "Select yes if you are complaining for someone else")
    elif answers.get("on_behalf") and not (answers.get("behalf_name") or "").strip():
        add("behalf_name", "Enter the name of the person you are complaining for")
    for name in ("name", "phone", "address", "behalf_name", "relationship", "outcome_wanted", "language",
                 "other_support"):
        if len(answers.get(name) or "") > 2000:
            add(name, "This answer is too long")
    return problems


def time_limit_warning(answers: dict, today: date) -> str | None:
    """A gentle warning (never a refusal) when the later of the event and the day it became known is more than a
    year ago: the complaint may be out of time (2.3.2), and the complaints team decide."""
    known = [d for d in (answers.get("happened_on"), answers.get("aware_on")) if isinstance(d, date)]
    if not known:
        return None
    later = max(known)
    if today <= years_after(later, 1):  # received on the anniversary is in time
        return None
    return (f"The latest date you gave is {later:%A %-d %B %Y}, more than a year ago. We can usually only look into "
            f"complaints made within a year of what happened, or of when you found out. You can still send it: tell "
            f"us in what happened if something stopped you complaining sooner, and we will consider it.")


def compliment_problems(answers: dict) -> dict[str, list[str]]:
    """Problems with a compliment; only the compliment itself is required."""
    problems = {}
    if not (answers.get("summary") or "").strip():
        problems["summary"] = ["Tell us what you would like to say"]
    elif len(answers["summary"]) > MAX_TEXT:
        problems["summary"] = [f"Your compliment must be {MAX_TEXT:,} characters or fewer"]
    email = (answers.get("email") or "").strip()
    if email and not EMAIL.match(email):
        problems["email"] = ["Enter an email address in the correct format, like name@example.com"]
    return problems


def complainant_of(answers: dict) -> dict:
    """The complainant record a case keeps, with their support needs."""
    support = {"needed": bool(answers.get("needs_support")), "language": answers.get("language") or "",
               "formats": [f for f in answers.get("formats") or [] if f in SUPPORT_FORMATS],
               "scribe": bool(answers.get("scribe")), "advocate": bool(answers.get("advocate")),
               "other": answers.get("other_support") or ""}
    person = {"name": (answers.get("name") or "").strip(), "email": (answers.get("email") or "").strip(),
              "phone": (answers.get("phone") or "").strip(), "address": (answers.get("address") or "").strip(),
              "contact_preference": answers.get("contact_preference") or "email", "support_needs": support}
    if answers.get("on_behalf"):
        person["on_behalf_of"] = {"name": answers.get("behalf_name") or "",
                                  "relationship": answers.get("relationship") or ""}
    return person


def case_data(answers: dict) -> dict:
    """Facts the diagram reads from the start (dates as ISO text)."""
    return {"on_behalf": bool(answers.get("on_behalf")),
            "happened_on": _iso(answers.get("happened_on")), "aware_on": _iso(answers.get("aware_on")),
            "outcome_wanted": answers.get("outcome_wanted") or "",
            "may_share": bool(answers.get("may_share")), "about": answers.get("about") or ""}


def submit_public(uow, runtime: Runtime, division: str, kind: str, answers: dict) -> tuple[str, str]:
    """Open a case from the public form; returns the reference and the private status token."""
    today = runtime.clock.now().date()
    problems = complaint_problems(answers, today, kind) if kind != "compliment" else compliment_problems(answers)
    if problems:
        raise InvalidInput("the form has errors", problems)
    reference = start_case(uow, runtime, division=division, kind=kind, channel="web",
                           complainant=complainant_of(answers), summary=answers["summary"].strip(),
                           data=case_data(answers))
    links = runtime.status_links
    return reference, issue_access_token(uow, reference, runtime.clock.now(),
                                         links.token(reference) if links else None)


def record_case(uow, runtime: Runtime, actor: Actor, division: str, kind: str, channel: str,
                received_at: datetime | None, answers: dict, extra: dict | None = None, describe=None):
    """Record a complaint, compliment or concern that staff received by phone, post or email.

    Returns the reference, or what `describe(uow, run)` reads of the new case (see start_case)."""
    with uow:  # an unknown division is 404 before any field errors; start_case checks it again for certain
        if not actor.can_see(division) or division not in {d.code for d in uow.reference.divisions()}:
            raise NotFound(f"no division {division!r}")
    problems = record_problems(runtime.clock.now(), kind, channel, received_at, answers)
    bad = [k for k in (extra or {}) if not DATA_KEY.match(str(k)) or k in RESERVED_KEYS]
    if bad:
        problems["data"] = [f"these names cannot be used: {', '.join(sorted(map(str, bad))[:5])}"]
    if problems:
        raise InvalidInput("the form has errors", problems)
    return start_case(uow, runtime, division=division, kind=kind, channel=channel, received_at=received_at,
                      complainant=complainant_of(answers), summary=answers["summary"].strip(),
                      data={**(extra or {}), **case_data(answers)}, actor=actor, describe=describe)


def record_problems(now: datetime, kind: str, channel: str, received_at: datetime | None,
                    answers: dict) -> dict[str, list[str]]:
    """Every problem with a case staff are recording, at once: its answers, kind, channel and received date
    (which may not be more than 12 months ago: older complaints are out of time, and a typo like 1999 would
    otherwise make a case overdue by years)."""
    problems = complaint_problems(answers, now.date(), kind) if kind == "complaint" else compliment_problems(answers)
    if kind not in KINDS:
        problems["kind"] = ["Choose complaint, compliment or low-level concern"]
    if channel not in CHANNELS:
        problems["channel"] = ["Choose how it was received"]
    received = received_problems(received_at, now)
    earliest = _months_before(now, RECORD_MONTHS)
    if not received and received_at is not None and as_utc(received_at).astimezone(LONDON).date() < earliest:
        received = [f"The date received must be within the last {RECORD_MONTHS} months (on or after "
                    f"{earliest:%-d %B %Y}); check the year, or ask the complaints team about a late record"]
    if received:
        problems["received_at"] = received
    return problems


def _months_before(now: datetime, months: int) -> date:
    today = now.astimezone(LONDON).date()
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    try:
        return today.replace(year=year, month=month + 1)
    except ValueError:
        return today.replace(year=year, month=month + 1, day=28)


def issue_access_token(uow, reference: str, now: datetime, token: str | None = None) -> str:
    """An unguessable link token for a case (the case's derived one when given, so its letters carry the same
    link); only its hash is kept, and it expires."""
    token = token or secrets.token_urlsafe(32)
    with uow:
        case = uow.cases.by_reference(reference)
        case.access_token_hash, case.access_expires_at = token_hash(token), now + timedelta(days=ACCESS_DAYS)
        uow.commit()
    return token


def public_request(uow, runtime: Runtime, token: str, message: str, reasons: str, confirm: str = "yes") -> str | None:
    """Deliver the complainant's escalation, appeal or withdrawal through their private link, if the page offers it
    now (a late request is taken, to be recorded as out of time); a withdrawal needs "yes", and "no" keeps the
    complaint (returns None)."""
    if message not in COMPLAINANT_MESSAGES:
        raise InvalidInput("unknown request", {"message": ["Choose what you want to do"]})
    if message not in public_status(uow, runtime, token).may_post:
        raise Conflict("this request does not apply to the case now")
    if message == "withdrawn" and confirm == "no":
        return None
    if message == "withdrawn" and confirm != "yes":
        raise InvalidInput("confirm", {"confirm": ["Select yes to withdraw your complaint, or no to keep it"]})
    if message != "withdrawn" and not (reasons or "").strip():
        raise InvalidInput("reasons are needed", {"reasons": ["Tell us why you are not satisfied with our reply"]})
    if len(reasons or "") > MAX_TEXT:
        raise InvalidInput("reasons are too long", {"reasons": [f"Use {MAX_TEXT:,} characters or fewer"]})
    with uow:
        reference = case_for_token(uow, token, runtime.clock.now()).reference
    payload = {"reasons": (reasons or "").strip(), "received_at": runtime.clock.now().isoformat(), "channel": "web",
               "recorded_by": "complainant"}
    deliver_message(uow, runtime, reference, message, payload, Actor("complainant"))
    return reference


def record_message(uow, runtime: Runtime, actor: Actor, reference: str, message: str, reasons: str,
                   received_at: datetime | None, channel: str) -> None:
    """Staff record an escalation or appeal request, a withdrawal or consent, with when it really arrived."""
    problems = {}
    if not MESSAGE_NAME.match(message or ""):
        problems["message"] = ["Choose what was received"]
    if message in ("escalation_requested", "appeal_requested") and not (reasons or "").strip():
        problems["reasons"] = ["Record the reasons the complainant gave"]
    elif len(reasons or "") > MAX_TEXT:
        problems["reasons"] = [f"Use {MAX_TEXT:,} characters or fewer (this has {len(reasons):,})"]
    received = received_problems(received_at, runtime.clock.now())  # and, once the case is at hand, not before it
    if received:
        problems["received_at"] = received
    if channel not in CHANNELS:
        problems["channel"] = ["Choose how it was received"]
    if problems:
        raise InvalidInput("the form has errors", problems, case_reference=reference)
    payload = {"reasons": (reasons or "").strip(), "received_at": received_at.isoformat(), "channel": channel,
               "recorded_by": actor.username}
    deliver_message(uow, runtime, reference, message, payload, actor)


def _iso(value) -> str:
    return value.isoformat() if isinstance(value, date) else ""
