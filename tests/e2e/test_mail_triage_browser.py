"""An emailed complaint in a real browser: it arrives over SMTP at the division mailbox, the division's complaints
team triages it into a complaint by clicking, and another division's staff cannot reach it."""
from __future__ import annotations

import smtplib

import pytest
from sqlalchemy import func, select

from handlers.mail_intake import MailIntake
from handlers.smtp_intake import start_intake_smtp
from storage import models as m
from storage.mail_models import MailItem
from tests.e2e.conftest import serious_violations, shot, sign_in
from tests.integration.test_smtp_sender import free_port
from tests.mail_support import email

pytestmark = pytest.mark.e2e
SUBJECT = "Complaint about my appointments <b>please read</b>"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def state(container) -> tuple:
    with container.session_factory() as session:
        item = session.scalars(select(MailItem).where(MailItem.subject == SUBJECT)).one()
        cases = session.scalar(select(func.count()).select_from(m.Case).where(m.Case.channel == "email"))
        return item.id, item.status, item.case_id, cases


def test_an_emailed_complaint_is_triaged_into_a_case_by_its_division_and_hidden_from_another(served, page):
    base, container = served["url"], served["container"]
    port = free_port()
    controller = start_intake_smtp("127.0.0.1", port,
                                   MailIntake(container.uow, container.clock, container.settings))
    try:
        raw = email(SUBJECT, "Nobody came to my appointment on Monday.", sender="Alex Brown <alex@example.org>",
                    attachments=[("letter.pdf", "application/pdf", PDF)])
        with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
            client.sendmail("alex@example.org", ["IAComplaints@interventionsalliance.com"], raw)
    finally:
        controller.stop()
    item_id, *before = state(container)
    assert before == ["new", None, 0]

    # another division's complaints team: not in their queue, and the page itself is not found
    sign_in(page, base, "euk.team")
    page.click("nav a:has-text('Emails')")
    assert SUBJECT not in page.inner_text("main")
    response = page.goto(f"{base}/emails/{item_id}")
    assert response.status == 404
    assert state(container) == (item_id, "new", None, 0)

    # the division's own complaints team finds it in their queue and triages it by clicking
    sign_in(page, base, "ia.team")
    page.click("nav a:has-text('Emails')")
    assert SUBJECT in page.inner_text("main") and "alex@example.org" in page.inner_text("main")
    assert serious_violations(page) == []
    shot(page, "mail-triage-queue")
    page.click("main a:has-text('Complaint about my appointments')")
    assert "Nobody came to my appointment on Monday." in page.inner_text("main")
    assert "letter.pdf" in page.inner_text("main")
    assert serious_violations(page) == []
    shot(page, "mail-triage-email")
    page.check("#f-decision-complaint")
    with page.expect_navigation():
        page.click("button:has-text('Triage the email')")

    _, status, case_id, cases = state(container)
    assert (status, cases) == ("triaged", 1)
    with container.session_factory() as session:
        reference = session.get(m.Case, case_id).reference
    assert f"/cases/{reference}" in page.url
    assert f"Case {reference} opened from the email as a complaint." in page.inner_text("main")
    page.click("nav a:has-text('Emails')")
    assert "No emails are waiting for triage." in page.inner_text("main")
