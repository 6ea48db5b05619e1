"""Mail in over IMAP against a real Dovecot: intake items, replies, what is kept out, crashes, size and outages."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from handlers.dispatch import OutboxDispatcher
from handlers.imap_intake import STORED, ImapMailboxReader, account_for
from handlers.mail_intake import MailIntake
from handlers.reply_tokens import ReplyTokens
from processes.access import SYSTEM
from processes.mail_in import Mailbox
from processes.mail_triage import triage_queue
from scheduler import read_mailbox
from settings import Settings
from storage import models as m
from storage.mail_models import MailAttachment, MailboxContact, MailItem
from tests.integration.test_outbox_dispatch import route_to_demo
from tests.integration.test_smtp_sender import smtp_server  # noqa: F401  (fixture)
from tests.mail_support import PASSWORD, dovecot_server, email  # noqa: F401  (fixture)
from tests.web.conftest import open_case

IA = "IAComplaints@interventionsalliance.com"
IA_MAILBOX = Mailbox(IA, "IA", "complaints_mailbox")
ROOT = Path(__file__).resolve().parents[2]
SERVER_RECEIVED = datetime(2026, 11, 30, 9, 15, tzinfo=timezone.utc)  # INTERNALDATE: when Dovecot took it
SENDER_CLOCK = datetime(2026, 11, 29, 22, 40, tzinfo=timezone.utc)  # the Date header: the sender's idea
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def settings(database_url, dovecot_server):  # noqa: F811
    return Settings(database_url=database_url, clock="demo", sweep_seconds=0.2, worker_name="test-worker",
                    imap_host="127.0.0.1", imap_port=dovecot_server.port, imap_ssl=False, imap_password=PASSWORD,
                    imap_poll_seconds=5)


@pytest.fixture
def mailbox(dovecot_server):  # noqa: F811
    """The IA complaints mailbox, emptied before the test."""
    with dovecot_server.client(IA) as client:
        client.select_folder("INBOX")
        uids = client.search(["ALL"])
        if uids:
            client.delete_messages(uids)
            client.expunge()
    return dovecot_server


def reader(container, **options) -> ImapMailboxReader:
    intake = MailIntake(container.uow, container.clock, container.settings)
    return ImapMailboxReader(account_for(container.settings, IA), IA_MAILBOX, intake, **options)


def items(container) -> list[MailItem]:
    with container.session_factory() as session:
        return list(session.scalars(select(MailItem).order_by(MailItem.id)))


def outbox(container, template: str) -> list[m.Outbox]:
    with container.session_factory() as session:
        return list(session.scalars(select(m.Outbox).where(m.Outbox.template == template)))


def stored_flags(server) -> list[bool]:
    return [STORED.encode() in flags and b"\\Seen" in flags for flags in server.flags(IA)]


def claimed_by_a_handler(container, reference: str) -> str:
    """Give the case's open task to a member of staff; returns their address."""
    with container.uow() as uow:
        user = uow.users.add(username="ia.handler", display_name="Sam Handler", email="sam.handler@example.org")
        uow.users.add_membership(user.id, uow.divisions.by_code("IA").id, "complaints_team")
        for task in uow.tasks.open_for_case(uow.cases.by_reference(reference).id):
            task.assignee_id = user.id
        uow.commit()
    return "sam.handler@example.org"


def test_an_emailed_complaint_with_an_attachment_becomes_an_intake_item_received_when_the_server_got_it(
        container, mailbox):
    raw = email("My adviser missed two appointments", "I waited an hour on 20 November and nobody came.",
                date=SENDER_CLOCK, html="<p>I waited an hour<script>alert(1)</script></p>",
                attachments=[("letter.pdf", "application/pdf", PDF), ("run.exe", "application/octet-stream",
                                                                        b"MZ\x90\x00\x03\x00")])
    mailbox.deliver(IA, raw, SERVER_RECEIVED)

    report = reader(container).poll()

    assert report.error is None and report.outcomes == ["new"]
    [item] = items(container)
    assert (item.status, item.received_at, item.sender, item.sender_name) == (
        "new", SERVER_RECEIVED, "pat@example.org", "Pat Jones")
    assert item.subject == "My adviser missed two appointments"
    assert item.body_text == "I waited an hour on 20 November and nobody came."  # the plain part is preferred
    assert "<script" not in item.body_html and "I waited an hour" in item.body_html
    assert item.notes == ["run.exe was not kept: the file must be a pdf, png image, jpeg image, plain text, "
                          "word document"]
    with container.session_factory() as session:
        [kept] = session.scalars(select(MailAttachment).where(MailAttachment.item_id == item.id))
        assert (kept.filename, kept.content_type, kept.size, kept.content) == ("letter.pdf", "application/pdf",
                                                                                len(PDF), PDF)
    assert stored_flags(mailbox) == [True]
    [line] = triage_queue(container.uow(), SYSTEM).emails
    assert (line.division, line.subject, line.received_at) == ("IA", item.subject, SERVER_RECEIVED)


