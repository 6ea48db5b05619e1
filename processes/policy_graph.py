"""The flow of a bundle across its diagrams, for the policy rules: what must happen on every path to an element.

Scopes are processes and subprocesses; a call activity enters the process it calls, a subprocess its own scope.
Paths that leave an activity by a boundary event do not count what that activity would have done.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .bundle import Bundle
from .graph import BPMN, FLOW_NODES, bpmn_roots

SPIFF = "{http://spiffworkflow.org/bpmn/schema/1.0/core}"
WAITING = {"userTask", "manualTask", "receiveTask", "intermediateCatchEvent", "eventBasedGateway"}
CONTAINERS = {"callActivity", "subProcess"}


@dataclass
class Node:
    """One flow element, with what the policy rules look at."""

    id: str
    tag: str
    name: str
    scope: str
    file: str
    operator: str | None = None
    params: dict[str, str] = field(default_factory=dict)
    properties: dict[str, str] = field(default_factory=dict)
    called: str | None = None
    attached_to: str | None = None
    messages: tuple[str, ...] = ()
    error_end: bool = False
    triggered: bool = False
    timer: str | None = None
    interrupting: bool = True


@dataclass
class Scope:
    """A process or subprocess: its nodes and sequence flows."""

    id: str
    file: str
    parent: str | None = None  # the scope holding a subprocess
    nodes: dict[str, Node] = field(default_factory=dict)
    forward: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    backward: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def starts(self) -> list[str]:
        return [n.id for n in self.nodes.values() if n.tag == "startEvent"]

    def boundaries(self, node_id: str) -> list[Node]:
        return [n for n in self.nodes.values() if n.attached_to == node_id]

    def completing_ends(self) -> list[str]:
        """Normal ends reached by the scope's own flow, not only by a branch a non-interrupting event started."""
        seen, todo = set(self.starts()), list(self.starts())
        while todo:
            for nxt in self.forward.get(todo.pop(), ()):
                node = self.nodes.get(nxt)
                if nxt not in seen and node is not None and (node.attached_to is None or node.interrupting):
                    seen.add(nxt)
                    todo.append(nxt)
        return [n for n in seen if self.nodes[n].tag == "endEvent" and not self.nodes[n].error_end]


class FlowGraph:
    """Every scope of a bundle, and who enters each."""

    def __init__(self, bundle: Bundle):
        self.scopes: dict[str, Scope] = {}
        self.callers: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for name, root in bpmn_roots(bundle).items():
            messages = {m.get("id"): m.get("name") or m.get("id") for m in root.iter(BPMN + "message")}
            for process in root.iter(BPMN + "process"):
                self._read(name, process, None, messages)
        for scope in self.scopes.values():
            for node in scope.nodes.values():
                if node.tag == "callActivity" and node.called:
                    self.callers[node.called].append((scope.id, node.id))

    def _read(self, file: str, element: Any, parent: str | None, messages: dict[str, str]) -> None:
        scope = self.scopes.setdefault(element.get("id"), Scope(element.get("id"), file, parent))
        for child in element:
            tag = child.tag.replace(BPMN, "") if isinstance(child.tag, str) else ""
            if tag in FLOW_NODES:
                scope.nodes[child.get("id")] = _node(file, scope.id, tag, child, messages)
                if tag == "subProcess":
                    self._read(file, child, scope.id, messages)
            elif tag == "sequenceFlow":
                scope.forward[child.get("sourceRef")].add(child.get("targetRef"))
                scope.backward[child.get("targetRef")].add(child.get("sourceRef"))
        for node in scope.nodes.values():
            if node.attached_to:
                scope.forward[node.attached_to].add(node.id)
                scope.backward[node.id].add(node.attached_to)

    def all_nodes(self) -> list[Node]:
        return [n for s in self.scopes.values() for n in s.nodes.values()]

    def entries(self, scope_id: str) -> list[tuple[str, str]]:
        """The (scope, node) pairs that enter a scope: its callers, or the subprocess node in its parent."""
        scope = self.scopes[scope_id]
        if scope.parent is not None:
            return [(scope.parent, scope_id)]
        return list(self.callers.get(scope_id, []))

    def is_event_subprocess(self, scope_id: str) -> bool:
        scope = self.scopes[scope_id]
        return scope.parent is not None and self.scopes[scope.parent].nodes[scope_id].triggered


