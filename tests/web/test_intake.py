"""Public complaint and compliment forms, the private status link, and staff intake."""
from __future__ import annotations

import re
from datetime import timedelta

from tests.web.conftest import login

COMPLAINT = {"summary": "I waited an hour and nobody saw me.", "happened_on": "2026-12-01", "on_behalf": "no",
             "name": "Pat Jones", "email": "pat@example.org", "contact_preference": "email", "needs_support": "yes",
             "language": "Welsh", "formats": "large_print"}


def _submit(client, division="IA", **changes):
    response = client.post(f"/public/{division}/complaint", data={**COMPLAINT, **changes, "step": "check"})
    assert response.status_code == 302, response.get_data(as_text=True)
    html = client.get(response.location).get_data(as_text=True)
    reference = re.search(r'id="reference">([^<]+)<', html).group(1)
    link = re.search(r'id="status-link" href="([^"]+)"', html).group(1)
    return reference, link.replace("http://localhost", "")


def test_the_public_landing_page_lists_a_complaint_and_compliment_form_per_division(client):
    html = client.get("/public").get_data(as_text=True)
    for code in ("IA", "EUK", "ST", "PL"):
        assert f"/public/{code}/complaint" in html and f"/public/{code}/compliment" in html
    assert client.get("/").location.endswith("/public")


def test_the_complaint_form_asks_one_thing_per_step_and_checks_each_step(client):
    first = client.get("/public/IA/complaint").get_data(as_text=True)
    assert "What happened?" in first and "step 1 of 5" in first and 'id="f-name"' not in first
    empty = client.post("/public/IA/complaint", data={"step": "about", "summary": ""})
    assert empty.status_code == 400
    assert "There is a problem" in empty.get_data(as_text=True) and 'href="#f-summary"' in empty.get_data(as_text=True)
    second = client.post("/public/IA/complaint", data={"step": "about", "summary": "Something"})
    assert second.status_code == 200 and "step 2 of 5" in second.get_data(as_text=True)
    assert 'type="hidden" name="summary" value="Something"' in second.get_data(as_text=True)
    back = client.post("/public/IA/complaint", data={"step": "behalf", "summary": "Something", "goto": "about"})
    assert "step 1 of 5" in back.get_data(as_text=True)