def test_a_reply_to_a_letter_threads_into_its_case_by_the_token_in_its_reply_to_and_tells_the_handler(
        container, mailbox, smtp_server):  # noqa: F811
    route_to_demo(container)  # the demo diagram acknowledges at once
    handler = claimed_by_a_handler(container, reference := open_case(container, "IA", email="pat@example.org"))
    dispatcher = OutboxDispatcher(container.uow, smtp_server.sender(), container.clock, owner="test",
                                  sender_address=container.settings.mail_from,
                                  reply_tokens=ReplyTokens(container.settings.secret_key))
    dispatcher.dispatch()
    [letter] = [r.message for r in smtp_server.received if r.message["To"] == "pat@example.org"]
    reply_to = letter["Reply-To"]
    assert reply_to.startswith("IAComplaints+") and reply_to.endswith("@interventionsalliance.com")
    mailbox.deliver(IA, email("Re: your letter", "Thank you, here is the date you asked for.", to=reply_to,
                              headers={"In-Reply-To": letter["Message-ID"]}), SERVER_RECEIVED)

    assert reader(container).poll().outcomes == ["reply"]

    [item] = items(container)
    with container.session_factory() as session:
        case = session.scalars(select(m.Case).where(m.Case.reference == reference)).one()
        kinds = list(session.scalars(select(m.Event.kind).where(m.Event.case_id == case.id)))
    assert (item.status, item.case_id) == ("reply", case.id)
    assert "email_received" in kinds
    [notice] = outbox(container, "reply_received")
    assert (notice.case_id, notice.recipient) == (case.id, handler) and reference in notice.subject
    assert triage_queue(container.uow(), SYSTEM).emails == []  # a reply is not new intake
    assert stored_flags(mailbox) == [True]


def test_a_reply_naming_the_case_in_its_subject_threads_only_when_it_comes_from_the_complainant(
        container, mailbox):
    reference = open_case(container, "IA", email="pat@example.org")
    mailbox.deliver(IA, email(f"Re: your complaint {reference}", "More detail."), SERVER_RECEIVED)
    mailbox.deliver(IA, email(f"About {reference}", "I am someone else.", sender="other@example.net"),
                    SERVER_RECEIVED)
    forged = f"IAComplaints+{reference.lower()}.000000000000@interventionsalliance.com"
    mailbox.deliver(IA, email("hello", "A forged token.", sender="other@example.net", to=forged), SERVER_RECEIVED)

    assert reader(container).poll().outcomes == ["reply", "new", "new"]


@pytest.mark.parametrize("headers, sender, subject", [
    ({"Auto-Submitted": "auto-replied"}, "pat@example.org", "Re: your complaint"),
    ({"X-Autoreply": "yes"}, "pat@example.org", "Thanks"),
    ({"Precedence": "auto_reply"}, "pat@example.org", "Thanks"),
    ({}, "pat@example.org", "Out of Office: back on Monday"),
    ({}, "Mail Delivery System <MAILER-DAEMON@mx.example.net>", "Undelivered Mail Returned to Sender"),
    ({}, "complaints@seetec.example", "IA-2026-000001: we have received your complaint"),
], ids=["auto-submitted", "x-autoreply", "precedence", "out-of-office", "bounce", "own-sender"])
def test_automatic_mail_bounces_out_of_office_and_our_own_letters_are_kept_out_of_intake(
        container, mailbox, headers, sender, subject):
    mailbox.deliver(IA, email(subject, "automatic text", sender=sender, headers=headers), SERVER_RECEIVED)

    assert reader(container).poll().outcomes == ["ignored"]

    [item] = items(container)
    assert item.status == "ignored" and item.reason and item.body_text == ""
    assert triage_queue(container.uow(), SYSTEM).emails == []
    assert outbox(container, "mail_refused") == []
    assert stored_flags(mailbox) == [True]


