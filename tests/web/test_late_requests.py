"""A late escalation is judged by the day it was received against its window, whether or not the timer sweep has
run: recorded as out of time, answered in writing, and the case carries on as the window closing says."""
from __future__ import annotations

from datetime import datetime, timezone
from types import SimpleNamespace

import pytest

from processes.intake import issue_access_token
from scheduler import sweep_timers
from tests.web.conftest import api, login
from tests.web.test_recorded_messages import responded  # noqa: F401  (the fixture)

# stage 1 reply sent Wed 23 Dec 2026: the escalation window's last day is Mon 11 Jan 2027 (Christmas, Boxing Day
# and New Year's Day are bank holidays in England)
TUE_12_JAN_2027 = datetime(2027, 1, 12, 11, 0, tzinfo=timezone.utc)
MON_11_JAN_2027 = datetime(2027, 1, 11, 16, 0, tzinfo=timezone.utc)


def _state(webtest, reference):
    with webtest.uow() as uow:
        case = uow.cases.by_reference(reference)
        deadlines = {d.kind: d.status for d in uow.deadlines.for_case(case.id)}
        letters = [SimpleNamespace(addressee=o.addressee, subject=o.subject, body_text=o.body_text)
                   for o in uow.outbox.for_case(case.id) if o.template == "request_out_of_time"]
        events = [e.element if e.kind == "timer_fired" else e.kind for e in uow.events.for_case(case.id)]
        return case.status, case.stage, deadlines, letters, events


def _assert_recorded_out_of_time(webtest, reference, received="Tuesday 12 January 2027"):
    status, stage, deadlines, letters, events = _state(webtest, reference)
    assert status == "closed" and stage == "informal"  # the window closed: stage 1 was the end of it
    assert deadlines["escalation_window"] != "running"
    assert events.count("request_out_of_time") == 1 and "message_delivered" not in events
    assert "escalation_window_closes" in events and events.index("escalation_window_closes") < events.index(
        "case_closed")
    (letter,) = letters
    assert letter.addressee == "complainant" and "arrived after the time limit" in letter.subject
    assert f"which we received on {received}" in letter.body_text
    assert "The last day to make it was Monday 11 January 2027" in letter.body_text
    assert "within 10 working days of the date of our written reply" in letter.body_text
    assert "informal stage 1 is our response to your complaint, and your complaint is now closed" in letter.body_text


def test_staff_recording_an_escalation_the_day_after_the_window_closed_records_it_out_of_time(client, webtest,
                                                                                              responded):  # noqa: F811
    webtest.clock.set(TUE_12_JAN_2027)  # no sweep has run: the window's timer is still waiting
    assert _state(webtest, responded)[2]["escalation_window"] == "running"
    login(client, "ia.team")
    response = client.post(f"/cases/{responded}/messages", data={
        "message": "escalation_requested", "received_on": "2027-01-12", "channel": "email", "reasons": "Unhappy"})
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "Recorded as out of time" in page and "Monday 11 January 2027" in page
    _assert_recorded_out_of_time(webtest, responded)


def test_an_escalation_received_on_the_last_day_and_recorded_later_is_in_time(client, webtest,
                                                                              responded):  # noqa: F811
    webtest.clock.set(TUE_12_JAN_2027)
    login(client, "ia.team")
    response = client.post(f"/cases/{responded}/messages", data={
        "message": "escalation_requested", "received_on": "2027-01-11", "channel": "post", "reasons": "Unhappy"})
    assert response.status_code == 302
    status, stage, deadlines, letters, events = _state(webtest, responded)
    assert status == "open" and stage == "formal" and deadlines["escalation_window"] == "met"
    assert letters == [] and "request_out_of_time" not in events


def test_the_api_refuses_a_late_escalation_with_out_of_time_and_records_it(client, webtest, staff,
                                                                           responded):  # noqa: F811
    webtest.clock.set(TUE_12_JAN_2027)
    response = client.post(f"/api/v1/cases/{responded}/messages", headers=api("ia.team", staff), json={
        "message": "escalation_requested", "reasons": "Unhappy", "received_at": "2027-01-12T10:00:00Z",
        "channel": "email"})
    assert response.status_code == 409 and response.json["error"]["code"] == "out_of_time"
    assert "after the last day to make it (Monday 11 January 2027)" in response.json["error"]["message"]
    _assert_recorded_out_of_time(webtest, responded)
    again = client.post(f"/api/v1/cases/{responded}/messages", headers=api("ia.team", staff), json={
        "message": "escalation_requested", "reasons": "Unhappy", "received_at": "2027-01-12T10:00:00Z",
        "channel": "email"})  # the same late request twice is one letter, one record
    assert again.status_code == 409
    assert len(_state(webtest, responded)[3]) == 1 and _state(webtest, responded)[4].count("request_out_of_time") == 1


