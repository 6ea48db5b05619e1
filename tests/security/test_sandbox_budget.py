"""No diagram expression can hold a worker: CPU and memory bombs are refused within the evaluation budget.

Each bomb is refused before C computes it (or at the step budget of its loops), as a validation problem
when a draft is saved and as a case incident when an older published version runs it. While a bomb is
being refused, another request is served; the join timeouts below only guard against a hung test.
"""
from __future__ import annotations

import html
import threading
from datetime import datetime, timezone

import pytest

from processes import lifecycle
from processes.access import SYSTEM
from processes.calendar import WorkingCalendar
from processes.clock import SettableClock
from processes.sandbox import Limits
from processes.scripting import ExpressionRefused, RestrictedEnvironment
from tests.governance_support import version_rows
from tests.integration.helpers import case_row, open_task_ids
from tests.security.sandbox_payloads import (
    BOMBS,
    PROCESS,
    RECORD_DATA,
    SLOTS,
    STATEMENT_BOMBS,
    as_code,
    publish_unchecked,
    webtest_with,
)
from tests.web.conftest import app, client, login, open_case, staff, webtest  # noqa: F401 - fixtures

GUARD_SECONDS = 120  # a failure guard for a hung request, not a timing assertion
SCRIPT_SLOTS = ("script", "form default")


def bombs_for(slot: str) -> dict[str, str]:
    return {**BOMBS, **STATEMENT_BOMBS} if slot in SCRIPT_SLOTS else dict(BOMBS)


def environment(limits: Limits | None = None) -> RestrictedEnvironment:
    limits = limits if limits is not None else Limits()
    clock = SettableClock(datetime(2026, 12, 23, 10, tzinfo=timezone.utc))
    return RestrictedEnvironment(clock, WorkingCalendar(), limits)


def in_background(work) -> tuple[threading.Thread, dict]:
    """Run `work` in a thread; its result or error lands in the returned dict."""
    outcome: dict = {}

    def run():
        try:
            outcome["result"] = work()
        except BaseException as exc:  # noqa: BLE001 - the test reports whatever happened
            outcome["error"] = exc
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


def served_meanwhile(app, thread: threading.Thread) -> dict:
    """Ask /healthz while `thread` works, then wait for the thread; both must have finished."""
    answer = app.test_client().get("/healthz")
    thread.join(GUARD_SECONDS)
    assert not thread.is_alive(), "the bomb request did not finish"
    return answer.get_json()


# -- the sandbox itself ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", list(BOMBS))
def test_a_bomb_expression_is_refused_within_the_budget(name):
    with pytest.raises(ExpressionRefused) as refused:
        environment().evaluate(BOMBS[name], {"received_at": "2026-12-23"})
    assert refused.value.budget and "exceeds the evaluation budget" in str(refused.value)


@pytest.mark.parametrize("name", [*BOMBS, *STATEMENT_BOMBS])
def test_a_bomb_script_is_refused_within_the_budget_and_leaves_no_data(name):
    data = {"received_at": "2026-12-23"}
    with pytest.raises(ExpressionRefused) as refused:
        environment().execute(as_code("script", {**BOMBS, **STATEMENT_BOMBS}[name]), data)
    assert refused.value.budget
    assert "probe" not in data


def test_an_evaluation_past_its_time_budget_is_stopped_at_its_next_step():
    with pytest.raises(ExpressionRefused, match="ran longer than 0 s"):
        environment(Limits(seconds=0.0)).evaluate("[x for x in range(10)]", {})


def test_one_case_run_or_validation_shares_a_total_time_budget_across_its_expressions():
    env = environment(Limits(total_seconds=0.0))
    with pytest.raises(ExpressionRefused, match="ran longer than 0 s in all"):
        env.evaluate("1 + 1", {})


