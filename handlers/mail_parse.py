"""Reading a raw email: its true received time, sender, subject, plain text (or HTML made safe) and attachments."""
from __future__ import annotations

import email.policy
import hashlib
import html
import re
from datetime import datetime, timezone
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr, parsedate_to_datetime

import nh3

from processes.mail_in import InboundMail, IncomingAttachment

KEPT_HEADERS = ("auto-submitted", "x-autoreply", "x-autorespond", "precedence", "content-type", "return-path")
ADDRESS_HEADERS = ("to", "cc", "delivered-to", "x-original-to", "envelope-to")
BLOCK_EDGE = re.compile(r"(?i)<br\s*/?>|</?(p|div|li|tr|h[1-6]|blockquote)\b[^>]*>")


def parse_mail(raw: bytes, *, internal_date: datetime | None = None, envelope_to: tuple[str, ...] = ()) -> InboundMail:
    """An InboundMail from the bytes of a message; `internal_date` is the server's receipt time when known."""
    message = BytesParser(policy=email.policy.default).parsebytes(raw)
    name, sender = parseaddr(_header(message, "from"))
    recipients = tuple(dict.fromkeys(
        [a.strip().lower() for a in envelope_to]
        + [addr.strip().lower() for _, addr in getaddresses([_header(message, h) for h in ADDRESS_HEADERS]) if addr]))
    text, safe_html = _body(message)
    return InboundMail(
        message_id=_clean(_header(message, "message-id")).strip()
        or f"<sha256-{hashlib.sha256(raw).hexdigest()}@mail-in>",
        received_at=_as_utc(internal_date) or _first_received(message) or _date(_header(message, "date")),
        sender=_clean(sender).strip(), sender_name=_clean(name).strip(), recipients=recipients,
        subject=" ".join(_clean(_header(message, "subject")).split()), body_text=_clean(text),
        body_html=_clean(safe_html), size=len(raw),
        attachments=tuple(_attachments(message)),
        headers={h: _header(message, h) for h in KEPT_HEADERS if message.get(h) is not None})


def parse_headers_only(raw_headers: bytes, size: int, internal_date: datetime | None) -> InboundMail:
    """Enough of a message to refuse it (sender, subject, Message-ID) without downloading its body."""
    mail = parse_mail(raw_headers, internal_date=internal_date)
    return InboundMail(mail.message_id, mail.received_at, mail.sender, mail.sender_name, mail.recipients,
                       mail.subject, "", "", size, (), mail.headers)


def sanitise_html(markup: str) -> str:
    """HTML with scripts, styles, event handlers and remote resources removed (ammonia's safe list)."""
    return nh3.clean(markup, tags=nh3.ALLOWED_TAGS - {"img"}, link_rel="noopener noreferrer nofollow")


def text_of_html(markup: str) -> str:
    """The words of an HTML body, line breaks kept, every tag dropped."""
    stripped = nh3.clean(BLOCK_EDGE.sub("\n", markup), tags=set(), clean_content_tags={"script", "style"})
    lines = [" ".join(line.split()) for line in html.unescape(stripped).splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _clean(text: str) -> str:
    # a NUL cannot be stored in a PostgreSQL text column: left in, one malformed message would block its mailbox
    return text.replace("\x00", "")


def _header(message: EmailMessage, name: str) -> str:
    try:
        value = message.get(name)
        return str(value) if value is not None else ""
    except (ValueError, TypeError, IndexError):  # a malformed header is read as absent, not as a crash
        raw = message.get_all(name, failobj=[""])
        return str(raw[0]) if raw else ""


def _body(message: EmailMessage) -> tuple[str, str]:
    plain = message.get_body(preferencelist=("plain",))
    rich = message.get_body(preferencelist=("html",))
    safe_html = sanitise_html(_content(rich)) if rich is not None else ""
    if plain is not None:
        return _content(plain).strip(), safe_html
    if rich is not None:
        return text_of_html(_content(rich)), safe_html
    return "", ""


def _content(part) -> str:
    try:
        content = part.get_content()
    except (LookupError, ValueError, AssertionError):  # an unknown charset or a broken encoding
        content = part.get_payload(decode=True) or b""
    return content.decode("utf-8", errors="replace") if isinstance(content, bytes) else str(content)


def _attachments(message: EmailMessage):
    for part in message.iter_attachments():
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            yield IncomingAttachment(_clean(part.get_filename() or "attachment"), payload)


def _first_received(message: EmailMessage) -> datetime | None:
    """The topmost Received header's date: when the receiving server (ours) took the message."""
    for value in message.get_all("received", failobj=[]):
        _, _, stamp = str(value).rpartition(";")
        found = _date(stamp.strip())
        if found is not None:
            return found
    return None


def _date(value: str) -> datetime | None:
    if not value:
        return None
    try:
        return _as_utc(parsedate_to_datetime(value))
    except (TypeError, ValueError, IndexError):
        return None


def _as_utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)
