"""Policy rules evaluated against a bundle: each breach is reported against its element and the clause it breaks.

Timer expressions are read with `ast`, never evaluated: a deadline the rules cannot read is itself a breach.
"""
from __future__ import annotations

import ast
import json
from collections.abc import Callable, Iterator
from typing import Any

from .bundle import Bundle
from .policy_graph import WAITING, FlowGraph, MustPass, Node
from .policy_rules import Rule, RuleSet

POLICY = "policy"  # the problem kind of a breach
WORKING_DAYS = "working_days_after"
MAX_FLOW_NODES = 5000  # the path rules walk the flow; a bundle larger than this is refused by them, not walked


def policy_breaches(bundle: Bundle, rules: RuleSet) -> list[dict[str, Any]]:
    """Every breach of the rule set by the bundle, each against its element (if any) and clause."""
    graph = FlowGraph(bundle)
    breaches: list[dict[str, Any]] = []
    for rule in rules.rules:
        for where, message in CHECKS[rule.kind](bundle, graph, rule):
            breaches.append({**where, "kind": POLICY, "policy": rules.policy, "rule": rule.id,
                             "clause": rule.cited, "text": rule.text, "message": message,
                             "key": f"{rule.id}@{where.get('element') or 'bundle'}"})
    return breaches


Found = Iterator[tuple[dict[str, Any], str]]


def _where(node: Node) -> dict[str, Any]:
    return {"file": node.file, "element": node.id, "name": node.name}


def check_timer(bundle: Bundle, graph: FlowGraph, rule: Rule) -> Found:
    """Matching timers count working days from the right date, within the rule's bounds."""
    spec = rule.check
    stages = spec.get("stages")
    timers = [n for n in graph.all_nodes() if n.timer is not None
              and n.properties.get("deadlineKind") == spec["deadline_kind"]
              and (stages is None or n.properties.get("stage") in stages)]
    for stage in spec.get("require_stages", []):
        if not any(t.properties.get("stage") == stage for t in timers):
            yield {}, (f"No {spec['deadline_kind'].replace('_', ' ')} timer for the {stage} stage; "
                       f"{rule.cited} requires {_bounds(spec)}")
    for timer in timers:
        for message in _timer_messages(timer, spec):
            yield _where(timer), f"Timer '{timer.name}' {message}; {rule.cited} requires {_bounds(spec)}"


def _bounds(spec: dict[str, Any]) -> str:
    low, high = spec.get("at_least"), spec.get("at_most")
    if low is not None and low == high:
        return f"exactly {low} working days"
    if high is not None and low is not None:
        return f"between {low} and {high} working days"
    return f"at most {high} working days" if high is not None else f"at least {low} working days"


def _timer_messages(timer: Node, spec: dict[str, Any]) -> list[str]:
    try:
        counts = list(_counts(ast.parse(timer.timer or "", mode="eval").body))
    except (SyntaxError, ValueError) as exc:
        return [f"cannot be read as working days ({exc})"]
    extended = set(spec.get("extended_from", []))
    counted = [(base, days) for base, days in counts if base not in extended]
    if not counted:
        return ["does not count working days from a date of the case"]
    messages = []
    for base, days in counted:
        allowed = spec.get("counted_from")
        if allowed and base not in allowed:
            messages.append(f"counts from {base}, not from {' or '.join(allowed)}")
        elif spec.get("at_most") is not None and days > spec["at_most"] or \
                spec.get("at_least") is not None and days < spec["at_least"]:
            messages.append(f"gives {days} working day{'s' if days != 1 else ''}")
    return messages


def _counts(node: ast.expr) -> Iterator[tuple[str, int]]:
    """(date name, working days) of each branch: `working_days_after(name, N)`, possibly inside `a if c else b`."""
    if isinstance(node, ast.IfExp):
        yield from _counts(node.body)
        yield from _counts(node.orelse)
        return
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == WORKING_DAYS
            and len(node.args) == 2 and not node.keywords):
        raise ValueError(f"only {WORKING_DAYS}(date, N) can be checked, not {ast.unparse(node)}")
    base, days = node.args
    if not isinstance(base, ast.Name):
        raise ValueError(f"the date must be a named date of the case, not {ast.unparse(base)}")
    if not (isinstance(days, ast.Constant) and type(days.value) is int):
        raise ValueError(f"the number of working days must be a whole number, not {ast.unparse(days)}")
    yield base.id, days.value


