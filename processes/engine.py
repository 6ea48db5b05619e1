"""SpiffWorkflow adapter: parse bundles, build and restore workflows, read their waiting work.

The only module that touches SpiffWorkflow's private API (underscore attributes of its tasks and specs); each use
is behind a named function below, so an engine upgrade is checked here alone."""
from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.parser.util import first
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.event_definition import TimerConditionalEventDefinitionConverter
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException, TaskNotFoundException
from SpiffWorkflow.specs.base import TaskSpec
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.task import Task as SpiffTask
from SpiffWorkflow.util.task import TaskState

from .bundle import Bundle, parse_xml_safely
from .errors import BundleInvalid
from .timers import bounded_duration, explain_deadline, unusable_value

# --- SpiffWorkflow's task internals, named ---------------------------------------------------------------

def timer_value(task: SpiffTask) -> str | None:
    """The instant (ISO 8601) a waiting timer falls due, once its expression has been evaluated."""
    value = task._get_internal_data("event_value")
    return str(value) if value is not None else None


def timer_fired(task: SpiffTask) -> bool:
    return bool(task._get_internal_data("event_fired", False))


def deadline_explanation(task: SpiffTask) -> dict[str, Any] | None:
    """Why a timer's deadline is what it is (counted from, working days, days skipped), as its timer computed it."""
    explanation = task._get_internal_data("deadline")
    return dict(explanation) if explanation is not None else None


def _set_timer(task: SpiffTask, **values: Any) -> None:
    task._set_internal_data(**values)


def force_ready(task: SpiffTask) -> None:
    """Put a failed task back to READY so the next run tries it again (SpiffWorkflow has no public retry)."""
    task._set_state(TaskState.READY)


def owning_spec(task_spec: TaskSpec, name: str) -> TaskSpec | None:
    """The spec called `name` in the same process spec as `task_spec`, or None."""
    return task_spec._wf_spec.task_specs.get(name)


# --- timers on the injectable clock ----------------------------------------------------------------------

def _script_engine(my_task: SpiffTask) -> Any:
    return my_task.workflow.script_engine


class WorkingTimeDateEventDefinition(TimeDateEventDefinition):
    """A timer at an instant given by an expression, e.g. `working_days_after(received_at, 3)`."""

    def has_fired(self, my_task: SpiffTask) -> bool:
        engine = _script_engine(my_task)
        if timer_value(my_task) is None:
            engine.environment.last_deadline = None
            value = engine.evaluate(my_task, self.expression)
            try:
                value = value if isinstance(value, str) else value.isoformat()
                if not isinstance(TimerEventDefinition.parse_time_or_duration(value), datetime):
                    raise ValueError(value)
            except (AttributeError, TypeError, ValueError, OverflowError):
                raise unusable_value(my_task, value, "a date and time") from None
            _set_timer(my_task, event_value=value, deadline=explain_deadline(engine.environment))
        due = TimerEventDefinition.parse_time_or_duration(timer_value(my_task))
        if due <= engine.clock.now():
            _set_timer(my_task, event_fired=True)
        return timer_fired(my_task)


class WorkingDurationEventDefinition(DurationTimerEventDefinition):
    """A timer a duration after it starts waiting, measured on the injectable clock."""

    def has_fired(self, my_task: SpiffTask) -> bool:
        engine = _script_engine(my_task)
        now = engine.clock.now()
        if timer_value(my_task) is None:
            expression = engine.evaluate(my_task, self.expression)
            try:
                parsed = bounded_duration(expression)
                value = now + TimerEventDefinition.get_timedelta_from_start(parsed, now)
            except (AttributeError, TypeError, ValueError, OverflowError):
                raise unusable_value(my_task, expression, "an ISO 8601 duration") from None
            _set_timer(my_task, event_value=value.isoformat())
        if TimerEventDefinition.get_datetime(timer_value(my_task)) <= now:
            _set_timer(my_task, event_fired=True)
        return timer_fired(my_task)


class WorkingTimerParsing:
    """Parser mixin that builds the clock-reading timer definitions; cycle timers are refused."""

    def parse_timer_event(self: Any, event: Any) -> TimeDateEventDefinition | DurationTimerEventDefinition:
        name = self.node.get("name", self.node.get("id"))
        description = self.get_event_description(event)
        time_date = first(self.xpath(".//bpmn:timeDate"))
        if time_date is not None:
            return WorkingTimeDateEventDefinition(name, (time_date.text or "").strip(), description=description)
        duration = first(self.xpath(".//bpmn:timeDuration"))
        if duration is not None:
            return WorkingDurationEventDefinition(name, (duration.text or "").strip(), description=description)
        raise ValidationException("Timers must give a timeDate or timeDuration expression (cycles are not supported)",
                                  node=self.node, file_name=self.filename)