def test_the_same_message_twice_in_the_mailbox_is_taken_in_once(container, mailbox):
    raw = email("Complaint", "Sent twice by my phone.", message_id="<same-message@example.org>")
    mailbox.deliver(IA, raw, SERVER_RECEIVED)
    mailbox.deliver(IA, raw, SERVER_RECEIVED)

    assert reader(container).poll().outcomes == ["new", "duplicate"]

    assert [i.status for i in items(container)] == ["new"]
    assert stored_flags(mailbox) == [True, True]


def test_a_worker_killed_between_storing_and_flagging_loses_and_doubles_nothing(container, mailbox, settings):
    mailbox.deliver(IA, email("First complaint", "one", message_id="<first@example.org>"), SERVER_RECEIVED)
    mailbox.deliver(IA, email("Second complaint", "two", message_id="<second@example.org>"), SERVER_RECEIVED)

    doomed = subprocess.run([sys.executable, "-m", "tests.integration.mail_crash_worker", settings.database_url,
                             str(mailbox.port), IA], cwd=ROOT, capture_output=True, text=True, timeout=120,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})

    assert doomed.returncode == -9, doomed.stderr
    assert doomed.stdout.startswith("stored new")
    assert [i.subject for i in items(container)] == ["First complaint"]  # stored and committed
    assert stored_flags(mailbox) == [False, False]  # but never flagged

    assert reader(container).poll().outcomes == ["duplicate", "new"]  # the next worker picks up where it died

    assert sorted(i.subject for i in items(container)) == ["First complaint", "Second complaint"]
    assert stored_flags(mailbox) == [True, True]


def test_a_30_mb_message_is_refused_with_a_bounce_to_the_sender_and_a_note_for_staff(container, mailbox):
    big = b"x" * (22 * 1024 * 1024)  # about 30 MB once encoded
    mailbox.deliver(IA, email("Evidence", "See the attached recording.", attachments=[
        ("recording.mp3", "application/octet-stream", big)]), SERVER_RECEIVED)

    assert reader(container).poll().outcomes == ["refused"]

    [item] = items(container)
    assert item.status == "refused" and item.size > 30_000_000 and "larger than the 25 MB limit" in item.reason
    with container.session_factory() as session:
        assert list(session.scalars(select(MailAttachment))) == []
    [bounce] = outbox(container, "mail_refused")
    assert bounce.recipient == "pat@example.org" and bounce.status == "pending" and bounce.case_id is None
    assert "larger than 25 MB" in bounce.body_text and "Evidence" in bounce.body_text
    queue = triage_queue(container.uow(), SYSTEM)
    assert queue.emails == [] and [n.sender for n in queue.notes] == ["pat@example.org"]
    assert stored_flags(mailbox) == [True]


def test_an_imap_outage_is_reported_without_crashing_and_reading_resumes_when_the_server_returns(
        container, mailbox):
    mailbox.stop()
    try:
        assert read_mailbox(container, IA_MAILBOX) == 0  # the scheduled job itself: no exception escapes
        report = reader(container).poll()
        assert report.error and "Connection refused" in report.error
        [health] = [h for h in triage_queue(container.uow(), SYSTEM).mailboxes if h.mailbox == IA]
        assert health.failing_since is not None and health.last_error
    finally:
        mailbox.start()
    mailbox.deliver(IA, email("Complaint sent during the outage", "Still there?"), SERVER_RECEIVED)

    assert reader(container).poll().outcomes == ["new"]

    with container.session_factory() as session:
        contact = session.get(MailboxContact, IA)
        assert contact.failing_since is None and contact.last_error is None and contact.last_ok_at is not None


def test_a_worker_waiting_on_idle_takes_in_a_message_as_it_arrives(container, mailbox):
    found = {}
    worker = threading.Thread(target=lambda: found.setdefault("report", reader(container).poll(idle_seconds=4)))
    worker.start()
    for _ in range(100):  # deliver once the worker is waiting (its first visit found the mailbox empty)
        with container.session_factory() as session:
            if session.get(MailboxContact, IA) is not None or not worker.is_alive():
                break
        time.sleep(0.05)
    time.sleep(0.3)
    mailbox.deliver(IA, email("Arrived while idling", "hello"), SERVER_RECEIVED)
    worker.join(timeout=30)

    assert found["report"].outcomes == ["new"]
    assert [i.subject for i in items(container)] == ["Arrived while idling"]


