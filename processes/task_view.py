"""The task page's read model: the form, the case beside it, and who may be chosen for independent roles."""
from __future__ import annotations

from dataclasses import dataclass

from . import engine
from .access import Actor
from .case_run import CaseRun, Runtime
from .closing_forms import effective_form
from .errors import NotFound
from .forms import independent_fields
from .read_models import MANAGER_ROLES, TASK_ROLES, plain, plain_all

ROLE_HINTS = (("investigat", "investigating_officer"), ("panel", "appeal_panel"), ("manager", "line_manager"),
              ("hr", "hr"), ("director", "psrd_director"))


@dataclass
class TaskView:
    """A task with its form, the case it belongs to, and what the actor may do with it."""

    task: object
    case: object
    division: object
    version: object
    schema: dict
    ui: dict
    data: dict
    can_complete: bool
    can_claim: bool
    can_reassign: bool
    assignee: str | None
    people: dict
    files: list
    staff: list


def task_view(uow, runtime: Runtime, task_id: int, actor: Actor) -> TaskView:
    """Load a task page for an actor who may see the task's division."""
    with uow:
        row = uow.tasks.get(task_id)
        case = uow.cases.get(row.case_id) if row is not None else None
        division = uow.divisions.get(case.division_id) if case is not None else None
        if row is None or not actor.can_see(division.code):
            raise NotFound(f"no task {task_id}")
        run = CaseRun(runtime, uow, case, actor)
        spiff_task = engine.find_task(run.workflow, row.spiff_task_id) if run.workflow else None
        schema, ui = {}, {}
        if spiff_task is not None:
            schema = effective_form(uow, run.definition, spiff_task.task_spec) or {}
            ui = run.definition.ui_for(spiff_task.task_spec) or {}
        mine_or_free = row.assignee_id in (None, actor.user_id)
        may_act = row.assignee_id == actor.user_id or actor.has_role(division.code, row.role)
        manager = any(actor.has_role(division.code, r) for r in MANAGER_ROLES)
        assignee = uow.users.get(row.assignee_id) if row.assignee_id else None
        data = dict(row.draft or {})
        return TaskView(task=plain(row), case=plain(case), division=plain(division),
                        version=plain(uow.versions.get(case.version_id)),
                        schema=schema, ui=ui, data=data,
                        can_complete=row.state == "open" and may_act and mine_or_free,
                        can_claim=row.state == "open" and may_act and row.assignee_id is None,
                        can_reassign=row.state == "open" and manager,
                        assignee=assignee.display_name if assignee else None,
                        people=_people(uow, case, division, schema, ui) if row.state == "open" else {},
                        files=plain_all(uow.cases.files_for_case(case.id)),
                        staff=staff_choices(uow, division.id) if manager and row.state == "open" else [])


def staff_choices(uow, division_id: int) -> list[tuple[str, str]]:
    """(username, name) of the division's staff who can hold tasks, for reassigning."""
    seen = {}
    for role in TASK_ROLES:
        for user in uow.users.holding_role(division_id, role):
            seen[user.username] = user.display_name
    return sorted(seen.items(), key=lambda item: item[1])


def _people(uow, case, division, schema: dict, ui: dict) -> dict[str, list[dict]]:
    """For each independence field, the staff who could be named, each marked if they took part earlier."""
    choices = {}
    for name in independent_fields(schema):
        hint = (ui.get(name) or {}).get("ui:options", {}).get("role") if isinstance(ui.get(name), dict) else None
        role = hint or next((r for key, r in ROLE_HINTS if key in name.lower()), None)
        users = uow.users.holding_role(division.id, role) if role else []
        if not users:
            users = [uow.users.by_username(u) for u, _ in staff_choices(uow, division.id)]
        choices[name] = [{"username": u.username, "name": u.display_name,
                          "involved": sorted(uow.involvements.capacities(case.id, u.id))} for u in users if u]
    return choices
