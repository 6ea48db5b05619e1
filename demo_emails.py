"""Demo emails in the division mailboxes' triage queues, so a first run shows mail in (docs/mail-in.md)."""
from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime

from handlers.mail_intake import MailIntake

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
EMAILS = [  # (mailbox, sender, subject, text, hours ago, extra headers, attachment)
    ("IAComplaints@interventionsalliance.com", "Jordan Ellis <jordan.ellis@example.org>",
     "Complaint about my probation appointments", "My appointments were cancelled three times without notice. "
     "I have attached the letter I was sent.\n\nJordan Ellis", 26, {}, ("cancellation-letter.pdf", PDF)),
    ("QualityandCompliance@seetecpluss.co.uk", "Sam Okafor <sam.okafor@example.org>",
     "Question about my next course", "Could you tell me when the next digital skills course starts?", 5, {}, None),
    ("feedback@seetec.co.uk", "Priya Shah <priya.shah@example.org>", "Thank you to my tutor",
     "I want to say how much my tutor Alex helped me pass my exam.", 3, {}, None),
    ("IAComplaints@interventionsalliance.com", "Jordan Ellis <jordan.ellis@example.org>",
     "Automatic reply: Complaint about my probation appointments", "I am away until Monday.", 2,
     {"Auto-Submitted": "auto-replied"}, None),
]


def load_emails(container) -> int:
    """Take the demo emails in through the same path as real mail (idempotent by Message-ID); returns how many."""
    intake = MailIntake(container.uow, container.clock, container.settings)
    boxes = {m.address: m for m in intake.mailboxes()}
    now = container.clock.now()
    for n, (address, sender, subject, text, hours, headers, attachment) in enumerate(EMAILS):
        if address not in boxes:
            continue
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = sender, address, subject
        message["Date"] = format_datetime(now - timedelta(hours=hours))
        message["Message-ID"] = f"<demo-{n}@demo.example>"
        for name, value in headers.items():
            message[name] = value
        message.set_content(text)
        if attachment:
            message.add_attachment(attachment[1], maintype="application", subtype="pdf", filename=attachment[0])
        intake.take(boxes[address], message.as_bytes(), source="smtp", internal_date=now - timedelta(hours=hours))
    return len(EMAILS)