class MustPass:
    """Whether every path to an element passes an element that `does` the thing (e.g. sends a letter)."""

    def __init__(self, graph: FlowGraph, does: Callable[[Node], bool]):
        self.graph, self.does = graph, does
        self._always: dict[str, bool] = {}
        self._entry: dict[str, bool] = {}
        self._reached: dict[str, set[str]] = {}

    def always(self, scope_id: str) -> bool:
        """Every path through the scope from a start to a normal end passes an element that does it."""
        if scope_id not in self._always:
            self._always[scope_id] = False  # a recursive call assumes the worst
            scope = self.graph.scopes.get(scope_id)
            ends = scope.completing_ends() if scope else []
            self._always[scope_id] = bool(ends) and not set(ends) & self._undone(scope_id)
        return self._always[scope_id]

    def doing(self, node: Node) -> bool:
        if self.does(node):
            return True
        if node.tag == "callActivity" and node.called in self.graph.scopes:
            return self.always(node.called)
        return node.tag == "subProcess" and not node.triggered and self.always(node.id)

    def covered(self, scope_id: str, node_id: str) -> bool:
        """Every path from the case's start to this element passes an element that does it."""
        return node_id not in self._undone(scope_id) or self.entry_covered(scope_id)

    def entry_covered(self, scope_id: str) -> bool:
        if scope_id not in self._entry:
            self._entry[scope_id] = False
            entries = self.graph.entries(scope_id)
            self._entry[scope_id] = bool(entries) and not self.graph.is_event_subprocess(scope_id) and all(
                self.covered(s, n) for s, n in entries)
        return self._entry[scope_id]

    def _undone(self, scope_id: str) -> set[str]:
        """The elements a path from a start of the scope reaches with nothing that does it completed on the way.

        A path goes on past an element that does it only by one of its boundary events, which leave it undone."""
        if scope_id not in self._reached:
            scope = self.graph.scopes[scope_id]
            seen, todo = set(scope.starts()), list(scope.starts())
            while todo:
                current = todo.pop()
                node = scope.nodes.get(current)
                done = node is not None and node.tag != "startEvent" and self.doing(node)
                for nxt in scope.forward.get(current, ()):
                    leaves_undone = scope.nodes.get(nxt) is not None and scope.nodes[nxt].attached_to == current
                    if nxt not in seen and (not done or leaves_undone):
                        seen.add(nxt)
                        todo.append(nxt)
            self._reached[scope_id] = seen
        return self._reached[scope_id]


def _node(file: str, scope: str, tag: str, element: Any, messages: dict[str, str]) -> Node:
    operator = element.find(f"{BPMN}extensionElements/{SPIFF}serviceTaskOperator")
    properties = {p.get("name"): p.get("value") for p in element.findall(
        f"{BPMN}extensionElements/{SPIFF}properties/{SPIFF}property")}
    refs = [d.get("messageRef") for d in element.findall(BPMN + "messageEventDefinition")]
    if tag == "receiveTask":
        refs.append(element.get("messageRef"))
    timer = element.find(BPMN + "timerEventDefinition")
    expression = None
    if timer is not None:
        expression = next(((c.text or "").strip() for c in timer if isinstance(c.tag, str)), "")
    return Node(
        id=element.get("id"), tag=tag, name=element.get("name") or element.get("id"), scope=scope, file=file,
        operator=operator.get("id") if operator is not None else None,
        params={p.get("id"): p.get("value") for p in operator.iter(SPIFF + "parameter")} if operator is not None
        else {},
        properties=properties, called=element.get("calledElement"), attached_to=element.get("attachedToRef"),
        messages=tuple(messages.get(r, r) for r in refs if r),
        error_end=tag == "endEvent" and element.find(BPMN + "errorEventDefinition") is not None,
        triggered=element.get("triggeredByEvent") == "true", timer=expression,
        interrupting=element.get("cancelActivity") != "false")