@pytest.fixture
def link(webtest, responded):  # noqa: F811
    return f"/public/status/{issue_access_token(webtest.uow(), responded, webtest.clock.now())}"


def test_the_status_page_stops_offering_escalation_after_the_last_day_even_before_a_sweep(client, webtest, link):
    webtest.clock.set(MON_11_JAN_2027)
    page = client.get(link).get_data(as_text=True)
    assert "Not happy with our reply" in page and "Monday 11 January 2027" in page
    webtest.clock.set(TUE_12_JAN_2027)
    page = client.get(link).get_data(as_text=True)
    assert "Not happy with our reply" not in page


def test_an_escalation_sent_from_a_page_opened_in_time_but_sent_late_is_recorded_out_of_time(client, webtest, link,
                                                                                            responded):  # noqa: F811
    webtest.clock.set(TUE_12_JAN_2027)
    response = client.post(link, data={"message": "escalation_requested", "reasons": "Still unhappy"})
    assert response.status_code == 302
    page = client.get(link).get_data(as_text=True)
    assert "after the last day to make it (Monday 11 January 2027)" in page
    assert "recorded as out of time" in page and "Closed" in page
    _assert_recorded_out_of_time(webtest, responded)


def test_a_late_request_after_the_sweep_closed_the_case_is_still_recorded_out_of_time(client, webtest, staff,
                                                                                      responded):  # noqa: F811
    webtest.clock.set(TUE_12_JAN_2027)
    assert sweep_timers(webtest) >= 1
    assert _state(webtest, responded)[0] == "closed"
    response = client.post(f"/api/v1/cases/{responded}/messages", headers=api("ia.team", staff), json={
        "message": "escalation_requested", "reasons": "Unhappy", "received_at": "2027-01-12T10:00:00Z",
        "channel": "email"})
    assert response.status_code == 409 and response.json["error"]["code"] == "out_of_time"
    assert len(_state(webtest, responded)[3]) == 1


@pytest.fixture
def awaiting_permission(app, webtest):
    """An IA complaint made on someone's behalf, waiting for their written permission since Wed 23 Dec 2026."""
    from processes import lifecycle
    from processes.access import SYSTEM
    from tests.bpmn.test_group_support import triage_answers
    from tests.web.conftest import open_case, open_task
    with webtest.uow() as uow:
        ia = uow.divisions.by_code("IA")
        ia.config = {**ia.config, "processes": {**ia.config["processes"], "complaint": "group_complaint"}}
        uow.commit()
    reference = open_case(webtest, on_behalf=True, behalf_name="Sam Jones")
    lifecycle.complete_task(webtest.uow(), webtest.runtime, open_task(webtest, reference),
                            triage_answers(on_behalf_of_someone=True), SYSTEM)
    with webtest.uow() as uow:
        case = uow.cases.by_reference(reference)
        consent = [d for d in uow.deadlines.for_case(case.id) if d.kind == "consent"]
        assert consent and consent[0].status == "running"
    return reference


def test_written_permission_received_after_its_last_day_is_recorded_out_of_time(client, webtest,
                                                                               awaiting_permission):
    # 20 working days from Wed 23 Dec 2026 is Mon 25 Jan 2027; no sweep has run on the 26th
    webtest.clock.set(datetime(2027, 1, 26, 11, 0, tzinfo=timezone.utc))
    login(client, "ia.team")
    response = client.post(f"/cases/{awaiting_permission}/messages", data={
        "message": "consent_received", "received_on": "2027-01-26", "channel": "post", "reasons": ""})
    assert response.status_code == 302
    assert "Recorded as out of time" in client.get(response.location).get_data(as_text=True)
    status, _, deadlines, letters, events = _state(webtest, awaiting_permission)
    assert status == "closed" and deadlines["consent"] != "running" and "message_delivered" not in events
    (letter,) = letters
    assert "the last day to send it to us was Monday 25 January 2027" in letter.body_text
    assert "which we received on Tuesday 26 January 2027" in letter.body_text


def test_after_the_last_day_the_status_page_says_the_window_has_passed(client, webtest, link):
    webtest.clock.set(TUE_12_JAN_2027)
    html = client.get(link).get_data(as_text=True)
    assert "The last day to ask for a formal investigation (formal stage 2) was Monday 11 January 2027" in html
    assert "A request made now is out of time" in html
