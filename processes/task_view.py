"""The task page's read model: the form (with the people who may be named as its choices) and the case beside it."""
from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as default
from typing import Any

from . import engine
from .access import Actor
from .aggregates import Case, Division, StoredFile, Task, Version
from .case_run import CaseRun, Runtime
from .classification import CLASSIFIED
from .closing_forms import effective_form
from .errors import NotFound
from .ports import UnitOfWork
from .read_models import plain, plain_all
from .staffing import assignable_staff, staff_fields, staffed_form
from .task_context import as_text, prefilled, shown_answers
from .vocabulary import MANAGER_ROLES, TaskRowState


@dataclass
class TaskView:
    """A task with its form, the case it belongs to, and what the actor may do with it."""

    task: Task
    case: Case
    division: Division
    version: Version | None
    schema: dict[str, Any]
    ui: dict[str, Any]
    data: dict[str, Any]
    can_complete: bool
    can_claim: bool
    can_reassign: bool
    assignee: str | None
    people: dict[str, list[dict[str, Any]]]
    files: list[StoredFile]
    staff: list[tuple[str, str]]
    # (title, text) pairs: earlier answers the form is judged against, and what a completed task was answered with
    shown: list[tuple[str, str]] = default(default_factory=list)
    answers: list[tuple[str, str]] = default(default_factory=list)


def task_view(uow: UnitOfWork, runtime: Runtime, task_id: int, actor: Actor) -> TaskView:
    """Load a task page for an actor who may see the task's division."""
    with uow:
        row = uow.tasks.get(task_id)
        case = uow.cases.get(row.case_id) if row is not None else None
        division = uow.divisions.get(case.division_id) if case is not None else None
        if row is None or case is None or division is None or not actor.can_see(division.code):
            raise NotFound(f"no task {task_id}")
        run = CaseRun(runtime, uow, case, actor)
        spiff_task = engine.find_task(run.workflow, row.spiff_task_id) if run.has_workflow else None
        schema, ui, known = {}, {}, {}
        if spiff_task is not None:
            schema = staffed_form(uow, case, division, effective_form(uow, run.definition, spiff_task.task_spec))
            ui = run.definition.ui_for(spiff_task.task_spec) or {}
            known = dict(spiff_task.data or {})
        elif row.state == TaskRowState.COMPLETED and run.has_workflow:  # its subprocess has ended: read the form
            schema, known = _finished_form(uow, run, row.spec_name)
        outcomes = _earlier_outcomes(uow, case.id, row.stage)
        mine_or_free = row.assignee_id in (None, actor.user_id)
        may_act = row.assignee_id == actor.user_id or actor.has_role(division.code, row.role)
        manager = any(actor.has_role(division.code, r) for r in MANAGER_ROLES)
        assignee = uow.users.get(row.assignee_id) if row.assignee_id else None
        data = prefilled(schema, known, dict(row.draft or {}), outcomes) if row.state == TaskRowState.OPEN else {}
        return TaskView(task=plain(row), case=plain(case), division=plain(division),
                        version=plain(uow.versions.get(case.version_id)),
                        schema=schema, ui=ui, data=data,
                        can_complete=row.state == TaskRowState.OPEN and may_act and mine_or_free,
                        can_claim=row.state == TaskRowState.OPEN and may_act and row.assignee_id is None,
                        can_reassign=row.state == TaskRowState.OPEN and manager,
                        assignee=assignee.display_name if assignee else None,
                        people=_people(schema),
                        files=plain_all(uow.cases.files_for_case(case.id)),
                        staff=[(c.username, c.label) for c in assignable_staff(uow, case, division, row)]
                        if manager and row.state == TaskRowState.OPEN else [],
                        shown=shown_answers(schema, known, outcomes),
                        answers=_answers(schema, known) if row.state == TaskRowState.COMPLETED else [])


def _finished_form(uow: UnitOfWork, run: CaseRun, spec_name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The form of a task whose subprocess has finished, and the case's answers as the workflow holds them now."""
    for spec in run.definition.all_specs():
        task_spec = spec.task_specs.get(spec_name)
        if task_spec is not None:
            latest = max(run.workflow.get_tasks(), key=lambda t: t.last_state_change, default=None)
            return effective_form(uow, run.definition, task_spec) or {}, dict(latest.data if latest else {})
    return {}, {}


def _earlier_outcomes(uow: UnitOfWork, case_id: int, stage: str | None) -> list[tuple[str, str]]:
    """(stage, outcome) of each earlier stage's response, latest per stage, from the case's classifications."""
    stages = {t.spec_name: t.stage for t in uow.tasks.for_case(case_id)}
    found: dict[str, str] = {}
    for event in uow.events.for_case(case_id):
        outcome = (event.data or {}).get("outcome")
        where = stages.get(event.element or "")
        if event.kind == CLASSIFIED and outcome and where and where != stage:
            found[where] = outcome
    return list(found.items())


def _answers(schema: dict[str, Any], data: dict[str, Any]) -> list[tuple[str, str]]:
    """(title, text) of a completed task's answers, in the form's order."""
    out = []
    for name, spec in (schema.get("properties") or {}).items():
        if name in data and data[name] not in (None, "", [], {}) and not (spec or {}).get("x-attachment"):
            out.append((str((spec or {}).get("title") or name.replace("_", " ")), as_text(data[name])))
    return out


def _people(schema: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """For each top-level staff field, the people its choices offer (as `staffed_form` built them)."""
    people = {}
    for field in staff_fields(schema):
        if field.rows is None:
            spec = schema["properties"][field.name]
            target = spec["items"] if field.many else spec
            names = zip(target.get("enum", []), target.get("enumNames", []), strict=False)
            people[field.name] = [{"username": u, "name": n, "involved": []} for u, n in names]
    return people
