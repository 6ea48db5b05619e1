"""Renders a handler's letter draft and queues it in the outbox, in the engine step's transaction."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from processes.accounts import token_hash
from processes.calendar import WorkingCalendar
from processes.status_links import StatusLinks

from . import letter_facts
from .rendering import TEMPLATES, LetterNotRenderable, LetterRenderer, long_date, stage_key

KEY_LIMIT = 255
ACCESS_PERIOD = timedelta(days=365)  # a status link lasts a year from the latest letter that carries it
ACCESS_RENEW = timedelta(days=30)
POST = "post"
PLAIN_FORMATS = {"", "email", "standard", "none"}
POST_FORMATS = {"post", "letter", "paper"}


class RecipientUnknown(Exception):
    """A handler named a recipient the product cannot turn into an address."""


@dataclass(frozen=True)
class Delivery:
    """One copy of a letter: where it goes, how, who is copied in, and the adjustments made."""

    address: str
    audience: str  # complainant | staff
    delivery: str = "email"  # email | post
    cc: tuple[str, ...] = ()
    adjustments: tuple[str, ...] = field(default=())
    name: str = ""


def support_needs(case, data: dict) -> dict:
    """The complainant's stated support needs: the case's record, updated by anything the task data adds."""
    recorded = (case.complainant or {}).get("support_needs") or {}
    noted = data.get("support_needs") if isinstance(data.get("support_needs"), dict) else {}
    return {**recorded, **noted}


def formats(support: dict) -> set[str]:
    """The formats asked for, whether as one preferred format (training triage) or a list (public intake)."""
    asked = {str(f).strip().lower().replace(" ", "_") for f in support.get("formats") or [] if f}
    one = str(support.get("preferred_format") or support.get("format") or "").strip().lower().replace(" ", "_")
    return (asked | {one}) - {""}


def wants_large_print(support: dict) -> bool:
    """True when the complainant asked for large print, by flag or as a format."""
    return bool(support.get("large_print")) or "large_print" in formats(support)


def wants_post(complainant: dict, support: dict) -> bool:
    """True when the complainant asked for letters on paper rather than email."""
    preference = str(complainant.get("contact_preference") or "").strip().lower()
    return preference in POST_FORMATS or bool(formats(support) & POST_FORMATS)


def complainant_adjustments(support: dict, delivery: str) -> tuple[str, ...]:
    """The support needs this letter acts on, or that staff must act on, in words for the case file."""
    notes = []
    if wants_large_print(support):
        notes.append("large print")
    if support.get("advocate_email"):
        notes.append("advocate copied in")
    language = str(support.get("language") or "").strip()
    if language and language.lower() not in {"en", "english"}:
        notes.append(f"preferred language {language}: arrange a translated copy")
    for fmt in sorted(formats(support) - PLAIN_FORMATS - POST_FORMATS - {"large_print", "translation"}):
        notes.append(f"preferred format {fmt.replace('_', ' ')}: arrange this format")
    if delivery == POST:
        notes.append("send by post: print and post this letter")
    return tuple(notes)


def resolve(uow, case, division, recipient: str, data: dict) -> list[Delivery]:
    """Turn a handler's recipient ('complainant', 'advocate', 'assignees', 'role:<role>', 'user:<name>',
    'mailbox:<key>' or an address) into deliveries."""
    config = division.config or {}
    if recipient == "complainant":
        return _to_complainant(case, data)
    if recipient == "advocate":
        support = support_needs(case, data)
        if not support.get("advocate_email"):
            raise RecipientUnknown("the complainant has named no advocate with an email address")
        return [Delivery(str(support["advocate_email"]).strip(), "complainant",
                         adjustments=complainant_adjustments(support, "email"), name=support.get("advocate_name", ""))]
    if recipient.startswith("role:"):
        return [Delivery(a, "staff") for a in role_addresses(uow, division, recipient[5:])]
    if recipient == "assignees":
        return [Delivery(a, "staff") for a in assignee_addresses(uow, case)
                or role_addresses(uow, division, "complaints_team")]
    if recipient.startswith("user:"):
        user = uow.users.by_username(recipient[5:])
        if user is None or not user.email:
            raise RecipientUnknown(f"no user {recipient[5:]!r} with an email address")
        return [Delivery(user.email, "staff", name=user.display_name)]
    if recipient.startswith("mailbox:"):
        address = config.get(recipient[8:]) or (config.get("mailboxes") or {}).get(recipient[8:])
        if not address:
            raise RecipientUnknown(f"{division.name} has no mailbox {recipient[8:]!r} in its configuration")
        return [Delivery(address, "staff")]
    if "@" in recipient:
        return [Delivery(recipient, "staff")]
    raise RecipientUnknown(f"unknown recipient {recipient!r}")


def _to_complainant(case, data: dict) -> list[Delivery]:
    complainant = case.complainant or {}
    support = support_needs(case, data)
    email = str(complainant.get("email") or "").strip()
    advocate = str(support.get("advocate_email") or "").strip()
    name = complainant.get("name", "")
    if email and not wants_post(complainant, support):
        cc = (advocate,) if advocate and advocate.lower() != email.lower() else ()
        return [Delivery(email, "complainant", cc=cc, adjustments=complainant_adjustments(support, "email"),
                         name=name)]
    deliveries = [Delivery(POST, "complainant", delivery=POST, adjustments=complainant_adjustments(support, POST),
                           name=name)]
    if advocate:  # nobody to copy in on paper, so the advocate gets their own emailed copy
        deliveries.append(Delivery(advocate, "complainant", adjustments=complainant_adjustments(support, "email"),
                                   name=support.get("advocate_name", "")))
    return deliveries


def assignee_addresses(uow, case) -> list[str]:
    """Email addresses of the active people the case's open tasks are assigned to."""
    users = [uow.users.get(task.assignee_id) for task in uow.tasks.open_for_case(case.id) if task.assignee_id]
    return sorted({user.email for user in users if user is not None and user.is_active and user.email})


