"""The restricted environment in which diagram expressions and scripts run."""
from __future__ import annotations

import ast
import builtins
import json
from datetime import date, datetime

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment

from .calendar import Deadline, WorkingCalendar
from .clock import Clock

SAFE_BUILTIN_NAMES = (
    "abs all any bool dict enumerate filter float int isinstance len list map max min "
    "range reversed round set sorted str sum tuple zip True False None"
).split()
SAFE_BUILTINS = {name: getattr(builtins, name) for name in SAFE_BUILTIN_NAMES}
FORBIDDEN_NODES = (ast.Import, ast.ImportFrom, ast.Global, ast.Nonlocal, ast.ClassDef, ast.AsyncFunctionDef,
                   ast.Await, ast.Yield, ast.YieldFrom, ast.With, ast.AsyncWith, ast.Try, ast.Raise, ast.Delete)


def check_restricted(source: str, mode: str = "exec") -> ast.AST:
    """Parse source and refuse imports, dunder names and other escapes from the sandbox."""
    tree = ast.parse(source, mode=mode)
    for node in ast.walk(tree):
        if isinstance(node, FORBIDDEN_NODES):
            raise SyntaxError(f"{type(node).__name__} is not allowed in diagram expressions")
        name = getattr(node, "attr", None) if isinstance(node, ast.Attribute) else getattr(node, "id", None)
        if isinstance(name, str) and name.startswith("_"):
            raise SyntaxError(f"name {name!r} is not allowed in diagram expressions")
    return tree


class RestrictedEnvironment(TaskDataEnvironment):
    """Task data plus `now()` and `working_days_after(date, n)`; no builtins that reach outside."""

    def __init__(self, clock: Clock, calendar: WorkingCalendar):
        self.clock = clock
        self.calendar = calendar
        self.last_deadline: Deadline | None = None
        super().__init__({"__builtins__": SAFE_BUILTINS, "now": self.now,
                          "working_days_after": self.working_days_after})

    def now(self) -> str:
        """The clock's current instant as ISO 8601."""
        return self.clock.now().isoformat()

    def working_days_after(self, when: str | date | datetime, n: int) -> str:
        """End of the Nth working day after `when`, as an ISO 8601 instant."""
        if isinstance(when, str):
            when = datetime.fromisoformat(when) if "T" in when or " " in when else date.fromisoformat(when)
        self.last_deadline = self.calendar.deadline_after(when, int(n))
        return self.last_deadline.due.isoformat()

    def evaluate(self, expression, context, external_context=None):
        check_restricted(expression, "eval")
        return super().evaluate(expression, context, external_context)

    def execute(self, script, context, external_context=None):
        check_restricted(script)
        return super().execute(script, context, external_context)


class CaseScriptEngine(PythonScriptEngine):
    """Runs expressions in the restricted environment and dispatches service tasks to handlers."""

    def __init__(self, clock: Clock, calendar: WorkingCalendar, call_operator=None):
        super().__init__(environment=RestrictedEnvironment(clock, calendar))
        self.clock = clock
        self.call_operator = call_operator

    def call_service(self, task, operation_name=None, operation_params=None, **kwargs):
        """Hand the operator to the run's dispatcher; its errors surface as they are, never as NameError."""
        if self.call_operator is None:
            raise RuntimeError("no service dispatcher is attached to this engine run")
        params = {name: p["value"] for name, p in (operation_params or {}).items()}
        return json.dumps(self.call_operator(task, operation_name, params))
