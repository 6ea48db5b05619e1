"""One engine run on one case: load, act, run, then write back everything in the caller's transaction."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.service_task import ServiceTask
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.task import Task as SpiffTask
from SpiffWorkflow.util.task import TaskState

from . import engine
from .access import Actor, role_for_lane
from .aggregates import Case, Deadline, Division, Instance, Task
from .calendar import LONDON, WorkingCalendar
from .case_rules import apply_changes, years_after
from .clock import Clock
from .definitions import DefinitionCache, VersionInfo
from .engine import ProcessDefinition
from .errors import HandlerFailed
from .operators import Effects, HandlerContext, ServiceRegistry
from .ports import LetterQueue, UnitOfWork
from .sandbox import RUN_LIMITS
from .scripting import CaseScriptEngine
from .status_links import StatusLinks
from .vocabulary import BREACHABLE_KINDS, DeadlineKind, DeadlineStatus, TaskRowState

__all__ = ["CaseRun", "Runtime", "years_after"]

MAX_ROUNDS = 50  # timers that fall due during a run fire in the same run
Note = tuple[str, str | None, dict[str, Any]]  # an event of the run: kind, element, data


@dataclass
class Runtime:
    """Long-lived collaborators of every case run, wired in bootstrap."""

    clock: Clock
    services: ServiceRegistry
    letters: LetterQueue
    definitions: DefinitionCache
    status_links: StatusLinks | None = None  # the complainant's private link; None: a random token per issue


@dataclass
class CaseRun:
    """A loaded case and its workflow, collecting what the run did until it is saved."""

    runtime: Runtime
    uow: UnitOfWork
    case: Case
    actor: Actor
    effects: Effects = field(default_factory=Effects)
    events: list[Note] = field(default_factory=list)
    open_tasks: list[Task] = field(default_factory=list)

    def __post_init__(self) -> None:
        uow = self.uow
        division = uow.divisions.get(self.case.division_id)
        if division is None:
            raise LookupError(f"case {self.case.id} names no stored division")
        self.division: Division = division
        self.calendar = WorkingCalendar(division.nation, uow.closures.for_division(division.id))
        self.version: VersionInfo
        self.definition: ProcessDefinition
        self.version, self.definition = self.runtime.definitions.for_version(uow, self.case.version_id)
        self.script_engine = CaseScriptEngine(self.runtime.clock, self.calendar, self._call_operator, RUN_LIMITS)
        self.instance: Instance | None = uow.instances.for_case(self.case.id)
        self._workflow: BpmnWorkflow | None = None
        if self.instance is not None:
            self._workflow = engine.load_state(self.definition, self.instance.state, self.script_engine)

    @property
    def workflow(self) -> BpmnWorkflow:
        """The case's workflow; a run on a case that has none yet must `start` first."""
        if self._workflow is None:
            raise LookupError(f"case {self.case.reference} has no workflow yet")
        return self._workflow

    @property
    def has_workflow(self) -> bool:
        return self._workflow is not None

    @property
    def now(self) -> datetime:
        return self.runtime.clock.now()

    def start(self, data: dict[str, Any]) -> None:
        self._workflow = engine.new_workflow(self.definition, self.script_engine, data)
        self.note("case_started", version=self.version.number, sha256=self.version.sha256,
                  process=self.version.process_key)

    def note(self, kind: str, element: str | None = None, **data: Any) -> None:
        self.events.append((kind, element, data))

    def _call_operator(self, task: SpiffTask, name: str, params: dict[str, Any]) -> dict[str, Any]:
        ctx = HandlerContext(self.case, self.division, dict(task.data), str(task.id),
                             self.runtime.clock, self.calendar)
        result = self.runtime.services.call(name, ctx, params)
        self.effects.extend(ctx.effects)
        return result

    def _completed(self, task: SpiffTask) -> None:
        spec = task.task_spec
        definition = getattr(spec, "event_definition", None)
        if isinstance(spec, ServiceTask):
            self.note("service_completed", spec.bpmn_id, name=spec.bpmn_name, operator=spec.operation_name)
        elif isinstance(definition, TimerEventDefinition) and spec.bpmn_id:
            self.note("timer_fired", spec.bpmn_id, name=spec.bpmn_name or spec.bpmn_id)
        elif definition is not None and type(definition).__name__ == "MessageEventDefinition" and spec.bpmn_id:
            self.note("message_received", spec.bpmn_id, name=spec.bpmn_name, message=definition.name)

    def run(self, timers_first: bool = True) -> bool:
        """Run the engine until it waits; a failing step becomes a retryable incident. True when clean.

        `timers_first=False` lets a message just caught move on before due timers are looked at: a request received
        in time but recorded after its window's timer fell due must not also close the window."""
        try:
            for round_number in range(MAX_ROUNDS):
                if timers_first or round_number:
                    self.workflow.refresh_timers()
                self.workflow.do_engine_steps(did_complete_task=self._completed)
                if not any(not t.task_spec.manual for t in self.workflow.get_tasks(state=TaskState.READY)):
                    break
        except (HandlerFailed, SpiffWorkflowException) as exc:
            message = str(exc)
            self.case.incident = message
            failed = getattr(exc, "task", None)  # SpiffWorkflow's errors name the task that failed
            element = failed.task_spec.bpmn_id if failed is not None and failed.task_spec is not None else None
            self.note("incident_raised", element, error=message)
            return False
        return True

    def retry(self) -> bool:
        """Put failed steps back to ready and run again."""
        for task in list(engine.all_tasks(self.workflow, TaskState.ERROR)):
            engine.force_ready(task)
        self.case.incident = None
        self.note("incident_retried")
        return self.run()

    def save(self) -> None:
        """Write state, task index, deadlines, events, letters and case changes."""
        uow, now = self.uow, self.now
        # the instance first: its optimistic lock decides between concurrent runs before anything else is written,
        # so a run that loaded stale state stops here (a conflict) instead of acting on rows it never saw
        state, due = engine.dump_state(self.workflow), engine.earliest_due(self.workflow)
        if self.instance is None:
            self.instance = uow.instances.add(self.case.id, self.version.id, state, due)
        else:
            uow.instances.save(self.instance, state, due, self.workflow.completed)
        self._apply_case_changes(now)
        self._sync_tasks(now)
        self._sync_deadlines(now)
        for username, capacity in self.effects.involvements:
            mine = self.actor.user_id is not None and username == self.actor.username
            user_id = self.actor.user_id if mine else uow.users.id_of(username)
            if user_id is not None:
                uow.involvements.add(self.case.id, user_id, capacity, now)
        for action in self.effects.learning_actions:
            uow.learning.add(case_id=self.case.id, created_at=now, **action)
        for draft in self.effects.letters:
            # the letter is signed by whoever completed the step that sent it (a timer's letter: the team)
            draft.context.setdefault("signer_id", self.actor.user_id)
            self.runtime.letters.queue(uow, self.case, self.division, draft, now)
        for kind, data in self.effects.events:
            self.note(kind, None, **data)
        uow.events.append_many([{"case_id": self.case.id, "kind": kind, "actor": self.actor.username, "at": now,
                                 "element": element, "version_id": self.version.id, "data": data}
                                for kind, element, data in self.events])
        self.events, self.effects = [], Effects()

    def _apply_case_changes(self, now: datetime) -> None:
        changed = apply_changes(self.case, self.effects.case_changes, now)
        if changed is not None:
            kind, data = changed
            self.note(kind, **data)

    def _sync_tasks(self, now: datetime) -> None:
        open_rows = {row.spiff_task_id: row for row in self.uow.tasks.open_for_case(self.case.id)}
        self.open_tasks = []  # the case's open task rows once saved; ids are set when the transaction flushes
        for task in engine.ready_user_tasks(self.workflow):
            key = str(task.id)
            due = engine.task_due(task)
            if key in open_rows:
                row = open_rows.pop(key)
                row.due_at = due
                self.open_tasks.append(row)
                continue
            props = engine.task_properties(task.task_spec)
            assignee = task.data.get(props["assigneeVariable"]) if props.get("assigneeVariable") else None
            user = self.uow.users.by_username(assignee) if assignee else None
            self.open_tasks.append(self.uow.tasks.add(
                case_id=self.case.id, division_id=self.case.division_id, version_id=self.version.id,
                spiff_task_id=key, spec_name=task.task_spec.bpmn_id or task.task_spec.name,
                title=task.task_spec.bpmn_name or task.task_spec.name,
                stage=props.get("stage", self.case.stage), role=role_for_lane(task.task_spec.lane),
                assignee_id=user.id if user else None, due_at=due, created_at=now))
        for row in open_rows.values():
            row.state, row.completed_at = TaskRowState.CANCELLED, now

    def _sync_deadlines(self, now: datetime) -> None:
        running = {row.spiff_task_id: row for row in self.uow.deadlines.running_for_case(self.case.id)}
        extensions = {data.get("stage"): data for kind, data in self.effects.events if kind == "deadline_extended"}
        started: set[tuple[str, str]] = set()
        for task, due in engine.waiting_timers(self.workflow):
            key = str(task.id)
            if running.pop(key, None) is not None:
                continue
            spec = task.task_spec
            props = engine.task_properties(spec)
            kind, stage = props.get("deadlineKind", DeadlineKind.TIMER), props.get("stage", self.case.stage)
            started.add((kind, stage))
            explanation = engine.deadline_explanation(task)
            if stage in extensions:
                explanation = extended_explanation(explanation, kind, extensions[stage], now)
            self.uow.deadlines.add(case_id=self.case.id, spiff_task_id=key, element_id=spec.bpmn_id or spec.name,
                                   name=spec.bpmn_name or spec.bpmn_id or spec.name, kind=kind, stage=stage,
                                   due_at=due, explanation=explanation, started_at=now)
        replaced = {(kind, stage) for kind, stage in started if stage in extensions}
        for key, row in running.items():
            row.status, row.resolved_at = self._resolution(key, row, replaced), now

    def _resolution(self, key: str, row: Deadline, replaced: set[tuple[str, str]]) -> str:
        """Fired timers are breached (deadlines) or fired. A cancelled one was extended only when an extension
        replaced it in this step; otherwise a deadline or window was met and a warning or reminder not needed."""
        task = engine.find_task(self.workflow, key)
        if task is not None and task.has_state(TaskState.COMPLETED):
            return DeadlineStatus.BREACHED if row.kind in BREACHABLE_KINDS else DeadlineStatus.FIRED
        if (row.kind, row.stage) in replaced:
            return DeadlineStatus.EXTENDED
        if row.kind in BREACHABLE_KINDS or row.kind.endswith("_window"):
            return DeadlineStatus.MET
        return DeadlineStatus.NOT_NEEDED