def _sends_letter(rule: Rule) -> Callable[[Node], bool]:
    operators = set(rule.check["letter_operators"])
    return lambda n: n.operator in operators and n.params.get("recipient") in (None, "'complainant'",
                                                                               '"complainant"')


def _closings(graph: FlowGraph, rule: Rule) -> list[Node]:
    operators, exempt = set(rule.check["closing_operators"]), rule.check.get("exempt", {})
    return [n for n in graph.all_nodes() if n.operator in operators and n.id not in exempt]


def _too_large(graph: FlowGraph, rule: Rule) -> Found:
    count = len(graph.all_nodes())
    if count > MAX_FLOW_NODES:
        yield {}, (f"The bundle has {count} elements, more than the {MAX_FLOW_NODES} the path rules check, so "
                   f"{rule.cited} cannot be shown to hold; split the process")


def check_written_response(bundle: Bundle, graph: FlowGraph, rule: Rule) -> Found:
    """Every path to a closing task passes a letter to the complainant."""
    if len(graph.all_nodes()) > MAX_FLOW_NODES:
        yield from _too_large(graph, rule)
        return
    letters = MustPass(graph, _sends_letter(rule))
    for closing in _closings(graph, rule):
        if not letters.covered(closing.scope, closing.id):
            yield _where(closing), (f"'{closing.name}' can close the complaint without a written response "
                                    f"to the complainant; {rule.cited} requires one")


def check_withdrawal(bundle: Bundle, graph: FlowGraph, rule: Rule) -> Found:
    """Every waiting state before the complaint closes can be left when the complainant withdraws."""
    if len(graph.all_nodes()) > MAX_FLOW_NODES:
        yield from _too_large(graph, rule)
        return
    message, exempt = rule.check["message"], rule.check.get("exempt", {})
    ahead = _ClosureAhead(graph, {n.id for n in graph.all_nodes() if n.operator in rule.check["closing_operators"]})
    withdraws = _Withdrawable(graph, message)
    for node in graph.all_nodes():
        if node.tag in WAITING and node.id not in exempt and message not in node.messages \
                and ahead.after(node.scope, node.id) and not withdraws.covered(node.scope, node.id):
            yield _where(node), (f"'{node.name}' waits with no way to withdraw the complaint (message "
                                 f"'{message}'); {rule.cited} gives the right to withdraw at any stage")


class _ClosureAhead:
    """Whether a closing task can still follow an element: later in its scope, inside what it calls, or after the
    scope ends, where its callers carry on."""

    def __init__(self, graph: FlowGraph, closings: set[str]):
        self.graph, self.closings = graph, closings
        self._within: dict[str, set[str]] = {}
        self._ends: dict[str, set[str]] = {}
        self._after_end: dict[str, bool] = {}

    def after(self, scope_id: str, node_id: str) -> bool:
        scope = self.graph.scopes[scope_id]
        following = scope.forward.get(node_id, set())
        return bool(following & self.within(scope_id)) or (
            bool(following & self._reaching_ends(scope_id)) and self.after_end(scope_id))

    def within(self, scope_id: str) -> set[str]:
        """The elements of a scope from which a closure inside the scope (or inside what it calls) can be reached."""
        if scope_id not in self._within:
            self._within[scope_id] = set()  # a recursive call sees nothing yet
            scope = self.graph.scopes[scope_id]
            targets = {n.id for n in scope.nodes.values() if n.id in self.closings or self._holds_closure(n)}
            self._within[scope_id] = _backward_from(scope, targets)
        return self._within[scope_id]

    def _holds_closure(self, node: Node) -> bool:
        inner = node.called if node.tag == "callActivity" else node.id if node.tag == "subProcess" else None
        return inner in self.graph.scopes and any(
            start in self.within(inner) for start in self.graph.scopes[inner].starts())

    def _reaching_ends(self, scope_id: str) -> set[str]:
        if scope_id not in self._ends:
            scope = self.graph.scopes[scope_id]
            self._ends[scope_id] = _backward_from(scope, {n.id for n in scope.nodes.values()
                                                          if n.tag == "endEvent" and not n.error_end})
        return self._ends[scope_id]

    def after_end(self, scope_id: str) -> bool:
        if scope_id not in self._after_end:
            self._after_end[scope_id] = False
            self._after_end[scope_id] = any(self.after(s, n) for s, n in self.graph.entries(scope_id))
        return self._after_end[scope_id]


