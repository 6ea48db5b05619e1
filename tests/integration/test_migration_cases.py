"""Migrating running cases to a newly published version: preview, audited bulk action, recomputed deadlines."""
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from processes.errors import Conflict, Forbidden
from processes.governance import approve_version, publish_version, save_version_draft, submit_version
from processes.lifecycle import fire_due_timers, start_case
from processes.migration import migrate_cases, preview_migration
from storage import models as m
from tests.governance_support import PROCESS, add_user, demo_text, published_id, use_demo_process, with_ack_deadline

OLD_DUE = datetime(2027, 1, 4, 23, 59, 59, tzinfo=timezone.utc)  # 5 working days from Wed 23 Dec 2026
NEW_DUE = datetime(2026, 12, 30, 23, 59, 59, tzinfo=timezone.utc)  # 3 working days


@pytest.fixture
def people(container):
    use_demo_process(container)
    return {"analyst": add_user(container, "ana", "process_analyst"), "gov": add_user(container, "gill", "governance"),
            "staff": add_user(container, "sam", "complaints_team")}


def publish(container, people, changes) -> int:
    saved = save_version_draft(container.uow(), container.runtime, PROCESS, changes, people["analyst"])
    assert saved.problems == []
    submit_version(container.uow(), container.runtime, saved.version_id, people["analyst"], "change")
    approve_version(container.uow(), saved.version_id, people["gov"], "ok")
    publish_version(container.uow(), container.runtime, saved.version_id, people["gov"])
    return saved.version_id


def case_state(container, reference):
    with container.session_factory() as session:
        case = session.scalars(select(m.Case).where(m.Case.reference == reference)).one()
        instance = session.scalars(select(m.Instance).where(m.Instance.case_id == case.id)).one()
        deadline = session.scalars(select(m.Deadline).where(m.Deadline.case_id == case.id,
                                                           m.Deadline.element_id == "triage_deadline")).one()
        task = session.scalars(select(m.Task).where(m.Task.case_id == case.id, m.Task.state == "open")).first()
        events = [(e.kind, e.version_id, e.data) for e in session.scalars(
            select(m.Event).where(m.Event.case_id == case.id).order_by(m.Event.id))]
        return {"version": case.version_id, "instance_version": instance.version_id, "state": instance.state,
                "due": instance.due_at, "deadline": deadline.due_at, "deadline_status": deadline.status,
                "task_due": task.due_at if task else None, "task_version": task.version_id if task else None,
                "events": events}


def test_a_new_case_gets_the_new_deadline_while_an_older_case_keeps_its_old_one(container, people):
    older = start_case(container.uow(), container.runtime, division="IA", kind="complaint")
    publish(container, people, with_ack_deadline("working_days_after(received_at, 3)"))
    newer = start_case(container.uow(), container.runtime, division="IA", kind="complaint")
    assert case_state(container, older)["deadline"] == OLD_DUE
    assert case_state(container, newer)["deadline"] == NEW_DUE


def test_the_preview_lists_an_older_case_as_able_to_migrate_with_its_deadline_change(container, people):
    older = start_case(container.uow(), container.runtime, division="IA", kind="complaint")
    version_id = publish(container, people, with_ack_deadline("working_days_after(received_at, 3)"))
    before = case_state(container, older)
    [preview] = preview_migration(container.uow(), container.runtime, version_id, people["gov"])
    assert (preview.reference, preview.from_version, preview.can_migrate) == (older, 1, True)
    assert [(s.element, s.before, s.after) for s in preview.deadlines if s.before != s.after] == [
        ("triage_deadline", OLD_DUE, NEW_DUE)]
    assert case_state(container, older) == before


def test_migrating_moves_the_case_recomputes_its_pending_deadline_and_records_both_versions(container, people):
    older = start_case(container.uow(), container.runtime, division="IA", kind="complaint")
    old_id = published_id(container)
    version_id = publish(container, people, with_ack_deadline("working_days_after(received_at, 3)"))
    result = migrate_cases(container.uow(), container.runtime, version_id, [older], people["gov"])
    after = case_state(container, older)
    assert result.migrated == [older] and result.refused == {}
    assert (after["version"], after["instance_version"], after["task_version"]) == (version_id,) * 3
    assert (after["deadline"], after["task_due"], after["due"]) == (NEW_DUE, NEW_DUE, datetime(
        2026, 12, 29, 23, 59, 59, tzinfo=timezone.utc))
    kind, event_version, data = [e for e in after["events"] if e[0] == "case_migrated"][0]
    assert (event_version, data["from_version"], data["to_version"]) == (version_id, 1, 2)
    assert data["deadlines"] == [{"element": "triage_deadline", "name": "Triage deadline",
                                  "before": OLD_DUE.isoformat(), "after": NEW_DUE.isoformat()}]
    assert old_id != version_id