def role_addresses(uow, division, role: str) -> list[str]:
    """A role's mailbox from division config; else the staff holding the role; else the complaints mailbox."""
    config = division.config or {}
    mailbox = (config.get("mailboxes") or {}).get(role)
    if mailbox:
        return [mailbox] if isinstance(mailbox, str) else list(mailbox)
    if role == "complaints_team" and config.get("complaints_mailbox"):
        return [config["complaints_mailbox"]]
    return uow.outbox.staff_addresses(division.id, role) or [config.get("complaints_mailbox")
                                                             or "complaints@seetec.example"]


def letter_context(case, division, draft_context: dict, delivery: Delivery, calendar: WorkingCalendar,
                   now: datetime, addressee: str = "", deadlines: list[dict] | None = None,
                   signed_by: dict | None = None, status_url: str = "") -> dict:
    """What every template sees: case, division, its config, task data, support needs, the handler's extras and
    the letter's facts (what it answers and when that arrived, each stage's outcome, signer, status link)."""
    data = draft_context.get("data") or {}
    stage = draft_context.get("stage") or case.stage
    support = support_needs(case, data)
    complainant = dict(case.complainant or {})
    case_view = {"reference": case.reference, "kind": case.kind, "channel": case.channel,
                 "received_at": case.received_at, "stage": case.stage, "stage_key": stage_key(case.stage),
                 "status": case.status, "outcome": case.outcome, "summary": case.summary or "",
                 "complainant": complainant, "support_needs": support}
    config = dict(division.config or {})
    return {
        **{k: v for k, v in draft_context.items() if k != "data"},
        "data": data,
        "case": case_view,
        "division": {"name": division.name, "code": division.code, "nation": division.nation, "config": config},
        "config": config,
        "support": {**support, "large_print": wants_large_print(support)},
        "recipient": {"audience": delivery.audience, "name": delivery.name, "address": delivery.address,
                      "delivery": delivery.delivery, "addressee": addressee},
        "deadlines": deadlines or [],
        "today": long_date(now),
        "working_days_after": lambda n, start=None: long_date(
            calendar.deadline_after(_instant(start, now), int(n)).due),
        "answers": letter_facts.answers(stage, data, case),
        "stage_outcomes": letter_facts.outcomes(case, lambda key: key),
        "signer": signed_by or letter_facts.signer(None, [], division.name),
        "status_url": status_url,
    }


def _instant(value, default: datetime):
    """A template's start date: a date, a datetime or an ISO string; the send date when absent or unreadable."""
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return default
    return value or default


def idempotency_key(base: str, address: str) -> str:
    """The draft's key plus the address, hashed down when it would not fit the column."""
    key = f"{base}:{address.lower()}"
    if len(key) <= KEY_LIMIT:
        return key
    return key[:KEY_LIMIT - 65] + "#" + hashlib.sha256(key.encode()).hexdigest()