def _backward_from(scope: Any, targets: set[str]) -> set[str]:
    seen, todo = set(targets), list(targets)
    while todo:
        for before in scope.backward.get(todo.pop(), ()):
            if before not in seen:
                seen.add(before)
                todo.append(before)
    return seen


class _Withdrawable:
    """Whether an element, or an activity enclosing it, listens for the withdrawal message."""

    def __init__(self, graph: FlowGraph, message: str):
        self.graph, self.message = graph, message
        self._entry: dict[str, bool] = {}

    def covered(self, scope_id: str, node_id: str) -> bool:
        scope = self.graph.scopes[scope_id]
        if any(self.message in b.messages for b in scope.boundaries(node_id)):
            return True
        if any(self.message in scope.nodes[n].messages for n in scope.forward.get(node_id, ())
               if scope.nodes[node_id].tag == "eventBasedGateway" and n in scope.nodes):
            return True
        return self.entry_covered(scope_id)

    def entry_covered(self, scope_id: str) -> bool:
        if scope_id not in self._entry:
            self._entry[scope_id] = False
            scope = self.graph.scopes[scope_id]
            listens = any(n.triggered and any(self.message in s.messages for s in self.graph.scopes[n.id].nodes.values()
                                              if s.tag == "startEvent") for n in scope.nodes.values()
                          if n.tag == "subProcess")
            entries = self.graph.entries(scope_id)
            self._entry[scope_id] = listens or (bool(entries) and all(self.covered(s, n) for s, n in entries))
        return self._entry[scope_id]


def check_independent_choice(bundle: Bundle, graph: FlowGraph, rule: Rule) -> Found:
    """A task form chooses people of the role, bound by the independence rule (and enough of them)."""
    role, least = rule.check["role"], rule.check.get("min_people")
    fields = []
    for node in graph.all_nodes():
        form_name = node.properties.get("formJsonSchemaFilename")
        if node.tag == "userTask" and form_name:
            try:
                form = json.loads(bundle.files[form_name])
            except (KeyError, ValueError):
                continue  # validation reports the missing or broken form
            fields += [(node, form_name, name, spec) for name, spec in _fields(form)
                       if spec.get("x-staff-role") == role]
    if not fields:
        yield {}, (f"No task form chooses the {role.replace('_', ' ')}; {rule.cited} requires one "
                   "not previously involved")
    for node, form_name, name, spec in fields:
        where = {**_where(node), "form": form_name}
        if spec.get("x-independent") is not True:
            yield where, (f"'{node.name}' lets anyone be chosen as {role.replace('_', ' ')} ({form_name}: {name} "
                          f"is not x-independent); {rule.cited} requires people not previously involved")
        if least and (spec.get("type") != "array" or int(spec.get("minItems") or 0) < least):
            yield where, (f"'{node.name}' accepts fewer than {least} people ({form_name}: {name}); "
                          f"{rule.cited} requires at least {least}")


def _fields(schema: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(schema, dict):
        for name, spec in (schema.get("properties") or {}).items():
            if isinstance(spec, dict):
                yield name, spec
                yield from _fields(spec)
        for key in ("items", "then", "else"):
            yield from _fields(schema.get(key))
        for key in ("allOf", "anyOf", "oneOf"):
            for part in schema.get(key) or []:
                yield from _fields(part)


def check_retention(bundle: Bundle, graph: FlowGraph, rule: Rule) -> Found:
    """Every closing task sets the retention period of the complaint's contract."""
    closing, keeping = set(rule.check["closing_operators"]), set(rule.check["retention_operators"])
    closings = [n for n in graph.all_nodes() if n.operator in closing]
    if not closings:
        yield {}, f"No task closes the complaint, so no retention period is set; {rule.cited} requires one"
    for node in closings:
        if node.operator not in keeping:
            yield _where(node), (f"'{node.name}' closes the complaint with {node.operator}, which does not set "
                                 f"the contract's retention period; {rule.cited} requires it")


CHECKS: dict[str, Callable[[Bundle, FlowGraph, Rule], Found]] = {
    "timer": check_timer, "written_response": check_written_response, "withdrawal": check_withdrawal,
    "independent_choice": check_independent_choice, "retention": check_retention,
}
