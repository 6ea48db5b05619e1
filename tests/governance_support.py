"""Shared set-up for the modeler, governance and migration tests: people, the demo bundle and snapshots."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from processes.accounts import hash_password, load_actor
from processes.bundle import bundle_from_directory
from storage import models as m

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "bpmn" / "demo"
PROCESS = "demo_complaint"
ACK_DEADLINE = "working_days_after(received_at, 5)"
PASSWORD = "a long enough test password"


def use_demo_process(container, divisions: tuple[str, ...] = ("IA",)) -> None:
    """Route the divisions' complaints (Interventions Alliance's, where `add_user` puts people) to the demo process,
    whatever divisions.json says; the division's analysts and governance then own it."""
    with container.session_factory() as session, session.begin():
        for division in session.scalars(select(m.Division).where(m.Division.code.in_(divisions))):
            division.config = {**division.config, "processes": {**division.config.get("processes", {}),
                                                                "complaint": PROCESS}}


ALL_DIVISIONS = ("IA", "EUK", "ST", "PL")


def add_user(container, username: str, *roles: str, division: str | tuple[str, ...] = "IA"):
    """A user holding the roles in one division (or in each of several); returns their actor."""
    with container.uow() as uow:
        user = uow.users.add(username=username, display_name=username.replace("_", " ").title(),
                             email=f"{username}@example.org", password_hash=hash_password(PASSWORD))
        for code in (division,) if isinstance(division, str) else division:
            found = uow.divisions.by_code(code)
            for role in roles:
                uow.users.add_membership(user.id, found.id, role)
        uow.commit()
        user_id = user.id
    return load_actor(container.uow(), user_id)


def demo_text(name: str = "demo.bpmn") -> str:
    return bundle_from_directory(DEMO).files[name].decode()


def with_ack_deadline(expression: str) -> dict[str, str]:
    """The demo diagram with its acknowledgement deadline expression replaced."""
    return {"demo.bpmn": demo_text().replace(ACK_DEADLINE, expression)}


def version_rows(container) -> list[tuple]:
    """Every version row as a comparable tuple, to prove a refused action changed nothing."""
    with container.session_factory() as session:
        rows = session.scalars(select(m.ProcessVersion).order_by(m.ProcessVersion.id))
        return [(r.id, r.process_key, r.number, r.state, r.sha256, r.files, r.validation, r.reviewer_id,
                 r.change_note, r.review_note, r.updated_at, r.submitted_at) for r in rows]


def published_id(container, process_key: str = PROCESS) -> int:
    with container.uow() as uow:
        return uow.versions.published(process_key).id


def web_client(container, csrf: bool = False):
    """A test client of the whole app; CSRF is checked when `csrf` is true."""
    from web import create_app
    return create_app(container, TESTING=True, WTF_CSRF_ENABLED=csrf, RATELIMIT_ENABLED=False).test_client()


def sign_in(client, username: str):
    response = client.post("/login", data={"username": username, "password": PASSWORD,
                                           "csrf_token": csrf_token(client, "/login")})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def csrf_token(client, url: str) -> str:
    """The CSRF token a page's forms carry ('' when the page has no form)."""
    import re
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).get_data(as_text=True))
    return found.group(1) if found else ""


REMIND_CHANGE = ("<spiffworkflow:parameter id=\"template\" type=\"str\" value=\"'sla_warning'\" />",
                 "<spiffworkflow:parameter id=\"template\" type=\"str\" value=\"'sla_breach'\" />")


def migration_scenario(container, movable: int = 6) -> dict:
    """Cases on v1 of the demo process and an approved v2 (acknowledge within 3 days, a different reminder letter)
    waiting to be published: one case whose reminder has already gone cannot move, one closed case (its side work
    still running) must never be offered, and `movable` cases waiting at triage can move."""
    from datetime import timedelta

    from processes.governance import approve_version, save_version_draft, submit_version
    from processes.lifecycle import fire_due_timers, start_case
    use_demo_process(container)
    analyst = add_user(container, "ana", "process_analyst")
    reviewer = add_user(container, "gill", "governance")
    clock = container.clock
    started = clock.now()
    reminded = start_case(container.uow(), container.runtime, division="IA", kind="complaint", summary="Reminded")
    clock.set(started + timedelta(days=7))  # past its reminder (two working days), before its deadline
    with container.session_factory() as session:
        case = session.scalars(select(m.Case).where(m.Case.reference == reminded)).one()
        instance_id = session.scalars(select(m.Instance.id).where(m.Instance.case_id == case.id)).one()
    fire_due_timers(container.uow(), container.runtime, instance_id)
    closed = start_case(container.uow(), container.runtime, division="IA", kind="complaint", summary="Closed")
    with container.session_factory() as session, session.begin():
        case = session.scalars(select(m.Case).where(m.Case.reference == closed)).one()
        case.status, case.closed_at = "closed", clock.now()
    waiting = [start_case(container.uow(), container.runtime, division="IA", kind="complaint", summary=f"Waiting {i}")
               for i in range(movable)]
    xml = demo_text().replace(ACK_DEADLINE, "working_days_after(received_at, 3)").replace(*REMIND_CHANGE)
    saved = save_version_draft(container.uow(), container.runtime, PROCESS, {"demo.bpmn": xml}, analyst)
    assert saved.problems == []
    submit_version(container.uow(), container.runtime, saved.version_id, analyst, "Acknowledge within 3 days")
    approve_version(container.uow(), saved.version_id, reviewer, "Matches the revised standard")
    return {"version_id": saved.version_id, "reminded": reminded, "closed": closed, "waiting": waiting,
            "received": 2 + movable}


def case_version_id(container, reference: str) -> int:
    with container.session_factory() as session:
        return session.scalars(select(m.Case.version_id).where(m.Case.reference == reference)).one()
