"""The queries mail in needs: finding a message again, the triage queue, attachments and mailbox contact."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from .mail_models import MailAttachment, MailboxContact, MailItem

QUEUED = ("new", "refused")


class SqlMailRepository:
    def __init__(self, session: Session):
        self.session = session

    def already_stored(self, division_id: int, message_id: str, mailbox: str, uid_key: str | None) -> MailItem | None:
        """The row of this message, found by its Message-ID in the division or by its mailbox UID."""
        match = (MailItem.division_id == division_id) & (MailItem.message_id == message_id)
        if uid_key:
            match = or_(match, (MailItem.mailbox == mailbox) & (MailItem.uid_key == uid_key))
        return self.session.scalars(select(MailItem).where(match)).first()

    def add(self, **fields) -> MailItem:
        row = MailItem(**fields)
        self.session.add(row)
        self.session.flush()
        return row

    def add_attachment(self, **fields) -> MailAttachment:
        row = MailAttachment(**fields)
        self.session.add(row)
        return row

    def get(self, item_id: int) -> MailItem | None:
        return self.session.get(MailItem, item_id)

    def attachments(self, item_id: int, with_content: bool = False) -> list[MailAttachment]:
        query = select(MailAttachment).where(MailAttachment.item_id == item_id).order_by(MailAttachment.filename)
        rows = list(self.session.scalars(query))
        if with_content:
            for row in rows:
                _ = row.content
        return rows

    def attachment(self, attachment_id: str) -> MailAttachment | None:
        return self.session.get(MailAttachment, attachment_id)

    def queue(self, division_ids: list[int], limit: int = 200) -> list[MailItem]:
        """Untriaged emails and refusal notes of some divisions, oldest first."""
        return list(self.session.scalars(
            select(MailItem).where(MailItem.division_id.in_(division_ids), MailItem.status.in_(QUEUED))
            .order_by(MailItem.received_at, MailItem.id).limit(limit)))

    def for_case(self, case_id: int) -> list[MailItem]:
        return list(self.session.scalars(select(MailItem).where(MailItem.case_id == case_id)
                                         .order_by(MailItem.received_at, MailItem.id)))

    def settle(self, item_id: int, expected: str, **values) -> bool:
        """Change an item only if it is still in the expected status: one triage wins, the rest see a conflict."""
        table = MailItem.__table__
        done = self.session.connection().execute(
            update(table).where(table.c.id == item_id, table.c.status == expected).values(**values))
        return done.rowcount == 1

    def contact(self, mailbox: str) -> MailboxContact | None:
        return self.session.get(MailboxContact, mailbox)

    def contacts(self, division_ids: list[int]) -> list[MailboxContact]:
        return list(self.session.scalars(select(MailboxContact).where(MailboxContact.division_id.in_(division_ids))
                                         .order_by(MailboxContact.mailbox)))

    def record_contact(self, mailbox: str, division_id: int, at: datetime, error: str | None) -> None:
        """Note a successful poll, or the error a poll met (keeping when the failures began)."""
        row = self.session.get(MailboxContact, mailbox)
        if row is None:
            row = MailboxContact(mailbox=mailbox, division_id=division_id)
            self.session.add(row)
        if error is None:
            row.last_ok_at, row.failing_since, row.last_error = at, None, None
        else:
            row.failing_since, row.last_error = row.failing_since or at, error[:2000]
