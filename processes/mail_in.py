"""Mail in: what an email that reached a division mailbox becomes: an intake item, a reply on its case, a refusal
with a bounce, or nothing (automatic mail, bounces, duplicates, the product's own letters)."""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace
from typing import Any, Callable, Iterable, Literal, Mapping

from .attachments import check_upload, safe_filename
from .clock import as_utc
from .errors import Conflict, InvalidInput, NotFound
from .input_bounds import EARLIEST
from .ports import UnitOfWork

REFERENCE = re.compile(r"\b([A-Z]{1,8}-\d{4}-\d{6})\b")
AUTO_PRECEDENCE = {"bulk", "auto_reply", "junk", "list"}
OUT_OF_OFFICE = re.compile(r"^\s*(out of (the )?office|automatic reply|auto[- ]?reply|autoreply|away from (the )?office"
                           r"|abwesenheitsnotiz|absence)\b", re.IGNORECASE)
BOUNCE_SENDERS = {"mailer-daemon", "postmaster", "mail-daemon"}
MAX_ATTACHMENTS = 20
MAX_BODY = 100_000
Outcome = Literal["new", "reply", "ignored", "refused", "duplicate"]


@dataclass(frozen=True)
class IncomingAttachment:
    """A file attached to an email, as the sender named it."""

    filename: str
    content: bytes


@dataclass(frozen=True)
class InboundMail:
    """An email read from a mailbox or received over SMTP, its HTML already made safe."""

    message_id: str
    received_at: datetime | None  # the server's receipt (INTERNALDATE or Received), else the Date header
    sender: str
    sender_name: str
    recipients: tuple[str, ...]
    subject: str
    body_text: str
    body_html: str
    size: int
    attachments: tuple[IncomingAttachment, ...] = ()
    headers: Mapping[str, str] = field(default_factory=dict)  # lower-case names, for telling automatic mail apart


@dataclass(frozen=True)
class Mailbox:
    """One division mailbox the product reads."""

    address: str
    division: str
    purpose: str  # complaints_mailbox | feedback_mailbox


@dataclass(frozen=True)
class IntakeRules:
    """What the organisation decides about incoming mail: the size limit, its own senders, and reply tokens."""

    max_bytes: int
    own_addresses: frozenset[str]
    case_for_token: Callable[[tuple[str, ...]], str | None] = lambda recipients: None


@dataclass(frozen=True)
class TakenIn:
    """What became of one message."""

    outcome: Outcome
    item_id: int | None
    reason: str = ""
    case_reference: str | None = None


def emails_on_case(uow: UnitOfWork, case_id: int) -> list[SimpleNamespace]:
    """The emails received on a case (the one it was opened from, and replies), as lines of its correspondence."""
    return [SimpleNamespace(id=f"mail-{row.id}", created_at=row.received_at, subject=row.subject or "(no subject)",
                            recipient=row.mailbox, status=f"received from {row.sender}", body_text=row.body_text,
                            template="email_received", delivery="email", sent_at=row.received_at)
            for row in uow.mail.for_case(case_id)]


def mailboxes_of(divisions: Iterable[Any]) -> list[Mailbox]:
    """Every configured division mailbox, one per address."""
    found: dict[str, Mailbox] = {}
    for division in divisions:
        for purpose in ("complaints_mailbox", "feedback_mailbox"):
            address = str((division.config or {}).get(purpose) or "").strip()
            if address and address.lower() not in found:
                found[address.lower()] = Mailbox(address, division.code, purpose)
    return list(found.values())