def test_the_scheduler_reads_every_division_mailbox_as_a_job_of_its_own_when_imap_is_set(container):
    from scheduler import make_scheduler
    scheduler = make_scheduler(container)

    jobs = {job.id: job for job in scheduler.get_jobs()}

    assert f"read_mailbox:{IA.lower()}" in jobs and "read_mailbox:trainingcomplaints@seetec.co.uk" in jobs
    assert len([j for j in jobs if j.startswith("read_mailbox:")]) == 8
    assert jobs[f"read_mailbox:{IA.lower()}"].executor == "mail"


def test_a_server_without_idle_is_polled_and_the_visit_ends_at_once(container, dovecot_server):  # noqa: F811
    from tests.mail_support import Dovecot
    plain = Dovecot([IA], capability="IMAP4rev1 LITERAL+ UIDPLUS")  # what an older server offers: no IDLE
    plain.start()
    try:
        plain.deliver(IA, email("Polled", "no idle here"), SERVER_RECEIVED)
        with plain.client(IA) as client:
            assert b"IDLE" not in client.capabilities()
        intake = MailIntake(container.uow, container.clock, container.settings)
        account = replace(account_for(container.settings, IA), port=plain.port)

        report = ImapMailboxReader(account, IA_MAILBOX, intake).poll(idle_seconds=600)  # would hang if it idled
    finally:
        plain.remove()

    assert report.outcomes == ["new"] and [i.subject for i in items(container)] == ["Polled"]


def test_two_workers_reading_one_mailbox_at_once_take_each_message_in_once(container, mailbox):
    for n in range(6):
        mailbox.deliver(IA, email(f"Complaint {n}", "body", message_id=f"<race-{n}@example.org>"), SERVER_RECEIVED)
    reports = []
    workers = [threading.Thread(target=lambda: reports.append(reader(container).poll())) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)

    assert sorted(i.subject for i in items(container)) == [f"Complaint {n}" for n in range(6)]
    assert sum(r.outcomes.count("new") for r in reports) == 6 and all(r.error is None for r in reports)
    assert stored_flags(mailbox) == [True] * 6


def test_a_message_with_nul_bytes_is_stored_without_them_and_does_not_block_the_mailbox(container, mailbox):
    raw = (b"From: Pat <pat@example.org>\r\nTo: " + IA.encode() + b"\r\nSubject: bro\x00ken\r\n"
           b"Message-ID: <nul@example.org>\r\nContent-Type: text/plain\r\n\r\nhello\x00world\r\n")
    mailbox.deliver(IA, raw, SERVER_RECEIVED)
    mailbox.deliver(IA, email("After it", "fine"), SERVER_RECEIVED)

    assert reader(container).poll().outcomes == ["new", "new"]

    stored = [(i.subject, i.body_text) for i in items(container)]
    assert [s.replace("\ufffd", "") for s, _ in stored] == ["broken", "After it"]  # some servers mark the NUL
    assert not any("\x00" in text for pair in stored for text in pair)


def test_a_message_that_cannot_be_stored_stays_unflagged_for_the_next_visit_and_blocks_no_other(container, mailbox):
    class FailingOnce(MailIntake):  # the real intake, failing for one message as a database fault would
        def take(self, box, raw, **kwargs):
            if b"Subject: Unlucky" in raw:
                raise RuntimeError("storage fault")
            return super().take(box, raw, **kwargs)

    mailbox.deliver(IA, email("Unlucky", "first"), SERVER_RECEIVED)
    mailbox.deliver(IA, email("Lucky", "second"), SERVER_RECEIVED)
    failing = FailingOnce(container.uow, container.clock, container.settings)

    report = ImapMailboxReader(account_for(container.settings, IA), IA_MAILBOX, failing).poll()

    assert report.outcomes == ["failed", "new"] and stored_flags(mailbox) == [False, True]
    assert reader(container).poll().outcomes == ["new"]
    assert sorted(i.subject for i in items(container)) == ["Lucky", "Unlucky"]
    assert stored_flags(mailbox) == [True, True]
