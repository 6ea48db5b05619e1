"""Migrating running cases to the published version: a preview per case, then an audited bulk action.

Only open cases are offered; the run moves exactly the cases named and records each one moved or refused, why."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from SpiffWorkflow.bpmn.util.diff import diff_workflow, migrate_workflow
from SpiffWorkflow.util.task import TaskState

from . import engine
from .access import Actor
from .case_run import CaseRun, Runtime
from .errors import Conflict, DomainError, Forbidden, NotFound
from .process_scope import process_owners
from .vocabulary import CaseStatus, Role, VersionState

PREVIEW_LIMIT = 500
RESET = TaskState.READY | TaskState.WAITING
HAS_RUN = TaskState.COMPLETED | TaskState.STARTED | TaskState.ERROR


@dataclass
class DeadlineShift:
    """A pending deadline before and after migration."""

    element: str
    name: str
    before: datetime | None
    after: datetime | None

    @property
    def moved(self) -> bool:
        return self.before != self.after


@dataclass
class CaseMigration:
    """Whether one running case can move to the target version, why not, and what its deadlines become."""

    reference: str
    division: str
    from_version: int
    from_sha256: str
    reasons: list[str] = field(default_factory=list)
    deadlines: list[DeadlineShift] = field(default_factory=list)

    @property
    def can_migrate(self) -> bool:
        return not self.reasons


@dataclass
class MigrationResult:
    """What a bulk migration did, case by case."""

    migrated: list[str] = field(default_factory=list)
    refused: dict[str, list[str]] = field(default_factory=dict)


def preview_migration(uow, runtime: Runtime, version_id: int, actor: Actor, limit: int = PREVIEW_LIMIT,
                      only: list[str] | None = None) -> list[CaseMigration]:
    """For each open case on an older version of the process (or only those named), whether it can migrate and
    why not."""
    _require_governance(actor)
    with uow:
        target = _published(uow, version_id, actor)
        definition = runtime.definitions.get(uow, target)
        previews = []
        for case in uow.versions.running_cases(target.process_key, target.id, limit):
            division = uow.divisions.get(case.division_id)
            if not actor.can_see(division.code) or (only is not None and case.reference not in only):
                continue
            run = CaseRun(runtime, uow, case, actor)
            preview = CaseMigration(case.reference, division.code, run.version.number, run.version.sha256)
            before = {t.task_spec.bpmn_id: (t.task_spec.bpmn_name, due)
                      for t, due in engine.waiting_timers(run.workflow)}
            preview.reasons = _blockers(run.workflow, definition)
            if not preview.reasons:
                _migrate(run.workflow, definition)
                preview.deadlines = _shifts(before, run.workflow)
            previews.append(preview)
        return previews


def migrate_cases(uow, runtime: Runtime, version_id: int, references: list[str], actor: Actor) -> MigrationResult:
    """Move the named cases to the published version, each in its own transaction; the rest stay untouched.

    The audit entry names every case moved and every case refused with its reasons."""
    _require_governance(actor)
    with uow:
        _published(uow, version_id, actor)  # out of scope or not published: refused before any case moves
    result = MigrationResult()
    for reference in dict.fromkeys(references):
        try:
            reasons = _migrate_case(uow, runtime, version_id, reference, actor)
        except DomainError as exc:
            reasons = [exc.message]
        if reasons:
            result.refused[reference] = reasons
        else:
            result.migrated.append(reference)
    with uow:
        target = _published(uow, version_id, actor)
        uow.events.append(None, "cases_migrated", actor.username, runtime.clock.now(), version_id=target.id,
                          data={"process": target.process_key, "number": target.number, "sha256": target.sha256,
                                "divisions": process_owners(uow).codes(target.process_key),
                                "requested": len(dict.fromkeys(references)), "migrated": result.migrated,
                                "refused": result.refused})
        uow.commit()
    return result


def _migrate_case(uow, runtime: Runtime, version_id: int, reference: str, actor: Actor) -> list[str]:
    with uow:
        target = _published(uow, version_id, actor)
        case = uow.cases.by_reference(reference)
        division = uow.divisions.get(case.division_id) if case else None
        if case is None or not actor.can_see(division.code):
            raise NotFound(f"no case {reference}")
        run = CaseRun(runtime, uow, case, actor)
        if run.version.process_key != target.process_key or run.version.id == target.id:
            return [f"the case runs on {run.version.process_key} version {run.version.number}, not an older version "
                    f"of {target.process_key}"]
        if case.status == CaseStatus.CLOSED:
            return ["the case is closed"]
        if run.instance is None or run.instance.completed:
            return ["the case has finished"]
        definition = runtime.definitions.get(uow, target)
        reasons = _blockers(run.workflow, definition)
        if reasons:
            return reasons
        before = {t.task_spec.bpmn_id: (t.task_spec.bpmn_name, due) for t, due in engine.waiting_timers(run.workflow)}
        old = run.version
        _migrate(run.workflow, definition)
        case.version_id, run.instance.version_id = target.id, target.id
        run.version, run.definition = target, definition
        for row in uow.tasks.open_for_case(case.id):
            row.version_id = target.id
        shifts = _shifts(before, run.workflow)
        _move_running_deadlines(uow, case.id, run.workflow)
        run.note("case_migrated", None, process=target.process_key, from_version=old.number, from_sha256=old.sha256,
                 to_version=target.number, to_sha256=target.sha256,
                 deadlines=[{"element": s.element, "name": s.name, "before": _iso(s.before), "after": _iso(s.after)}
                            for s in shifts if s.before != s.after])
        run.run()
        run.save()
        uow.commit()
        return []


def _blockers(workflow, definition) -> list[str]:
    """Reasons a workflow cannot move to the new specs; none means it can."""
    if workflow.completed:
        return ["the case has finished"]
    reasons = []
    if any(True for _ in engine.all_tasks(workflow, TaskState.ERROR)):
        reasons.append("the case has an incident waiting to be retried")
    top, subs = diff_workflow(engine.SERIALIZER.registry, workflow, definition.spec, definition.subprocess_specs)
    reasons += _diff_blockers(workflow, top)
    for sub_id, sub_diff in subs.items():
        sub = workflow.subprocesses[sub_id]
        if sub_diff is None:
            reasons.append(f"the case is inside {sub.spec.name!r}, which is not in the new version")
        else:
            reasons += _diff_blockers(sub, sub_diff)
    return list(dict.fromkeys(reasons))


def _diff_blockers(workflow, diff) -> list[str]:
    reset = [t for t in workflow.get_tasks(state=RESET, skip_subprocesses=True)]
    dropped = {d.id for t in reset for d in t if d is not t}
    reasons = []
    for task in diff.removed:
        if task.id not in dropped:
            where = "is now at" if task.has_state(RESET) else "has been through"
            reasons.append(f"the case {where} {_step(task.task_spec)}, which is not in the new version")
    for task in diff.changed:
        if task.id not in dropped and task.has_state(HAS_RUN):
            reasons.append(f"{_step(task.task_spec)} has already run and was changed in the new version")
    return reasons


def _migrate(workflow, definition) -> None:
    top, subs = diff_workflow(engine.SERIALIZER.registry, workflow, definition.spec, definition.subprocess_specs)
    for sub_id, sub_diff in subs.items():
        sub = workflow.subprocesses[sub_id]
        migrate_workflow(sub_diff, sub, definition.subprocess_specs[sub.spec.name])
    # Resetting waiting and ready tasks re-evaluates their timers with the new expressions.
    migrate_workflow(top, workflow, definition.spec)
    workflow.subprocess_specs = dict(definition.subprocess_specs)


def _shifts(before: dict, workflow) -> list[DeadlineShift]:
    after = {t.task_spec.bpmn_id: (t.task_spec.bpmn_name, due) for t, due in engine.waiting_timers(workflow)}
    return [DeadlineShift(element, (after.get(element) or before.get(element))[0] or element,
                          before.get(element, (None, None))[1], after.get(element, (None, None))[1])
            for element in dict.fromkeys([*before, *after])]


def _move_running_deadlines(uow, case_id: int, workflow) -> None:
    """Recomputed timers keep their task ids, so their running deadline rows take the new instants."""
    waiting = {str(task.id): (task, due) for task, due in engine.waiting_timers(workflow)}
    for row in uow.deadlines.running_for_case(case_id):
        if row.spiff_task_id in waiting:
            task, due = waiting[row.spiff_task_id]
            row.due_at, row.explanation = due, engine.deadline_explanation(task)


def _step(task_spec) -> str:
    name = task_spec.bpmn_name or task_spec.bpmn_id
    if name:
        return f"'{name}'"
    owner, _, part = task_spec.name.rpartition(".")
    owner_spec = engine.owning_spec(task_spec, owner) if owner else None
    if owner_spec is not None and part.startswith("BoundaryEvent"):
        return f"the boundary events of '{owner_spec.bpmn_name or owner}'"
    return f"the internal step {task_spec.name!r}"


def _published(uow, version_id: int, actor: Actor):
    target = uow.versions.get(version_id)
    if target is None:
        raise NotFound(f"no process version {version_id}")
    process_owners(uow).require(actor, Role.GOVERNANCE, target.process_key, "migrate its running cases")
    if target.state != VersionState.PUBLISHED:
        raise Conflict(f"cases can only move to the published version; version {target.number} is "
                       f"{target.state.replace('_', ' ')}")
    return target


def _require_governance(actor: Actor) -> None:
    if actor.is_system or not actor.has_any_role(Role.GOVERNANCE):
        raise Forbidden("only governance may migrate running cases")


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
