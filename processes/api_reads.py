"""What the JSON API returns for a case, a task and the process versions, limited to the caller's divisions."""
from __future__ import annotations

from .access import Actor
from .calendar import WorkingCalendar
from .case_run import CaseRun, Runtime
from .case_view import _deadline_line, visible_case, waiting_messages
from .lifecycle import open_task_line
from .process_scope import process_owners
from .read_models import plain_all
from .task_view import task_view
from .vocabulary import Role, TaskRowState


def api_case(uow, runtime: Runtime, reference: str, actor: Actor) -> dict:
    """A case with its open tasks, its deadlines and the messages it waits for."""
    with uow:
        case, _ = visible_case(uow, reference, actor)
        return case_out(uow, CaseRun(runtime, uow, case, actor))


def case_out(uow, run: CaseRun) -> dict:
    """What the API shows of a loaded case, read in the caller's transaction."""
    case, version, now = run.case, run.version, run.now
    return {"reference": case.reference, "division": run.division.code, "kind": case.kind, "channel": case.channel,
            "stage": case.stage, "status": case.status, "outcome": case.outcome, "received_at": case.received_at,
            "summary": case.summary, "closed_at": case.closed_at, "process_key": version.process_key,
            "version_number": version.number, "sha256": version.sha256,
            "open_tasks": [open_task_line(t) for t in uow.tasks.open_for_case(case.id)],
            "deadlines": [_deadline_line(d, now).__dict__ for d in uow.deadlines.for_case(case.id)],
            "waiting_messages": waiting_messages(run)}


def api_task(uow, runtime: Runtime, task_id: int, actor: Actor) -> dict:
    """A task with its form, draft and due date in working days."""
    view = task_view(uow, runtime, task_id, actor)
    row, now = view.task, runtime.clock.now()
    left = None
    if row.due_at is not None:
        with uow:
            left = WorkingCalendar(view.division.nation,
                                   uow.closures.for_division(view.division.id)).working_days_between(now, row.due_at)
    return {"id": row.id, "title": row.title, "stage": row.stage, "role": row.role, "state": row.state,
            "case_reference": view.case.reference, "division": view.division.code, "due_at": row.due_at,
            "overdue": row.due_at is not None and row.due_at < now and row.state == TaskRowState.OPEN,
            "working_days_left": left,
            "assignee": view.assignee, "process_key": view.version.process_key,
            "version_number": view.version.number, "form": view.schema, "ui": view.ui, "draft": view.data}


def api_versions(uow, actor: Actor) -> list:
    """Versions of the processes the actor's divisions run, and of those they may edit or govern."""
    with uow:
        owners = process_owners(uow)
        keys = set()
        for division in uow.reference.divisions():
            if actor.can_see(division.code):
                keys |= set((division.config or {}).get("processes", {}).values())
        return plain_all(v for v in uow.versions.summaries() if v.process_key in keys
                         or owners.may(actor, (Role.PROCESS_ANALYST, Role.GOVERNANCE), v.process_key))