def not_intake_reason(mail: InboundMail, own_addresses: frozenset[str]) -> str | None:
    """Why a message is not intake (automatic, a bounce, out of office, our own), or None if it is."""
    headers = mail.headers
    auto = headers.get("auto-submitted", "").strip().lower()
    sender = mail.sender.strip().lower()
    if sender in own_addresses:
        return "mail from the product's own sender address"
    if sender.split("@")[0] in BOUNCE_SENDERS or not sender or headers.get("return-path", "").strip() == "<>":
        return "a delivery failure report"
    content_type = headers.get("content-type", "").lower()
    if "multipart/report" in content_type or "delivery-status" in content_type:
        return "a delivery status notification"
    if auto and auto != "no":
        return f"an automatic message (Auto-Submitted: {auto[:40]})"
    if headers.get("x-autoreply") or headers.get("x-autorespond"):
        return "an automatic reply"
    if headers.get("precedence", "").strip().lower() in AUTO_PRECEDENCE:
        return "bulk or automatic mail (Precedence header)"
    if OUT_OF_OFFICE.match(mail.subject or ""):
        return "an out-of-office reply"
    return None


def received_time(mail: InboundMail, now: datetime) -> datetime:
    """When the message really arrived; a missing, impossible or future time is read as now."""
    if mail.received_at is None:
        return now
    received = as_utc(mail.received_at)
    return received if EARLIEST <= received <= now else now


def take_in(uow: UnitOfWork, mailbox: Mailbox, mail: InboundMail, rules: IntakeRules, *, source: str,
            uid_key: str | None, now: datetime) -> TakenIn:
    """Store one message once (by Message-ID in the division, or by mailbox UID) and say what it became."""
    try:
        with uow:
            division = uow.divisions.by_code(mailbox.division)
            if division is None:
                raise NotFound(f"no division {mailbox.division!r}")
            message_id = mail.message_id[:255]
            found = uow.mail.already_stored(division.id, message_id, mailbox.address, uid_key)
            if found is not None:
                return TakenIn("duplicate", found.id, "already stored")
            base = dict(division_id=division.id, mailbox=mailbox.address, source=source, uid_key=uid_key,
                        message_id=message_id, received_at=received_time(mail, now), stored_at=now,
                        sender=mail.sender[:254], sender_name=mail.sender_name[:200], subject=mail.subject[:300],
                        size=mail.size)
            taken = _classify_and_store(uow, division, mailbox, mail, rules, base, now)
            uow.commit()
            return taken
    except Conflict:  # another worker stored the same message at the same moment
        return TakenIn("duplicate", None, "stored by another worker")


def _classify_and_store(uow: UnitOfWork, division: Any, mailbox: Mailbox, mail: InboundMail, rules: IntakeRules,
                        base: dict[str, Any], now: datetime) -> TakenIn:
    ignored = not_intake_reason(mail, rules.own_addresses)
    if mail.size > rules.max_bytes:
        reason = (f"larger than the {rules.max_bytes // 1_000_000} MB limit "
                  f"({mail.size / 1_000_000:.1f} MB); the sender was told")
        row = uow.mail.add(**base, body_text="", body_html="", status="refused", reason=reason, notes=[])
        if ignored is None:  # never answer automatic mail or bounces: that is how mail loops start
            _queue_bounce(uow, row, mailbox, rules, now)
        else:
            row.reason = f"larger than the limit ({mail.size / 1_000_000:.1f} MB); no bounce to {ignored}"
        return TakenIn("refused", row.id, row.reason)
    if ignored is not None:  # kept as a line, without its body, so a second copy is known and nothing is silent
        row = uow.mail.add(**base, body_text="", body_html="", status="ignored", reason=ignored, notes=[])
        return TakenIn("ignored", row.id, ignored)
    case = _case_replied_to(uow, division, mail, rules)
    body = dict(body_text=mail.body_text[:MAX_BODY], body_html=mail.body_html[:MAX_BODY])
    if case is not None:
        row = uow.mail.add(**base, **body, status="reply", case_id=case.id, notes=[])
        _keep_attachments(uow, row, mail)
        uow.events.append(case.id, "email_received", "system", now, version_id=case.version_id,
                          data={"mail_item_id": row.id, "received_at": row.received_at.isoformat(),
                                "title": f"a reply by email: {row.subject}"[:200], "reply": True})
        _tell_handler(uow, case, division, row, now)
        return TakenIn("reply", row.id, case_reference=case.reference)
    row = uow.mail.add(**base, **body, status="new", notes=[])
    _keep_attachments(uow, row, mail)
    return TakenIn("new", row.id)


