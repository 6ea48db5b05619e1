"""The JSON API: cases, tasks, messages and versions, with stable error codes."""
from __future__ import annotations

import pytest

from tests.web.conftest import api, open_case, open_task

pytestmark = pytest.mark.both_databases  # received dates, list filters and paging are stored and queried

RECORD = {"summary": "Missed", "happened_on": "2026-12-01", "category": "service", "eligible": True}
NEW_CASE = {"division": "IA", "kind": "complaint", "channel": "phone", "received_at": "2026-12-21T15:00:00+00:00",
            "summary": "Phoned to complain", "complainant": {"name": "Sam Lee", "phone": "0123"}}


def test_creating_a_case_keeps_its_true_received_date_and_returns_its_deadlines(client, staff):
    response = client.post("/api/v1/cases", json=NEW_CASE, headers=api("ia.team", staff))
    body = response.json
    assert response.status_code == 201
    assert body["received_at"] == "2026-12-21T15:00:00+00:00" and body["channel"] == "phone"
    assert body["deadlines"][0]["why"].startswith("3 working days counted from Mon 21 Dec 2026")
    assert body["open_tasks"][0]["title"] == "Record the details"
    assert client.get(f"/api/v1/cases/{body['reference']}", headers=api("ia.team", staff)).json == body


def test_bad_case_bodies_get_400_with_field_errors(client, staff):
    headers = api("ia.team", staff)
    response = client.post("/api/v1/cases", json={"kind": "rant", "received_at": "yesterday"}, headers=headers)
    fields = response.json["error"]["fields"]
    assert response.status_code == 400 and response.json["error"]["code"] == "validation_error"
    assert {"division", "kind", "received_at", "summary"} <= set(fields)
    future = client.post("/api/v1/cases", json={**NEW_CASE, "received_at": "2027-06-01T00:00:00Z"}, headers=headers)
    assert future.status_code == 400 and "received_at" in future.json["error"]["fields"]
    reserved = client.post("/api/v1/cases", json={**NEW_CASE, "data": {"reference": "x"}}, headers=headers)
    assert reserved.status_code == 400 and "data" in reserved.json["error"]["fields"]
    not_json = client.post("/api/v1/cases", data="nope", headers=headers, content_type="application/json")
    assert not_json.status_code == 400


def test_listing_cases_filters_and_pages(client, webtest, staff):
    for _ in range(3):
        open_case(webtest)
    open_case(webtest, "EUK")
    headers = api("ia.team", staff)
    page = client.get("/api/v1/cases?per_page=2", headers=headers).json
    assert page["total"] == 3 and len(page["items"]) == 2 and {i["division"] for i in page["items"]} == {"IA"}
    assert client.get("/api/v1/cases?status=closed", headers=headers).json["total"] == 0
    assert client.get("/api/v1/cases?per_page=1000", headers=headers).status_code == 400


def test_tasks_are_listed_for_the_caller_claimed_and_completed_once(client, webtest, staff):
    reference = open_case(webtest)
    headers = api("ia.team", staff)
    tasks = client.get("/api/v1/tasks", headers=headers).json["items"]
    task_id = tasks[0]["id"]
    assert tasks[0]["case_reference"] == reference and tasks[0]["working_days_left"] == 3
    detail = client.get(f"/api/v1/tasks/{task_id}", headers=headers).json
    assert detail["form"]["required"] == ["summary", "category", "eligible", "happened_on"]
    assert client.post(f"/api/v1/tasks/{task_id}/claim", headers=headers).json["assignee"] == "Ia Team"
    assert client.post(f"/api/v1/tasks/{task_id}/release", headers=headers).json["assignee"] is None
    bad = client.post(f"/api/v1/tasks/{task_id}/complete", json={"data": {"eligible": "maybe"}}, headers=headers)
    assert bad.status_code == 400 and {"eligible", "summary"} <= set(bad.json["error"]["fields"])
    done = client.post(f"/api/v1/tasks/{task_id}/complete", json={"data": RECORD}, headers=headers)
    assert done.status_code == 200 and done.json["open_tasks"][0]["title"] == "Allocate an investigating officer"
    again = client.post(f"/api/v1/tasks/{task_id}/complete", json={"data": RECORD}, headers=headers)
    assert again.status_code == 409 and again.json["error"]["code"] == "conflict"


