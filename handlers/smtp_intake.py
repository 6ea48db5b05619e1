"""Inbound SMTP: mail for a division mailbox, received by the local catcher or forwarded by the organisation's
server, becomes intake; it is answered 250 only once stored, so a failure makes the sender try again."""
from __future__ import annotations

import asyncio
import logging
import socket

from aiosmtpd.controller import Controller

from .demo_mail import MailDrop
from .mail_intake import MailIntake

log = logging.getLogger(__name__)
# read messages up to twice the limit, so one over it is refused with our bounce and a note for staff; past that
# the SMTP answer 552 refuses it outright and the sending server bounces it
READ_LIMIT_FACTOR = 2


class IntakeHandler:
    """An aiosmtpd handler that stores mail for the division mailboxes (and, in the demo, files every message)."""

    def __init__(self, intake: MailIntake, drop: MailDrop | None = None):
        self.intake, self.drop = intake, drop

    async def handle_DATA(self, server, session, envelope):
        """Store the message for each division mailbox it is addressed to, then accept it."""
        if self.drop is not None:
            await self.drop.handle_DATA(server, session, envelope)
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode("utf-8")
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(None, self.store, content, tuple(envelope.rcpt_tos))
        except Exception as exc:  # the type only: a database error's text carries personal data as parameters
            log.error("mail in: a message could not be stored (%s); the sender is asked to try again",
                      type(exc).__name__)
            return "451 4.3.0 Could not store the message now; please try again later"
        return "250 Message accepted for delivery"

    def store(self, content: bytes, recipients: tuple[str, ...]) -> list:
        """Take the message in for every division mailbox among its recipients."""
        taken = []
        for mailbox in self.intake.mailboxes_for(recipients):
            if len(content) > self.intake.settings.mail_max_bytes:
                head = content.split(b"\r\n\r\n", 1)[0] if b"\r\n\r\n" in content else content.split(b"\n\n", 1)[0]
                taken.append(self.intake.refuse_large(mailbox, head + b"\r\n\r\n", len(content), source="smtp",
                                                      internal_date=self.intake.clock.now()))
            else:
                taken.append(self.intake.take(mailbox, content, source="smtp", internal_date=self.intake.clock.now(),
                                              envelope_to=recipients))
        return taken


def start_intake_smtp(host: str, port: int, intake: MailIntake, drop: MailDrop | None = None) -> Controller | None:
    """Listen on host:port in a background thread; None (and a log line) if the port is taken."""
    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.bind((host, port))
        controller = Controller(IntakeHandler(intake, drop), hostname=host, port=port,
                                data_size_limit=intake.settings.mail_max_bytes * READ_LIMIT_FACTOR)
        controller.start()
    except (OSError, RuntimeError) as exc:
        log.warning("inbound SMTP not started on %s:%s (%s)", host, port, exc)
        return None
    log.info("inbound SMTP on %s:%s takes mail for the division mailboxes", host, port)
    return controller
