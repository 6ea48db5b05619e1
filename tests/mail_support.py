"""A private Dovecot IMAP server for the mail-in tests (its own config, passwd-file logins, a free port), and
builders for the emails the tests send."""
from __future__ import annotations

import email.policy as email_policy
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import pytest

DOVECOT = shutil.which("dovecot") or ("/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None)
PASSWORD = "mailbox-secret"
CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = {login_user}
default_internal_user = {internal_user}
first_valid_uid = {uid}
last_valid_uid = {uid}
mail_location = maildir:{root}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
protocol imap {{
  mail_max_userip_connections = 50
{capability}}}
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Dovecot:
    """One dovecot started in the foreground (`dovecot -F -c <config>`) that tests can stop and start again."""

    def __init__(self, mailboxes: list[str], capability: str | None = None):
        self.root = Path(tempfile.mkdtemp(prefix="dovecot-"))
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        if os.geteuid() == 0:  # dovecot will not run mail processes as root: use its own unprivileged accounts
            mail_user, login_user, internal_user = pwd.getpwnam("dovecot"), "dovenull", "dovecot"
        else:
            mail_user = pwd.getpwuid(os.geteuid())
            login_user = internal_user = mail_user.pw_name
        self.uid, self.gid = mail_user.pw_uid, mail_user.pw_gid
        (self.root / "mail").mkdir()
        os.chmod(self.root, 0o755)
        if os.geteuid() == 0:
            os.chown(self.root / "mail", self.uid, self.gid)
        (self.root / "passwd").write_text("".join(f"{m.lower()}:{{PLAIN}}{PASSWORD}::::::\n" for m in mailboxes))
        self.config = self.root / "dovecot.conf"
        self.config.write_text(CONFIG.format(root=self.root, port=self.port, uid=self.uid, gid=self.gid,
                                             login_user=login_user, internal_user=internal_user,
                                             capability=f"  imap_capability = {capability}\n" if capability else ""))

    def start(self) -> None:
        self.process = subprocess.Popen([DOVECOT, "-F", "-c", str(self.config)], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE)
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as connection:
                    if connection.recv(100).startswith(b"* OK"):
                        return
            except OSError:
                time.sleep(0.05)
            if self.process.poll() is not None:
                raise RuntimeError(f"dovecot exited: {self.process.stderr.read().decode()} {self.log()}")
        raise RuntimeError(f"dovecot did not answer on port {self.port}: {self.log()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None
        for _ in range(100):  # the port is free again once the listener is gone
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.1).close()
                time.sleep(0.05)
            except OSError:
                return

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text()[-2000:] if path.exists() else ""

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def client(self, mailbox: str):
        """A logged-in IMAPClient on the mailbox, for putting mail in and looking at its flags."""
        from imapclient import IMAPClient
        client = IMAPClient("127.0.0.1", self.port, ssl=False, timeout=10)
        client.login(mailbox, PASSWORD)
        return client

    def deliver(self, mailbox: str, raw: bytes, received) -> None:
        """Put a message in the mailbox's INBOX with the server's receipt time (INTERNALDATE) given."""
        with self.client(mailbox) as client:
            client.append("INBOX", raw, msg_time=received)

    def flags(self, mailbox: str) -> list[set[bytes]]:
        with self.client(mailbox) as client:
            client.select_folder("INBOX", readonly=True)
            uids = client.search(["ALL"])
            found = client.fetch(uids, ["FLAGS"]) if uids else {}
            return [set(found[uid][b"FLAGS"]) for uid in sorted(found)]


@pytest.fixture(scope="session")
def dovecot_server():
    """A private Dovecot for the session, with a login for every shipped division mailbox."""
    if DOVECOT is None:
        pytest.skip("mail-in IMAP tests need the dovecot binary (apt-get install dovecot-imapd)")
    import json
    divisions = json.loads((Path(__file__).parents[1] / "bpmn" / "divisions.json").read_text())
    boxes = [d["config"][k] for d in divisions for k in ("complaints_mailbox", "feedback_mailbox")]
    server = Dovecot(boxes)
    server.start()
    yield server
    server.remove()


def email(subject: str, body: str, *, sender: str = "Pat Jones <pat@example.org>",
          to: str = "IAComplaints@interventionsalliance.com", date=None, message_id: str | None = None,
          headers: dict | None = None, attachments: list[tuple[str, str, bytes]] = (), html: str | None = None
          ) -> bytes:
    """The bytes of an email as a mail client would send it."""
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, to, subject
    if date is not None:
        message["Date"] = format_datetime(date)
    message["Message-ID"] = message_id or f"<{os.urandom(8).hex()}@example.org>"
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    if html is not None:
        message.add_alternative(html, subtype="html")
    for filename, kind, content in attachments:
        maintype, subtype = kind.split("/")
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return message.as_bytes(policy=email_policy.SMTP)  # CRLF line ends, as on the wire
