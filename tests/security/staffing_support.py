"""A small process that walks through the shipped staff-naming forms, and the staff to name in them."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from processes.access import SYSTEM
from processes.accounts import hash_password, load_actor, new_api_token
from processes.bundle import bundle_from_files
from processes.intake import record_case
from processes.lifecycle import complete_task
from processes.versions import publish_shipped
from storage import models as m

BPMN = Path(__file__).resolve().parents[2] / "bpmn"
PASSWORD = "correct-horse-battery"
# the shipped forms, read as they are, so the test follows them when they change
FORMS = {"allocate_line_manager": "group_complaint/forms/allocate_line_manager.json",
         "allocate_investigator": "group_complaint/forms/allocate_investigator.json",
         "convene_panel": "group_complaint/forms/convene_panel.json",
         "action_plan": "shared/forms/action_plan.json",
         "psrd_complaint_review": "training_complaint/forms/psrd_complaint_review.json"}
STEPS = [("record", "Complaints team", None), ("allocate_line_manager", "Complaints team", None),
         ("allocate_investigator", "Complaints team", None), ("convene_panel", "Complaints team", None),
         ("action_plan", "Complaints team", None), ("psrd_complaint_review", "PSRD director", None),
         ("investigate", "Investigating officer", "investigating_officer")]
STAFF = {
    "ia.team": [("IA", "complaints_team"), ("IA", "investigating_officer"), ("IA", "line_manager")],
    "ia.manager": [("IA", "line_manager")],
    "ia.manager.gone": [("IA", "line_manager")],  # disabled below
    "ia.officer": [("IA", "investigating_officer")],
    "ia.officer2": [("IA", "investigating_officer")],
    "ia.panel": [("IA", "appeal_panel")],
    "ia.panel2": [("IA", "appeal_panel")],
    "ia.director": [("IA", "psrd_director")],
    "euk.manager": [("EUK", "line_manager")],
    "euk.officer": [("EUK", "investigating_officer")],
    "euk.panel": [("EUK", "appeal_panel")],
}
DISABLED = {"ia.manager.gone"}


def _task(name: str, lane: str, assignee: str | None) -> str:
    form = f'<spiffworkflow:property name="formJsonSchemaFilename" value="forms/{name}.json" />' \
        if name != "investigate" else ""
    assigned = f'<spiffworkflow:property name="assigneeVariable" value="{assignee}" />' if assignee else ""
    return (f'<bpmn:userTask id="{name}" name="{name.replace("_", " ").capitalize()}"><bpmn:extensionElements>'
            f'<spiffworkflow:properties>{form}{assigned}<spiffworkflow:property name="stage" value="formal" />'
            f'</spiffworkflow:properties></bpmn:extensionElements></bpmn:userTask>')


def staffing_bundle():
    """Record, then each staff-naming form in turn, then an investigation given to the officer named."""
    lanes = {}
    for name, lane, _ in STEPS:
        lanes.setdefault(lane, []).append(name)
    lanes["Complaints team"] = ["start", *lanes["Complaints team"], "end"]
    lane_xml = "".join(f'<bpmn:lane id="lane_{i}" name="{lane}">'
                       + "".join(f"<bpmn:flowNodeRef>{n}</bpmn:flowNodeRef>" for n in nodes) + "</bpmn:lane>"
                       for i, (lane, nodes) in enumerate(lanes.items()))
    order = ["start", *[n for n, _, _ in STEPS], "end"]
    flows = "".join(f'<bpmn:sequenceFlow id="f{i}" sourceRef="{a}" targetRef="{b}" />'
                    for i, (a, b) in enumerate(zip(order, order[1:], strict=False)))
    xml = ('<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/'
           '20100524/MODEL" xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" '
           'id="staff_test_definitions" targetNamespace="http://bpmn.io/schema/bpmn">'
           '<bpmn:collaboration id="c"><bpmn:participant id="p" name="Staff test" processRef="staff_test" />'
           '</bpmn:collaboration><bpmn:process id="staff_test" name="Staff test" isExecutable="true">'
           f'<bpmn:laneSet id="lanes">{lane_xml}</bpmn:laneSet><bpmn:startEvent id="start" />'
           + "".join(_task(*step) for step in STEPS) + f'<bpmn:endEvent id="end" />{flows}</bpmn:process>'
           '</bpmn:definitions>')
    files = {"bundle.json": json.dumps({"process_key": "staff_test", "entry_process": "staff_test",
                                        "title": "Staff test"}).encode(),
             "staff_test.bpmn": xml.encode(),
             "forms/record.json": json.dumps({"type": "object", "properties": {"notes": {"type": "string"}}}).encode()}
    for name, path in FORMS.items():
        files[f"forms/{name}.json"] = (BPMN / path).read_bytes()
    return bundle_from_files(files)


@pytest.fixture
def staffed(container):
    """IA and EUK complaints run the staffing process; the staff above exist with API tokens."""
    publish_shipped(container.uow(), container.runtime, staffing_bundle())
    people = {}
    with container.uow() as uow:
        divisions = {d.code: d for d in uow.divisions.all()}
        for division in divisions.values():
            division.config = {**division.config, "processes": {**division.config.get("processes", {}),
                                                                "complaint": "staff_test"}}
        password_hash = hash_password(PASSWORD)
        for username, memberships in STAFF.items():
            token, digest = new_api_token()
            user = uow.users.add(username=username, display_name=username.replace(".", " ").title(),
                                 email=f"{username}@example.org", password_hash=password_hash,
                                 api_token_hash=digest, is_active=username not in DISABLED)
            for code, role in memberships:
                uow.users.add_membership(user.id, divisions[code].id, role)
            people[username] = {"id": user.id, "token": token}
        uow.commit()
    container.people = people
    return container


def open_case(c) -> str:
    """An IA case whose first task ('record') has been completed by ia.team, who is now involved."""
    reference = record_case(c.uow(), c.runtime, SYSTEM, "IA", "complaint", "email", c.clock.now(),
                            {"summary": "Missed appointments", "name": "Pat Jones", "email": "pat@example.org",
                             "on_behalf": False})
    complete_task(c.uow(), c.runtime, task_id(c, reference, "record"), {"notes": "recorded"},
                  load_actor(c.uow(), c.people["ia.team"]["id"]))
    return reference


GOOD = {"allocate_line_manager": {"line_manager": "ia.manager"},
        "allocate_investigator": {"investigating_officer": "ia.officer"},
        "convene_panel": {"panel": ["ia.panel", "ia.panel2"], "panel_meets_on": "2027-01-11"},
        "action_plan": {"actions": [{"description": "Retrain", "owner": "ia.manager", "review_on": "2027-02-01"}],
                        "discussed_with_colleague_and_manager": True},
        "psrd_complaint_review": {"complaint_review_notes": "Seen", "investigating_officer": "ia.officer2"}}


def advance_to(c, reference: str, step: str) -> int:
    """Complete the tasks before `step` with good answers (as the system); the id of the open `step` task."""
    for name, _, _ in STEPS[1:]:
        if name == step:
            return task_id(c, reference, step)
        complete_task(c.uow(), c.runtime, task_id(c, reference, name), GOOD[name], SYSTEM)
    raise AssertionError(step)


def task_id(c, reference: str, spec_name: str) -> int:
    with c.session_factory() as session:
        return session.scalars(select(m.Task.id).join(m.Case).where(
            m.Case.reference == reference, m.Task.spec_name == spec_name, m.Task.state == "open")).one()


def snapshot(c, reference: str) -> dict:
    """Everything a refused assignment must leave as it was."""
    with c.session_factory() as session:
        case = session.scalars(select(m.Case).where(m.Case.reference == reference)).one()
        instance = session.scalars(select(m.Instance).where(m.Instance.case_id == case.id)).one()
        return {"tasks": sorted(session.execute(select(m.Task.id, m.Task.state, m.Task.assignee_id)
                                                .where(m.Task.case_id == case.id)).all()),
                "events": session.scalar(select(func.count()).select_from(m.Event).where(m.Event.case_id == case.id)),
                "involvements": sorted(session.execute(select(m.Involvement.user_id, m.Involvement.capacity)
                                                       .where(m.Involvement.case_id == case.id)).all()),
                "state": instance.state, "lock": instance.lock_version}


def login(client, username: str):
    response = client.post("/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def bearer(c, username: str) -> dict:
    return {"Authorization": f"Bearer {c.people[username]['token']}"}