def extended_explanation(explanation: dict[str, Any] | None, kind: str, extension: dict[str, Any],
                         now: datetime) -> dict[str, Any]:
    """Why a deadline started by an extension falls where it does: the extension and what it replaced, not the
    zero working days its timer counted from the promised date."""
    reason = str(extension.get("reason") or "an extension")
    on = now.astimezone(LONDON).strftime("%a %d %b %Y")
    previous = _day_text(extension.get("previous_due"))
    new_due = _day_text(extension.get("new_due"))
    cause = f"extended by the {reason.split(':')[0]} sent on {on}" if reason.startswith("interim") else \
        f"extended on {on} ({reason})"
    text = f"{cause[0].upper()}{cause[1:]}: the response is now due {new_due}, in place of {previous}"
    if kind not in BREACHABLE_KINDS:
        text = f"Counted back from the response deadline, which was {cause} to {new_due} (from {previous})"
    return {**(explanation or {}), "text": text, "extended": {"reason": reason, "on": now.isoformat(),
                                                            "previous_due": extension.get("previous_due"),
                                                            "new_due": extension.get("new_due")}}


def _day_text(instant: str | None) -> str:
    try:
        return datetime.fromisoformat(str(instant)).astimezone(LONDON).strftime("%a %d %b %Y")
    except ValueError:
        return "the earlier date"

