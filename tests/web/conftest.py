"""Web fixtures: the app on a real database, staff in two divisions, and a small test process on every division."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from processes.access import SYSTEM
from processes.accounts import hash_password, new_api_token
from processes.bundle import bundle_from_directory
from processes.intake import record_case
from processes.versions import publish_shipped
from web import create_app
from web.extensions import limiter

PASSWORD = "correct-horse-battery"
BUNDLE = Path(__file__).parent / "bundles" / "webtest"
STAFF = {
    "ia.team": [("IA", "complaints_team")],
    "ia.manager": [("IA", "line_manager")],
    "ia.officer": [("IA", "investigating_officer")],
    "ia.admin": [("IA", "administrator")],
    "euk.team": [("EUK", "complaints_team")],
    "euk.admin": [("EUK", "administrator")],
    "ia.analyst": [("IA", "process_analyst")],
    # every division runs the web test process, so editing it takes the analyst role in all four
    "all.analyst": [(code, "process_analyst") for code in ("IA", "EUK", "ST", "PL")],
}


@pytest.fixture
def webtest(container):
    """Every division's complaints and concerns run the small web test process."""
    publish_shipped(container.uow(), container.runtime, bundle_from_directory(BUNDLE))
    with container.uow() as uow:
        for division in uow.divisions.all():
            processes = dict(division.config.get("processes", {}))
            processes.update(complaint="web_test", concern="web_test")
            division.config = {**division.config, "processes": processes}
        uow.commit()
    return container


@pytest.fixture
def staff(webtest):
    """Staff accounts by username, each with an id and an API token."""
    found = {}
    with webtest.uow() as uow:
        divisions = {d.code: d for d in uow.divisions.all()}
        password_hash = hash_password(PASSWORD)
        for username, memberships in STAFF.items():
            token, digest = new_api_token()
            user = uow.users.add(username=username, display_name=username.replace(".", " ").title(),
                                 email=f"{username}@example.org", password_hash=password_hash, api_token_hash=digest)
            for code, role in memberships:
                uow.users.add_membership(user.id, divisions[code].id, role)
            found[username] = {"id": user.id, "token": token}
        uow.commit()
    return found


@pytest.fixture
def app(webtest, staff):
    built = create_app(webtest, TESTING=True, WTF_CSRF_ENABLED=False)
    limiter.reset()
    return built


@pytest.fixture
def client(app):
    return app.test_client()


def login(client, username: str):
    """Sign a test client in as one of the staff."""
    response = client.post("/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def api(username: str, staff: dict) -> dict:
    return {"Authorization": f"Bearer {staff[username]['token']}"}


def open_case(container, division: str = "IA", summary: str = "My adviser missed two appointments.",
              kind: str = "complaint", days_ago: int = 0, **answers) -> str:
    """Open a case as if recorded by staff; returns its reference."""
    received = container.clock.now() - timedelta(days=days_ago)
    base = {"summary": summary, "name": "Pat Jones", "email": "pat@example.org", "on_behalf": False}
    return record_case(container.uow(), container.runtime, SYSTEM, division, kind, "email", received,
                       {**base, **answers})


def open_task(container, reference: str) -> int:
    """The id of the case's first open task."""
    with container.uow() as uow:
        case = uow.cases.by_reference(reference)
        return uow.tasks.open_for_case(case.id)[0].id


RECORD_FORM = {"summary": "Missed appointments", "happened_on": "2026-12-01", "category": "service",
               "eligible": "yes", "_action": "complete"}
