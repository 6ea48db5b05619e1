"""Mail in through the inbound SMTP endpoint (the embedded default's catcher): the same rules as over IMAP."""
from __future__ import annotations

import smtplib
from email import message_from_bytes

import pytest
from sqlalchemy import select

from handlers.demo_mail import MailDrop
from handlers.mail_intake import MailIntake
from handlers.reply_tokens import ReplyTokens
from handlers.smtp_intake import start_intake_smtp
from processes.access import SYSTEM
from processes.mail_triage import triage_queue
from storage import models as m
from storage.mail_models import MailAttachment, MailItem
from tests.integration.test_smtp_sender import free_port
from tests.mail_support import email
from tests.web.conftest import open_case

IA = "IAComplaints@interventionsalliance.com"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def endpoint(container, tmp_path):
    """The catcher `complaints serve` starts, on a free port, filing .eml copies as the demo does."""
    port = free_port()
    controller = start_intake_smtp("127.0.0.1", port, MailIntake(container.uow, container.clock, container.settings),
                                   MailDrop(tmp_path / "mail"))
    yield port
    controller.stop()


def send(port: int, raw: bytes, to: list[str] | None = None) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
        client.sendmail("pat@example.org", to or [message_from_bytes(raw)["To"]], raw)


def items(container) -> list[MailItem]:
    with container.session_factory() as session:
        return list(session.scalars(select(MailItem).order_by(MailItem.id)))


def test_a_complaint_sent_to_a_division_mailbox_over_smtp_becomes_an_intake_item_received_on_arrival(
        container, clock, endpoint, tmp_path):
    send(endpoint, email("Nobody called me back", "I rang three times.",
                         attachments=[("evidence.pdf", "application/pdf", PDF)]))

    [item] = items(container)
    assert (item.status, item.source, item.received_at, item.mailbox) == ("new", "smtp", clock.now(), IA)
    with container.session_factory() as session:
        [kept] = session.scalars(select(MailAttachment))
        assert (kept.filename, kept.content) == ("evidence.pdf", PDF)
    assert [line.subject for line in triage_queue(container.uow(), SYSTEM).emails] == ["Nobody called me back"]
    assert len(list((tmp_path / "mail").glob("*.eml"))) == 1  # the demo still files a copy


def test_mail_for_an_address_that_is_no_division_mailbox_is_filed_but_not_intake(container, endpoint):
    send(endpoint, email("Hello", "Not for the complaints team.", to="someone@example.org"))

    assert items(container) == []


def test_a_reply_over_smtp_threads_into_its_case_by_its_token(container, endpoint):
    reference = open_case(container, "IA", email="pat@example.org")
    address = ReplyTokens(container.settings.secret_key).address(IA, reference)

    send(endpoint, email("Re: your acknowledgement", "Thanks.", to=address))

    [item] = items(container)
    with container.session_factory() as session:
        case_id = session.scalar(select(m.Case.id).where(m.Case.reference == reference))
    assert (item.status, item.case_id, item.mailbox) == ("reply", case_id, IA)


def test_an_auto_reply_and_a_second_copy_over_smtp_are_kept_out(container, endpoint):
    raw = email("Complaint", "Once only please.", message_id="<once@example.org>")
    send(endpoint, raw)
    send(endpoint, raw)
    send(endpoint, email("Automatic reply: Complaint", "I am away.", headers={"Auto-Submitted": "auto-replied"}))

    assert [(i.subject, i.status) for i in items(container)] == [
        ("Complaint", "new"), ("Automatic reply: Complaint", "ignored")]


def test_a_30_mb_message_over_smtp_is_refused_with_a_bounce_to_the_sender_and_a_note_for_staff(container, endpoint):
    send(endpoint, email("Video evidence", "Attached.", attachments=[
        ("video.mp4", "application/octet-stream", b"y" * (22 * 1024 * 1024))]))

    [item] = items(container)
    assert item.status == "refused" and item.size > 30_000_000 and item.body_text == ""
    with container.session_factory() as session:
        [bounce] = session.scalars(select(m.Outbox).where(m.Outbox.template == "mail_refused"))
        assert list(session.scalars(select(MailAttachment))) == []
    assert bounce.recipient == "pat@example.org" and "Video evidence" in bounce.body_text
    assert [n.subject for n in triage_queue(container.uow(), SYSTEM).notes] == ["Video evidence"]


def test_the_catcher_complaints_serve_starts_takes_in_mail_for_the_division_mailboxes(container, tmp_path):
    from dataclasses import replace

    from cli import start_demo_mail
    settings = replace(container.settings, smtp_host="127.0.0.1", smtp_port=free_port(), demo_mail=True,
                       demo_mail_dir=tmp_path / "mail")
    catcher = start_demo_mail(settings, container)
    try:
        send(settings.smtp_port, email("Compliment", "Thank you, Sam.", to="IAfeedback@interventionsalliance.com"))
    finally:
        catcher.stop()

    [item] = items(container)
    assert (item.mailbox, item.status) == ("IAfeedback@interventionsalliance.com", "new")
    assert len(list((tmp_path / "mail").glob("*.eml"))) == 1


def test_a_message_that_cannot_be_stored_is_answered_451_so_the_sending_server_tries_again(tmp_path):
    import bootstrap
    from settings import Settings
    settings = Settings(database_url=f"sqlite:///{tmp_path}/never-migrated.sqlite")
    unready = bootstrap.build(settings)  # a real database with no tables yet: every store fails
    port = free_port()
    controller = start_intake_smtp("127.0.0.1", port, MailIntake(unready.uow, unready.clock, settings))
    try:
        with pytest.raises(smtplib.SMTPDataError) as refused:
            send(port, email("Complaint", "Please keep trying."))
    finally:
        controller.stop()
        unready.engine.dispose()

    assert refused.value.smtp_code == 451
