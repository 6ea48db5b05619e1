"""Taking raw messages for the division mailboxes into storage, however they arrived (IMAP or SMTP)."""
from __future__ import annotations

import logging
from datetime import datetime

from processes.mail_in import IntakeRules, Mailbox, TakenIn, mailboxes_of, take_in

from .mail_parse import parse_headers_only, parse_mail
from .reply_tokens import ReplyTokens

log = logging.getLogger(__name__)
SENDER_KEYS = ("mail_from", "sender", "from_address", "reply_to")


class MailIntake:
    """The division mailboxes from configuration, the intake rules from settings, and one `take` per message."""

    def __init__(self, uow_factory, clock, settings):
        self.uow_factory, self.clock, self.settings = uow_factory, clock, settings
        self.tokens = ReplyTokens(settings.secret_key)

    def mailboxes(self) -> list[Mailbox]:
        """Every division mailbox in configuration."""
        with self.uow_factory() as uow:
            return mailboxes_of(uow.divisions.all())

    def mailboxes_for(self, recipients) -> list[Mailbox]:
        """The division mailboxes among some recipient addresses, sub-addresses (name+token@) included."""
        wanted = {_base_address(a) for a in recipients}
        return [m for m in self.mailboxes() if m.address.lower() in wanted]

    def rules(self) -> IntakeRules:
        """The size limit, the product's own sender addresses, and the reply-token check."""
        own = {self.settings.mail_from.lower()}
        with self.uow_factory() as uow:
            for division in uow.divisions.all():
                config = division.config or {}
                own |= {str(config[k]).lower() for k in SENDER_KEYS if isinstance(config.get(k), str)}
                own |= {m.address.lower() for m in mailboxes_of([division])}
        return IntakeRules(self.settings.mail_max_bytes, frozenset(own), self.tokens.reference_in)

    def take(self, mailbox: Mailbox, raw: bytes, *, source: str, uid_key: str | None = None,
             internal_date: datetime | None = None, envelope_to: tuple[str, ...] = ()) -> TakenIn:
        """Parse and store one message; safe to call again with the same message."""
        mail = parse_mail(raw, internal_date=internal_date, envelope_to=envelope_to)
        taken = take_in(self.uow_factory(), mailbox, mail, self.rules(), source=source, uid_key=uid_key,
                        now=self.clock.now())
        log.info("mail in: a message for %s %s (item %s)", mailbox.division, taken.outcome, taken.item_id)
        return taken

    def refuse_large(self, mailbox: Mailbox, raw_headers: bytes, size: int, *, source: str,
                     uid_key: str | None = None, internal_date: datetime | None = None) -> TakenIn:
        """Record a message too large to take, from its headers alone, and bounce it to its sender."""
        mail = parse_headers_only(raw_headers, size, internal_date)
        taken = take_in(self.uow_factory(), mailbox, mail, self.rules(), source=source, uid_key=uid_key,
                        now=self.clock.now())
        log.info("mail in: a message for %s %s (item %s)", mailbox.division, taken.outcome, taken.item_id)
        return taken

    def record_contact(self, mailbox: Mailbox, error: str | None) -> None:
        """Note that a mailbox was reached, or the error met trying; never raises."""
        try:
            with self.uow_factory() as uow:
                division = uow.divisions.by_code(mailbox.division)
                uow.mail.record_contact(mailbox.address, division.id, self.clock.now(), error)
                uow.commit()
        except Exception as exc:  # the database may be what is down; the log line is then the report
            log.error("mail in: could not record the state of the %s mailbox (%s)", mailbox.division,
                      type(exc).__name__)


def _base_address(address: str) -> str:
    local, _, domain = address.strip().strip("<>").lower().rpartition("@")
    return f"{local.split('+', 1)[0]}@{domain}"
