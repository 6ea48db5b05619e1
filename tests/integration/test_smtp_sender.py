"""The SMTP sender against a real SMTP server (aiosmtpd on 127.0.0.1), plus the server fixture the outbox tests use."""
from __future__ import annotations

import socket
import subprocess
from dataclasses import dataclass
from datetime import datetime, timezone
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from handlers.demo_mail import start_demo_mail
from handlers.smtp import DeliveryFailed, Outgoing, SmtpSender, build_message, is_valid_address, message_id_for


@dataclass
class Received:
    """A message as the SMTP server took delivery of it."""

    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage

    @property
    def message_id(self) -> str:
        return self.message["Message-ID"]


class Catcher:
    """An aiosmtpd handler that keeps every message, and refuses recipients or data when told to."""

    def __init__(self):
        self.received: list[Received] = []
        self.refused_recipients: dict[str, str] = {}
        self.temporary_data_failures = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused_recipients:
            return self.refused_recipients[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.temporary_data_failures > 0:
            self.temporary_data_failures -= 1
            return "451 4.3.0 Temporary local problem, try again later"
        message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


class SmtpServer:
    """A real SMTP server on a free local port that tests can start, stop and inspect."""

    def __init__(self, port: int, **controller_options):
        self.host, self.port = "127.0.0.1", port
        self.handler = Catcher()
        self.options = controller_options
        self.controller: Controller | None = None

    def start(self) -> "SmtpServer":
        self.controller = Controller(self.handler, hostname=self.host, port=self.port, **self.options)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def sender(self, **options) -> SmtpSender:
        return SmtpSender(self.host, self.port, timeout=5, **options)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    """A running SMTP server that keeps what it receives."""
    server = SmtpServer(free_port()).start()
    yield server
    server.stop()


@pytest.fixture
def smtp_server_down():
    """An SMTP server that is not running yet: connections are refused until the test starts it."""
    server = SmtpServer(free_port())
    yield server
    server.stop()


def letter(**changes) -> Outgoing:
    values = dict(id=7, case_id=None, template="acknowledgement", addressee="complainant", recipient="jo@example.org",
                  cc=("advocate@example.org",), reply_to="IAComplaints@interventionsalliance.com",
                  subject="Interventions Alliance: we have received your complaint (IA-2026-000001)",
                  body_text="Dear Jo,\n\nThank you.\n", body_html="<p>Dear Jo,</p><p>Thank you.</p>\n",
                  message_id=message_id_for(7, "IA-2026-000001:t:acknowledgement:complainant", "seetec.example"),
                  created_at=datetime(2026, 12, 23, 10, tzinfo=timezone.utc), attempts=1)
    values.update(changes)
    return Outgoing(**values)


def send(sender: SmtpSender, outgoing: Outgoing) -> dict:
    with sender.connect() as connection:
        return connection.send(build_message(outgoing, "complaints@seetec.example"), "complaints@seetec.example",
                               [outgoing.recipient, *outgoing.cc])


def test_a_letter_arrives_with_text_html_reply_to_and_its_stable_message_id(smtp_server):
    send(smtp_server.sender(), letter())

    [got] = smtp_server.received
    assert got.rcpt_tos == ["jo@example.org", "advocate@example.org"]
    assert got.message_id == letter().message_id
    assert got.message["Cc"] == "advocate@example.org"
    assert got.message["Reply-To"] == "IAComplaints@interventionsalliance.com"
    assert got.message["Auto-Submitted"] == "auto-generated"
    assert got.message.get_body(("plain",)).get_content().replace("\r\n", "\n") == "Dear Jo,\n\nThank you.\n"
    assert "<p>Dear Jo,</p>" in got.message.get_body(("html",)).get_content()


def test_the_same_row_builds_the_same_bytes_on_every_attempt():
    first = build_message(letter(attempts=1), "complaints@seetec.example").as_bytes()
    again = build_message(letter(attempts=5), "complaints@seetec.example").as_bytes()
    assert first == again


def test_message_ids_differ_between_rows_and_keys():
    assert message_id_for(1, "a", "x.org") != message_id_for(2, "a", "x.org")
    assert message_id_for(1, "a", "x.org") != message_id_for(1, "b", "x.org")
    assert message_id_for(1, "a", "x.org").startswith("<outbox-1.") and message_id_for(1, "a", "x.org").endswith(
        "@x.org>")


def test_a_server_that_is_down_is_a_temporary_failure(smtp_server_down):
    with pytest.raises(DeliveryFailed) as failure:
        send(smtp_server_down.sender(), letter())
    assert not failure.value.permanent
    assert "cannot reach the SMTP server" in str(failure.value)


def test_a_refused_recipient_is_a_permanent_failure_naming_the_code(smtp_server):
    smtp_server.handler.refused_recipients["jo@example.org"] = "550 5.1.1 No such user"
    with pytest.raises(DeliveryFailed) as failure:
        send(smtp_server.sender(), letter(cc=()))
    assert failure.value.permanent
    assert "550" in str(failure.value) and "jo@example.org" in str(failure.value)


def test_a_refused_copy_is_reported_while_the_letter_goes_to_the_recipient(smtp_server):
    smtp_server.handler.refused_recipients["advocate@example.org"] = "550 5.1.1 No such user"
    refused = send(smtp_server.sender(), letter())
    assert list(refused) == ["advocate@example.org"]
    assert [r.rcpt_tos for r in smtp_server.received] == [["jo@example.org"]]


def test_a_4xx_reply_to_the_message_is_a_temporary_failure(smtp_server):
    smtp_server.handler.temporary_data_failures = 1
    with pytest.raises(DeliveryFailed) as failure:
        send(smtp_server.sender(), letter())
    assert not failure.value.permanent and "451" in str(failure.value)


def test_the_sender_logs_in_when_a_username_is_set(smtp_server_down):
    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.password == b"s3cret"
        logins.append((mechanism, ok))
        return AuthResult(success=ok, handled=False)

    server = SmtpServer(smtp_server_down.port, authenticator=authenticator, auth_require_tls=False).start()
    try:
        send(server.sender(username="complaints", password="s3cret"), letter())
        with pytest.raises(DeliveryFailed) as failure:
            send(server.sender(username="complaints", password="wrong"), letter())
    finally:
        server.stop()
    assert len(server.received) == 1 and logins[0][1] and not logins[-1][1]
    assert not failure.value.permanent  # a bad password is the set-up's fault: retry, then fail visibly
    assert "refused the session: 535" in str(failure.value)


def test_starttls_upgrades_the_connection_before_sending(tmp_path, smtp_server_down):
    import ssl
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(cert), str(key))
    server = SmtpServer(smtp_server_down.port, tls_context=context, require_starttls=True).start()
    try:
        with pytest.raises(DeliveryFailed):
            send(server.sender(), letter())  # plain text is refused by a server that insists on TLS
        send(server.sender(starttls=True, ca_file=str(cert)), letter())
    finally:
        server.stop()
    assert len(server.received) == 1


def test_addresses_are_checked_before_sending():
    assert is_valid_address("jo.bloggs+complaints@example.org")
    assert is_valid_address("IAComplaints@interventionsalliance.com")
    for bad in ("", "jo", "jo@", "@example.org", "jo@@example.org", "jo bloggs@example.org", "jo@exa mple.org",
                "jo@example..org", "jo.@example.org", "jo@example.org\r\nBcc: x@y.org", "<jo@example.org>"):
        assert not is_valid_address(bad), bad


def test_the_demo_mail_server_saves_each_message_as_an_eml_file(tmp_path):
    port = free_port()
    controller = start_demo_mail("127.0.0.1", port, tmp_path / "mail")
    try:
        send(SmtpSender("127.0.0.1", port, timeout=5), letter())
        assert start_demo_mail("127.0.0.1", port, tmp_path / "other") is None  # the port is taken: no second one
    finally:
        controller.stop()
    [saved] = (tmp_path / "mail").glob("*.eml")
    content = saved.read_bytes()
    assert b"X-Envelope-To: jo@example.org, advocate@example.org" in content
    assert letter().message_id.encode() in content