def test_a_task_for_another_role_is_403_through_the_api(client, webtest, staff):
    task_id = open_task(webtest, open_case(webtest))
    response = client.post(f"/api/v1/tasks/{task_id}/complete", json={"data": RECORD}, headers=api("ia.officer", staff))
    assert response.status_code == 403 and response.json["error"]["code"] == "forbidden"


def test_an_involved_officer_is_refused_through_the_api_with_a_field_error(client, webtest, staff):
    reference = open_case(webtest)
    client.post(f"/api/v1/tasks/{open_task(webtest, reference)}/complete", json={"data": RECORD},
                headers=api("ia.team", staff))
    allocate = open_task(webtest, reference)
    response = client.post(f"/api/v1/tasks/{allocate}/complete", json={"data": {"investigating_officer": "ia.team"}},
                           headers=api("ia.manager", staff))
    assert response.status_code == 400 and "investigating_officer" in response.json["error"]["fields"]


def test_a_message_is_delivered_only_when_the_case_waits_for_it(client, webtest, staff):
    reference = open_case(webtest, days_ago=2)  # the message below arrived after the case, a day ago
    headers = api("ia.team", staff)
    message = {"message": "escalation_requested", "reasons": "Unhappy", "received_at": "2026-12-22T10:00:00Z"}
    early = client.post(f"/api/v1/cases/{reference}/messages", json=message, headers=headers)
    assert early.status_code == 409 and early.json["error"]["code"] == "conflict"
    client.post(f"/api/v1/tasks/{open_task(webtest, reference)}/complete", json={"data": RECORD}, headers=headers)
    client.post(f"/api/v1/tasks/{open_task(webtest, reference)}/complete",
                json={"data": {"investigating_officer": "ia.officer"}}, headers=api("ia.manager", staff))
    waiting = client.get(f"/api/v1/cases/{reference}", headers=headers).json["waiting_messages"]
    assert waiting == ["escalation_requested"]
    done = client.post(f"/api/v1/cases/{reference}/messages", json=message, headers=headers)
    assert done.status_code == 202 and done.json["status"] == "closed" and done.json["outcome"] == "upheld"
    missing = client.post(f"/api/v1/cases/{reference}/messages", json={"message": "Bad Name"}, headers=headers)
    assert missing.status_code == 400 and {"message", "received_at"} <= set(missing.json["error"]["fields"])


def test_process_versions_are_readable_for_the_callers_divisions(client, staff):
    items = client.get("/api/v1/process-versions", headers=api("ia.team", staff)).json["items"]
    assert "web_test" in {v["process_key"] for v in items}
    version_id = items[0]["id"]
    assert client.get(f"/api/v1/process-versions/{version_id}", headers=api("ia.team", staff)).status_code == 200
    assert client.get("/api/v1/process-versions/99999", headers=api("ia.team", staff)).status_code == 404


def test_the_openapi_document_is_public_and_names_every_endpoint(client):
    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"].startswith("3.")
    assert {"/cases", "/cases/{reference}", "/cases/{reference}/messages", "/tasks", "/tasks/{task_id}/claim",
            "/tasks/{task_id}/complete", "/process-versions"} <= set(document["paths"])
    assert "CaseCreate" in document["components"]["schemas"]


def test_html_in_complaint_text_comes_back_as_plain_json_text(client, staff):
    body = client.post("/api/v1/cases", json={**NEW_CASE, "summary": "<script>x</script>"},
                       headers=api("ia.team", staff))
    assert body.json["summary"] == "<script>x</script>" and body.content_type == "application/json"
