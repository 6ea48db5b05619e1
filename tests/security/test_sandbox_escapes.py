"""Diagram code cannot leave the sandbox: not when a draft is validated, reviewed, or run on a case.

Every payload is tried in a timer expression, a sequence-flow condition, a script task and a user task's
pre-script (the place a Spiff diagram computes the values its form opens with). Each would write a marker
file or read the application's globals if it escaped; each is refused with a problem or an incident that
names its element, and afterwards no file exists, no version row changed and the secret key appears nowhere.
"""
from __future__ import annotations

import html
import json
from datetime import datetime, timezone

import pytest

from processes import lifecycle
from processes.access import SYSTEM
from processes.calendar import WorkingCalendar
from processes.clock import SettableClock
from processes.scripting import ExpressionRefused, RestrictedEnvironment
from tests.governance_support import ALL_DIVISIONS, add_user, sign_in, version_rows, web_client
from tests.integration.helpers import case_row, open_task_ids
from tests.security.sandbox_payloads import (
    ESCAPES,
    PROCESS,
    RECORD_DATA,
    SLOTS,
    STATEMENT_ESCAPES,
    WORKING_IN_PLAIN_PYTHON,
    as_code,
    filled,
    publish_unchecked,
    webtest_files,
    webtest_with,
)
from tests.web.conftest import app, client, login, open_case, staff, webtest  # noqa: F401 - fixtures

SCRIPT_SLOTS = ("script", "form default")


def payloads_for(slot: str) -> dict[str, str]:
    return {**ESCAPES, **STATEMENT_ESCAPES} if slot in SCRIPT_SLOTS else dict(ESCAPES)


@pytest.fixture
def env():
    return RestrictedEnvironment(SettableClock(datetime(2026, 12, 23, 10, tzinfo=timezone.utc)), WorkingCalendar())


def published_id(container) -> int:
    with container.uow() as uow:
        return uow.versions.published(PROCESS).id


# -- the sandbox itself, one payload at a time --------------------------------------------------------------------

@pytest.mark.parametrize("name", WORKING_IN_PLAIN_PYTHON)
def test_the_payloads_are_real_escapes_when_python_runs_them_unguarded(env, tmp_path, name):
    marker = tmp_path / "escaped"
    try:
        eval(filled(ESCAPES[name], marker), {"now": env.now})  # noqa: S307 - proving the payload is a real attack
    except Exception:  # noqa: BLE001 - some payloads fail after their side effect
        pass
    assert marker.exists()


@pytest.mark.parametrize("name", list(ESCAPES))
def test_an_escape_payload_is_refused_as_an_expression_and_as_a_script(env, tmp_path, name):
    marker = tmp_path / "escaped"
    with pytest.raises(ExpressionRefused) as refused:
        env.evaluate(filled(ESCAPES[name], marker), {"received_at": "2026-12-23"})
    data = {"received_at": "2026-12-23"}
    with pytest.raises(ExpressionRefused):
        env.execute(as_code("script", filled(ESCAPES[name], marker)), data)
    assert "refused by the sandbox" in str(refused.value)
    assert not marker.exists() and "probe" not in data


@pytest.mark.parametrize("name", list(STATEMENT_ESCAPES))
def test_an_escape_statement_is_refused_in_a_script(env, tmp_path, name):
    marker = tmp_path / "escaped"
    data = {"received_at": "2026-12-23"}
    with pytest.raises(ExpressionRefused):
        env.execute(filled(STATEMENT_ESCAPES[name], marker), data)
    assert not marker.exists() and set(data) == {"received_at"}


# -- saving a draft in the modeler --------------------------------------------------------------------------------

@pytest.mark.parametrize("slot", list(SLOTS))
def test_a_draft_carrying_an_escape_is_refused_by_the_modeler_and_nothing_is_saved_or_run(app, client, webtest,
                                                                                          tmp_path, slot):
    element, words, _, _ = SLOTS[slot]
    secret = app.config["SECRET_KEY"]
    login(client, "all.analyst")
    base = published_id(webtest)
    failures = []
    for name, payload in payloads_for(slot).items():
        marker = tmp_path / f"{len(failures)}-{abs(hash(name))}.marker"
        before = version_rows(webtest)
        diagram = webtest_with(slot, as_code(slot, filled(payload, marker)))
        response = client.post(f"/modeler/versions/{base}/save", data={"file": "webtest.bpmn", "content": diagram})
        page = html.unescape(response.get_data(as_text=True))
        problems = _problems(page)
        mine = [p for p in problems if p.get("element") == element and words in p["message"]]
        if response.status_code != 400 or not mine or "Nothing was saved" not in page:
            failures.append(f"{name}: {response.status_code} {problems}")
        elif not all("refused by the sandbox" in p["message"] for p in mine):
            failures.append(f"{name}: {mine}")
        if marker.exists() or secret in page or version_rows(webtest) != before:
            failures.append(f"{name}: escaped (marker {marker.exists()}, secret {secret in page})")
    assert not failures, "\n".join(failures)


