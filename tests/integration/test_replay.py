"""Replaying a proposed version against running cases: a stored report of the deadlines that would move, by working
days, made by the worker's job; repeatable, and nothing about any case changes."""
import pytest
from sqlalchemy import select

from processes.errors import Conflict, Forbidden
from processes.governance import save_version_draft, submit_version
from processes.lifecycle import start_case
from processes.replay import latest_replay, request_replay, run_requested_replays
from scheduler import replay_versions
from storage import models as m
from tests.governance_support import add_user

PROCESS, INTAKE = "group_complaint", "shared/intake.bpmn"
ACK = "working_days_after(complaint_received_at, 3)"
KEY = "group-acknowledge-within-3@triage_acknowledgement_due"


@pytest.fixture
def proposed(container):
    analyst = add_user(container, "ana", "process_analyst")
    with container.uow() as uow:
        text = uow.versions.published(PROCESS).files[INTAKE]
    saved = save_version_draft(container.uow(), container.runtime, PROCESS,
                               {INTAKE: text.replace(ACK, "working_days_after(complaint_received_at, 4)")}, analyst)
    submit_version(container.uow(), container.runtime, saved.version_id, analyst, "4 days",
                   justifications={KEY: "pilot"})
    return saved.version_id


def case_state(container, reference):
    with container.session_factory() as session:
        case = session.scalars(select(m.Case).where(m.Case.reference == reference)).one()
        instance = session.scalars(select(m.Instance).where(m.Instance.case_id == case.id)).one()
        deadlines = [(d.element_id, d.due_at, d.status) for d in
                     session.scalars(select(m.Deadline).where(m.Deadline.case_id == case.id).order_by(m.Deadline.id))]
        return case.version_id, instance.state, instance.lock_version, deadlines


def test_a_replay_reports_each_running_case_whose_acknowledgement_would_move_a_working_day(container, proposed):
    ia = start_case(container.uow(), container.runtime, division="IA", kind="complaint", summary="Late reply")
    euk = start_case(container.uow(), container.runtime, division="EUK", kind="complaint", summary="Not ours")
    before = case_state(container, ia)
    governance = add_user(container, "gill", "governance", division="IA")
    request_replay(container.uow(), container.runtime, proposed, governance)
    assert latest_replay(container.uow(), proposed)["waiting"] is True
    with pytest.raises(Conflict, match="already waiting"):
        request_replay(container.uow(), container.runtime, proposed, governance)

    assert replay_versions(container) == 1  # the worker's job
    report = latest_replay(container.uow(), proposed)
    assert report["waiting"] is False and report["requested_by"] == "gill" and report["divisions"] == ["IA"]
    [line] = report["cases"]  # only the requester's division
    assert line["reference"] == ia and line["reasons"] == [] and euk not in str(report["cases"])
    [move] = line["moves"]
    assert (move["element"], move["working_days"]) == ("triage_acknowledgement_due", 1)
    assert (move["before"].date().isoformat(), move["after"].date().isoformat()) == ("2026-12-30", "2026-12-31")
    assert report["summary"] == {"checked": 1, "with_moved_deadlines": 1, "cannot_move": 0}
    assert case_state(container, ia) == before  # the replay changed nothing about the case
    assert run_requested_replays(container.uow, container.runtime) == 0  # nothing left to do

    request_replay(container.uow(), container.runtime, proposed, governance)
    replay_versions(container)
    again = latest_replay(container.uow(), proposed)
    assert again["cases"] == report["cases"] and again["request"] != report["request"]  # repeatable


def test_only_governance_and_analysts_replay_and_only_a_proposed_version(container, proposed):
    staff = add_user(container, "sam", "complaints_team")
    with pytest.raises(Forbidden):
        request_replay(container.uow(), container.runtime, proposed, staff)
    governance = add_user(container, "gill", "governance")
    with container.uow() as uow:
        published = uow.versions.published(PROCESS).id
    with pytest.raises(Conflict, match="only a proposed version"):
        request_replay(container.uow(), container.runtime, published, governance)
    assert latest_replay(container.uow(), published) is None
