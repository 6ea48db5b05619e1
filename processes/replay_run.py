"""One case replayed on a proposed version from its recorded events, in memory, on a clock moved to each recorded
instant: the deadlines it would have had and how each ended, beside the ones it really had.

Nothing here writes: the run is never saved, the case's row is not changed, and the caller rolls its transaction
back. The replay's clock is a SettableClock of its own; the division's calendar is the one the case ran on.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.util.task import TaskState

from . import engine
from .access import SYSTEM
from .case_run import CaseRun, Runtime
from .clock import SettableClock, as_utc
from .engine import ProcessDefinition
from .errors import DomainError
from .operators import Effects
from .vocabulary import BREACHABLE_KINDS, DeadlineKind, DeadlineStatus

BREACHED = DeadlineStatus.BREACHED


class CannotReplay(Exception):
    """The recorded history does not fit the proposal from some point on (the reason is the message)."""


@dataclass
class Tracked:
    """A deadline the replay started: which element, its kind, when due and how it ended."""

    element: str
    name: str
    kind: str
    due_at: datetime | None
    stage: str = ""
    status: str = "running"


@dataclass
class Replayed:
    """What one case's replay produced."""

    deadlines: list[Tracked] = field(default_factory=list)
    taken: set[str] = field(default_factory=set)
    reason: str | None = None


def replay_case(uow: Any, runtime: Runtime, case: Any, definition: ProcessDefinition, version_info: Any,
                until: datetime) -> Replayed:
    """Replay one case's recorded receipts, messages and completed tasks, each at its recorded instant."""
    out = Replayed()
    events = sorted(uow.events.for_case(case.id), key=lambda e: e.id)
    started = next((e for e in events if e.kind == "case_started"), None)
    if started is None:
        out.reason = "the case has no recorded start"
        return out
    clock = SettableClock(as_utc(started.at))
    replay_runtime = Runtime(clock, runtime.services, runtime.letters, runtime.definitions, runtime.status_links)
    run = CaseRun(replay_runtime, uow, case, SYSTEM)
    start_data = _start_data(run)
    recorded_data = _recorded_task_data(run, events)
    if start_data is None:
        out.reason = "the case's starting data is not recorded"
        return out
    run.version, run.definition, run.instance = version_info, definition, None
    tracker = _Tracker(out)
    try:
        run._workflow = engine.new_workflow(definition, run.script_engine, start_data)
        _step(run, tracker, out)
        for event in events:
            if event.kind not in ("task_completed", "message_delivered", "timer_fired"):
                continue
            at = as_utc(event.at)
            clock.set(at)  # timers the proposal has due by now fire first, as they did when the case ran
            if event.kind == "timer_fired":
                _step(run, tracker, out)
            elif event.kind == "message_delivered":
                _deliver(run, tracker, out, str((event.data or {}).get("message")),
                         dict((event.data or {}).get("payload") or {}), at)
            else:
                _complete(run, tracker, out, definition, str(event.element), event, recorded_data, at)
        if not run.workflow.completed and as_utc(until) > clock.now():
            clock.set(as_utc(until))  # what has fallen due since the last recorded step, as the sweep would fire it
            _step(run, tracker, out)
    except CannotReplay as exc:
        out.reason = str(exc)
    except DomainError as exc:
        out.reason = f"the proposal stopped: {exc}"
    return out


def _start_data(run: CaseRun) -> dict[str, Any] | None:
    if not run.has_workflow:
        return None
    for task in engine.all_tasks(run.workflow):
        if task.task_spec.name == "Start":
            return dict(task.data)
    return None


def _recorded_task_data(run: CaseRun, events: list[Any]) -> dict[int, dict[str, Any]]:
    """The data each completed task was given: from its event, or, for a case recorded before events held it,
    from the task in the case's stored workflow state (while that state still holds it)."""
    found: dict[int, dict[str, Any]] = {}
    rows = None
    for event in events:
        if event.kind != "task_completed":
            continue
        data = (event.data or {}).get("data")
        if isinstance(data, dict):
            found[event.id] = data
            continue
        if rows is None:
            rows = {row.id: row for row in run.uow.tasks.for_case(run.case.id)}
        row = rows.get((event.data or {}).get("task_id"))
        task = engine.find_task(run.workflow, row.spiff_task_id) if row is not None and run.has_workflow else None
        if task is not None:
            found[event.id] = dict(task.data)
    return found


