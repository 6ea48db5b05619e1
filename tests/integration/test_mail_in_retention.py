"""Retention reaches the emails a case was opened from: anonymising the case scrubs them and drops their files."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select

from handlers.mail_intake import MailIntake
from processes.access import SYSTEM
from processes.mail_in import Mailbox
from processes.mail_triage import triage_mail
from storage.mail_models import MailAttachment, MailItem
from tests.mail_support import email

IA = Mailbox("IAComplaints@interventionsalliance.com", "IA", "complaints_mailbox")
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def test_anonymising_a_case_scrubs_the_email_it_was_opened_from_and_its_attachments(container):
    raw = email("About my adviser", "My name and story.", attachments=[("proof.pdf", "application/pdf", PDF)])
    taken = MailIntake(container.uow, container.clock, container.settings).take(
        IA, raw, source="smtp", internal_date=datetime(2026, 11, 30, 9, 15, tzinfo=timezone.utc))
    reference = triage_mail(container.uow(), container.runtime, SYSTEM, taken.item_id, "complaint")

    with container.reporting_uow() as uow:
        uow.retention.anonymise(uow.cases.by_reference(reference).id, None, container.clock.now())
        uow.commit()

    with container.session_factory() as session:
        item = session.get(MailItem, taken.item_id)
        assert (item.sender, item.sender_name, item.body_text, item.body_html) == ("anonymised", "", "", "")
        assert item.subject == f"{reference} (anonymised)"
        assert list(session.scalars(select(MailAttachment))) == []
