"""A local debugging SMTP server for the one-machine demo: every message it receives is saved as an .eml file."""
from __future__ import annotations

import hashlib
import logging
import re
import socket
import threading
from email.parser import BytesHeaderParser
from pathlib import Path

from aiosmtpd.controller import Controller

log = logging.getLogger(__name__)


class MailDrop:
    """An aiosmtpd handler that files each message under a folder, named in arrival order."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._count = len(list(self.folder.glob("*.eml")))

    async def handle_DATA(self, server, session, envelope):
        """Save the message as received, with its envelope, and accept it."""
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode("utf-8")
        headers = BytesHeaderParser().parsebytes(content)
        message_id = headers.get("Message-ID", "")
        trace = (f"X-Envelope-From: {envelope.mail_from}\r\n"
                 f"X-Envelope-To: {', '.join(envelope.rcpt_tos)}\r\n").encode()
        with self._lock:
            self._count += 1
            name = f"{self._count:05d}-{_slug(envelope.rcpt_tos[0] if envelope.rcpt_tos else 'unknown')}-" \
                   f"{hashlib.sha256(message_id.encode()).hexdigest()[:8]}.eml"
            (self.folder / name).write_bytes(trace + content)
        log.info("demo mail: %s to %s recipient(s) saved in %s", message_id, len(envelope.rcpt_tos), self.folder)
        return "250 Message accepted for delivery"


def _slug(address: str) -> str:
    return re.sub(r"[^A-Za-z0-9@._-]+", "_", address)[:60]


def start_demo_mail(host: str, port: int, folder: Path) -> Controller | None:
    """Start the catcher on host:port in a background thread; None (and a log line) if the port is taken."""
    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.bind((host, port))
        controller = Controller(MailDrop(folder), hostname=host, port=port)
        controller.start()
    except (OSError, RuntimeError) as exc:
        log.warning("demo mail server not started on %s:%s (%s); is another SMTP catcher running?", host, port, exc)
        return None
    log.info("demo mail server on %s:%s saves messages under %s", host, port, folder)
    return controller
