"""Case pages show the whole case, and staff record what the complainant sent, with its true received date."""
from __future__ import annotations

import json
import re

import pytest

from tests.web.conftest import RECORD_FORM, login, open_case, open_task

pytestmark = pytest.mark.both_databases  # received dates and the case list's filters are stored and queried

INJECTION = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _to_waiting(client, webtest, summary="My adviser missed two appointments."):
    reference = open_case(webtest, summary=summary, days_ago=3)  # so that replies can be dated since
    login(client, "ia.team")
    client.post(f"/tasks/{open_task(webtest, reference)}", data=RECORD_FORM)
    client.post("/logout")
    login(client, "ia.manager")
    client.post(f"/tasks/{open_task(webtest, reference)}", data={"investigating_officer": "ia.officer"})
    return reference


def test_the_case_page_shows_summary_version_hash_and_deadlines_with_their_reasons(client, webtest):
    reference = open_case(webtest)
    login(client, "ia.team")
    html = client.get(f"/cases/{reference}").get_data(as_text=True)
    with webtest.uow() as uow:
        sha = uow.versions.get(uow.cases.by_reference(reference).version_id).sha256
    assert reference in html and "web_test" in html and sha in html
    assert "Acknowledgement due" in html
    assert "3 working days counted from Wed 23 Dec 2026" in html
    assert "Christmas Day" in html and "Boxing Day" in html


def test_the_case_page_carries_the_diagram_and_its_markers_for_the_viewer(client, webtest):
    reference = open_case(webtest)
    login(client, "ia.team")
    html = client.get(f"/cases/{reference}").get_data(as_text=True)
    block = re.search(r'<script type="application/json" id="case-diagram-data">(.*?)</script>', html, re.S).group(1)
    data = json.loads(block)
    assert "<bpmn:process id=\"web_test\"" in data["xml"]
    markers = data["state"]["markers"]["web_test"]
    assert markers["current"] == ["record"]
    assert "start" in markers["completed"] and "record_due" in markers["waiting"]
    assert data["state"]["entry"] == "web_test" and data["state"]["trails"][0][-1]["element"] == "record"
    assert "build/diagrams.js" in html and "case_diagram.js" in html and "<script>" not in html


def test_the_timeline_and_involvement_follow_what_happened(client, webtest):
    reference = _to_waiting(client, webtest)
    html = client.get(f"/cases/{reference}").get_data(as_text=True)
    assert "Case opened" in html and "Task completed" in html and "Record the details" in html
    assert "Ia Officer" in html and "investigating officer" in html and "Ia Team" in html


def test_recording_an_escalation_with_its_true_received_date_moves_the_case_on(client, webtest):
    reference = _to_waiting(client, webtest)
    response = client.post(f"/cases/{reference}/messages", data={
        "message": "escalation_requested", "reasons": "The reply ignored my main point.",
        "received_on": "2026-12-21", "channel": "post"})
    assert response.status_code == 302
    html = client.get(f"/cases/{reference}").get_data(as_text=True)
    assert "The reply ignored my main point." in html and "Upheld" in html
    with webtest.uow() as uow:
        events = uow.events.for_case(uow.cases.by_reference(reference).id)
        event = [e for e in events if e.kind == "message_delivered"][0]
        assert event.data["payload"]["received_at"].startswith("2026-12-21")
        assert event.data["payload"]["channel"] == "post"


def test_a_message_the_case_is_not_waiting_for_gets_a_clear_409(client, webtest):
    reference = open_case(webtest)
    login(client, "ia.team")
    response = client.post(f"/cases/{reference}/messages", data={
        "message": "withdrawn", "received_on": "2026-12-22", "channel": "email"})
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "could not be recorded" in html and "not waiting for" in html


