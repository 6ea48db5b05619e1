"""Bundle validation of every diagram expression: compiled under the sandbox policy and dry-run on sample data.

Nothing has been approved when a draft is saved, so validation runs each expression in the same sandbox
and under the same budget as a case would, on stand-in data. A refusal or an exceeded budget is a
problem marked `sandbox`, which refuses the save outright; an ordinary error on stand-in data is not.
"""
from __future__ import annotations

import ast
import re
from datetime import datetime, timezone

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from .bundle import Bundle, parse_xml_safely
from .calendar import WorkingCalendar
from .clock import SettableClock
from .errors import BundleInvalid
from .graph import BPMN, bpmn_roots
from .sandbox import RUN_LIMITS, SandboxRefused
from .sandbox_policy import OFFERED_BUILTINS
from .scripting import ExpressionRefused, RestrictedEnvironment, check_restricted
from .timers import bounded_duration

SPIFF = "{http://spiffworkflow.org/bpmn/schema/1.0/core}"
ISO_DURATION_NAME = re.compile(r"^P(\d+[YMWD])*(T(\d+[HMS])+)?$")
SAMPLE_INSTANT = "2026-01-05T09:00:00+00:00"
EVAL, EXEC = "eval", "exec"


class SampleData(dict):
    """Stands in for case data: any variable reads as a sample instant, except unquoted durations."""

    def __init__(self, known):
        super().__init__()
        self.known = set(known)

    def __missing__(self, name):
        if name in self.known or name.startswith("_") or name in OFFERED_BUILTINS:
            raise KeyError(name)  # the sandbox's own names: let the lookup reach them
        if ISO_DURATION_NAME.match(name):
            raise NameError(f"{name} looks like an unquoted ISO 8601 duration; write '{name}' in quotes")
        return SAMPLE_INSTANT


class ExpressionChecker:
    """Checks the expressions of one bundle, all within one validation's sandbox budget."""

    def __init__(self):
        clock = SettableClock(datetime(2026, 1, 5, tzinfo=timezone.utc))
        self.env = RestrictedEnvironment(clock, WorkingCalendar(), RUN_LIMITS)

    def sample(self) -> SampleData:
        return SampleData(self.env.globals)

    def bundle_problems(self, bundle: Bundle) -> list[dict]:
        """Every condition, script, parameter and decision expression that the sandbox refuses."""
        problems = []
        for file, element, what, source, mode in expression_sites(bundle):
            problems += self.source_problems(file, element, what, source, mode)
        return problems

    def source_problems(self, file: str, element, what: str, source: str | None, mode: str) -> list[dict]:
        label = element.get("name") or element.get("label") or element.get("id")
        where = {"file": file, "element": element.get("id"), "name": label}
        if not (source or "").strip():
            return [{**where, "message": f"the {what} of '{label}' is empty"}] if what == "condition" else []
        try:
            check_restricted(source or "", mode)
        except SyntaxError as exc:
            return [{**where, "message": f"the {what} of '{label}' is not valid: {exc.msg}"}]
        except SandboxRefused as exc:
            return [{**where, "sandbox": True, "message": f"the {what} of '{label}' "
                                                         f"{ExpressionRefused(exc.reason, False).verdict()}"}]
        try:
            if mode == EVAL:
                self.env.evaluate(source, {}, sample=self.sample())
            else:
                self.env.execute(source, {}, sample=self.sample())
        except ExpressionRefused as exc:
            if exc.budget:  # a refusal on stand-in data may be the stand-in's fault; an exhausted budget is not
                return [{**where, "sandbox": True, "message": f"the {what} of '{label}' {exc.verdict()}"}]
        except Exception:  # noqa: BLE001 - stand-in data cannot satisfy every script; the case run will tell
            pass
        return []

    def timer_problems(self, timer, where: dict) -> list[dict]:
        """A timer expression must evaluate, in the sandbox, to a date and time or an ISO 8601 duration."""
        label = f"timer '{where['name']}' expression {timer.expression!r}"
        duration = type(timer).__name__.endswith("DurationEventDefinition")
        try:
            check_restricted(timer.expression or "", EVAL)
            value = self.env.evaluate(timer.expression, {}, sample=self.sample())
        except SandboxRefused as exc:  # refused by the policy, whatever the data
            return [{**where, "sandbox": True, "message": f"the timer expression of '{where['name']}' "
                                                         f"{ExpressionRefused(exc.reason, False).verdict()}"}]
        except ExpressionRefused as exc:
            if exc.budget:
                return [{**where, "sandbox": True,
                         "message": f"the timer expression of '{where['name']}' {exc.verdict()}"}]
            return [{**where, "message": f"{label} does not evaluate: {exc.reason}"}]
        except Exception as exc:  # noqa: BLE001 - every error is the analyst's to see
            return [{**where, "message": f"{label} does not evaluate: {exc}"}]
        try:
            if duration:
                bounded_duration(value)
            else:
                TimerEventDefinition.get_datetime(value if isinstance(value, str) else value.isoformat())
        except Exception:  # noqa: BLE001
            kind = "an ISO 8601 duration of at most a hundred years" if duration else "a date and time"
            return [{**where, "message": f"{label} gives {_short(value)}, not {kind}"}]
        return []


