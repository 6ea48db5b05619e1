"""Bad input on every face (public forms, staff pages, JSON API, CLI) gets a 4xx naming its field, and changes
nothing: NUL characters, ids beyond the integer columns, dates outside 2000-01-01..today, oversized bodies and
data, and messages dated before their case was received."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from io import BytesIO
from pathlib import Path

import pytest
from sqlalchemy import func, select

from processes.access import SYSTEM
from processes.errors import InvalidInput
from processes.input_bounds import NUL_MESSAGE, refuse_nul
from processes.intake import record_case
from storage import models as m
from tests.web.conftest import RECORD_FORM, api, app, client, login, open_case, open_task, staff, webtest  # noqa: F401  (fixtures)
from web import create_app

pytestmark = pytest.mark.both_databases  # PostgreSQL enforces column lengths that SQLite does not

ROOT = Path(__file__).resolve().parents[2]
NUL = "\x00"
BEYOND_INT = 2**31  # one past the integer columns
COMPLAINT = {"summary": "I waited an hour and nobody saw me.", "happened_on": "2026-12-01", "on_behalf": "no",
             "name": "Pat Jones", "email": "pat@example.org", "contact_preference": "email", "needs_support": "no",
             "step": "check"}
NEW_CASE = {"division": "IA", "kind": "complaint", "channel": "phone", "received_at": "2026-12-21T15:00:00+00:00",
            "summary": "Phoned to complain", "complainant": {"name": "Sam Lee", "phone": "0123"}}
STAFF_CASE = {"division": "IA", "kind": "complaint", "channel": "phone", "received_on": "2026-12-21",
              "summary": "Phoned to complain", "name": "Sam Lee", "phone": "0123"}
RECORD = {"summary": "Missed", "happened_on": "2026-12-01", "category": "service", "eligible": True}
ESCALATION = {"message": "escalation_requested", "reasons": "The reply ignored my main point.",
              "received_at": "2026-12-22T10:00:00+00:00", "channel": "email"}


def snapshot(container) -> dict[str, int]:
    """How many rows of each kind there are, and how many tasks are done: what a refused request must not move."""
    with container.session_factory() as session:
        counts = {model.__tablename__: session.scalar(select(func.count()).select_from(model))
                  for model in (m.Case, m.Event, m.Outbox, m.Deadline, m.ProcessVersion, m.Instance)}
        counts["completed_tasks"] = session.scalar(select(func.count()).select_from(m.Task)
                                                   .where(m.Task.state != "open"))
        counts["assigned_tasks"] = session.scalar(select(func.count()).select_from(m.Task)
                                                  .where(m.Task.assignee_id.is_not(None)))
    return counts


def api_fields(response) -> dict:
    return response.json["error"].get("fields") or {}


def waiting_for_escalation(container, staff_tokens, client, days_ago: int = 2) -> str:
    """A case, received `days_ago` days ago, that waits for an escalation request."""
    reference = open_case(container, days_ago=days_ago)
    client.post(f"/api/v1/tasks/{open_task(container, reference)}/complete", json={"data": RECORD},
                headers=api("ia.team", staff_tokens))
    client.post(f"/api/v1/tasks/{open_task(container, reference)}/complete",
                json={"data": {"investigating_officer": "ia.officer"}}, headers=api("ia.manager", staff_tokens))
    return reference


# --- NUL characters -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("field", ["summary", "name", "email", "happened_on", "step", "language"])
def test_a_nul_in_any_public_complaint_field_is_refused_with_400_naming_it_and_no_case_is_opened(client, webtest,
                                                                                                 field):
    before = snapshot(webtest)
    response = client.post("/public/IA/complaint", data={**COMPLAINT, field: (COMPLAINT.get(field) or "x") + NUL})
    assert response.status_code == 400
    assert field in response.get_data(as_text=True) and "NUL" in response.get_data(as_text=True)
    assert snapshot(webtest) == before


def test_a_nul_in_a_public_compliment_or_status_request_is_refused_with_400(client, webtest):
    before = snapshot(webtest)
    response = client.post("/public/IA/compliment", data={"summary": "Thank you" + NUL, "name": "Pat"})
    assert response.status_code == 400 and "summary" in response.get_data(as_text=True)
    status = client.post("/public/status/some-token", data={"message": "withdrawn", "reasons": "x" + NUL})
    assert status.status_code == 400 and "reasons" in status.get_data(as_text=True)
    assert snapshot(webtest) == before


def test_a_nul_in_a_staff_intake_field_is_refused_with_400_naming_it(client, webtest):
    login(client, "ia.team")
    before = snapshot(webtest)
    response = client.post("/cases/new", data={**STAFF_CASE, "address": "1 High St" + NUL})
    assert response.status_code == 400 and "address" in response.get_data(as_text=True)
    assert snapshot(webtest) == before


def test_a_nul_in_a_task_form_or_a_query_or_a_path_is_refused_with_400_naming_it(client, webtest):
    task_id = open_task(webtest, open_case(webtest))
    login(client, "ia.team")
    before = snapshot(webtest)
    form = client.post(f"/tasks/{task_id}", data={**RECORD_FORM, "summary": "Missed" + NUL})
    assert form.status_code == 400 and "summary" in form.get_data(as_text=True)
    query = client.get("/cases?q=IA" + NUL)
    assert query.status_code == 400 and "q" in query.get_data(as_text=True)
    path = client.get("/cases/IA-2026" + NUL)
    assert path.status_code == 400 and "reference" in path.get_data(as_text=True)
    assert snapshot(webtest) == before


@pytest.mark.parametrize("body, field", [
    ({**NEW_CASE, "summary": "Phoned" + NUL}, "summary"),
    ({**NEW_CASE, "complainant": {"name": "Sam" + NUL}}, "complainant.name"),
    ({**NEW_CASE, "data": {"note": ["fine", "bad" + NUL]}}, "data.note.1"),
    ({**NEW_CASE, "data": {"bad" + NUL: 1}}, "data"),
    ({**NEW_CASE, "division": "I" + NUL}, "division"),
])
def test_a_nul_anywhere_in_an_api_body_is_refused_with_400_naming_the_field(client, webtest, staff, body, field):
    before = snapshot(webtest)
    response = client.post("/api/v1/cases", json=body, headers=api("ia.team", staff))
    assert response.status_code == 400 and response.json["error"]["code"] == "validation_error"
    assert any(name == field or name.startswith(field) for name in api_fields(response)), api_fields(response)
    assert snapshot(webtest) == before


def test_a_nul_in_api_completion_data_a_message_a_query_or_the_token_is_refused_with_4xx(client, webtest, staff):
    reference = open_case(webtest)
    task_id = open_task(webtest, reference)
    headers = api("ia.team", staff)
    before = snapshot(webtest)
    done = client.post(f"/api/v1/tasks/{task_id}/complete", json={"data": {**RECORD, "summary": "M" + NUL}},
                       headers=headers)
    assert done.status_code == 400 and "data.summary" in api_fields(done)
    message = client.post(f"/api/v1/cases/{reference}/messages", json={**ESCALATION, "reasons": "x" + NUL},
                          headers=headers)
    assert message.status_code == 400 and "reasons" in api_fields(message)
    query = client.get("/api/v1/cases?stage=x" + NUL, headers=headers)
    assert query.status_code == 400 and "stage" in api_fields(query)
    token = client.get("/api/v1/cases", headers={"Authorization": "Bearer abc" + NUL + "def"})
    assert token.status_code in (400, 401)
    assert snapshot(webtest) == before


# --- ids beyond the integer columns -------------------------------------------------------------------------

@pytest.mark.parametrize("number", [BEYOND_INT, 10**20])
def test_an_id_beyond_the_integer_columns_is_404_on_every_face(client, webtest, staff, number):
    headers = api("ia.team", staff)
    assert client.get(f"/api/v1/tasks/{number}", headers=headers).status_code == 404
    assert client.post(f"/api/v1/tasks/{number}/complete", json={"data": {}}, headers=headers).status_code == 404
    assert client.post(f"/api/v1/tasks/{number}/claim", headers=headers).status_code == 404
    assert client.get(f"/api/v1/process-versions/{number}", headers=headers).status_code == 404
    login(client, "ia.team")
    assert client.get(f"/tasks/{number}").status_code == 404
    assert client.post(f"/tasks/{number}", data=RECORD_FORM).status_code == 404


def test_an_id_beyond_the_integer_columns_in_a_query_is_400_naming_it(client, webtest, staff):
    response = client.get(f"/api/v1/tasks?version_id={BEYOND_INT}", headers=api("ia.team", staff))
    assert response.status_code == 400 and "version_id" in api_fields(response)
    pages = client.get("/api/v1/cases?page=100000000000000000000", headers=api("ia.team", staff))
    assert pages.status_code == 400 and "page" in api_fields(pages)
    login(client, "ia.team")
    assert client.get("/cases?page=100000000000000000000").status_code in (200, 400)


# --- received dates -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("received_at", ["0001-01-01T00:00:00+00:00", "1999-12-31T23:59:59+00:00",
                                         "2027-01-01T00:00:00+00:00", "9999-12-31T23:59:59+00:00"])
def test_an_api_case_received_before_2000_or_in_the_future_is_refused_naming_received_at(client, webtest, staff,
                                                                                         received_at):
    before = snapshot(webtest)
    response = client.post("/api/v1/cases", json={**NEW_CASE, "received_at": received_at},
                           headers=api("ia.team", staff))
    assert response.status_code == 400 and "received_at" in api_fields(response), response.json
    assert snapshot(webtest) == before


@pytest.mark.parametrize("received_on", ["0001-01-01", "1999-12-31", "2027-01-04", "9999-12-31"])
def test_a_staff_recorded_case_received_before_2000_or_in_the_future_is_refused_naming_received_on(client, webtest,
                                                                                                   received_on):
    login(client, "ia.team")
    before = snapshot(webtest)
    response = client.post("/cases/new", data={**STAFF_CASE, "received_on": received_on})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and 'href="#f-received_on"' in html
    assert snapshot(webtest) == before


def test_the_received_instant_rule_is_the_domains_so_every_face_gets_it(webtest):
    before = snapshot(webtest)
    answers = {"summary": "Posted letter", "name": "Pat Jones", "email": "pat@example.org", "on_behalf": False}
    for received in (datetime(1, 1, 1, tzinfo=timezone.utc), datetime(1999, 12, 31, 23, tzinfo=timezone.utc),
                     webtest.clock.now() + timedelta(minutes=1)):
        with pytest.raises(InvalidInput) as refused:
            record_case(webtest.uow(), webtest.runtime, SYSTEM, "IA", "complaint", "post", received, answers)
        assert "received_at" in refused.value.fields
    assert snapshot(webtest) == before


@pytest.mark.parametrize("happened_on", ["0001-01-01", "1999-12-31"])
def test_a_public_complaint_about_something_before_2000_is_refused_naming_the_date(client, webtest, happened_on):
    before = snapshot(webtest)
    response = client.post("/public/IA/complaint", data={**COMPLAINT, "happened_on": happened_on, "step": "about"})
    assert response.status_code == 400 and 'href="#f-happened_on"' in response.get_data(as_text=True)
    assert snapshot(webtest) == before


def test_a_task_form_date_outside_the_window_is_refused_naming_the_field(client, webtest, staff):
    task_id = open_task(webtest, open_case(webtest))
    before = snapshot(webtest)
    response = client.post(f"/api/v1/tasks/{task_id}/complete", json={"data": {**RECORD, "happened_on": "0001-01-01"}},
                           headers=api("ia.team", staff))
    assert response.status_code == 400 and "happened_on" in api_fields(response)
    assert snapshot(webtest) == before


# --- messages dated before their case -----------------------------------------------------------------------

def test_an_api_message_received_before_its_case_is_refused_naming_received_at(client, webtest, staff):
    reference = waiting_for_escalation(webtest, staff, client, days_ago=2)
    before = snapshot(webtest)
    early = (webtest.clock.now() - timedelta(days=5)).isoformat()
    response = client.post(f"/api/v1/cases/{reference}/messages", json={**ESCALATION, "received_at": early},
                           headers=api("ia.team", staff))
    assert response.status_code == 400 and "received_at" in api_fields(response)
    assert "before the case" in " ".join(api_fields(response)["received_at"])
    for bad in ("0001-01-01T00:00:00+00:00", "2027-01-01T00:00:00+00:00"):
        refused = client.post(f"/api/v1/cases/{reference}/messages", json={**ESCALATION, "received_at": bad},
                              headers=api("ia.team", staff))
        assert refused.status_code == 400 and "received_at" in api_fields(refused)
    assert snapshot(webtest) == before
    same_day = client.post(f"/api/v1/cases/{reference}/messages", headers=api("ia.team", staff),
                           json={**ESCALATION, "received_at": (webtest.clock.now() - timedelta(days=2)).isoformat()})
    assert same_day.status_code == 202


def test_a_staff_recorded_message_received_before_its_case_is_refused_naming_received_on(client, webtest, staff):
    reference = waiting_for_escalation(webtest, staff, client, days_ago=2)
    login(client, "ia.team")
    before = snapshot(webtest)
    early = (webtest.clock.now() - timedelta(days=5)).date().isoformat()
    response = client.post(f"/cases/{reference}/messages", data={**ESCALATION, "received_on": early})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and 'href="#f-received_on"' in html and "before the case" in html
    assert snapshot(webtest) == before


# --- filters ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("query, field", [("to=9999-12-31", "to"), ("from=0001-01-01", "from"),
                                          ("from=9999-12-31", "from")])
def test_a_case_list_filter_with_an_absurd_date_is_a_400_naming_it(client, webtest, query, field):
    open_case(webtest)
    login(client, "ia.team")
    response = client.get(f"/cases?{query}")
    assert response.status_code == 400 and f'href="#f-{field}"' in response.get_data(as_text=True)


@pytest.mark.parametrize("query, field", [("received_to=9999-12-31", "received_to"),
                                          ("received_from=0001-01-01", "received_from")])
def test_an_api_case_filter_with_an_absurd_date_is_a_400_naming_it(client, webtest, staff, query, field):
    response = client.get(f"/api/v1/cases?{query}", headers=api("ia.team", staff))
    assert response.status_code == 400 and field in api_fields(response)


def test_pages_still_show_a_case_whose_stored_dates_are_at_the_edge_of_the_calendar(client, webtest):
    reference = open_case(webtest)
    with webtest.session_factory() as session, session.begin():
        case = session.scalars(select(m.Case).where(m.Case.reference == reference)).one()
        case.received_at = datetime(1, 1, 1, tzinfo=timezone.utc)  # as an older release could have stored it
    login(client, "ia.team")
    assert client.get(f"/cases/{reference}").status_code == 200
    assert reference in client.get("/cases").get_data(as_text=True)


# --- sizes --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("data", [
    {f"k{n}": n for n in range(50_000)},
    {"deep": json.loads("[" * 50 + "]" * 50)},
    {"long": "x" * 200_000},
], ids=["50000 keys", "50 deep", "long text"])
def test_api_data_over_its_stated_size_is_refused_naming_data(client, webtest, staff, data):
    before = snapshot(webtest)
    response = client.post("/api/v1/cases", json={**NEW_CASE, "data": data}, headers=api("ia.team", staff))
    assert response.status_code == 400 and "data" in api_fields(response)
    task_id = open_task(webtest, open_case(webtest))
    before = snapshot(webtest)
    done = client.post(f"/api/v1/tasks/{task_id}/complete", json={"data": {**RECORD, **data}},
                       headers=api("ia.team", staff))
    assert done.status_code == 400 and "data" in api_fields(done)
    assert snapshot(webtest) == before


def test_a_json_body_over_the_limit_is_413_and_a_nested_one_400_with_clear_messages(client, webtest, staff):
    headers = {**api("ia.team", staff), "Content-Type": "application/json"}
    before = snapshot(webtest)
    big = client.post("/api/v1/cases", data=json.dumps({**NEW_CASE, "summary": "x" * (2 * 1024 * 1024)}),
                      headers=headers)
    assert big.status_code == 413 and "MB" in big.json["error"]["message"]
    nested = client.post("/api/v1/cases", data="[" * 100_000 + "]" * 100_000, headers=headers)
    assert nested.status_code == 400 and nested.json["error"]["code"] == "validation_error"
    assert snapshot(webtest) == before


def test_a_plain_form_over_the_limit_is_413_on_the_products_page(client, webtest):
    before = snapshot(webtest)
    response = client.post("/public/IA/compliment", data={"summary": "x" * (2 * 1024 * 1024), "name": "Pat"})
    assert response.status_code == 413 and "larger than 1 MB" in response.get_data(as_text=True)
    assert snapshot(webtest) == before


def test_task_form_uploads_of_full_size_attachments_still_fit_the_body_limit(client, webtest):
    from processes.attachments import MAX_BYTES
    task_id = open_task(webtest, open_case(webtest))
    login(client, "ia.team")
    pdf = b"%PDF-1.4\n" + b"0" * (MAX_BYTES - 100)
    response = client.post(f"/tasks/{task_id}", content_type="multipart/form-data", data={
        **RECORD_FORM, "_action": "save", "consent": (BytesIO(pdf), "consent.pdf")})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    with webtest.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(m.Event).where(m.Event.kind == "file_attached")) == 1


# --- the error page -----------------------------------------------------------------------------------------

def test_an_unexpected_error_still_renders_the_products_error_page(webtest):
    app = create_app(webtest)

    @app.get("/boom")
    def boom():
        raise RuntimeError("a bug")

    @app.get("/api/v1/boom")
    def api_boom():
        raise RuntimeError("a bug")

    client = app.test_client()
    page = client.get("/boom")
    assert page.status_code == 500 and "Something went wrong" in page.get_data(as_text=True)
    assert "a bug" not in page.get_data(as_text=True) and "Traceback" not in page.get_data(as_text=True)
    body = client.get("/api/v1/boom", headers={"Authorization": "Bearer nope"})
    assert body.status_code in (401, 500) and body.is_json


# --- the CLI ------------------------------------------------------------------------------------------------

def run_cli(settings, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "COMPLAINTS_DATABASE_URL": settings.database_url, "COMPLAINTS_CLOCK": "demo"}
    return subprocess.run([sys.executable, "-m", "cli", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)


def test_the_cli_refuses_a_bundle_whose_manifest_holds_a_nul_naming_the_file_and_field(webtest, tmp_path):
    folder = tmp_path / "demo"
    shutil.copytree(webtest.settings.bpmn_dir / "demo", folder)
    manifest = json.loads((folder / "bundle.json").read_text())
    (folder / "bundle.json").write_text(json.dumps({**manifest, "title": "Demo" + NUL}))
    before = snapshot(webtest)
    done = run_cli(webtest.settings, "deploy", str(folder), "--note", "a note")
    assert done.returncode == 2 and "bundle.json: title holds a NUL" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    assert snapshot(webtest) == before


def test_the_rule_the_cli_calls_for_its_own_options_refuses_a_nul_naming_the_option():
    # an argv cannot carry NUL, but anything that reaches the CLI's use cases another way meets the same rule
    with pytest.raises(InvalidInput) as refused:
        refuse_nul({"--note": "fine" + NUL})
    assert refused.value.fields == {"--note": [NUL_MESSAGE]}


@pytest.mark.parametrize("now", ["0001-01-01T00:00:00+00:00", "9999-12-31T23:59:59+00:00", "not a date"])
def test_the_cli_refuses_a_clock_outside_the_window_naming_the_option(webtest, now):
    before = snapshot(webtest)
    done = run_cli(webtest.settings, "timers", "run-due", "--now", now)
    assert done.returncode == 2 and "--now" in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert snapshot(webtest) == before