def _deliver(run: CaseRun, tracker: _Tracker, out: Replayed, message: str, payload: dict[str, Any],
             at: datetime) -> None:
    waiting = {e.name for e in run.workflow.waiting_events() if e.event_type == "MessageEventDefinition"}
    if message not in waiting:
        raise CannotReplay(f"{message.replace('_', ' ')} received {at:%d %b %Y} is not awaited by the proposal then")
    run.workflow.catch(BpmnEvent(MessageEventDefinition(message), payload=payload))
    _step(run, tracker, out, timers_first=False)


def _complete(run: CaseRun, tracker: _Tracker, out: Replayed, definition: ProcessDefinition, element: str,
              event: Any, recorded: dict[int, dict[str, Any]], at: datetime) -> None:
    ready = [t for t in engine.ready_user_tasks(run.workflow) if (t.task_spec.bpmn_id or t.task_spec.name) == element]
    if not ready:
        title = (event.data or {}).get("title") or element
        if element not in _elements(definition):
            raise CannotReplay(f"the proposal has no task “{title}” ({element}), completed {at:%d %b %Y}")
        raise CannotReplay(f"“{title}” ({element}), completed {at:%d %b %Y}, is not open on the proposal then")
    data = recorded.get(event.id)
    if data is None:
        raise CannotReplay(f"what was entered in “{element}” on {at:%d %b %Y} is not recorded")
    task = ready[0]
    task.data.update(data)
    task.run()
    _step(run, tracker, out)


def _step(run: CaseRun, tracker: _Tracker, out: Replayed, timers_first: bool = True) -> None:
    incident = run.case.incident
    clean = run.run(timers_first=timers_first)
    failure, run.case.incident = run.case.incident, incident  # the real case keeps its own incident
    if not clean:
        raise CannotReplay(f"the proposal fails at {run.now:%d %b %Y %H:%M}: {failure}")
    tracker.sync(run)
    out.taken.update(t.task_spec.bpmn_id for t in engine.all_tasks(run.workflow, TaskState.COMPLETED)
                     if t.task_spec.bpmn_id)
    run.events, run.effects = [], Effects()


def _elements(definition: ProcessDefinition) -> set[str]:
    specs = [definition.spec, *definition.subprocess_specs.values()]
    return {s.bpmn_id for spec in specs for s in spec.task_specs.values() if getattr(s, "bpmn_id", None)}


def elements_of(definition: ProcessDefinition) -> dict[str, str]:
    """Each element of a definition that a case can take (tasks, events, gateways), with its name."""
    specs = [definition.spec, *definition.subprocess_specs.values()]
    return {s.bpmn_id: s.bpmn_name or s.bpmn_id for spec in specs for s in spec.task_specs.values()
            if getattr(s, "bpmn_id", None)}


class _Tracker:
    """The deadlines of a replay, kept as CaseRun keeps them in the deadlines table."""

    def __init__(self, out: Replayed):
        self.out = out
        self.running: dict[str, Tracked] = {}

    def sync(self, run: CaseRun) -> None:
        extended = {d.get("stage") for kind, d in run.effects.events if kind == "deadline_extended"}
        started: set[tuple[str, str]] = set()
        seen = set()
        for task, due in engine.waiting_timers(run.workflow):
            key = str(task.id)
            seen.add(key)
            if key in self.running:
                continue
            props = engine.task_properties(task.task_spec)
            kind, stage = props.get("deadlineKind", DeadlineKind.TIMER), props.get("stage", run.case.stage)
            started.add((kind, stage))
            tracked = Tracked(task.task_spec.bpmn_id or task.task_spec.name,
                              task.task_spec.bpmn_name or task.task_spec.bpmn_id or "", kind, due, stage)
            self.running[key] = tracked
            self.out.deadlines.append(tracked)
        replaced = {(k, s) for k, s in started if s in extended}
        for key in [k for k in self.running if k not in seen]:
            tracked = self.running.pop(key)
            task = engine.find_task(run.workflow, key)
            if task is not None and task.has_state(TaskState.COMPLETED):
                tracked.status = BREACHED if tracked.kind in BREACHABLE_KINDS else DeadlineStatus.FIRED
            elif (tracked.kind, tracked.stage) in replaced:
                tracked.status = DeadlineStatus.EXTENDED
            elif tracked.kind in BREACHABLE_KINDS or tracked.kind.endswith("_window"):
                tracked.status = DeadlineStatus.MET
            else:
                tracked.status = DeadlineStatus.NOT_NEEDED