def _short(value) -> str:
    shown = repr(value)
    return shown if len(shown) <= 80 else shown[:77] + "..."


def expression_sites(bundle: Bundle):
    """(file, element, what, source, mode) for every expression a diagram or decision table holds."""
    for name, root in bpmn_roots(bundle).items():
        yield from _bpmn_sites(name, root)
    for name, content in sorted(bundle.xml_files().items()):
        if name.endswith(".dmn"):
            try:
                yield from _dmn_sites(name, parse_xml_safely(name, content))
            except BundleInvalid:
                continue  # the parser reports it


def _bpmn_sites(name: str, root):
    for flow in root.iter(BPMN + "sequenceFlow"):
        for condition in flow.iter(BPMN + "conditionExpression"):
            yield name, flow, "condition", condition.text, EVAL
    for task in root.iter(BPMN + "scriptTask"):
        for script in task.iter(BPMN + "script"):
            yield name, task, "script", script.text, EXEC
    for tag in ("preScript", "postScript"):
        for script in root.iter(SPIFF + tag):
            yield name, _owner(script), tag.replace("S", " s"), script.text, EXEC
    for parameter in root.iter(SPIFF + "parameter"):
        yield name, _owner(parameter.getparent()), f"parameter '{parameter.get('id')}'", parameter.get("value"), EVAL
    for tag, what in (("loopCardinality", "loop cardinality"), ("completionCondition", "completion condition")):
        for node in root.iter(BPMN + tag):
            yield name, node.getparent().getparent(), what, node.text, EVAL
    for node in root.iter(BPMN + "conditionalEventDefinition"):
        for condition in node.iter(BPMN + "condition"):
            yield name, node.getparent(), "condition", condition.text, EVAL
    for tag, what in (("messagePayload", "message payload"), ("expression", "correlation expression")):
        for node in root.iter(SPIFF + tag):
            yield name, _owner(node), what, node.text, EVAL
    for node in root.iter(BPMN + "formalExpression"):
        if node.getparent() is not None and node.getparent().tag.endswith("RetrievalExpression"):
            yield name, node.getparent(), "correlation expression", node.text, EVAL


def _owner(node):
    # spiffworkflow extensions sit in the element's extensionElements, sometimes one level deeper.
    while node is not None and node.tag != BPMN + "extensionElements":
        node = node.getparent()
    return node.getparent() if node is not None else None


def _local(node) -> str:
    return node.tag.rsplit("}", 1)[-1] if isinstance(node.tag, str) else ""


def _dmn_sites(name: str, root):
    for decision in (n for n in root.iter() if _local(n) == "decision"):
        table = decision.get("name") or decision.get("id")
        for node in decision.iter():
            kind = _local(node)
            text = next((c.text for c in node if _local(c) == "text"), None)
            if kind == "inputExpression":
                yield name, node, f"input expression of decision '{table}'", text, EVAL
            elif kind == "outputEntry":
                yield name, node.getparent(), f"output of decision '{table}'", text, EVAL
            elif kind == "inputEntry" and (text or "").strip() not in ("", "-"):
                yield name, node.getparent(), f"rule of decision '{table}'", _as_match(text or ""), EVAL


def _as_match(entry: str) -> str:
    """A rule's input entry as SpiffWorkflow's DMN engine evaluates it, against a stand-in input."""
    entry = entry.replace("?", "dmninputexpr")
    if "dmninputexpr" in entry:
        return entry
    try:
        ast.parse(entry, mode="eval")
        return f"(dmninputexpr) == ({entry})"
    except SyntaxError:
        return f"dmninputexpr {entry}"
