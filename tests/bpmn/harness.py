"""Runs a real shipped diagram in memory, with a driven clock and a serializer round-trip at every wait."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.util.task import TaskState

from handlers import build_registry
from processes import engine
from processes.bundle import bundle_from_directory
from processes.calendar import WorkingCalendar
from processes.clock import SettableClock, as_utc
from processes.forms import validate_form
from processes.operators import Effects, HandlerContext
from processes.scripting import CaseScriptEngine
from processes.validation import require_valid

BPMN = Path(__file__).resolve().parents[2] / "bpmn"
_DEFINITIONS: dict = {}


class DiagramRun:
    """One case on one shipped bundle, run by the real engine and the real handlers."""

    def __init__(self, bundle: str, received_at: datetime, data: dict | None = None, *, division: str = "IA",
                 nation: str = "england", config: dict | None = None, now: datetime | None = None):
        if bundle not in _DEFINITIONS:
            _DEFINITIONS[bundle] = require_valid(bundle_from_directory(BPMN / bundle), build_registry())
        self.definition = _DEFINITIONS[bundle]
        self.clock = SettableClock(as_utc(now or received_at))
        self.calendar = WorkingCalendar(nation)
        self.services = build_registry()
        self.effects = Effects()
        self.case = SimpleNamespace(reference=f"{division}-TEST", stage="intake", status="open", outcome=None)
        self.division = SimpleNamespace(code=division, nation=nation, config=config or {})
        self.script_engine = CaseScriptEngine(self.clock, self.calendar, self._call)
        start = {"reference": self.case.reference, "division": division, "kind": "complaint", "channel": "web",
                 "received_at": as_utc(received_at).isoformat(), "complainant": {}, "support_needs": {},
                 "summary": "", **(data or {})}
        self.workflow = engine.new_workflow(self.definition, self.script_engine, start)
        self.run()

    def _call(self, task, name, params):
        ctx = HandlerContext(self.case, self.division, dict(task.data), str(task.id), self.clock, self.calendar)
        result = self.services.call(name, ctx, params)
        self.effects.extend(ctx.effects)
        for key, value in ctx.effects.case_changes.items():
            setattr(self.case, key, value)
        return result

    def run(self) -> None:
        for _ in range(50):
            self.workflow.refresh_timers()
            self.workflow.do_engine_steps()
            if not any(not t.task_spec.manual for t in self.workflow.get_tasks(state=TaskState.READY)):
                break
        self.save_restore()

    def save_restore(self) -> None:
        """Round-trip the instance through the serializer, as every wait does in production."""
        state = engine.dump_state(self.workflow)
        self.workflow = engine.load_state(self.definition, state, self.script_engine)

    @property
    def ready(self) -> list[str]:
        return sorted(t.task_spec.bpmn_id for t in engine.ready_user_tasks(self.workflow))

    def task(self, element_id: str):
        for task in engine.ready_user_tasks(self.workflow):
            if task.task_spec.bpmn_id == element_id:
                return task
        raise AssertionError(f"{element_id} is not ready; ready: {self.ready}")

    def complete(self, element_id: str, **data) -> None:
        """Complete a ready user task with data that must pass its form."""
        task = self.task(element_id)
        validate_form(self.definition.form_for(task.task_spec), data)
        task.data.update(data)
        task.run()
        self.run()

    def message(self, name: str, **payload) -> None:
        self.workflow.catch(BpmnEvent(MessageEventDefinition(name), payload=payload))
        self.run()

    def advance_to(self, when: datetime) -> None:
        """Move the clock and fire whatever fell due."""
        self.clock.set(as_utc(when))
        self.run()

    def timers(self) -> dict[str, datetime]:
        """Waiting timers by element id, with their due instants."""
        return {t.task_spec.bpmn_id: due for t, due in engine.waiting_timers(self.workflow)}

    def due(self, element_id: str) -> datetime:
        return engine.task_due(self.task(element_id))

    def letters(self) -> list[tuple[str, str]]:
        return [(d.template, d.recipient) for d in self.effects.letters]

    @property
    def completed(self) -> bool:
        return self.workflow.completed
