"""A small builder for spiff-flavoured BPMN with full diagram interchange laid out on a grid."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
    "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
}
for _prefix, _uri in NS.items():
    ET.register_namespace(_prefix, _uri)

COL_W, ROW_H, LEFT, TOP, LANE_LABEL = 160, 130, 160, 40, 30
SIZES = {"task": (100, 80), "event": (36, 36), "gateway": (50, 50)}
RESERVED_IDS = {"Start", "End"}


def q(tag: str) -> str:
    prefix, name = tag.split(":")
    return f"{{{NS[prefix]}}}{name}"


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

    def user(self, id, name, at, lane, form, stage=None, assignee=None, due_timer=None, doc=None, width=None):
        props = {"formJsonSchemaFilename": form, "stage": stage, "assigneeVariable": assignee, "dueTimer": due_timer}

        return self._add(Node(id, "bpmn:userTask", name, lane, *at, head=lambda el: _properties(el, props), doc=doc,
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
            _message_definition(el, id, message, var=var)
        return self._add(Node(id, "bpmn:intermediateCatchEvent", name, lane, *at, shape="event", tail=tail, doc=doc))

    def wait(self, id, name, at, lane, expression, kind, stage=None, doc=None):
        node = self._add(Node(id, "bpmn:intermediateCatchEvent", name, lane, *at, shape="event", doc=doc,
                              tail=lambda el: _time_date(el, id, expression)))
        node.head = lambda el: _properties(el, {"deadlineKind": kind, "stage": stage})
        return node

    def throw(self, id, name, at, lane, message, payload=None, doc=None):
        self.messages.add(message)

        def tail(el):
            _message_definition(el, id, message, payload=payload)
        return self._add(Node(id, "bpmn:intermediateThrowEvent", name, lane, *at, shape="event", tail=tail, doc=doc))

    def timer(self, id, name, on, slot, expression, interrupting, kind, stage=None, doc=None):
        props = {"deadlineKind": kind, "stage": stage}

        node = self._boundary(id, name, on, slot, interrupting, lambda el: _time_date(el, id, expression), doc)
        node.head = lambda el: _properties(el, props)
        return node

    def message_boundary(self, id, name, on, slot, message, var, interrupting, doc=None):
        self.messages.add(message)

        def tail(el):
            _message_definition(el, id, message, var=var)
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

    # -- XML --------------------------------------------------------------------------------------
    def to_xml(self) -> bytes:
        root = ET.Element(q("bpmn:definitions"), id=f"{self.process_id}_definitions",
                          targetNamespace="http://bpmn.io/schema/bpmn", exporter="bpmn/tools", exporterVersion="1")
        for message in sorted(self.messages):
            ET.SubElement(root, q("bpmn:message"), id=f"message_{message}", name=message)
        for error in sorted(self.errors):
            ET.SubElement(root, q("bpmn:error"), id=f"error_{error}", name=error, errorCode=error)
        collaboration = ET.SubElement(root, q("bpmn:collaboration"), id=f"{self.process_id}_collaboration")
        ET.SubElement(collaboration, q("bpmn:participant"), id=f"{self.process_id}_pool", name=self.name,
                      processRef=self.process_id)
        process = ET.SubElement(root, q("bpmn:process"), id=self.process_id, name=self.name, isExecutable="true")
        if self.doc:
            ET.SubElement(process, q("bpmn:documentation")).text = self.doc
        lane_set = ET.SubElement(process, q("bpmn:laneSet"), id=f"{self.process_id}_lanes")
        for lane in self.lanes:
            lane_el = ET.SubElement(lane_set, q("bpmn:lane"), id=_lane_id(self.process_id, lane), name=lane)
            for node in self.nodes.values():
                if node.lane == lane:
                    ET.SubElement(lane_el, q("bpmn:flowNodeRef")).text = node.id
        for node in self.nodes.values():
            self._node_xml(process, node)
        for flow in self.flows:
            el = ET.SubElement(process, q("bpmn:sequenceFlow"), id=flow.id, sourceRef=flow.source,
                               targetRef=flow.target, **({"name": flow.name} if flow.name else {}))
            if flow.condition:
                cond = ET.SubElement(el, q("bpmn:conditionExpression"), {q("xsi:type"): "bpmn:tFormalExpression"})
                cond.text = flow.condition
        self._di_xml(root)
        ET.indent(root, space="  ")
        return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8") + b"\n"

    def _node_xml(self, process, node: Node) -> None:
        attrs = {k: v for k, v in node.attrs.items() if not k.startswith("_")}
        el = ET.SubElement(process, q(node.tag), id=node.id, **({"name": node.name} if node.name else {}), **attrs)
        if node.doc:
            ET.SubElement(el, q("bpmn:documentation")).text = node.doc
        if node.head:
            node.head(el)
        for flow_id in node.incoming:
            ET.SubElement(el, q("bpmn:incoming")).text = flow_id
        for flow_id in node.outgoing:
            ET.SubElement(el, q("bpmn:outgoing")).text = flow_id
        if node.tail:
            node.tail(el)
        if "_script" in node.attrs:
            ET.SubElement(el, q("bpmn:script")).text = node.attrs["_script"]
        if "_loop" in node.attrs:
            collection, item = node.attrs["_loop"]
            # a property named like the collection lets bpmn-js resolve the loop's input reference
            ET.SubElement(el, q("bpmn:property"), id=collection, name=collection)
            loop = ET.SubElement(el, q("bpmn:multiInstanceLoopCharacteristics"), isSequential="false")
            ET.SubElement(loop, q("bpmn:loopDataInputRef")).text = collection
            ET.SubElement(loop, q("bpmn:inputDataItem"), id=item, name=item)

    def _di_xml(self, root) -> None:
        diagram = ET.SubElement(root, q("bpmndi:BPMNDiagram"), id=f"{self.process_id}_diagram")
        plane = ET.SubElement(diagram, q("bpmndi:BPMNPlane"), id=f"{self.process_id}_plane",
                              bpmnElement=f"{self.process_id}_collaboration")
        tops, rows, width = self.lane_tops(), self.lane_rows(), self.width()
        height = sum(rows.values()) * ROW_H
        _shape(plane, f"{self.process_id}_pool", (LEFT - 2 * LANE_LABEL - 10, TOP, width + LANE_LABEL, height))
        for lane in self.lanes:
            _shape(plane, _lane_id(self.process_id, lane), (LEFT - LANE_LABEL - 10, tops[lane], width, rows[lane] * ROW_H))
        for node in self.nodes.values():
            extra = {"isMarkerVisible": "true"} if node.tag == "bpmn:exclusiveGateway" else {}
            _shape(plane, node.id, self.bounds(node), **extra)
        for flow in self.flows:
            edge = ET.SubElement(plane, q("bpmndi:BPMNEdge"), id=f"{flow.id}_di", bpmnElement=flow.id)
            for x, y in self.waypoints(flow):
                ET.SubElement(edge, q("di:waypoint"), x=_num(x), y=_num(y))


def _lane_id(process_id: str, lane: str) -> str:
    return f"{process_id}_lane_{lane.lower().replace(' ', '_')}"


def _num(value: float) -> str:
    return str(int(round(value)))


def _shape(plane, element: str, box, **extra) -> None:
    attrs = {"isHorizontal": "true"} if element.endswith("_pool") or "_lane_" in element else {}
    shape = ET.SubElement(plane, q("bpmndi:BPMNShape"), id=f"{element}_di", bpmnElement=element, **attrs, **extra)
    x, y, w, h = box
    ET.SubElement(shape, q("dc:Bounds"), x=_num(x), y=_num(y), width=_num(w), height=_num(h))


def _properties(el, props: dict) -> None:
    props = {k: v for k, v in props.items() if v}
    if not props:
        return
    ext = ET.SubElement(el, q("bpmn:extensionElements"))
    holder = ET.SubElement(ext, q("spiffworkflow:properties"))
    for name, value in props.items():
        ET.SubElement(holder, q("spiffworkflow:property"), name=name, value=value)


def _time_date(el, id, expression) -> None:
    definition = ET.SubElement(el, q("bpmn:timerEventDefinition"), id=f"{id}_def")
    date = ET.SubElement(definition, q("bpmn:timeDate"), {q("xsi:type"): "bpmn:tFormalExpression"})
    date.text = expression


def _message_definition(el, id, message, var=None, payload=None) -> None:
    definition = ET.SubElement(el, q("bpmn:messageEventDefinition"), id=f"{id}_def", messageRef=f"message_{message}")
    if var or payload:
        ext = ET.SubElement(definition, q("bpmn:extensionElements"))
        if payload:
            ET.SubElement(ext, q("spiffworkflow:messagePayload")).text = payload
        if var:
            ET.SubElement(ext, q("spiffworkflow:messageVariable")).text = var
