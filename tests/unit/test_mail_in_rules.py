"""Mail-in rules without a database: which mailboxes are read, what is not intake, tokens, and reading an email."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace

from handlers.mail_parse import parse_mail
from handlers.reply_tokens import ReplyTokens
from processes.mail_in import InboundMail, mailboxes_of, not_intake_reason, received_time
from tests.mail_support import email

DIVISIONS = json.loads((Path(__file__).parents[2] / "bpmn" / "divisions.json").read_text())
OWN = frozenset({"complaints@seetec.example"})


def mail(**changes) -> InboundMail:
    values = dict(message_id="<a@b>", received_at=None, sender="pat@example.org", sender_name="Pat",
                  recipients=(), subject="My complaint", body_text="text", body_html="", size=10, headers={})
    return InboundMail(**{**values, **changes})


def test_every_division_mailbox_the_policies_name_is_read_for_intake():
    divisions = [SimpleNamespace(code=d["code"], config=d["config"]) for d in DIVISIONS]
    read = {(m.division, m.address) for m in mailboxes_of(divisions)}

    assert {("IA", "IAComplaints@interventionsalliance.com"), ("IA", "IAfeedback@interventionsalliance.com"),
            ("EUK", "QualityandCompliance@seetecpluss.co.uk"), ("EUK", "feedback@seetecpluss.co.uk"),
            ("ST", "TrainingComplaints@seetec.co.uk"), ("ST", "feedback@seetec.co.uk")} <= read


def test_a_plain_email_from_a_person_is_intake():
    assert not_intake_reason(mail(), OWN) is None
    assert not_intake_reason(mail(headers={"auto-submitted": "no"}), OWN) is None


def test_automatic_mail_bounces_out_of_office_and_our_own_sender_are_not_intake():
    for case in (mail(headers={"auto-submitted": "auto-generated"}), mail(headers={"x-autoreply": "yes"}),
                 mail(headers={"precedence": "bulk"}), mail(subject="Automatic reply: My complaint"),
                 mail(sender="MAILER-DAEMON@mx.example.net"), mail(headers={"return-path": "<>"}),
                 mail(headers={"content-type": "multipart/report; report-type=delivery-status"}),
                 mail(sender="Complaints@Seetec.example")):
        assert not_intake_reason(case, OWN), case


def test_a_received_time_in_the_future_or_missing_is_read_as_now():
    now = datetime(2026, 12, 23, 10, tzinfo=timezone.utc)
    assert received_time(mail(received_at=datetime(2027, 1, 5, tzinfo=timezone.utc)), now) == now
    assert received_time(mail(), now) == now
    assert received_time(mail(received_at=datetime(2026, 12, 1, tzinfo=timezone.utc)), now) == datetime(
        2026, 12, 1, tzinfo=timezone.utc)


def test_a_reply_token_names_its_case_and_a_forged_or_foreign_one_names_none():
    tokens = ReplyTokens("secret")
    address = tokens.address("IAComplaints@interventionsalliance.com", "IA-2026-000042")

    assert address.startswith("IAComplaints+ia-2026-000042.")
    assert tokens.reference_in(("someone@example.org", address.upper())) == "IA-2026-000042"
    assert ReplyTokens("other secret").reference_in((address,)) is None
    assert tokens.reference_in((address.replace("000042", "000043"),)) is None


def test_the_servers_receipt_time_beats_the_received_header_which_beats_the_senders_date():
    raw = email("x", "y", date=datetime(2026, 11, 29, 22, 0, tzinfo=timezone.utc),
                headers={"Received": "from mx by us; Mon, 30 Nov 2026 09:15:00 +0000"})
    internal = datetime(2026, 11, 30, 9, 16, tzinfo=timezone.utc)

    assert parse_mail(raw, internal_date=internal).received_at == internal
    assert parse_mail(raw).received_at == datetime(2026, 11, 30, 9, 15, tzinfo=timezone.utc)
    assert parse_mail(email("x", "y", date=datetime(2026, 11, 29, 22, 0, tzinfo=timezone.utc))).received_at == \
        datetime(2026, 11, 29, 22, 0, tzinfo=timezone.utc)


def test_an_html_only_email_is_read_as_text_and_its_html_is_made_safe():
    raw = (b"From: Pat <pat@example.org>\r\nTo: IAComplaints@interventionsalliance.com\r\nSubject: hi\r\n"
           b"Content-Type: text/html; charset=utf-8\r\n\r\n"
           b"<p onclick=\"steal()\">Hello <b>team</b> &amp; co</p><script>alert(1)</script>"
           b"<img src=\"http://tracker.example/x.gif\"><a href=\"javascript:alert(1)\">link</a><p>Bye</p>")
    found = parse_mail(raw)

    assert found.body_text == "Hello team & co\nlink\nBye"
    for unsafe in ("onclick", "<script", "<img", "javascript:"):
        assert unsafe not in found.body_html
    assert "<b>team</b>" in found.body_html


def test_nul_bytes_are_dropped_from_what_an_email_says():
    raw = (b"From: P\x00at <pat@example.org>\r\nSubject: bro\x00ken\r\nContent-Type: text/plain\r\n\r\n"
           b"hello\x00world\r\n")
    found = parse_mail(raw)

    assert (found.sender_name, found.subject, found.body_text) == ("Pat", "broken", "helloworld")
