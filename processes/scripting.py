"""SpiffWorkflow's script engine and environment, routed through the expression sandbox."""
from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.script_task import ScriptTask
from SpiffWorkflow.bpmn.specs.mixins.service_task import ServiceTask
from SpiffWorkflow.exceptions import SpiffWorkflowException

from .calendar import Deadline, WorkingCalendar
from .clock import Clock
from .sandbox import DEFAULT_LIMITS, BudgetExceeded, Limits, Sandbox, SandboxRefused


class ExpressionRefused(SpiffWorkflowException):
    """The sandbox refused a diagram expression or script, or stopped it at its budget."""

    def __init__(self, reason: str, budget: bool):
        super().__init__(reason)
        self.reason, self.budget = reason, budget

    def __str__(self) -> str:
        return self.verdict()

    def verdict(self) -> str:
        """'exceeds the evaluation budget: …' or 'is refused by the sandbox: …'."""
        return f"{'exceeds the evaluation budget' if self.budget else 'is refused by the sandbox'}: {self.reason}"


def check_restricted(source: str, mode: str = "exec") -> None:
    """Refuse diagram code the sandbox does not allow (SandboxRefused) or that is not Python (SyntaxError)."""
    Sandbox.check(source, mode)


class RestrictedEnvironment(TaskDataEnvironment):
    """Task data plus `now()` and `working_days_after(date, n)`, evaluated in the sandbox and nowhere else."""

    def __init__(self, clock: Clock, calendar: WorkingCalendar, limits: Limits = DEFAULT_LIMITS):
        self.clock = clock
        self.calendar = calendar
        self.limits = limits
        self.last_deadline: Deadline | None = None
        super().__init__({"now": self.now, "working_days_after": self.working_days_after})
        self.sandbox = Sandbox(self.globals, limits)

    def now(self) -> str:
        """The clock's current instant as ISO 8601."""
        return self.clock.now().isoformat()

    def working_days_after(self, when: str | date | datetime, n: int) -> str:
        """End of the Nth working day after `when`, as an ISO 8601 instant."""
        if isinstance(when, str):
            when = datetime.fromisoformat(when) if "T" in when or " " in when else date.fromisoformat(when)
        n = int(n)
        if n > self.limits.working_days:
            raise BudgetExceeded(f"working_days_after counts at most {self.limits.working_days:,} working days")
        self.last_deadline = self.calendar.deadline_after(when, n)
        return self.last_deadline.due.isoformat()

    def evaluate(self, expression, context, external_context=None, sample: Mapping | None = None):
        """The value of an expression over the task data (external names first, as SpiffWorkflow orders them)."""
        try:
            return self.sandbox.evaluate(expression, {**(external_context or {}), **context}, sample)
        except SandboxRefused as exc:
            raise ExpressionRefused(exc.reason, isinstance(exc, BudgetExceeded)) from None

    def execute(self, script, context, external_context=None, sample: Mapping | None = None):
        """Run a script whose assignments become task data."""
        self.check_for_overwrite(context, external_context or {})
        try:
            self.sandbox.execute(script, context, external_context, sample)
        except SandboxRefused as exc:
            raise ExpressionRefused(exc.reason, isinstance(exc, BudgetExceeded)) from None
        return True


class CaseScriptEngine(PythonScriptEngine):
    """Runs expressions in the sandboxed environment and dispatches service tasks to handlers.

    A case run makes one engine for itself with `RUN_LIMITS`, so its expressions share one total budget;
    a harness or benchmark that reuses an engine across many runs keeps the per-evaluation limits only.
    """

    def __init__(self, clock: Clock, calendar: WorkingCalendar, call_operator=None, limits: Limits = DEFAULT_LIMITS):
        super().__init__(environment=RestrictedEnvironment(clock, calendar, limits))
        self.clock = clock
        self.call_operator = call_operator

    def evaluate(self, task, expression, external_context=None):
        """An expression's value; a sandbox refusal names the element it belongs to."""
        try:
            return super().evaluate(task, expression, external_context)
        except ExpressionRefused as exc:
            raise _against(task, exc, evaluating=True) from None

    def execute(self, task, script, external_context=None):
        """Run a script; a sandbox refusal names the element it belongs to."""
        try:
            return super().execute(task, script, external_context)
        except ExpressionRefused as exc:
            raise _against(task, exc, evaluating=False) from None

    def call_service(self, task, operation_name=None, operation_params=None, **kwargs):
        """Hand the operator to the run's dispatcher; its errors surface as they are, never as NameError."""
        if self.call_operator is None:
            raise RuntimeError("no service dispatcher is attached to this engine run")
        params = {name: p["value"] for name, p in (operation_params or {}).items()}
        return json.dumps(self.call_operator(task, operation_name, params))


def expression_kind(task_spec, evaluating: bool) -> str:
    """What a task's expression is, in the words the modeler uses."""
    if isinstance(getattr(task_spec, "event_definition", None), TimerEventDefinition):
        return "timer expression"
    if not evaluating:
        return "script"
    if isinstance(task_spec, ServiceTask):
        return "parameter"
    if type(task_spec).__name__.startswith("BusinessRule"):
        return "decision table"
    if isinstance(task_spec, ScriptTask):
        return "script"
    # SpiffWorkflow evaluates a flow's condition on its gateway and keeps no flow id: name the gateway.
    return "condition of a flow leaving" if "Gateway" in type(task_spec).__name__ else "expression of"


def _against(task, exc: ExpressionRefused, evaluating: bool) -> WorkflowTaskException:
    spec = task.task_spec
    label = spec.bpmn_name or spec.bpmn_id or spec.name
    kind = expression_kind(spec, evaluating)
    kind = kind if kind.endswith((" of", " leaving")) else f"{kind} of"
    error = WorkflowTaskException(f"the {kind} '{label}' {exc.verdict()}", task=task)
    error.error_type = "ExpressionRefused"
    return error
