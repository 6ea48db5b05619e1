"""Mail in: emails taken from the division mailboxes, their attachments, and each mailbox's last contact."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column

from .models import Base


class MailItem(Base):
    """One message as it arrived; `status` says what became of it (new, triaged, reply, ignored, refused...)."""
    __tablename__ = "mail_items"
    __table_args__ = (UniqueConstraint("division_id", "message_id", name="uq_mail_items_message"),
                      UniqueConstraint("mailbox", "uid_key", name="uq_mail_items_uid"),
                      Index("ix_mail_items_queue", "division_id", "status", "received_at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    division_id: Mapped[int] = mapped_column(ForeignKey("divisions.id"))
    mailbox: Mapped[str] = mapped_column(String(254))
    source: Mapped[str] = mapped_column(String(8))  # imap | smtp
    uid_key: Mapped[str | None] = mapped_column(String(120))  # IMAP "<uidvalidity>:<uid>"
    message_id: Mapped[str] = mapped_column(String(255))
    received_at: Mapped[datetime] = mapped_column()
    stored_at: Mapped[datetime] = mapped_column()
    sender: Mapped[str] = mapped_column(String(254))
    sender_name: Mapped[str] = mapped_column(String(200), default="")
    subject: Mapped[str] = mapped_column(String(300), default="")
    body_text: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")  # sanitised
    size: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(300))  # why it was ignored or refused
    notes: Mapped[list] = mapped_column(default=list)  # e.g. attachments that were not kept
    decision: Mapped[str | None] = mapped_column(String(24))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    triaged_by: Mapped[str | None] = mapped_column(String(80))
    triaged_at: Mapped[datetime | None] = mapped_column()


class MailAttachment(Base):
    __tablename__ = "mail_attachments"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("mail_items.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))


class MailboxContact(Base):
    """When the worker last reached a mailbox, and the error it has been meeting since, if any."""
    __tablename__ = "mailbox_contacts"
    mailbox: Mapped[str] = mapped_column(String(254), primary_key=True)
    division_id: Mapped[int] = mapped_column(ForeignKey("divisions.id"))
    last_ok_at: Mapped[datetime | None] = mapped_column()
    failing_since: Mapped[datetime | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(Text)
