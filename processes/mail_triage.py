"""The triage queue of emailed intake: what a division's complaints team sees, and turning an email into a case."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .access import Actor
from .case_run import Runtime
from .errors import Conflict, InvalidInput, NotFound
from .intake import MAX_TEXT, case_data, complainant_of
from .lifecycle import start_case
from .ports import UnitOfWork

TRIAGE_ROLE = "complaints_team"
DECISIONS = {"complaint": "Complaint", "concern": "Low-level concern", "compliment": "Compliment",
             "not_a_complaint": "Not a complaint"}
STATUS_WORDS = {"new": "waiting for triage", "triaged": "made into a case", "closed": "not a complaint",
                "reply": "added to its case", "ignored": "not intake", "refused": "refused", "noted": "seen by staff"}


@dataclass(frozen=True)
class QueueLine:
    """One email (or refusal note) waiting in a division's triage queue."""

    id: int
    division: str
    division_name: str
    mailbox: str
    received_at: datetime
    sender: str
    sender_name: str
    subject: str
    status: str
    reason: str | None


@dataclass(frozen=True)
class MailboxHealth:
    """Whether the worker can reach a mailbox, and since when it cannot."""

    mailbox: str
    last_ok_at: datetime | None
    failing_since: datetime | None
    last_error: str | None


@dataclass(frozen=True)
class TriageQueue:
    """The emails and notes for the actor's divisions, and the state of their mailboxes."""

    emails: list[QueueLine]
    notes: list[QueueLine]
    mailboxes: list[MailboxHealth]


@dataclass(frozen=True)
class MailView:
    """One email as staff read it before deciding what it is."""

    line: QueueLine
    body_text: str
    notes: list[str]
    attachments: list[dict[str, Any]]
    decision: str | None
    case_reference: str | None

    @property
    def status_words(self) -> str:
        """The item's status in words."""
        return STATUS_WORDS.get(self.line.status, self.line.status)


def _triage_divisions(uow: UnitOfWork, actor: Actor) -> dict[int, Any]:
    return {d.id: d for d in uow.divisions.all() if actor.has_role(d.code, TRIAGE_ROLE)}


def _line(row: Any, division: Any) -> QueueLine:
    return QueueLine(row.id, division.code, division.name, row.mailbox, row.received_at, row.sender, row.sender_name,
                     row.subject, row.status, row.reason)


def triage_queue(uow: UnitOfWork, actor: Actor) -> TriageQueue:
    """Emails waiting for triage and refusal notes in the divisions where the actor triages, oldest first."""
    with uow:
        divisions = _triage_divisions(uow, actor)
        rows = uow.mail.queue(list(divisions)) if divisions else []
        lines = [_line(row, divisions[row.division_id]) for row in rows]
        health = [MailboxHealth(c.mailbox, c.last_ok_at, c.failing_since, c.last_error)
                  for c in uow.mail.contacts(list(divisions))] if divisions else []
        return TriageQueue([x for x in lines if x.status == "new"], [x for x in lines if x.status == "refused"],
                           health)


def _visible_item(uow: UnitOfWork, actor: Actor, item_id: int) -> tuple[Any, Any]:
    row = uow.mail.get(item_id)
    if row is None:
        raise NotFound(f"no email {item_id}")
    division = uow.divisions.get(row.division_id)
    if division is None or not actor.has_role(division.code, TRIAGE_ROLE):
        raise NotFound(f"no email {item_id}")
    return row, division


def mail_item(uow: UnitOfWork, actor: Actor, item_id: int) -> MailView:
    """One email of the actor's divisions, with its attachments and what became of it."""
    with uow:
        row, division = _visible_item(uow, actor, item_id)
        case = uow.cases.get(row.case_id) if row.case_id else None
        files = [{"id": a.id, "filename": a.filename, "content_type": a.content_type, "size": a.size}
                 for a in uow.mail.attachments(row.id)]
        return MailView(_line(row, division), row.body_text, list(row.notes or []), files, row.decision,
                        case.reference if case else None)


def mail_attachment(uow: UnitOfWork, actor: Actor, item_id: int, attachment_id: str) -> dict[str, Any]:
    """An emailed file's name, type and bytes, for staff who may triage its email."""
    with uow:
        row, _ = _visible_item(uow, actor, item_id)
        found = uow.mail.attachment(attachment_id)
        if found is None or found.item_id != row.id:
            raise NotFound("no such file")
        return {"filename": found.filename, "content_type": found.content_type, "content": found.content}


def triage_mail(uow: UnitOfWork, runtime: Runtime, actor: Actor, item_id: int, decision: str,
                name: str = "") -> str | None:
    """Decide what an emailed item is: a case (complaint, concern or compliment) started at the email's received
    time with the email as its first correspondence, or not a complaint. Returns the new case's reference."""
    if decision not in DECISIONS:
        raise InvalidInput("choose what the email is", {"decision": ["Choose what this email is"]})
    if len(name or "") > 200:
        raise InvalidInput("the name is too long", {"name": ["Enter a name of 200 characters or fewer"]})
    now = runtime.clock.now()
    with uow:
        row, division = _visible_item(uow, actor, item_id)
        if row.status != "new":
            raise Conflict("this email has already been triaged")
        if decision == "not_a_complaint":
            if not uow.mail.settle(row.id, "new", status="closed", decision=decision, triaged_by=actor.username,
                                   triaged_at=now):
                raise Conflict("this email has already been triaged")
            uow.commit()
            return None
        code, received, sender, subject = division.code, row.received_at, row.sender, row.subject or "no subject"
        person = (name or "").strip() or row.sender_name or sender
        summary = (f"{row.subject}\n\n{row.body_text}".strip() if row.subject else row.body_text.strip())[:MAX_TEXT]

    def link_email(uow: Any, run: Any) -> str:
        case = run.case
        if not uow.mail.settle(item_id, "new", status="triaged", decision=decision, case_id=case.id,
                               triaged_by=actor.username, triaged_at=now):
            raise Conflict("this email has already been triaged")  # rolls the new case back with it
        for attachment in uow.mail.attachments(item_id, with_content=True):
            uow.cases.add_file(id=attachment.id, case_id=case.id, task_id=None, field="email",
                               filename=attachment.filename, content_type=attachment.content_type,
                               size=attachment.size, sha256=attachment.sha256, content=attachment.content,
                               uploaded_by="email", uploaded_at=received)
        uow.events.append(case.id, "email_received", actor.username, now, version_id=case.version_id,
                          data={"mail_item_id": item_id, "received_at": received.isoformat(), "from": sender,
                                "triaged_as": decision, "title": f"the email it was opened from ({subject})"[:200]})
        return str(case.reference)

    return start_case(uow, runtime, division=code, kind=decision, channel="email", received_at=received,
                      complainant=complainant_of({"name": person, "email": sender}), summary=summary or "(no text)",
                      data=case_data({}), actor=actor, describe=link_email)


def dismiss_note(uow: UnitOfWork, actor: Actor, item_id: int, now: datetime) -> None:
    """Mark a refusal note as seen by staff, taking it off the queue."""
    with uow:
        row, _ = _visible_item(uow, actor, item_id)
        if not uow.mail.settle(row.id, "refused", status="noted", triaged_by=actor.username, triaged_at=now):
            raise Conflict("this note has already been dismissed")
        uow.commit()
