"""Builds BPMN files with SpiffWorkflow extensions and full diagram interchange from a compact description.

Nodes sit on a grid: `col` across the pool, `row` within the node's lane. Expanded subprocesses are sized
around their children. Sequence flows are routed orthogonally. The output opens laid out in bpmn-js.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL", "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
      "dc": "http://www.omg.org/spec/DD/20100524/DC", "di": "http://www.omg.org/spec/DD/20100524/DI",
      "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core",
      "xsi": "http://www.w3.org/2001/XMLSchema-instance"}
SIZES = {"task": (100, 80), "event": (36, 36), "gateway": (50, 50)}
COL_W, ROW_H, LANE_LABEL, POOL_LABEL, LEFT = 150, 130, 30, 30, 80
ACTIVITIES = {"userTask", "serviceTask", "scriptTask", "callActivity", "receiveTask"}
GATEWAYS = {"exclusiveGateway", "parallelGateway", "eventBasedGateway"}


def q(tag: str) -> str:
    prefix, name = tag.split(":")
    return f"{{{NS[prefix]}}}{name}"


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


@dataclass
class Node:
    """One flow node: its BPMN tag, where it sits, and what it carries."""

    tag: str
    id: str
    name: str
    lane: str | None
    col: float = 0
    row: float = 0
    parent: str | None = None
    spec: dict = field(default_factory=dict)
    bounds: tuple = (0, 0, 0, 0)


class Pool:
    """One participant: a process with lanes, nodes, flows and boundary events."""

    def __init__(self, diagram: "Diagram", process_id: str, name: str, lanes: list[str]):
        self.diagram, self.id, self.name, self.lanes = diagram, process_id, name, lanes
        self.nodes: dict[str, Node] = {}
        self.flows: list[dict] = []
        self.data_objects: list[str] = []

    def _add(self, tag, id, name, lane, col, row, parent=None, **spec) -> str:
        if id in self.nodes or id in ("Start", "End"):
            raise ValueError(f"duplicate or reserved id {id}")
        self.nodes[id] = Node(tag, id, name, lane, col, row, parent, spec)
        return id

    def start(self, id, name, lane, col, row=0, *, message=None, variable=None, timer=None, interrupting=True,
              parent=None):
        return self._add("startEvent", id, name, lane, col, row, parent, message=message, variable=variable,
                         timer=timer, interrupting=interrupting)

    def end(self, id, name, lane, col, row=0, *, terminate=False, parent=None):
        return self._add("endEvent", id, name, lane, col, row, parent, terminate=terminate)

    def user(self, id, name, lane, col, row=0, *, form, stage=None, due=None, assignee=None, post=None, parent=None,
             classify=None, team_field=None):
        """A user task; `classify` marks a closing form (processes/closing_forms: "true", or "team" for compliments)."""
        props = {"formJsonSchemaFilename": form, "stage": stage, "dueTimer": due, "assigneeVariable": assignee,
                 "classifyCase": classify, "classifyTeamField": team_field}
        return self._add("userTask", id, name, lane, col, row, parent, props=props, post=post)

    def service(self, id, name, lane, col, row=0, *, op, params=None, result=None, pre=None, post=None,
                parent=None):
        return self._add("serviceTask", id, name, lane, col, row, parent, op=op, params=params or {},
                         result=result, pre=pre, post=post)

    def script(self, id, name, lane, col, row=0, *, code, parent=None):
        return self._add("scriptTask", id, name, lane, col, row, parent, code=code)

    def gateway(self, id, name, lane, col, row=0, *, kind="exclusiveGateway", parent=None):
        return self._add(kind, id, name, lane, col, row, parent)

    def catch(self, id, name, lane, col, row=0, *, message=None, variable=None, timer=None, props=None, parent=None):
        return self._add("intermediateCatchEvent", id, name, lane, col, row, parent, message=message,
                         variable=variable, timer=timer, props=props)

    def receive(self, id, name, lane, col, row=0, *, message, variable, post=None, parent=None):
        """A receive task: waits for a named message and, unlike an event gateway, is listed as waiting for it."""
        return self._add("receiveTask", id, name, lane, col, row, parent, receives=message, variable=variable,
                         post=post)

    def throw(self, id, name, lane, col, row=0, *, message, payload, parent=None):
        return self._add("intermediateThrowEvent", id, name, lane, col, row, parent, message=message,
                         payload=payload)

    def call(self, id, name, lane, col, row=0, *, called, loop=None, parent=None):
        return self._add("callActivity", id, name, lane, col, row, parent, called=called, loop=loop)

    def subprocess(self, id, name, lane=None, *, event=False, items=None, item=None, parent=None):
        """An expanded embedded subprocess, sized around the nodes later added with parent=id.

        With `items` it runs once per item of that task-data list; a data object of that name keeps the
        reference resolvable when bpmn-js opens and saves the diagram."""
        if items:
            self.data_objects.append(items)
        return self._add("subProcess", id, name, lane, 0, 0, parent, event=event, items=items, item=item)

    def boundary(self, id, name, attached, *, timer=None, message=None, variable=None, interrupting=True,
                 props=None, slot=0):
        host = self.nodes[attached]
        return self._add("boundaryEvent", id, name, host.lane, host.col, host.row, host.parent, attached=attached,
                         timer=timer, message=message, variable=variable, interrupting=interrupting,
                         props=props, slot=slot)

    def flow(self, source, target, name=None, *, condition=None, default=False, id=None):
        flow_id = id or f"flow_{source}_to_{target}"
        self.flows.append({"id": flow_id, "source": source, "target": target, "name": name,
                           "condition": condition})
        if default:
            self.nodes[source].spec["default"] = flow_id
        return flow_id

    def chain(self, *ids):
        for source, target in zip(ids, ids[1:]):
            self.flow(source, target)


class Diagram:
    """A BPMN file: messages, a collaboration of pools, and their diagram interchange."""

    def __init__(self, definitions_id: str, collaboration_name: str):
        self.id, self.name = definitions_id, collaboration_name
        self.pools: list[Pool] = []
        self.messages: dict[str, str] = {}

    def pool(self, process_id: str, name: str, lanes: list[str]) -> Pool:
        self.pools.append(Pool(self, process_id, name, lanes))
        return self.pools[-1]

    def message_ref(self, name: str) -> str:
        return self.messages.setdefault(name, f"message_{name}")

    def to_xml(self) -> bytes:
        from .diagram_writer import write_definitions
        return write_definitions(self)