def test_a_missing_name_and_contact_are_asked_for_unless_the_person_stays_anonymous(client):
    response = client.post("/public/IA/complaint", data={**COMPLAINT, "name": "", "email": "", "step": "you"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "or choose to stay anonymous" in html
    assert "at least one way to contact you" in html
    anonymous = client.post("/public/IA/complaint", data={**COMPLAINT, "name": "", "email": "", "give_name": "no",
                                                          "step": "you"})
    assert anonymous.status_code == 200 and "step 4 of 5" in anonymous.get_data(as_text=True)
    future = client.post("/public/IA/complaint", data={**COMPLAINT, "happened_on": "2027-05-01", "step": "about"})
    assert future.status_code == 400 and "today or in the past" in future.get_data(as_text=True)


def test_submitting_gives_a_reference_and_a_private_status_link(client, webtest):
    reference, link = _submit(client)
    assert reference.startswith("IA-2026-")
    status = client.get(link)
    assert status.status_code == 200 and reference in status.get_data(as_text=True)
    with webtest.uow() as uow:
        case = uow.cases.by_reference(reference)
        assert case.channel == "web" and case.complainant["support_needs"]["language"] == "Welsh"
        token = link.rsplit("/", 1)[1]
        assert case.access_token_hash and token not in case.access_token_hash
        assert case.access_expires_at > webtest.clock.now() + timedelta(days=300)


def test_the_confirmation_is_shown_once(client):
    _submit(client)
    assert client.get("/public/submitted").status_code == 302


def test_a_wrong_or_expired_status_link_is_404(client, webtest):
    reference, link = _submit(client)
    assert client.get("/public/status/not-a-real-token").status_code == 404
    webtest.clock.advance(days=400)
    assert client.get(link).status_code == 404


def test_the_status_link_is_rate_limited(webtest, staff):
    from web import create_app
    from web.extensions import limiter
    client = create_app(webtest, TESTING=True, WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=True).test_client()
    limiter.reset()
    for _ in range(20):
        client.get("/public/status/guess")
    assert client.get("/public/status/guess").status_code == 429


def test_escalation_is_not_offered_before_any_reply_and_a_forced_request_changes_nothing(client, webtest):
    reference, link = _submit(client)
    login(client, "ia.team")
    from tests.web.conftest import RECORD_FORM, open_task
    client.post(f"/tasks/{open_task(webtest, reference)}", data=RECORD_FORM)
    client.post("/logout")
    login(client, "ia.manager")
    client.post(f"/tasks/{open_task(webtest, reference)}", data={"investigating_officer": "ia.officer"})
    client.post("/logout")
    page = client.get(link).get_data(as_text=True)  # the case waits for an escalation, but no reply was ever sent
    assert "Not happy with our reply" not in page and "Ask for a formal investigation" not in page
    forced = client.post(link, data={"message": "escalation_requested", "reasons": "Not good enough"})
    assert forced.status_code == 409 and "could not take this request" in forced.get_data(as_text=True)
    with webtest.uow() as uow:
        assert uow.cases.by_reference(reference).status == "open"


def test_asking_for_something_the_case_is_not_ready_for_gets_a_plain_409(client):
    _, link = _submit(client)
    response = client.post(link, data={"message": "escalation_requested", "reasons": "Too early"})
    assert response.status_code == 409 and "could not take this request" in response.get_data(as_text=True)


def test_a_compliment_needs_only_the_compliment_itself(client, webtest):
    with webtest.uow() as uow:
        ia = uow.divisions.by_code("IA")
        ia.config = {**ia.config, "processes": {**ia.config["processes"], "compliment": "web_test"}}
        uow.commit()
    bad = client.post("/public/IA/compliment", data={"summary": ""})
    assert bad.status_code == 400 and 'href="#f-summary"' in bad.get_data(as_text=True)
    good = client.post("/public/IA/compliment", data={"summary": "Sam was brilliant", "may_share": "yes"})
    assert good.status_code == 302


def test_an_unknown_division_has_no_public_forms(client):
    assert client.get("/public/XX/complaint").status_code == 404


def test_html_in_a_public_complaint_is_shown_escaped_on_the_status_page(client):
    _, link = _submit(client, summary="<script>alert(1)</script>", name="<b>Pat</b>")
    html = client.get(link).get_data(as_text=True)
    assert "<script>alert" not in html and "<b>Pat" not in html


def test_staff_record_a_phone_complaint_with_its_true_received_date_and_channel(client, webtest):
    login(client, "ia.team")
    assert "Record a complaint" in client.get("/cases/new").get_data(as_text=True)
    response = client.post("/cases/new", data={
        "division": "IA", "kind": "complaint", "channel": "phone", "received_on": "2026-12-18",
        "received_time": "14:30", "summary": "Called about a missed payment", "name": "Sam Lee", "phone": "0123"})
    assert response.status_code == 302
    reference = response.location.rsplit("/", 1)[1]
    with webtest.uow() as uow:
        case = uow.cases.by_reference(reference)
        assert case.channel == "phone" and case.received_at.isoformat() == "2026-12-18T14:30:00+00:00"


def test_staff_intake_refuses_a_future_date_another_division_and_missing_answers(client):
    login(client, "ia.team")
    future = client.post("/cases/new", data={"division": "IA", "kind": "complaint", "channel": "post",
                                             "received_on": "2027-01-30", "summary": "x", "name": "A", "phone": "1"})
    assert future.status_code == 400 and "future" in future.get_data(as_text=True)
    other = client.post("/cases/new", data={"division": "EUK", "kind": "complaint", "channel": "post",
                                            "received_on": "2026-12-20", "summary": "x", "name": "A", "phone": "1"})
    assert other.status_code == 400 and "Choose one of your divisions" in other.get_data(as_text=True)
    empty = client.post("/cases/new", data={"division": "IA"})
    html = empty.get_data(as_text=True)
    assert empty.status_code == 400 and 'href="#f-kind"' in html and 'href="#f-received_on"' in html
