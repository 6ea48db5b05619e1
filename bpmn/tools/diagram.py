"""A small builder for spiff-flavoured BPMN with full diagram interchange laid out on a grid."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

import diagram_xml
from diagram_xml import LANE_LABEL, LEFT, ROW_H, TOP, message_definition, properties, q, time_date

COL_W = 160
SIZES = {"task": (100, 80), "event": (36, 36), "gateway": (50, 50)}
RESERVED_IDS = {"Start", "End"}


@dataclass
class Node:
    id: str
    tag: str
    name: str
    lane: str
    col: float
    row: float
    shape: str = "task"
    width: int | None = None
    attrs: dict = field(default_factory=dict)
    head: object = None
    tail: object = None
    incoming: list = field(default_factory=list)
    outgoing: list = field(default_factory=list)
    host: str | None = None
    slot: int = 0
    doc: str | None = None


@dataclass
class Flow:
    id: str
    source: str
    target: str
    name: str | None
    condition: str | None
    route: str | None


class Diagram:
    """One process in one pool, with lanes, elements at grid cells and flows routed between them."""

    def __init__(self, process_id: str, name: str, lanes: list[str], doc: str | None = None):
        self.process_id, self.name, self.lanes, self.doc = process_id, name, lanes, doc
        self.nodes: dict[str, Node] = {}
        self.flows: list[Flow] = []
        self.messages: set[str] = set()
        self.errors: set[str] = set()

    # -- elements ---------------------------------------------------------------------------------
    def _add(self, node: Node) -> Node:
        if node.id in self.nodes or node.id in RESERVED_IDS:
            raise ValueError(f"duplicate or reserved id {node.id}")
        if node.lane not in self.lanes:
            raise ValueError(f"{node.id}: unknown lane {node.lane}")
        self.nodes[node.id] = node
        return node

    def start(self, id, name, at, lane, doc=None):
        return self._add(Node(id, "bpmn:startEvent", name, lane, *at, shape="event", doc=doc))

    def end(self, id, name, at, lane, error=None, doc=None):
        def tail(el):
            if error:
                ET.SubElement(el, q("bpmn:errorEventDefinition"), id=f"{id}_def", errorRef=f"error_{error}")
        if error:
            self.errors.add(error)
        return self._add(Node(id, "bpmn:endEvent", name, lane, *at, shape="event", tail=tail, doc=doc))

    def user(self, id, name, at, lane, form, stage=None, assignee=None, due_timer=None, doc=None, width=None,
             classify=None):
        """A user task; `classify="true"` marks a closing form that also asks for themes (processes/closing_forms)."""
        props = {"formJsonSchemaFilename": form, "stage": stage, "assigneeVariable": assignee, "dueTimer": due_timer,
                 "classifyCase": classify}

        return self._add(Node(id, "bpmn:userTask", name, lane, *at, head=lambda el: properties(el, props), doc=doc,
                              width=width))

    def service(self, id, name, at, lane, op, params=None, result=None, doc=None):
        def head(el):
            ext = ET.SubElement(el, q("bpmn:extensionElements"))
            attrs = {"id": op, **({"resultVariable": result} if result else {})}
            operator = ET.SubElement(ext, q("spiffworkflow:serviceTaskOperator"), attrs)
            plist = ET.SubElement(operator, q("spiffworkflow:parameters"))
            for pname, value in (params or {}).items():
                ET.SubElement(plist, q("spiffworkflow:parameter"), id=pname, type="any", value=value)
        node = self._add(Node(id, "bpmn:serviceTask", name, lane, *at, head=head, doc=doc))
        node.attrs["_operator"] = (op, tuple(params or {}))
        return node

    def script(self, id, name, at, lane, script, doc=None):
        node = self._add(Node(id, "bpmn:scriptTask", name, lane, *at, doc=doc))
        node.attrs["_script"] = script
        return node

    def rule(self, id, name, at, lane, decision, doc=None):
        def head(el):
            ext = ET.SubElement(el, q("bpmn:extensionElements"))
            ET.SubElement(ext, q("spiffworkflow:calledDecisionId")).text = decision
        return self._add(Node(id, "bpmn:businessRuleTask", name, lane, *at, head=head, doc=doc))

    def call(self, id, name, at, lane, called, doc=None, width=None, loop_over=None, item=None):
        node = self._add(Node(id, "bpmn:callActivity", name, lane, *at, attrs={"calledElement": called},
                              doc=doc, width=width))
        if loop_over:
            node.attrs["_loop"] = (loop_over, item)
        return node

    def receive(self, id, name, at, lane, message, var, doc=None):
        self.messages.add(message)

        def head(el):
            ext = ET.SubElement(el, q("bpmn:extensionElements"))
            ET.SubElement(ext, q("spiffworkflow:messageVariable")).text = var
        return self._add(Node(id, "bpmn:receiveTask", name, lane, *at, attrs={"messageRef": f"message_{message}"},
                              head=head, doc=doc))

    def gateway(self, id, name, at, lane, kind="exclusive", doc=None):
        return self._add(Node(id, f"bpmn:{kind}Gateway", name, lane, *at, shape="gateway", doc=doc))

    def catch(self, id, name, at, lane, message, var, doc=None):
        self.messages.add(message)

        def tail(el):
            message_definition(el, id, message, var=var)
        return self._add(Node(id, "bpmn:intermediateCatchEvent", name, lane, *at, shape="event", tail=tail, doc=doc))

    def wait(self, id, name, at, lane, expression, kind, stage=None, doc=None):
        node = self._add(Node(id, "bpmn:intermediateCatchEvent", name, lane, *at, shape="event", doc=doc,
                              tail=lambda el: time_date(el, id, expression)))
        node.head = lambda el: properties(el, {"deadlineKind": kind, "stage": stage})
        return node

    def throw(self, id, name, at, lane, message, payload=None, doc=None):
        self.messages.add(message)

        def tail(el):
            message_definition(el, id, message, payload=payload)
        return self._add(Node(id, "bpmn:intermediateThrowEvent", name, lane, *at, shape="event", tail=tail, doc=doc))

    def timer(self, id, name, on, slot, expression, interrupting, kind, stage=None, doc=None):
        props = {"deadlineKind": kind, "stage": stage}

        node = self._boundary(id, name, on, slot, interrupting, lambda el: time_date(el, id, expression), doc)
        node.head = lambda el: properties(el, props)
        return node

    def message_boundary(self, id, name, on, slot, message, var, interrupting, doc=None):
        self.messages.add(message)

        def tail(el):
            message_definition(el, id, message, var=var)
        return self._boundary(id, name, on, slot, interrupting, tail, doc)

    def error_boundary(self, id, name, on, slot, error, doc=None):
        self.errors.add(error)

        def tail(el):
            ET.SubElement(el, q("bpmn:errorEventDefinition"), id=f"{id}_def", errorRef=f"error_{error}")
        return self._boundary(id, name, on, slot, True, tail, doc)

    def _boundary(self, id, name, on, slot, interrupting, tail, doc):
        host = self.nodes[on]
        node = Node(id, "bpmn:boundaryEvent", name, host.lane, host.col, host.row, shape="event", tail=tail,
                    host=on, slot=slot, doc=doc,
                    attrs={"attachedToRef": on, **({} if interrupting else {"cancelActivity": "false"})})
        return self._add(node)

    def flow(self, source, target, name=None, condition=None, route=None, default=False):
        flow = Flow(f"flow_{source}_to_{target}", source, target, name, condition, route)
        if any(f.id == flow.id for f in self.flows):
            raise ValueError(f"duplicate flow {flow.id}")
        self.flows.append(flow)
        self.nodes[source].outgoing.append(flow.id)
        self.nodes[target].incoming.append(flow.id)
        if default:
            self.nodes[source].attrs["default"] = flow.id
        return flow

    def chain(self, *ids):
        for source, target in zip(ids, ids[1:]):
            self.flow(source, target)

    # -- geometry ---------------------------------------------------------------------------------
    def lane_rows(self) -> dict[str, int]:
        rows = {lane: 1 for lane in self.lanes}
        for node in self.nodes.values():
            rows[node.lane] = max(rows[node.lane], int(node.row + 0.999) + 1)
        return rows

    def lane_tops(self) -> dict[str, int]:
        tops, y = {}, TOP
        for lane, rows in self.lane_rows().items():
            tops[lane] = y
            y += rows * ROW_H
        return tops

    def bounds(self, node: Node) -> tuple[float, float, float, float]:
        width, height = SIZES[node.shape]
        if node.width:
            width = node.width
        if node.host:
            hx, hy, hw, hh = self.bounds(self.nodes[node.host])
            cx = hx + 20 + node.slot * 32 if node.slot < 3 else hx + 20 + (node.slot - 3) * 32
            cy = hy + hh if node.slot < 3 else hy
            return cx - 18, cy - 18, 36, 36
        cx = LEFT + 60 + node.col * COL_W
        cy = self.lane_tops()[node.lane] + ROW_H / 2 + node.row * ROW_H
        return cx - width / 2, cy - height / 2, width, height

    def width(self) -> float:
        right = max(x + w for x, _, w, _ in map(self.bounds, self.nodes.values()))
        return right - (LEFT - LANE_LABEL) + 60

    def waypoints(self, flow: Flow) -> list[tuple[float, float]]:
        s, t = self.nodes[flow.source], self.nodes[flow.target]
        sx, sy, sw, sh = self.bounds(s)
        tx, ty, tw, th = self.bounds(t)
        scx, scy, tcx, tcy = sx + sw / 2, sy + sh / 2, tx + tw / 2, ty + th / 2
        if flow.route in ("below", "above"):
            down = flow.route == "below"
            edge = max(sy + sh, ty + th) + 30 if down else min(sy, ty) - 30
            s_y, t_y = (sy + sh, ty + th) if down else (sy, ty)
            return [(scx, s_y), (scx, edge), (tcx, edge), (tcx, t_y)]
        if s.host:
            if abs(tcx - scx) < 1:
                return [(scx, sy + sh), (scx, ty)]
            return [(scx, sy + sh), (scx, tcy), (tx if tcx > scx else tx + tw, tcy)]
        if abs(scy - tcy) < 1:
            return [(sx + sw, scy), (tx, tcy)] if tcx > scx else [(sx, scy), (tx + tw, tcy)]
        if abs(scx - tcx) < 1:
            return [(scx, sy + sh), (tcx, ty)] if tcy > scy else [(scx, sy), (tcx, ty + th)]
        if t.shape == "gateway" and tcx > scx and flow.route != "vertical":
            end_y = ty if scy < tcy else ty + th
            return [(sx + sw, scy), (tcx, scy), (tcx, end_y)]
        if s.shape == "gateway" or flow.route == "vertical":
            start_y = sy + sh if tcy > scy else sy
            return [(scx, start_y), (scx, tcy), (tx if tcx > scx else tx + tw, tcy)]
        mid = tx - 25 if tcx > scx else tx + tw + 25
        return [(sx + sw, scy), (mid, scy), (mid, tcy), (tx if tcx > scx else tx + tw, tcy)]

    def to_xml(self) -> bytes:
        """The BPMN file: definitions, collaboration with one pool and its lanes, the process and its diagram."""
        return diagram_xml.write(self)

