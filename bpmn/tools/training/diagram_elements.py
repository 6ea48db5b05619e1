"""The XML of one flow node: BPMN content plus its SpiffWorkflow extension elements."""
from __future__ import annotations

from lxml import etree

from .diagram_builder import Node, Pool, q


def node_element(pool: Pool, node: Node, incoming: list[str], outgoing: list[str]):
    """A flow node element in schema order: extensions, flows, loop, event definition or script."""
    spec = node.spec
    attrs = {"id": node.id}
    if node.name:
        attrs["name"] = node.name
    if spec.get("default"):
        attrs["default"] = spec["default"]
    if node.tag == "boundaryEvent":
        attrs["attachedToRef"] = spec["attached"]
        if not spec["interrupting"]:
            attrs["cancelActivity"] = "false"
    if node.tag == "startEvent" and not spec.get("interrupting", True):
        attrs["isInterrupting"] = "false"
    if node.tag == "subProcess" and spec.get("event"):
        attrs["triggeredByEvent"] = "true"
    if node.tag == "callActivity":
        attrs["calledElement"] = spec["called"]
    if node.tag == "receiveTask":
        attrs["messageRef"] = pool.diagram.message_ref(spec["receives"])
    element = etree.Element(q(f"bpmn:{node.tag}"), **attrs)
    _extensions(element, node)
    for flow in incoming:
        etree.SubElement(element, q("bpmn:incoming")).text = flow
    for flow in outgoing:
        etree.SubElement(element, q("bpmn:outgoing")).text = flow
    if spec.get("loop"):
        loop = etree.SubElement(element, q("bpmn:standardLoopCharacteristics"))
        condition = etree.SubElement(loop, q("bpmn:loopCondition"))
        condition.set(q("xsi:type"), "bpmn:tFormalExpression")
        condition.text = spec["loop"]
    if spec.get("items"):
        loop = etree.SubElement(element, q("bpmn:multiInstanceLoopCharacteristics"))
        etree.SubElement(loop, q("bpmn:loopDataInputRef")).text = spec["items"]
        etree.SubElement(loop, q("bpmn:inputDataItem"), id=spec["item"], name=spec["item"])
    if spec.get("message"):
        definition = etree.SubElement(element, q("bpmn:messageEventDefinition"), id=f"{node.id}_message",
                                      messageRef=pool.diagram.message_ref(spec["message"]))
        _message_extensions(definition, spec)
    if spec.get("timer"):
        timer = etree.SubElement(element, q("bpmn:timerEventDefinition"), id=f"{node.id}_timer")
        when = etree.SubElement(timer, q("bpmn:timeDate"))
        when.set(q("xsi:type"), "bpmn:tFormalExpression")
        when.text = spec["timer"]
    if spec.get("terminate"):
        etree.SubElement(element, q("bpmn:terminateEventDefinition"), id=f"{node.id}_terminate")
    if node.tag == "scriptTask":
        etree.SubElement(element, q("bpmn:script")).text = spec["code"]
    return element


def _extensions(element, node: Node) -> None:
    spec, parts = node.spec, []
    props = {k: v for k, v in (spec.get("props") or {}).items() if v is not None}
    if props:
        holder = etree.Element(q("spiffworkflow:properties"))
        for name, value in props.items():
            etree.SubElement(holder, q("spiffworkflow:property"), name=name, value=str(value))
        parts.append(holder)
    if node.tag == "serviceTask":
        attrs = {"id": spec["op"]}
        if spec.get("result"):
            attrs["resultVariable"] = spec["result"]
        operator = etree.Element(q("spiffworkflow:serviceTaskOperator"), **attrs)
        params = etree.SubElement(operator, q("spiffworkflow:parameters"))
        for name, value in spec["params"].items():
            etree.SubElement(params, q("spiffworkflow:parameter"), id=name, type="any", value=value)
        parts.append(operator)
    if node.tag == "receiveTask":
        variable = etree.Element(q("spiffworkflow:messageVariable"))
        variable.text = spec["variable"]
        parts.append(variable)
    if spec.get("pre"):
        pre = etree.Element(q("spiffworkflow:preScript"))
        pre.text = spec["pre"]
        parts.append(pre)
    if spec.get("post"):
        post = etree.Element(q("spiffworkflow:postScript"))
        post.text = spec["post"]
        parts.append(post)
    if parts:
        holder = etree.SubElement(element, q("bpmn:extensionElements"))
        for part in parts:
            holder.append(part)


def _message_extensions(definition, spec: dict) -> None:
    """The spiff parser reads a message's variable and payload inside its event definition."""
    if not (spec.get("variable") or spec.get("payload")):
        return
    holder = etree.SubElement(definition, q("bpmn:extensionElements"))
    if spec.get("variable"):
        etree.SubElement(holder, q("spiffworkflow:messageVariable")).text = spec["variable"]
    if spec.get("payload"):
        etree.SubElement(holder, q("spiffworkflow:messagePayload")).text = spec["payload"]
