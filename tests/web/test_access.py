"""Every staff page and API endpoint refuses anonymous callers and hides other divisions' work."""
from __future__ import annotations

import pytest

from tests.web.conftest import api, login, open_case, open_task

STAFF_BLUEPRINTS = ("inbox", "cases", "tasks", "admin", "mail")
PUBLIC_ENDPOINTS = {"intake.index", "intake.complaint", "intake.compliment", "intake.submitted", "intake.status",
                    "api.openapi"}


def _url(rule, reference: str, task_id: int) -> str:
    values = {"reference": reference, "task_id": task_id, "file_id": "00000000-0000-0000-0000-000000000000",
              "user_id": 1, "closure_id": 1, "version_id": 1, "code": "IA", "token": "x",
              "process_id": "group_complaint", "item_id": 1}
    return _fill(rule.rule, values)


def _fill(rule: str, values: dict) -> str:
    import re
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), rule)


def _my_rules(app):
    for rule in app.url_map.iter_rules():
        blueprint = rule.endpoint.split(".")[0]
        if blueprint in STAFF_BLUEPRINTS + ("api",) or rule.endpoint == "intake.staff_new":
            if rule.endpoint not in PUBLIC_ENDPOINTS:
                yield rule


def test_every_staff_page_sends_anonymous_visitors_to_sign_in(app, client, webtest):
    reference = open_case(webtest)
    task_id = open_task(webtest, reference)
    checked = 0
    for rule in _my_rules(app):
        if rule.endpoint.startswith("api."):
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            response = client.open(_url(rule, reference, task_id), method=method)
            assert response.status_code == 302, (rule.rule, method)
            assert "/login" in response.location
            checked += 1
    assert checked >= 15


def test_every_api_endpoint_answers_anonymous_callers_with_401_json(app, client, webtest):
    reference = open_case(webtest)
    task_id = open_task(webtest, reference)
    checked = 0
    for rule in _my_rules(app):
        if not rule.endpoint.startswith("api."):
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            response = client.open(_url(rule, reference, task_id), method=method, json={})
            assert response.status_code == 401, (rule.rule, method)
            assert response.json["error"]["code"] == "unauthorized"
            assert response.headers["WWW-Authenticate"].startswith("Bearer")
            checked += 1
    assert checked >= 10


def test_api_refuses_a_wrong_token_and_ignores_the_session_cookie(client, webtest):
    login(client, "ia.team")
    assert client.get("/api/v1/cases").status_code == 401
    assert client.get("/api/v1/cases", headers={"Authorization": "Bearer nope"}).status_code == 401


def test_a_user_from_another_division_gets_404_for_the_case_its_task_and_its_actions(client, webtest):
    reference = open_case(webtest, "IA")
    task_id = open_task(webtest, reference)
    login(client, "euk.team")
    assert client.get(f"/cases/{reference}").status_code == 404
    assert client.get(f"/tasks/{task_id}").status_code == 404
    assert client.post(f"/tasks/{task_id}", data={"summary": "x", "_action": "save"}).status_code == 404
    assert client.post(f"/inbox/tasks/{task_id}/claim").status_code == 404
    assert client.post(f"/inbox/tasks/{task_id}/release").status_code == 404
    assert client.post(f"/inbox/tasks/{task_id}/reassign", data={"assignee": "euk.team"}).status_code == 404
    assert client.post(f"/cases/{reference}/messages", data={"message": "withdrawn", "received_on": "2026-12-23",
                                                             "channel": "email"}).status_code == 404
    assert reference not in client.get("/cases").get_data(as_text=True)
    assert reference not in client.get("/inbox?scope=team").get_data(as_text=True)


def test_a_user_from_another_division_gets_404_from_every_api_endpoint(client, webtest, staff):
    reference = open_case(webtest, "IA")
    task_id = open_task(webtest, reference)
    headers = api("euk.team", staff)
    assert client.get(f"/api/v1/cases/{reference}", headers=headers).status_code == 404
    assert client.post(f"/api/v1/cases/{reference}/messages", headers=headers,
                       json={"message": "withdrawn", "received_at": "2026-12-23T09:00:00Z"}).status_code == 404
    assert client.get(f"/api/v1/tasks/{task_id}", headers=headers).status_code == 404
    for action in ("claim", "release"):
        assert client.post(f"/api/v1/tasks/{task_id}/{action}", headers=headers).status_code == 404
    response = client.post(f"/api/v1/tasks/{task_id}/complete", headers=headers, json={"data": {}})
    assert response.status_code == 404 and response.json["error"]["code"] == "not_found"
    assert client.get("/api/v1/cases", headers=headers).json["items"] == []
    assert client.get("/api/v1/tasks", headers=headers).json["items"] == []
    created = client.post("/api/v1/cases", headers=headers, json={
        "division": "IA", "kind": "complaint", "received_at": "2026-12-22T09:00:00Z", "summary": "x",
        "complainant": {"name": "A B"}})
    assert created.status_code == 404


def test_an_attached_file_is_hidden_from_other_divisions(client, webtest):
    reference = open_case(webtest, "IA")
    task_id = open_task(webtest, reference)
    login(client, "ia.team")
    from io import BytesIO
    client.post(f"/tasks/{task_id}", data={"_action": "save", "consent": (BytesIO(b"%PDF-1.4 consent"), "c.pdf")},
                content_type="multipart/form-data")
    with webtest.uow() as uow:
        file_id = uow.cases.files_for_case(uow.cases.by_reference(reference).id)[0].id
    assert client.get(f"/cases/{reference}/files/{file_id}").status_code == 200
    client.post("/logout")
    login(client, "euk.team")
    assert client.get(f"/cases/{reference}/files/{file_id}").status_code == 404


@pytest.mark.parametrize("path", ["/admin/users", "/admin/closures"])
def test_administration_pages_are_forbidden_to_staff_without_the_administrator_role(client, path):
    login(client, "ia.team")
    assert client.get(path).status_code == 403
    assert client.post(path, data={}).status_code == 403


def test_staff_intake_is_forbidden_to_roles_that_do_not_handle_cases(client):
    login(client, "ia.analyst")
    assert client.get("/cases/new").status_code == 403


def test_forms_refuse_a_post_without_the_csrf_token(webtest, staff):
    from web import create_app
    strict = create_app(webtest, TESTING=True).test_client()
    response = strict.post("/login", data={"username": "ia.team", "password": "x"})
    assert response.status_code == 400
