"""Sending over SMTP with smtplib: connection settings, the message built from an outbox row, failure kinds."""
from __future__ import annotations

import email.policy
import hashlib
import re
import smtplib
import ssl
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Iterator

_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LOCAL = re.compile(rf"{_ATOM}(\.{_ATOM})*")
_LABEL = re.compile(r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
# RFC 5322 allows 998; folding at 78 makes Python split subjects oddly right after "Subject:".
HEADERS_UNFOLDED = email.policy.default.clone(max_line_length=998)


class DeliveryFailed(Exception):
    """A message did not go out; `permanent` says whether trying again could help."""

    def __init__(self, message: str, *, permanent: bool):
        super().__init__(message)
        self.permanent = permanent


def is_valid_address(address: str) -> bool:
    """A plain ASCII addr-spec such as jo.bloggs@example.org: one @, a dot-atom local part, hostname labels."""
    if not address or len(address) > 254 or address.count("@") != 1:
        return False
    local, domain = address.split("@")
    return (0 < len(local) <= 64 and _LOCAL.fullmatch(local) is not None
            and all(_LABEL.fullmatch(label) for label in domain.split(".")))


def message_id_for(outbox_id: int, idempotency_key: str, domain: str) -> str:
    """The stable Message-ID of an outbox row: a resend of the same row always carries the same one."""
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:16]
    return f"<outbox-{outbox_id}.{digest}@{domain}>"


def domain_of(address: str) -> str:
    """The domain part of an address, for Message-IDs."""
    return address.rpartition("@")[2] or "localhost"


@dataclass(frozen=True)
class Outgoing:
    """An outbox row as the dispatcher sends it, detached from the database."""

    id: int
    case_id: int | None
    template: str
    addressee: str
    recipient: str
    cc: tuple[str, ...]
    reply_to: str | None
    subject: str
    body_text: str
    body_html: str
    message_id: str
    created_at: datetime
    attempts: int
    sender: str | None = None  # the division's From address; None: the dispatcher's default


def build_message(letter: Outgoing, sender: str) -> EmailMessage:
    """The same bytes for the same row on every attempt: Date, Message-ID and MIME boundary come from the row."""
    message = EmailMessage(policy=HEADERS_UNFOLDED)
    message["From"] = sender
    message["To"] = letter.recipient
    if letter.cc:
        message["Cc"] = ", ".join(letter.cc)
    if letter.reply_to:
        message["Reply-To"] = letter.reply_to
    message["Subject"] = letter.subject
    message["Date"] = format_datetime(letter.created_at)
    message["Message-ID"] = letter.message_id
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(letter.body_text)
    if letter.body_html:
        message.add_alternative(letter.body_html, subtype="html")
        message.set_boundary(f"=_outbox-{letter.id}")
    return message


class SmtpSender:
    """Delivers messages through one SMTP server, with STARTTLS or implicit TLS and login from settings."""

    def __init__(self, host: str, port: int, *, starttls: bool = False, use_ssl: bool = False, username: str = "",
                 password: str = "", timeout: float = 30.0, ca_file: str = ""):
        self.host, self.port = host, port
        self.starttls, self.use_ssl = starttls, use_ssl
        self.username, self.password = username, password
        self.timeout = timeout
        self.ca_file = ca_file

    @classmethod
    def from_settings(cls, settings) -> "SmtpSender":
        """The sender the COMPLAINTS_SMTP_* settings describe."""
        return cls(settings.smtp_host, settings.smtp_port, starttls=settings.smtp_starttls, use_ssl=settings.smtp_ssl,
                   username=settings.smtp_username, password=settings.smtp_password,
                   timeout=getattr(settings, "smtp_timeout", 30.0), ca_file=getattr(settings, "smtp_ca_file", ""))

    def _tls(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.ca_file or None)

    @contextmanager
    def connect(self) -> Iterator["SmtpConnection"]:
        """An open, authenticated session; failing to get one is a temporary failure for every letter."""
        try:
            if self.use_ssl:
                client = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=self._tls())
            else:
                client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            try:
                client.ehlo()
                if self.starttls:
                    client.starttls(context=self._tls())
                    client.ehlo()
                if self.username:
                    client.login(self.username, self.password)
            except BaseException:
                client.close()
                raise
        except smtplib.SMTPException as exc:  # e.g. a refused login or STARTTLS: a set-up fault, retried
            raise DeliveryFailed(f"the SMTP server {self.host}:{self.port} refused the session: {describe(exc)}",
                                 permanent=False) from exc
        except OSError as exc:
            raise DeliveryFailed(f"cannot reach the SMTP server {self.host}:{self.port}: {describe(exc)}",
                                 permanent=False) from exc
        try:
            yield SmtpConnection(client)
        finally:
            try:
                client.quit()
            except (smtplib.SMTPException, OSError):
                client.close()


class SmtpConnection:
    """One open SMTP session that sends messages one by one."""

    def __init__(self, client: smtplib.SMTP):
        self.client = client

    def send(self, message: EmailMessage, sender: str, recipients: list[str]) -> dict[str, str]:
        """Send; returns the recipients the server refused while accepting others, or raises DeliveryFailed."""
        try:
            refused = self.client.send_message(message, from_addr=sender, to_addrs=recipients)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            text = "; ".join(f"{addr}: {code} {reply.decode(errors='replace')}"
                             for addr, (code, reply) in exc.recipients.items())
            raise DeliveryFailed(f"the server refused every recipient ({text})",
                                 permanent=all(code >= 500 for code in codes)) from exc
        except smtplib.SMTPSenderRefused as exc:  # our own From is refused: a set-up fault, not this letter's
            raise DeliveryFailed(f"the server refused the sender: {describe(exc)}", permanent=False) from exc
        except smtplib.SMTPResponseException as exc:
            raise DeliveryFailed(f"the server rejected the message: {describe(exc)}",
                                 permanent=exc.smtp_code >= 500) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryFailed(f"the connection failed while sending: {describe(exc)}", permanent=False) from exc
        return {addr: f"{code} {reply.decode(errors='replace')}" for addr, (code, reply) in refused.items()}


def describe(exc: BaseException) -> str:
    """An SMTP error in one line, with its reply code when there is one."""
    if isinstance(exc, smtplib.SMTPResponseException):
        reply = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return f"{exc.smtp_code} {' '.join(reply.split())}"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
