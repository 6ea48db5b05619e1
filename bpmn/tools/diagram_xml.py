"""BPMN XML and diagram interchange for a Diagram, in the namespaces bpmn-js and the spiff parser expect."""
from __future__ import annotations

import xml.etree.ElementTree as ET

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
LEFT, TOP, ROW_H, LANE_LABEL = 160, 40, 130, 30  # grid origin, row height and lane label band, in pixels


def q(tag: str) -> str:
    prefix, name = tag.split(":")
    return f"{{{NS[prefix]}}}{name}"


# -- XML --------------------------------------------------------------------------------------
def write(self) -> bytes:
    """Serialise a diagram to BPMN XML with diagram interchange."""
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
        _node_xml(self, process, node)
    for flow in self.flows:
        el = ET.SubElement(process, q("bpmn:sequenceFlow"), id=flow.id, sourceRef=flow.source,
                           targetRef=flow.target, **({"name": flow.name} if flow.name else {}))
        if flow.condition:
            cond = ET.SubElement(el, q("bpmn:conditionExpression"), {q("xsi:type"): "bpmn:tFormalExpression"})
            cond.text = flow.condition
    _di_xml(self, root)
    ET.indent(root, space="  ")
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8") + b"\n"

def _node_xml(self, process, node) -> None:
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


def properties(el, props: dict) -> None:
    props = {k: v for k, v in props.items() if v}
    if not props:
        return
    ext = ET.SubElement(el, q("bpmn:extensionElements"))
    holder = ET.SubElement(ext, q("spiffworkflow:properties"))
    for name, value in props.items():
        ET.SubElement(holder, q("spiffworkflow:property"), name=name, value=value)


def time_date(el, id, expression) -> None:
    definition = ET.SubElement(el, q("bpmn:timerEventDefinition"), id=f"{id}_def")
    date = ET.SubElement(definition, q("bpmn:timeDate"), {q("xsi:type"): "bpmn:tFormalExpression"})
    date.text = expression


def message_definition(el, id, message, var=None, payload=None) -> None:
    definition = ET.SubElement(el, q("bpmn:messageEventDefinition"), id=f"{id}_def", messageRef=f"message_{message}")
    if var or payload:
        ext = ET.SubElement(definition, q("bpmn:extensionElements"))
        if payload:
            ET.SubElement(ext, q("spiffworkflow:messagePayload")).text = payload
        if var:
            ET.SubElement(ext, q("spiffworkflow:messageVariable")).text = var
