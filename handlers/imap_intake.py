"""Reading a division mailbox over IMAP: store each new message, and only then flag it on the server; IDLE waits
for the next one where the server offers it."""
from __future__ import annotations

import json
import logging
import socket
import ssl
import time
from dataclasses import dataclass, field
from typing import Callable

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from processes.mail_in import Mailbox, TakenIn

from .mail_intake import MailIntake

log = logging.getLogger(__name__)
STORED = "ComplaintsStored"  # the keyword that says "in the product's database": set only after the commit
SEEN = b"\\Seen"
FAILURES = (IMAPClientError, OSError, socket.timeout, ssl.SSLError)


@dataclass(frozen=True)
class ImapAccount:
    """How to log in to one mailbox."""

    host: str
    port: int
    username: str
    password: str
    use_ssl: bool = True
    starttls: bool = False
    ca_file: str = ""
    folder: str = "INBOX"
    timeout: float = 30.0


def account_for(settings, address: str) -> ImapAccount:
    """The IMAP account of a division mailbox from the COMPLAINTS_IMAP_* settings."""
    passwords = json.loads(settings.imap_passwords) if settings.imap_passwords else {}
    password = {k.lower(): v for k, v in passwords.items()}.get(address.lower(), settings.imap_password)
    return ImapAccount(settings.imap_host, settings.imap_port, settings.imap_username.replace("{mailbox}", address),
                       password, settings.imap_ssl, settings.imap_starttls, settings.imap_ca_file,
                       settings.imap_folder, settings.imap_timeout)


@dataclass
class PollReport:
    """What one visit to a mailbox did; `error` is set when the server could not be reached or refused us."""

    mailbox: str
    outcomes: list[str] = field(default_factory=list)
    error: str | None = None


class ImapMailboxReader:
    """Takes every message not yet stored from one mailbox into the product.

    `before_flag(uid, taken)` runs between the commit and the flag (the crash drill uses it)."""

    def __init__(self, account: ImapAccount, mailbox: Mailbox, intake: MailIntake,
                 before_flag: Callable[[int, TakenIn], None] | None = None):
        self.account, self.mailbox, self.intake = account, mailbox, intake
        self.before_flag = before_flag

    def _connect(self) -> IMAPClient:
        context = ssl.create_default_context(cafile=self.account.ca_file or None)
        client = IMAPClient(self.account.host, self.account.port, ssl=self.account.use_ssl,
                            ssl_context=context if self.account.use_ssl else None, timeout=self.account.timeout)
        client.normalise_times = False  # INTERNALDATE with its zone, not converted to local time
        if self.account.starttls and not self.account.use_ssl:
            client.starttls(context)
        client.login(self.account.username, self.account.password)
        return client

    def poll(self, idle_seconds: float = 0) -> PollReport:
        """Store what is new, then (given time and IDLE) wait for more; a server fault is reported, never raised."""
        report = PollReport(self.mailbox.address)
        try:
            client = self._connect()
            try:
                self._drain(client, report)
                if idle_seconds > 0 and b"IDLE" in client.capabilities():
                    self.intake.record_contact(self.mailbox, None)  # reached: say so before waiting
                    self._idle(client, idle_seconds, report)
            finally:
                try:
                    client.logout()
                except FAILURES:
                    pass
        except FAILURES as exc:
            report.error = f"{type(exc).__name__}: {exc}"[:500] if str(exc) else type(exc).__name__
            log.warning("mail in: the %s mailbox of %s could not be read: %s", self.mailbox.purpose,
                        self.mailbox.division, report.error)
        self.intake.record_contact(self.mailbox, report.error)
        return report

    def _idle(self, client: IMAPClient, seconds: float, report: PollReport) -> None:
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            client.idle()
            try:
                responses = client.idle_check(timeout=min(left, 25 * 60))  # servers drop IDLE after ~29 minutes
            finally:
                client.idle_done()
            if any(b"EXISTS" in response for response in responses):
                self._drain(client, report)

    def _drain(self, client: IMAPClient, report: PollReport) -> None:
        folder = client.select_folder(self.account.folder)
        validity = folder.get(b"UIDVALIDITY", 0)
        keywords = b"\\*" in folder.get(b"PERMANENTFLAGS", ())
        # without custom keywords the server offers only \Seen, so a message a person opened first is missed:
        # docs/mail-in.md says to give the product's login its own mailbox rights
        for uid in sorted(client.search(["NOT", "KEYWORD", STORED] if keywords else ["UNSEEN"])):
            facts = client.fetch([uid], ["RFC822.SIZE", "INTERNALDATE"]).get(uid)
            if not facts:
                continue
            uid_key, size, internal = f"{validity}:{uid}", facts[b"RFC822.SIZE"], facts.get(b"INTERNALDATE")
            try:
                taken = self._take(client, uid, uid_key, size, internal)
            except FAILURES:
                raise
            except Exception as exc:  # left unflagged, so it is tried again; the messages after it still go in now
                # the type only: a database error's text carries the statement's parameters, personal data included
                log.error("mail in: message %s of the %s mailbox of %s could not be stored (%s)", uid_key,
                          self.mailbox.purpose, self.mailbox.division, type(exc).__name__)
                report.outcomes.append("failed")
                continue
            if self.before_flag is not None:
                self.before_flag(uid, taken)
            client.add_flags([uid], [SEEN, STORED] if keywords else [SEEN])
            report.outcomes.append(taken.outcome)


    def _take(self, client: IMAPClient, uid: int, uid_key: str, size: int, internal) -> TakenIn:
        if size > self.intake.settings.mail_max_bytes:
            headers = client.fetch([uid], ["BODY.PEEK[HEADER]"])[uid][b"BODY[HEADER]"]
            return self.intake.refuse_large(self.mailbox, headers, size, source="imap", uid_key=uid_key,
                                            internal_date=internal)
        raw = client.fetch([uid], ["BODY.PEEK[]"])[uid][b"BODY[]"]
        return self.intake.take(self.mailbox, raw, source="imap", uid_key=uid_key, internal_date=internal)


def poll_mailbox(container, mailbox: Mailbox, idle_seconds: float = 0) -> PollReport:
    """One scheduled visit to one division mailbox."""
    intake = MailIntake(container.uow, container.clock, container.settings)
    return ImapMailboxReader(account_for(container.settings, mailbox.address), mailbox, intake).poll(idle_seconds)