def _case_replied_to(uow: UnitOfWork, division: Any, mail: InboundMail, rules: IntakeRules) -> Any:
    """The case a reply belongs to: by the signed token in the address it was sent to, or by the reference in its
    subject when it comes from the case's own complainant or advocate."""
    reference = rules.case_for_token(mail.recipients)
    by_token = reference is not None
    if reference is None:
        found = REFERENCE.search((mail.subject or "").upper())
        reference = found.group(1) if found else None
    case = uow.cases.by_reference(reference) if reference else None
    if case is None or case.division_id != division.id:
        return None
    if not by_token and mail.sender.strip().lower() not in _case_addresses(case):
        return None
    return case


def _case_addresses(case: Any) -> set[str]:
    complainant = case.complainant or {}
    support = complainant.get("support_needs") or {}
    return {str(a).strip().lower() for a in (complainant.get("email"), support.get("advocate_email")) if a}


def _keep_attachments(uow: UnitOfWork, row: Any, mail: InboundMail) -> None:
    notes = list(row.notes or [])
    for index, attachment in enumerate(mail.attachments):
        name = safe_filename(attachment.filename)
        if index >= MAX_ATTACHMENTS:
            notes.append(f"{name} was not kept: more than {MAX_ATTACHMENTS} attachments")
            continue
        try:
            meta = check_upload("attachment", attachment.filename, attachment.content)
        except InvalidInput as exc:
            notes.append(f"{name} was not kept: {'; '.join(exc.fields.get('attachment', [str(exc)])).lower()}")
            continue
        uow.mail.add_attachment(id=str(uuid.uuid4()), item_id=row.id, filename=meta["filename"],
                                content_type=meta["content_type"], size=meta["size"], sha256=meta["sha256"],
                                content=attachment.content)
    row.notes = notes


def _queue_bounce(uow: UnitOfWork, row: Any, mailbox: Mailbox, rules: IntakeRules, now: datetime) -> None:
    limit = rules.max_bytes // 1_000_000
    text = (f"Your email to {mailbox.address} could not be accepted because it is larger than {limit} MB.\n\n"
            f"Subject: {row.subject or '(no subject)'}\n\n"
            f"Please send it again with smaller attachments, or in several emails, each under {limit} MB. "
            "Nothing from this email has been recorded.\n")
    uow.outbox.add(case_id=None, idempotency_key=f"mail-refused:{row.id}", recipient=row.sender, cc=[],
                   addressee="sender", template="mail_refused", subject="Your email was not delivered: it is too large",
                   body_text=text, body_html="", next_attempt_at=now, created_at=now, status="pending")


def _tell_handler(uow: UnitOfWork, case: Any, division: Any, row: Any, now: datetime) -> None:
    """An email to whoever holds the case's open tasks (else the division's complaints team, else its mailbox)."""
    users = [uow.users.get(task.assignee_id) for task in uow.tasks.open_for_case(case.id) if task.assignee_id]
    addresses = sorted({u.email for u in users if u is not None and u.is_active and u.email}) \
        or uow.outbox.staff_addresses(division.id, "complaints_team") \
        or [a for a in [(division.config or {}).get("complaints_mailbox")] if a]
    text = (f"An email reply to case {case.reference} arrived on {row.received_at:%d %B %Y at %H:%M} UTC and has been "
            "added to the case's correspondence.\n\nSign in and open the case to read it.\n")
    for address in addresses:
        uow.outbox.add(case_id=case.id, idempotency_key=f"mail-reply:{row.id}:{address.lower()}"[:255],
                       recipient=address, cc=[], addressee="assignees", template="reply_received",
                       subject=f"{case.reference}: a reply has arrived", body_text=text, body_html="",
                       next_attempt_at=now, created_at=now, status="pending")