def test_a_migrated_case_fires_its_recomputed_deadline_when_the_clock_reaches_it(container, people, clock):
    older = start_case(container.uow(), container.runtime, division="IA", kind="complaint")
    version_id = publish(container, people, with_ack_deadline("working_days_after(received_at, 3)"))
    migrate_cases(container.uow(), container.runtime, version_id, [older], people["gov"])
    clock.set(datetime(2026, 12, 31, 9, tzinfo=timezone.utc))
    with container.session_factory() as session:
        instance_id = session.scalar(select(m.Instance.id).join(m.Case).where(m.Case.reference == older))
    assert fire_due_timers(container.uow(), container.runtime, instance_id)
    with container.session_factory() as session:
        case = session.scalars(select(m.Case).where(m.Case.reference == older)).one()
        assert (case.status, case.outcome) == ("closed", "expired")


def test_a_case_whose_completed_step_changed_cannot_migrate_and_stays_untouched(container, people):
    older = start_case(container.uow(), container.runtime, division="IA", kind="complaint")
    changed = demo_text().replace("'acknowledgement'", "'acknowledgement_v2'")
    version_id = publish(container, people, {"demo.bpmn": changed})
    before = case_state(container, older)
    [preview] = preview_migration(container.uow(), container.runtime, version_id, people["gov"])
    assert not preview.can_migrate
    assert preview.reasons == ["'Send acknowledgement' has already run and was changed in the new version"]
    result = migrate_cases(container.uow(), container.runtime, version_id, [older], people["gov"])
    assert result.refused == {older: preview.reasons} and case_state(container, older) == before


def test_a_case_waiting_at_a_removed_element_cannot_migrate(container, people):
    start_case(container.uow(), container.runtime, division="IA", kind="complaint")
    xml = demo_text()
    start = xml.index('<bpmn:boundaryEvent id="triage_reminder"')
    end = xml.index("</bpmn:boundaryEvent>", start) + len("</bpmn:boundaryEvent>")
    xml = xml[:start] + xml[end:]
    for cut in ('<bpmn:sequenceFlow id="f_remind" sourceRef="triage_reminder" targetRef="remind" />',):
        xml = xml.replace(cut, "")
    xml = xml.replace("<bpmn:incoming>f_remind</bpmn:incoming>", "")
    xml = _drop_element(xml, '<bpmn:serviceTask id="remind"', "</bpmn:serviceTask>")
    xml = _drop_element(xml, '<bpmn:endEvent id="end_reminded"', "</bpmn:endEvent>")
    xml = xml.replace('<bpmn:sequenceFlow id="f_reminded" sourceRef="remind" targetRef="end_reminded" />', "")
    version_id = publish(container, people, {"demo.bpmn": xml})
    [preview] = preview_migration(container.uow(), container.runtime, version_id, people["gov"])
    assert any("'Triage reminder', which is not in the new version" in r for r in preview.reasons)


def test_only_governance_may_preview_or_migrate_and_only_to_the_published_version(container, people):
    older = start_case(container.uow(), container.runtime, division="IA", kind="complaint")
    retired_id = published_id(container)
    version_id = publish(container, people, with_ack_deadline("working_days_after(received_at, 3)"))
    with pytest.raises(Forbidden):
        preview_migration(container.uow(), container.runtime, version_id, people["analyst"])
    with pytest.raises(Forbidden):
        migrate_cases(container.uow(), container.runtime, version_id, [older], people["staff"])
    with pytest.raises(Conflict, match="published"):
        preview_migration(container.uow(), container.runtime, retired_id, people["gov"])


def _drop_element(xml: str, opening: str, closing: str) -> str:
    start = xml.index(opening)
    end = xml.index(closing, start) + len(closing)
    return xml[:start] + xml[end:]