class OutboxLetterQueue:
    """Resolves recipients, renders subject, text and HTML, and writes an idempotent outbox row per copy."""

    def __init__(self, templates: Path = TEMPLATES, renderer: LetterRenderer | None = None,
                 status_links: StatusLinks | None = None):
        self.renderer = renderer or LetterRenderer(templates)
        self.status_links = status_links

    def queue(self, uow, case, division, draft, now: datetime) -> None:
        """Write the draft's outbox rows; a letter that cannot be written becomes a failed row and an incident."""
        base = draft.idempotency_key
        if base.endswith(f":{draft.recipient}"):  # one copy per address per step, whichever role it came by
            base = base[:-len(draft.recipient) - 1]
        for delivery, letter in self.render(uow, case, division, draft, now):
            if letter is None:
                continue
            uow.outbox.add(case_id=case.id, idempotency_key=idempotency_key(base, delivery.address),
                           recipient=delivery.address[:254], cc=list(delivery.cc), addressee=draft.recipient[:120],
                           template=draft.template[:80], subject=letter.subject, body_text=letter.text,
                           body_html=letter.html, delivery=delivery.delivery, adjustments=list(delivery.adjustments),
                           reply_to=reply_address(case, division) if delivery.audience == "complainant" else None,
                           sender=sender_address(case, division), next_attempt_at=now, created_at=now,
                           status="manual" if delivery.delivery == POST else "pending")

    def preview(self, uow, case, division, draft, now: datetime) -> list[dict]:
        """The draft's copies as `queue` would write them (a failure raises LetterNotRenderable), written nowhere."""
        return [{"template": draft.template, "addressee": draft.recipient, "recipient": delivery.address,
                 "sender": sender_address(case, division) or "",
                 "reply_to": (reply_address(case, division) or "") if delivery.audience == "complainant" else "",
                 "subject": letter.subject, "text": letter.text, "html": letter.html}
                for delivery, letter in self.render(uow, case, division, draft, now, failures=False)]

    def render(self, uow, case, division, draft, now: datetime, failures: bool = True) -> list:
        """Each copy of the draft with its rendered letter; a copy that cannot be rendered is a failed row (or, with
        failures off, as for a preview, a LetterNotRenderable) and is listed with None."""
        calendar = WorkingCalendar(division.nation, uow.closures.for_division(division.id))
        env = self._environment(uow, case)
        data = draft.context.get("data") or {}
        deadlines = [{"name": d.name, "kind": d.kind, "stage": d.stage, "status": d.status, "due_at": d.due_at}
                     for d in uow.deadlines.for_case(case.id)]
        try:
            deliveries = resolve(uow, case, division, draft.recipient, data)
        except RecipientUnknown as exc:
            if not failures:
                raise LetterNotRenderable(str(exc)) from None
            self._fail(uow, case, draft, now, draft.recipient, str(exc))
            return []
        signed_by = self._signer(uow, division, draft.context.get("signer_id"),
                                 str(draft.context.get("stage") or case.stage))
        rendered: list = []
        for delivery in deliveries:
            link = self._status_url(case, now) if delivery.audience == "complainant" else ""
            try:
                context = letter_context(case, division, draft.context, delivery, calendar, now, draft.recipient,
                                         deadlines, signed_by, link)
                rendered.append((delivery, self.renderer.render(draft.template, context, env)))
            except LetterNotRenderable as exc:
                if not failures:
                    raise
                self._fail(uow, case, draft, now, delivery.address, str(exc))
                rendered.append((delivery, None))
        return rendered

    def _signer(self, uow, division, user_id, stage: str) -> dict:
        user = uow.users.get(user_id) if user_id else None
        roles = [role for code, role in uow.users.memberships(user_id) if code == division.code] if user else []
        return letter_facts.signer(user, roles, division.name, stage)

    def _status_url(self, case, now: datetime) -> str:
        # The link is the case's derived token; a case recorded by staff gets its link here, with its first letter.
        if self.status_links is None:
            return ""
        token = self.status_links.token(case.reference)
        if case.access_token_hash != token_hash(token) or case.access_expires_at is None \
                or case.access_expires_at < now + ACCESS_RENEW:
            case.access_token_hash, case.access_expires_at = token_hash(token), now + ACCESS_PERIOD
        return self.status_links.url(case.reference)

    def _environment(self, uow, case):
        version = uow.versions.get(case.version_id) if getattr(case, "version_id", None) else None
        if version is None:
            return self.renderer.environment()
        return self.renderer.environment(version.sha256, version.files)

    def _fail(self, uow, case, draft, now: datetime, address: str, error: str) -> None:
        row = uow.outbox.add(case_id=case.id, idempotency_key=idempotency_key(draft.idempotency_key, address),
                             recipient=address[:254], addressee=draft.recipient[:120], template=draft.template[:80],
                             subject=f"{case.reference}: {draft.template.replace('_', ' ')}", body_text="",
                             body_html="", status="failed", last_error=error, next_attempt_at=now, created_at=now)
        if row.status == "failed" and row.last_error == error:  # not a row an earlier run already queued
            raise_letter_incident(uow, case, row, error, now)


def sender_address(case, division) -> str | None:
    """Who the letter is from: the division's `mail_from`, else its feedback (compliments) or complaints mailbox;
    None leaves the dispatcher's default sender."""
    config = division.config or {}
    if config.get("mail_from"):
        return str(config["mail_from"])[:254]
    if case is not None and case.kind == "compliment" and config.get("feedback_mailbox"):
        return config["feedback_mailbox"]
    return config.get("complaints_mailbox")


def reply_address(case, division) -> str | None:
    """Where a complainant's reply should go: the feedback mailbox for compliments, else complaints."""
    config = division.config or {}
    if config.get("reply_to"):
        return config["reply_to"]
    if case.kind == "compliment" and config.get("feedback_mailbox"):
        return config["feedback_mailbox"]
    return config.get("complaints_mailbox")


def raise_letter_incident(uow, case, row, error: str, now: datetime) -> None:
    """Make a letter that cannot go out visible on its case: an incident text and a timeline event."""
    if case is None:
        return
    text = f"Letter {row.template!r} to {row.addressee or row.recipient} could not be sent: {error}"
    if not case.incident:
        case.incident = text
    elif text not in case.incident:
        case.incident = f"{case.incident}\n{text}"
    uow.events.append(case.id, "letter_failed", "system", now, version_id=case.version_id,
                      data={"outbox_id": row.id, "template": row.template, "addressee": row.addressee,
                            "error": error})