def test_recording_without_reasons_or_with_a_future_date_gets_400_with_field_errors(client, webtest):
    reference = _to_waiting(client, webtest)
    response = client.post(f"/cases/{reference}/messages", data={
        "message": "escalation_requested", "received_on": "2027-02-01", "channel": "carrier pigeon"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'href="#f-reasons"' in html and 'href="#f-received_on"' in html and 'href="#f-channel"' in html


def test_the_case_list_filters_by_reference_status_and_received_dates(client, webtest):
    first = open_case(webtest, days_ago=10)
    second = open_case(webtest, days_ago=0)
    login(client, "ia.team")
    assert first in client.get("/cases").get_data(as_text=True)
    only = client.get(f"/cases?q={second[-6:]}").get_data(as_text=True)
    assert second in only and first not in only
    dated = client.get("/cases?from=2026-12-20&to=2026-12-23").get_data(as_text=True)
    assert second in dated and first not in dated
    assert first not in client.get("/cases?status=closed").get_data(as_text=True)
    assert client.get("/cases?from=nonsense&page=x&kind=evil").status_code == 200


def test_unknown_case_is_404(client, webtest):
    login(client, "ia.team")
    assert client.get("/cases/IA-2026-999999").status_code == 404


def test_html_in_complaint_text_is_shown_escaped_on_every_staff_page(client, webtest):
    reference = open_case(webtest, summary=INJECTION, name=INJECTION)
    task_id = open_task(webtest, reference)
    login(client, "ia.team")
    for path in (f"/cases/{reference}", f"/tasks/{task_id}", "/cases", "/inbox"):
        html = client.get(path).get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html, path
    assert "&lt;script&gt;alert" in client.get(f"/cases/{reference}").get_data(as_text=True)
    draft = client.post(f"/tasks/{task_id}", data={"summary": INJECTION, "_action": "add_row:actions"})
    assert "<script>alert" not in draft.get_data(as_text=True)


def _closed_case(webtest) -> str:
    from processes.access import SYSTEM
    from processes.classification import add_category
    reference = open_case(webtest)
    add_category(webtest.reporting_uow(), "communication", "Communication", "theme", SYSTEM)
    with webtest.uow() as uow:
        uow.cases.by_reference(reference).status = "closed"
        uow.commit()
    return reference


def test_a_closed_case_is_classified_with_its_outcome_and_themes_for_the_reports(client, webtest):
    reference = _closed_case(webtest)
    login(client, "ia.team")
    assert "Closure classification" in client.get(f"/cases/{reference}").get_data(as_text=True)
    response = client.post(f"/cases/{reference}/classification",
                           data={"outcome": "partly_upheld", "themes": ["communication"], "team": "Leeds"})
    assert response.status_code == 302
    with webtest.uow() as uow:
        case = uow.cases.by_reference(reference)
        classified = [e.data for e in uow.events.for_case(case.id) if e.kind == "case_classified"]
        outcome = case.outcome
    assert outcome == "partly_upheld"
    assert classified == [{"outcome": "partly_upheld", "themes": ["communication"], "team": "Leeds"}]


def test_a_classification_without_a_theme_is_refused_with_field_errors(client, webtest):
    reference = _closed_case(webtest)
    login(client, "ia.team")
    response = client.post(f"/cases/{reference}/classification", data={"outcome": "upheld"})
    assert response.status_code == 400
    assert "Choose at least one theme or root cause" in response.get_data(as_text=True)


def test_an_open_case_is_not_classified_on_its_page(client, webtest):
    from processes.access import SYSTEM
    from processes.classification import add_category
    reference = open_case(webtest)
    add_category(webtest.uow(), "communication", "Communication", "theme", SYSTEM)
    login(client, "ia.team")
    assert "Closure classification" not in client.get(f"/cases/{reference}").get_data(as_text=True)
    response = client.post(f"/cases/{reference}/classification",
                           data={"outcome": "upheld", "themes": ["communication"]})
    assert response.status_code == 409
    with webtest.uow() as uow:
        case = uow.cases.by_reference(reference)
        assert case.outcome is None and not [e for e in uow.events.for_case(case.id) if e.kind == "case_classified"]


def test_another_divisions_user_cannot_classify_a_case(client, webtest):
    reference = _closed_case(webtest)
    login(client, "euk.team")
    response = client.post(f"/cases/{reference}/classification",
                           data={"outcome": "upheld", "themes": ["communication"]})
    assert response.status_code == 404
