"""The triage queue of emailed intake: scoped to the division's complaints team, CSRF-protected, one triage wins."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import func, select

from handlers.mail_intake import MailIntake
from processes.mail_in import Mailbox
from storage import models as m
from storage.files import StoredFile
from storage.mail_models import MailItem
from tests.mail_support import email
from tests.web.conftest import login

IA = Mailbox("IAComplaints@interventionsalliance.com", "IA", "complaints_mailbox")
RECEIVED = datetime(2026, 11, 30, 9, 15, tzinfo=timezone.utc)
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def emailed(container, subject="My adviser never called", body="I was promised a call on Friday.") -> int:
    raw = email(subject, body, sender="Robin Shaw <robin@example.org>",
                attachments=[("proof.pdf", "application/pdf", PDF)])
    taken = MailIntake(container.uow, container.clock, container.settings).take(IA, raw, source="smtp",
                                                                                 internal_date=RECEIVED)
    return taken.item_id


def state(container, item_id: int) -> tuple:
    with container.session_factory() as session:
        item = session.get(MailItem, item_id)
        return item.status, item.case_id, session.scalar(select(func.count()).select_from(m.Case))


def test_the_divisions_complaints_team_sees_the_email_in_its_queue(client, webtest):
    item_id = emailed(webtest)
    login(client, "ia.team")

    page = client.get("/emails").get_data(as_text=True)

    assert "My adviser never called" in page and "robin@example.org" in page and "Mon 30 Nov 2026, 09:15" in page
    shown = client.get(f"/emails/{item_id}").get_data(as_text=True)
    assert "I was promised a call on Friday." in shown and "proof.pdf" in shown


def test_triaging_an_email_into_a_complaint_opens_a_case_from_its_received_time_with_its_attachment(
        client, webtest):
    item_id = emailed(webtest)
    login(client, "ia.team")

    response = client.post(f"/emails/{item_id}/triage", data={"decision": "complaint", "name": "Robin Shaw"})

    assert response.status_code == 302 and "/cases/IA-2026-" in response.headers["Location"]
    with webtest.session_factory() as session:
        item = session.get(MailItem, item_id)
        case = session.get(m.Case, item.case_id)
        files = list(session.scalars(select(StoredFile).where(StoredFile.case_id == case.id)))
        events = list(session.scalars(select(m.Event.kind).where(m.Event.case_id == case.id)))
    assert (item.status, item.decision) == ("triaged", "complaint")
    assert (case.kind, case.channel, case.received_at) == ("complaint", "email", RECEIVED)
    assert case.complainant["name"] == "Robin Shaw" and case.complainant["email"] == "robin@example.org"
    assert case.summary.startswith("My adviser never called")
    assert [(f.filename, f.content_type) for f in files] == [("proof.pdf", "application/pdf")]
    assert "email_received" in events
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "My adviser never called" in page and "Received from robin@example.org" in page  # its correspondence
    assert "My adviser never called" not in client.get("/emails").get_data(as_text=True)


def test_an_email_triaged_as_not_a_complaint_leaves_the_queue_without_a_case(client, webtest):
    item_id = emailed(webtest, subject="Can I change my appointment?")
    login(client, "ia.team")

    client.post(f"/emails/{item_id}/triage", data={"decision": "not_a_complaint"})

    assert state(webtest, item_id) == ("closed", None, 0)


def test_another_divisions_staff_cannot_see_or_triage_the_email(client, webtest):
    item_id = emailed(webtest)
    before = state(webtest, item_id)
    login(client, "euk.team")

    assert "My adviser never called" not in client.get("/emails").get_data(as_text=True)
    assert client.get(f"/emails/{item_id}").status_code == 404
    assert client.post(f"/emails/{item_id}/triage", data={"decision": "complaint"}).status_code == 404
    assert state(webtest, item_id) == before == ("new", None, 0)


def test_staff_without_the_complaints_team_role_are_refused_the_queue(client, webtest):
    emailed(webtest)
    login(client, "ia.officer")

    assert client.get("/emails").status_code == 403


def test_an_email_can_be_triaged_only_once(client, webtest):
    item_id = emailed(webtest)
    login(client, "ia.team")
    client.post(f"/emails/{item_id}/triage", data={"decision": "complaint"})

    again = client.post(f"/emails/{item_id}/triage", data={"decision": "compliment"})

    assert again.status_code == 409
    with webtest.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(m.Case)) == 1


def test_an_unknown_triage_choice_is_refused_naming_the_field(client, webtest):
    item_id = emailed(webtest)
    login(client, "ia.team")

    response = client.post(f"/emails/{item_id}/triage", data={"decision": "spam"})

    assert response.status_code == 400 and "Choose what this email is" in response.get_data(as_text=True)
    assert state(webtest, item_id) == ("new", None, 0)


def test_the_triage_form_needs_its_csrf_token(app, webtest):
    item_id = emailed(webtest)
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    login_page = client.get("/login").get_data(as_text=True)
    token = login_page.split('name="csrf_token" value="')[1].split('"')[0]
    client.post("/login", data={"username": "ia.team", "password": "correct-horse-battery", "csrf_token": token})

    assert client.post(f"/emails/{item_id}/triage", data={"decision": "complaint"}).status_code == 400
    assert state(webtest, item_id) == ("new", None, 0)


def test_an_emailed_attachment_downloads_only_as_an_attachment(client, webtest):
    item_id = emailed(webtest)
    login(client, "ia.team")
    page = client.get(f"/emails/{item_id}").get_data(as_text=True)
    link = page.split('href="')[[i for i, part in enumerate(page.split('href="')) if "/files/" in part][0]]
    response = client.get(link.split('"')[0])

    assert response.data == PDF and response.headers["Content-Disposition"].startswith("attachment;")


def test_the_demo_emails_wait_in_their_divisions_queues_once_however_often_they_are_loaded(client, webtest):
    from demo_emails import load_emails
    load_emails(webtest)
    load_emails(webtest)
    login(client, "ia.team")

    page = client.get("/emails").get_data(as_text=True)

    assert page.count("Complaint about my probation appointments") == 1  # the auto-reply is not intake
    assert "Question about my next course" not in page  # another division's
