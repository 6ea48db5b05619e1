"""Races through HTTP: of concurrent completions or claims of one task, exactly one wins and every other caller
gets 409, never 500 (the real app served on a port, a thread pool of JSON API requests with bearer tokens)."""
from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from processes.access import SYSTEM
from processes.accounts import new_api_token
from processes.intake import record_case
from storage import models as m
from tests.bpmn.test_group_support import triage_answers
from tests.e2e.conftest import serving
from web import create_app

pytestmark = pytest.mark.both_databases  # races are settled by the database's locking

ROUNDS = 10
COMPLETERS = 20
CLAIMERS = 10
TEAM = [f"ia.team{n:02d}" for n in range(COMPLETERS)]
LINE_MANAGER = "ia.lm"


@pytest.fixture
def served(container):
    """The product served on a free port, with twenty IA complaints team members and a line manager, each with a
    token."""
    tokens = {}
    with container.uow() as uow:
        ia = uow.divisions.by_code("IA")
        for username, role in [*((name, "complaints_team") for name in TEAM), (LINE_MANAGER, "line_manager")]:
            token, digest = new_api_token()
            user = uow.users.add(username=username, display_name=username.replace(".", " ").title(),
                                 email=f"{username}@example.org", password_hash=None, api_token_hash=digest)
            uow.users.add_membership(user.id, ia.id, role)
            tokens[username] = token
        uow.commit()
    with serving(create_app(container)) as url:
        yield {"url": url, "tokens": tokens, "container": container}


def post(url: str, token: str, body: dict | None = None) -> tuple[int, str]:
    """POST a JSON body with a bearer token; the status and the body text, whatever the status."""
    data = json.dumps(body).encode() if body is not None else b""
    request = urllib.request.Request(url, data=data, method="POST", headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def race(calls: list) -> list[tuple[int, str]]:
    """Run the calls at the same moment, one thread each."""
    barrier = threading.Barrier(len(calls))

    def go(call):
        barrier.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(go, calls))


def new_triage_task(container) -> tuple[str, int]:
    """A new IA complaint waiting in triage; its reference and the triage task's id."""
    reference = record_case(container.uow(), container.runtime, SYSTEM, "IA", "complaint", "email",
                            container.clock.now(), {"summary": "Missed appointments", "name": "Pat Jones",
                                                    "email": "pat@example.org", "on_behalf": False})
    with container.session_factory() as session:
        case_id = session.scalar(select(m.Case.id).where(m.Case.reference == reference))
        [task_id] = session.scalars(select(m.Task.id).where(m.Task.case_id == case_id, m.Task.state == "open"))
    return reference, task_id


def tally(results: list[tuple[int, str]]) -> Counter:
    return Counter(status for status, _ in results)


def count(container, model, *where) -> int:
    with container.session_factory() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def test_of_twenty_concurrent_completions_of_a_task_exactly_one_succeeds_and_the_rest_get_409(served):
    c, base = served["container"], served["url"]
    for round_number in range(ROUNDS):
        reference, task_id = new_triage_task(c)
        calls = [lambda token=served["tokens"][name], task_id=task_id: post(
            f"{base}/api/v1/tasks/{task_id}/complete", token, {"data": triage_answers()}) for name in TEAM]
        results = race(calls)
        assert tally(results) == Counter({200: 1, 409: COMPLETERS - 1}), (
            round_number, tally(results), [body[:300] for status, body in results if status not in (200, 409)])
        assert all(json.loads(body)["error"]["code"] == "conflict" for status, body in results if status == 409)
        with c.session_factory() as session:
            case_id = session.scalar(select(m.Case.id).where(m.Case.reference == reference))
        assert count(c, m.Event, m.Event.case_id == case_id, m.Event.kind == "task_completed") == 1
        assert count(c, m.Task, m.Task.case_id == case_id, m.Task.state == "open") == 1  # the next task, once
        assert count(c, m.Outbox, m.Outbox.case_id == case_id, m.Outbox.template == "acknowledgement") == 1
        assert count(c, m.Deadline, m.Deadline.case_id == case_id, m.Deadline.status == "running",
                     m.Deadline.kind == "response") == 1


def test_of_ten_concurrent_claims_of_a_task_exactly_one_succeeds_and_the_rest_get_409(served):
    c, base = served["container"], served["url"]
    claimers = TEAM[:CLAIMERS]
    for round_number in range(ROUNDS):
        _, task_id = new_triage_task(c)
        calls = [lambda token=served["tokens"][name], task_id=task_id: post(
            f"{base}/api/v1/tasks/{task_id}/claim", token) for name in claimers]
        results = race(calls)
        assert tally(results) == Counter({200: 1, 409: CLAIMERS - 1}), (
            round_number, tally(results), [body[:300] for status, body in results if status not in (200, 409)])
        [winner] = [json.loads(body)["assignee"] for status, body in results if status == 200]
        with c.session_factory() as session:
            task = session.get(m.Task, task_id)
            assignee = session.get(m.User, task.assignee_id)
        assert assignee.display_name == winner  # the one told 200 holds the task: no last write wins
        assert count(c, m.Event, m.Event.kind == "task_assigned",
                     m.Event.data["task_id"].as_integer() == task_id) == 1