def _with_working_timers(parser_classes: dict[str, Any]) -> dict[str, Any]:
    patched = {}
    for tag, (parser_class, spec_class) in parser_classes.items():
        if hasattr(parser_class, "parse_timer_event"):
            parser_class = type(f"Working{parser_class.__name__}", (WorkingTimerParsing, parser_class), {})
        patched[tag] = (parser_class, spec_class)
    return patched


class CaseBpmnParser(SpiffBpmnParser):
    """The spiff parser with timers on the injectable clock."""

    OVERRIDE_PARSER_CLASSES = _with_working_timers(SpiffBpmnParser.OVERRIDE_PARSER_CLASSES)


class InstanceStateConverter(BpmnWorkflowConverter):
    """Serializes a workflow's state without its spec, which is stored once per bundle hash."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct: dict[str, Any] = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def restore(self, dct: dict[str, Any], spec: Any, subprocess_specs: dict[str, Any]) -> BpmnWorkflow:
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def standard_serializer() -> BpmnWorkflowSerializer:
    """SpiffWorkflow's own serializer (spec included in every workflow), with the product's timer classes."""
    config = dict(SPIFF_CONFIG)
    config[WorkingTimeDateEventDefinition] = TimerConditionalEventDefinitionConverter
    config[WorkingDurationEventDefinition] = TimerConditionalEventDefinitionConverter
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))


def _make_serializer() -> tuple[BpmnWorkflowSerializer, InstanceStateConverter]:
    registry = standard_serializer().registry
    state_converter = InstanceStateConverter(BpmnWorkflow, registry)
    return BpmnWorkflowSerializer(registry), state_converter


SERIALIZER, STATE_CONVERTER = _make_serializer()


@dataclass
class ProcessDefinition:
    """A parsed bundle: the entry spec, the specs it calls, and the bundle's files."""

    bundle: Bundle
    spec: Any
    subprocess_specs: dict[str, Any]

    def to_json(self) -> str:
        """The parsed specs as JSON, stored once per bundle hash."""
        return json.dumps({"spec": SERIALIZER.to_dict(self.spec),
                           "subprocess_specs": {k: SERIALIZER.to_dict(v) for k, v in self.subprocess_specs.items()}})

    @classmethod
    def from_json(cls, bundle: Bundle, text: str) -> "ProcessDefinition":
        dct = json.loads(text)
        return cls(bundle, SERIALIZER.from_dict(dct["spec"]),
                   {k: SERIALIZER.from_dict(v) for k, v in dct["subprocess_specs"].items()})

    def form_for(self, task_spec: TaskSpec) -> dict[str, Any] | None:
        """The JSON Schema of a user task's form, if it names one."""
        name = task_properties(task_spec).get("formJsonSchemaFilename")
        return self.bundle.json_file(name) if name else None

    def ui_for(self, task_spec: TaskSpec) -> dict[str, Any]:
        name = task_properties(task_spec).get("formUiSchemaFilename")
        return self.bundle.json_file(name) if name else {}

    def all_specs(self) -> Iterator[Any]:
        yield self.spec
        yield from self.subprocess_specs.values()


def make_parser() -> CaseBpmnParser:
    return CaseBpmnParser(validator=VALIDATOR)


def parse_bundle(bundle: Bundle) -> ProcessDefinition:
    """Parse a bundle's BPMN and DMN from bytes into specs, or say what is wrong."""
    parser = make_parser()
    try:
        for name, content in sorted(bundle.xml_files().items()):
            root = parse_xml_safely(name, content)
            if name.endswith(".dmn"):
                parser.add_dmn_xml(root, filename=name)
            else:
                parser.add_bpmn_xml(root, filename=name)
        spec = parser.get_spec(bundle.entry_process)
        subprocess_specs = parser.get_subprocess_specs(bundle.entry_process)
    except ValidationException as exc:
        raise BundleInvalid([{"file": exc.file_name, "element": exc.id or None,
                              "message": f"{exc.file_name or 'bundle'}: "
                                         f"{exc.message if hasattr(exc, 'message') else exc}"}]) from None
    except SpiffWorkflowException as exc:
        raise BundleInvalid([{"message": str(exc)}]) from None
    return ProcessDefinition(bundle, spec, subprocess_specs)


def new_workflow(definition: ProcessDefinition, script_engine: Any, data: dict[str, Any]) -> BpmnWorkflow:
    """A fresh workflow whose start task carries the case data."""
    workflow = BpmnWorkflow(definition.spec, definition.subprocess_specs, script_engine=script_engine)
    workflow.get_next_task(state=TaskState.READY).data.update(data)
    return workflow


