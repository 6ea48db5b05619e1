"""Correspondence on a case: every letter and email, sent or pending, and what staff can do about one."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from processes.access import Actor
from processes.errors import Conflict, Forbidden, InvalidInput, NotFound

from .smtp import is_valid_address

STATES = {
    "pending": "waiting to be sent",
    "sending": "being sent",
    "retrying": "waiting to retry",
    "sent": "sent",
    "failed": "failed",
    "manual": "to be posted",
    "posted": "posted",
}


@dataclass(frozen=True)
class Letter:
    """One message on a case, as the case page shows it."""

    id: int
    template: str
    addressee: str
    recipient: str
    cc: tuple[str, ...]
    delivery: str
    subject: str
    body_text: str
    body_html: str
    status: str
    state: str
    adjustments: tuple[str, ...]
    attempts: int
    created_at: datetime
    last_attempt_at: datetime | None
    next_attempt_at: datetime | None
    sent_at: datetime | None
    last_error: str | None
    message_id: str | None

    @property
    def state_label(self) -> str:
        """The state in words for the case page."""
        return STATES.get(self.state, self.state)


def _state(row, now: datetime) -> str:
    if row.status != "pending":
        return row.status
    if row.lease_until is not None and row.lease_until > now:
        return "sending"
    return "retrying" if row.attempts else "pending"


def case_correspondence(uow, reference: str, actor: Actor) -> list[Letter]:
    """Every message of a case in the order it was written, with its rendered text, status and times."""
    with uow:
        case = _visible_case(uow, reference, actor)
        now = uow.clock_now()
        return [Letter(row.id, row.template, row.addressee, row.recipient, tuple(row.cc or ()), row.delivery,
                       row.subject, row.body_text, row.body_html, row.status, _state(row, now),
                       tuple(row.adjustments or ()), row.attempts, row.created_at, row.last_attempt_at,
                       row.next_attempt_at if row.status == "pending" else None, row.sent_at, row.last_error,
                       row.message_id)
                for row in uow.outbox.for_case(case.id)]


def mark_letter_posted(uow, reference: str, outbox_id: int, actor: Actor) -> None:
    """Record that a letter for the post has been printed and posted."""
    with uow:
        case, row = _letter_of(uow, reference, outbox_id, actor)
        if row.status != "manual":
            raise Conflict("only a letter waiting to be posted can be marked as posted", case_reference=reference)
        now = uow.clock_now()
        row.status, row.sent_at = "posted", now
        uow.events.append(case.id, "letter_posted", actor.username, now, version_id=case.version_id,
                          data={"outbox_id": row.id, "template": row.template})
        uow.commit()


def resend_letter(uow, reference: str, outbox_id: int, actor: Actor, recipient: str | None = None) -> None:
    """Put a failed letter back in the queue, optionally to a corrected address; clears its incident."""
    with uow:
        case, row = _letter_of(uow, reference, outbox_id, actor)
        if row.status != "failed" or not row.body_text:
            raise Conflict("only a failed letter that was written can be sent again", case_reference=reference)
        _clear_letter_incident(case, row)
        if recipient is not None:
            recipient = recipient.strip()
            if not is_valid_address(recipient):
                raise InvalidInput("that is not an email address", {"recipient": ["enter an address such as "
                                                                                  "name@example.org"]},
                                   case_reference=reference)
            row.recipient = recipient
        now = uow.clock_now()
        row.status, row.attempts, row.next_attempt_at, row.last_error = "pending", 0, now, None
        uow.events.append(case.id, "letter_resent", actor.username, now, version_id=case.version_id,
                          data={"outbox_id": row.id, "template": row.template, "corrected": recipient is not None})
        uow.commit()


def _clear_letter_incident(case, row) -> None:
    if not case.incident:
        return
    prefix = f"Letter {row.template!r} to {row.addressee or row.recipient} "
    kept = [line for line in case.incident.splitlines() if not line.startswith(prefix)]
    case.incident = "\n".join(kept) or None


def _visible_case(uow, reference: str, actor: Actor):
    case = uow.cases.by_reference(reference)
    if case is None or not actor.can_see(uow.divisions.get(case.division_id).code):
        raise NotFound(f"no case {reference}")
    return case


def _letter_of(uow, reference: str, outbox_id: int, actor: Actor):
    case = _visible_case(uow, reference, actor)
    division = uow.divisions.get(case.division_id)
    if not actor.has_role(division.code, "complaints_team"):
        raise Forbidden("only the complaints team can post or resend letters", case_reference=reference)
    row = uow.outbox.get(outbox_id)
    if row is None or row.case_id != case.id:
        raise NotFound(f"no letter {outbox_id} on case {reference}")
    return case, row
