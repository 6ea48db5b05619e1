"""Runs a real shipped diagram through the production case run, over the in-memory unit of work, on a driven clock.

Every step is one transaction, as in production: a `CaseRun` loads the case's stored workflow state, acts, runs the
engine until it waits (firing what fell due, recording a failing step as an incident), and saves tasks, deadlines,
events, letters and case changes. Messages and timers go through the lifecycle use cases themselves."""
from __future__ import annotations

import hashlib
import os
from datetime import datetime
from pathlib import Path

from handlers import build_registry
from processes import engine, lifecycle
from processes.access import SYSTEM
from processes.bundle import bundle_from_directory
from processes.case_rules import years_after
from processes.case_run import CaseRun, Runtime
from processes.clock import SettableClock, as_utc
from processes.definitions import DefinitionCache, VersionInfo
from processes.forms import validate_form
from processes.operators import Effects, HandlerContext, ServiceRegistry
from processes.validation import require_valid
from processes.vocabulary import TaskRowState
from tests.fakes import FakeStore, RecordingLetters

# The bundles under test: the shipped bpmn/ folder, or (COMPLAINTS_TEST_BPMN_DIR) a tree written by `complaints export`,
# so the same tests prove that a diagram saved in the modeler and exported still behaves the same.
BPMN = Path(os.environ.get("COMPLAINTS_TEST_BPMN_DIR") or Path(__file__).resolve().parents[2] / "bpmn")
_DEFINITIONS: dict = {}


class _OneDefinition(DefinitionCache):
    """The definition cache of a harness run: the one parsed bundle it runs, parsed once per test session."""

    def __init__(self, info: VersionInfo, definition):
        super().__init__()
        self.info, self.definition = info, definition

    def for_version(self, uow, version_id):
        return self.info, self.definition


class _RecordingRegistry(ServiceRegistry):
    """The real operators, with what each asked of the outside world kept for the test to read."""

    def __init__(self, effects: Effects):
        super().__init__()
        self.effects = effects
        for name in (registry := build_registry()).names():
            self.register(registry.handler(name), name)

    def call(self, name: str, ctx: HandlerContext, params: dict) -> dict:
        try:
            return super().call(name, ctx, params)
        finally:
            self.effects.extend(ctx.effects)


class DiagramRun:
    """One case on one shipped bundle, run by the production case run and the real handlers."""

    def __init__(self, bundle: str, received_at: datetime, data: dict | None = None, *, division: str = "IA",
                 nation: str = "england", config: dict | None = None, now: datetime | None = None,
                 letters=None, complainant: dict | None = None, kind: str = "complaint"):
        if bundle not in _DEFINITIONS:
            _DEFINITIONS[bundle] = require_valid(bundle_from_directory(BPMN / bundle), build_registry())
        self.definition = _DEFINITIONS[bundle]
        self.clock = SettableClock(as_utc(now or received_at))
        self.store = FakeStore(self.clock)
        self.effects = Effects()  # what the handlers asked for, over every step
        sha = hashlib.sha256(bundle.encode()).hexdigest()
        version = self.store.publish({}, self.definition.bundle.process_key, sha)
        self.runtime = Runtime(clock=self.clock, services=_RecordingRegistry(self.effects),
                               letters=letters or RecordingLetters(),
                               definitions=_OneDefinition(VersionInfo(version.id, version.process_key, 1, sha),
                                                          self.definition))
        self._division_id = self.store.add_division(division, division, nation, config or {}).id
        with self.store.uow() as uow:
            case = uow.cases.add(reference=f"{division}-TEST", division_id=self._division_id, kind=kind,
                                 received_at=as_utc(received_at), version_id=version.id, created_at=self.clock.now(),
                                 complainant=dict(complainant or {}))
            self._case_id, self.reference = case.id, case.reference
            run = CaseRun(self.runtime, uow, case, SYSTEM)
            run.start({"reference": case.reference, "division": division, "kind": "complaint", "channel": "web",
                       "received_at": as_utc(received_at).isoformat(), "complainant": {}, "support_needs": {},
                       "summary": "", **(data or {})})
            self._finish(uow, run)

    def _finish(self, uow, run: CaseRun) -> None:
        run.run()
        run.save()
        uow.commit()
        self._workflow = run.workflow

    @property
    def workflow(self):
        """The case's workflow as the last committed step stored it."""
        if self._workflow is None:
            with self.store.uow() as uow:
                self._workflow = CaseRun(self.runtime, uow, uow.cases.get(self._case_id), SYSTEM).workflow
        return self._workflow

    @property
    def case(self):
        """The case as the last step committed it."""
        return self.store.tables["cases"][self._case_id]

    @property
    def division(self):
        """The stored division; a test may change its configuration between steps."""
        return self.store.tables["divisions"][self._division_id]

    @property
    def instance_id(self) -> int:
        return next(i.id for i in self.store.rows("instances") if i.case_id == self._case_id)

    @property
    def ready(self) -> list[str]:
        return sorted(t.task_spec.bpmn_id for t in engine.ready_user_tasks(self.workflow))

    def task(self, element_id: str):
        for task in engine.ready_user_tasks(self.workflow):
            if task.task_spec.bpmn_id == element_id:
                return task
        raise AssertionError(f"{element_id} is not ready; ready: {self.ready}")

    def complete(self, element_id: str, **data) -> None:
        """Complete a ready user task with data that must pass its form, as `lifecycle.complete_task` does
        (without its staffing checks: the harness has no staff)."""
        self.task(element_id)
        with self.store.uow() as uow:
            run = CaseRun(self.runtime, uow, uow.cases.get(self._case_id), SYSTEM)
            task = next(t for t in engine.ready_user_tasks(run.workflow) if t.task_spec.bpmn_id == element_id)
            validate_form(self.definition.form_for(task.task_spec), data)
            [row] = [r for r in uow.tasks.open_for_case(self._case_id) if r.spiff_task_id == str(task.id)]
            task.data.update(data)
            task.run()
            row.state, row.completed_at = TaskRowState.COMPLETED, run.now
            run.note("task_completed", row.spec_name, title=row.title, task_id=row.id)
            self._finish(uow, run)

    def message(self, name: str, **payload) -> None:
        lifecycle.deliver_message(self.store.uow(), self.runtime, self.reference, name, payload)
        self._reload()

    def advance_to(self, when: datetime) -> None:
        """Move the clock and fire whatever fell due, as the timer sweep does."""
        self.clock.set(as_utc(when))
        lifecycle.fire_due_timers(self.store.uow(), self.runtime, self.instance_id)
        self._reload()

    def _reload(self) -> None:
        self._workflow = None  # a use case ran the step: read its stored state when next asked

    def timers(self) -> dict[str, datetime]:
        """Waiting timers by element id, with their due instants."""
        return {t.task_spec.bpmn_id: due for t, due in engine.waiting_timers(self.workflow)}

    def due(self, element_id: str) -> datetime:
        return engine.task_due(self.task(element_id))

    def letters(self) -> list[tuple[str, str]]:
        return [(d.template, d.recipient) for d in self.effects.letters]

    def queued(self) -> list:
        """The letter drafts the case runs queued in committed transactions."""
        return [draft for _, draft in self.store.rows("outbox")]

    def kept_for_years(self) -> int | None:
        """How many years the closed case is kept, read from the retention date production set on it."""
        case = self.case
        if case.closed_at is None or case.retention_until is None:
            return None
        closed = case.closed_at.date()
        return next((n for n in range(1, 100) if years_after(closed, n) == case.retention_until), None)

    @property
    def completed(self) -> bool:
        return self.workflow.completed