def dump_state(workflow: BpmnWorkflow) -> str:
    """The workflow's instance state as JSON, without its spec or the subprocesses that have finished."""
    prune_finished_subprocesses(workflow)
    return str(SERIALIZER.serialize_json(workflow))


def prune_finished_subprocesses(workflow: BpmnWorkflow) -> None:
    """Drop subprocesses whose call activity has completed or been cancelled; their results are in its data.

    Without this a looping case (a stage reopened again and again) keeps every past pass in its state.
    """
    for task_id in list(workflow.subprocesses):
        if task_id not in workflow.subprocesses:
            continue
        try:
            caller = workflow.get_task_from_id(task_id)
        except SpiffWorkflowException:
            caller = None  # its call activity left the task tree, so nothing can reach it
        if caller is None or caller.has_state(TaskState.COMPLETED | TaskState.CANCELLED):
            _drop_subprocess(workflow, task_id)


def _drop_subprocess(workflow: BpmnWorkflow, task_id: UUID) -> None:
    subprocess = workflow.subprocesses.pop(task_id)
    for nested in [key for key in workflow.subprocesses if key in subprocess.tasks]:
        _drop_subprocess(workflow, nested)


def load_state(definition: ProcessDefinition, state: str, script_engine: Any) -> BpmnWorkflow:
    """Restore a workflow from its stored state onto its version's cached specs."""
    dct = json.loads(state)
    SERIALIZER.migrate(dct)
    workflow = STATE_CONVERTER.restore(dct, definition.spec, definition.subprocess_specs)
    workflow.script_engine = script_engine
    return workflow


def task_properties(task_spec: TaskSpec) -> dict[str, Any]:
    """The `spiffworkflow:properties` of a task spec as a dict."""
    return dict(getattr(task_spec, "extensions", {}).get("properties", {}) or {})


def all_tasks(workflow: BpmnWorkflow, state: int = TaskState.ANY_MASK) -> Iterator[SpiffTask]:
    yield from workflow.get_tasks(state=state)
    for sub in workflow.subprocesses.values():
        yield from sub.get_tasks(state=state)


def ready_user_tasks(workflow: BpmnWorkflow) -> list[SpiffTask]:
    """READY tasks that wait for a person."""
    return [t for t in workflow.get_tasks(state=TaskState.READY) if t.task_spec.manual]


def waiting_timers(workflow: BpmnWorkflow) -> list[tuple[SpiffTask, datetime]]:
    """WAITING timer events with the instant each falls due."""
    timers = []
    for task in workflow.event_manager.tasks.values():
        definition = getattr(task.task_spec, "event_definition", None)
        value = timer_value(task)
        if isinstance(definition, TimerEventDefinition) and value and not timer_fired(task):
            timers.append((task, TimerEventDefinition.get_datetime(value)))
    return timers


def earliest_due(workflow: BpmnWorkflow) -> datetime | None:
    """When the next timer of this workflow falls due."""
    return min((due for _, due in waiting_timers(workflow)), default=None)


def boundary_timers(task: SpiffTask) -> list[tuple[SpiffTask, datetime]]:
    """Timers on the boundary of a user task, with their due instants."""
    siblings = task.parent.children if task.parent is not None else []
    found = []
    for sibling in siblings:
        definition = getattr(sibling.task_spec, "event_definition", None)
        value = timer_value(sibling)
        if sibling is not task and isinstance(definition, TimerEventDefinition) and value:
            found.append((sibling, TimerEventDefinition.get_datetime(value)))
    return found


def task_due(task: SpiffTask) -> datetime | None:
    """A user task's deadline: the boundary timer named by `dueTimer`, else its latest boundary timer,
    else the deadline of the subprocess it runs in (a stage's response timers sit on the stage's subprocess)."""
    timers = boundary_timers(task)
    named = task_properties(task.task_spec).get("dueTimer")
    if named:
        timers = [(t, due) for t, due in timers if t.task_spec.bpmn_id == named] or timers
    if not timers and task.workflow.parent_task_id is not None:
        return task_due(task.workflow.top_workflow.get_task_from_id(task.workflow.parent_task_id))
    return max((due for _, due in timers), default=None)


def find_task(workflow: BpmnWorkflow, task_id: str) -> SpiffTask | None:
    """The workflow's task with this id, or None when it has none (a stale or foreign id)."""
    try:
        return workflow.get_task_from_id(UUID(task_id))
    except (ValueError, KeyError, TaskNotFoundException):
        return None