def test_a_script_cannot_leave_unstorable_or_exploding_data_behind():
    env = environment()
    for script in ("probe = (x for x in [1])", "probe = {1, 2}", "probe = []\nfor i in range(80):\n    probe = [probe]",
                   "a = [1]\nfor i in range(40):\n    a = [a, a]\nprobe = a", "actions.append(lambda: 1)"):
        data = {"actions": [1], "received_at": "2026-12-23"}
        with pytest.raises(ExpressionRefused):
            env.execute(script, data)
        assert data == {"actions": [1], "received_at": "2026-12-23"} or script.startswith("actions")
        assert "actions" not in data or data["actions"] == [1]


def test_an_expression_reads_case_data_and_cannot_change_it():
    data = {"actions": [1]}
    with pytest.raises(ExpressionRefused, match='cannot change data with "append"'):
        environment().evaluate("actions.append(2) or True", data)
    assert data == {"actions": [1]}


def test_the_budget_leaves_room_for_ordinary_work():
    env = environment()
    data = {"actions": [{"owner": f"o{i}", "due": f"2026-12-{i % 28 + 1:02d}"} for i in range(500)]}
    env.execute("owners = sorted(set(a['owner'] for a in actions))\n"
                "late = [a for a in actions if a['due'] < '2026-12-10']\n"
                "summary = ', '.join(owners[:3]) + f' and {len(owners) - 3:,} more'", data)
    assert data["summary"] == "o0, o1, o10 and 497 more" and len(data["late"]) == 162
    assert env.evaluate("working_days_after(received_at, 20)", {"received_at": "2026-12-23"}).startswith("2027-01-25")


# -- saving a draft: the bomb is a validation problem, and another request is served meanwhile -------------------

@pytest.mark.parametrize("slot", list(SLOTS))
def test_a_bomb_in_a_draft_is_refused_as_a_validation_problem_while_other_requests_are_served(app, client, webtest,
                                                                                              slot):
    element, words, _, _ = SLOTS[slot]
    login(client, "all.analyst")
    with webtest.uow() as uow:
        base = uow.versions.published(PROCESS).id
    failures = []
    for name, bomb in bombs_for(slot).items():
        before = version_rows(webtest)
        diagram = webtest_with(slot, as_code(slot, bomb))
        thread, outcome = in_background(lambda diagram=diagram: client.post(
            f"/modeler/versions/{base}/save", data={"file": "webtest.bpmn", "content": diagram}))
        health = served_meanwhile(app, thread)
        response = outcome.get("result")
        page = html.unescape(response.get_data(as_text=True)) if response is not None else repr(outcome)
        expected = f"{words} exceeds the evaluation budget"
        if response is None or response.status_code != 400 or expected not in page or f'"{element}"' not in page:
            failures.append(f"{name}: {getattr(response, 'status_code', outcome)} {expected!r} not reported")
        if version_rows(webtest) != before or health.get("database") != "ok":
            failures.append(f"{name}: a version was saved, or /healthz was not served ({health})")
    assert not failures, "\n".join(failures)


# -- running a published version: the bomb is an incident, and another request is served meanwhile --------------

@pytest.mark.parametrize("slot", list(SLOTS))
def test_a_bomb_in_a_version_published_before_the_sandbox_is_an_incident_while_other_requests_are_served(
        app, webtest, slot):
    _, _, element, words = SLOTS[slot]
    failures = []
    for name, bomb in bombs_for(slot).items():
        publish_unchecked(webtest, webtest_with(slot, as_code(slot, bomb)))

        def run_case():
            reference = open_case(webtest)
            if slot == "condition":
                [task_id] = open_task_ids(webtest, reference)
                lifecycle.complete_task(webtest.uow(), webtest.runtime, task_id, dict(RECORD_DATA), SYSTEM)
            return reference
        thread, outcome = in_background(run_case)
        health = served_meanwhile(app, thread)
        if "result" not in outcome:
            failures.append(f"{name}: the case run failed outright: {outcome.get('error')!r}")
            continue
        incident = case_row(webtest, outcome["result"]).incident or ""
        if f"{words} exceeds the evaluation budget" not in incident:
            failures.append(f"{name}: incident {incident!r}")
        if health.get("database") != "ok":
            failures.append(f"{name}: /healthz was not served ({health})")
    assert not failures, "\n".join(failures)