def _problems(page: str) -> list[dict]:
    start = page.index('id="modeler-data">') + len('id="modeler-data">')
    return json.loads(page[start:page.index("</script>", start)])["problems"]


def test_the_governance_review_of_a_version_submitted_before_the_sandbox_reports_the_escape(webtest, tmp_path):
    marker = tmp_path / "review.marker"
    payload = filled(ESCAPES["generator frame walk to __import__"], marker)
    version_id = publish_unchecked(webtest, webtest_with("timer", payload))
    with webtest.uow() as uow:
        uow.versions.get(version_id).state = "in_review"
        uow.commit()
    add_user(webtest, "gill", "governance", division=ALL_DIVISIONS)  # every division runs the web test process
    reviewer = sign_in(web_client(webtest), "gill")
    page = html.unescape(reviewer.get(f"/governance/versions/{version_id}").get_data(as_text=True))
    assert "the timer expression of 'Acknowledgement due' is refused by the sandbox" in page
    assert not marker.exists() and webtest.settings.secret_key not in page


def test_an_ordinary_mistake_is_still_saved_as_a_draft_with_its_problem(app, client, webtest):
    login(client, "all.analyst")
    diagram = webtest_with("timer", "working_days_after(partner_update.get('responded_at'), 10)")
    before = len(version_rows(webtest))
    response = client.post(f"/modeler/versions/{published_id(webtest)}/save",
                           data={"file": "webtest.bpmn", "content": diagram})
    assert response.status_code == 302 and len(version_rows(webtest)) == before + 1
    page = html.unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "does not evaluate" in page and "refused by the sandbox" not in page


def test_a_form_default_is_inert_text_that_is_never_evaluated(app, client, webtest, tmp_path):
    marker = tmp_path / "default.marker"
    form = json.loads(webtest_files()["forms/record.json"])
    form["properties"]["summary"]["default"] = filled(ESCAPES["__import__ directly"], marker)
    login(client, "all.analyst")
    response = client.post(f"/modeler/versions/{published_id(webtest)}/save",
                           data={"file": "forms/record.json", "content": json.dumps(form)})
    assert response.status_code == 302
    assert not marker.exists()


# -- running a published version on a case ------------------------------------------------------------------------

@pytest.mark.parametrize("slot", list(SLOTS))
def test_an_escape_in_a_version_published_before_the_sandbox_becomes_an_incident_on_the_case(webtest, tmp_path,
                                                                                              slot):
    _, _, element, words = SLOTS[slot]
    secret = webtest.settings.secret_key
    failures = []
    for name, payload in payloads_for(slot).items():
        marker = tmp_path / f"{abs(hash(name))}.marker"
        publish_unchecked(webtest, webtest_with(slot, as_code(slot, filled(payload, marker))))
        reference = open_case(webtest)
        if slot == "condition":
            [task_id] = open_task_ids(webtest, reference)
            lifecycle.complete_task(webtest.uow(), webtest.runtime, task_id, dict(RECORD_DATA), SYSTEM)
        case = case_row(webtest, reference)
        incident = case.incident or ""
        if words not in incident or not ("refused by the sandbox" in incident or "not valid" in incident):
            failures.append(f"{name}: incident {incident!r}")
        if marker.exists() or secret in incident:
            failures.append(f"{name}: escaped")
        with webtest.uow() as uow:
            events = [(e.element, e.data) for e in uow.events.for_case(case.id) if e.kind == "incident_raised"]
        if not events or events[-1][0] != element or secret in json.dumps(events[-1][1]):
            failures.append(f"{name}: incident event {events}")
    assert not failures, "\n".join(failures)


def test_an_escaping_case_can_be_retried_only_into_the_same_refusal(webtest, tmp_path):
    marker = tmp_path / "retry.marker"
    publish_unchecked(webtest, webtest_with("script", as_code("script", filled(ESCAPES["open a file"], marker))))
    reference = open_case(webtest)
    assert lifecycle.retry_incident(webtest.uow(), webtest.runtime, reference, SYSTEM) is False
    assert "refused by the sandbox" in case_row(webtest, reference).incident
    assert not marker.exists() and open_task_ids(webtest, reference) == []
