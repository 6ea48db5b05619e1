"""What each BPMN element of a bundle means for behaviour, and the differences between two versions in words."""
from __future__ import annotations

from .bundle import Bundle, parse_xml_safely
from .errors import BundleInvalid

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
SPIFF = "{http://spiffworkflow.org/bpmn/schema/1.0/core}"
KINDS = {"userTask": "Task", "manualTask": "Task", "task": "Task", "serviceTask": "Service task",
         "scriptTask": "Script task", "businessRuleTask": "Decision task", "sendTask": "Send task",
         "receiveTask": "Receive task", "callActivity": "Call activity", "subProcess": "Subprocess",
         "exclusiveGateway": "Gateway", "inclusiveGateway": "Gateway", "parallelGateway": "Parallel gateway",
         "eventBasedGateway": "Event gateway", "startEvent": "Start event", "endEvent": "End event",
         "intermediateCatchEvent": "Event", "intermediateThrowEvent": "Event", "boundaryEvent": "Event",
         "sequenceFlow": "Flow", "lane": "Lane"}
PROPERTY_LABELS = {"formUiSchemaFilename": "form layout", "stage": "stage", "dueTimer": "due date timer",
                   "deadlineKind": "deadline kind", "assigneeVariable": "assignee field",
                   "classifyCase": "closing form (asks for themes)", "classifyTeamField": "team field"}
TIMER_TYPES = {"timeDate": "date", "timeDuration": "duration", "timeCycle": "cycle"}


def describe_elements(bundle: Bundle) -> dict[str, dict]:
    """Every flow element, flow and lane of the bundle's BPMN files by id, with what it does."""
    elements: dict[str, dict] = {}
    for file in sorted(n for n in bundle.files if n.endswith(".bpmn")):
        try:
            root = parse_xml_safely(file, bundle.files[file])
        except BundleInvalid:
            continue
        messages = {m.get("id"): m.get("name") or m.get("id") for m in root.iter(BPMN + "message")}
        lanes = {ref.text.strip(): lane.get("name") or lane.get("id")
                 for lane in root.iter(BPMN + "lane") for ref in lane.findall(BPMN + "flowNodeRef") if ref.text}
        for node in root.iter():
            tag = node.tag.replace(BPMN, "") if isinstance(node.tag, str) else ""
            if tag in KINDS and node.get("id"):
                elements[node.get("id")] = _describe(file, tag, node, messages, lanes)
    for element in elements.values():
        if element.get("attached") and not element.get("lane"):
            element["lane"] = elements.get(element["attached"], {}).get("lane")
    return elements


def _describe(file: str, tag: str, node, messages: dict, lanes: dict) -> dict:
    def text(path):
        found = node.find(path)
        return found.text.strip() if found is not None and found.text and found.text.strip() else None

    element = {"file": file, "tag": tag, "kind": KINDS[tag], "name": node.get("name") or None,
               "lane": lanes.get(node.get("id")) if tag != "lane" else None}
    timer = node.find(BPMN + "timerEventDefinition")
    if timer is not None:
        element["kind"] = "Timer"
        for child in timer:
            if isinstance(child.tag, str) and child.tag.replace(BPMN, "") in TIMER_TYPES:
                element["timer"] = (child.tag.replace(BPMN, ""), (child.text or "").strip())
    message = node.find(BPMN + "messageEventDefinition")
    if message is not None:
        element["kind"] = "Message event"
        element["message"] = messages.get(message.get("messageRef"), message.get("messageRef"))
        element["message_variable"] = text(f"{BPMN}extensionElements/{SPIFF}messageVariable") or \
            text(f"{BPMN}messageEventDefinition/{SPIFF}messageVariable")
    operator = node.find(f"{BPMN}extensionElements/{SPIFF}serviceTaskOperator")
    if operator is not None:
        element["operator"], element["result"] = operator.get("id"), operator.get("resultVariable")
        element["params"] = {p.get("id"): p.get("value") for p in operator.iter(SPIFF + "parameter")}
    element["props"] = {p.get("name"): p.get("value") for p in node.findall(
        f"{BPMN}extensionElements/{SPIFF}properties/{SPIFF}property")}
    for key, path in (("script", BPMN + "script"), ("pre_script", f"{BPMN}extensionElements/{SPIFF}preScript"),
                      ("post_script", f"{BPMN}extensionElements/{SPIFF}postScript"),
                      ("condition", BPMN + "conditionExpression"),
                      ("decision", f"{BPMN}extensionElements/{SPIFF}calledDecisionId")):
        element[key] = text(path)
    for key, attribute in (("source", "sourceRef"), ("target", "targetRef"), ("called", "calledElement"),
                           ("default", "default"), ("attached", "attachedToRef")):
        element[key] = node.get(attribute)
    element["interrupting"] = node.get("cancelActivity", "true") != "false" if tag == "boundaryEvent" else None
    return element


def bpmn_changes(old: dict[str, dict], new: dict[str, dict]) -> list[tuple[str, str, str, str]]:
    """(file, element id, kind of change, text) for each behavioural difference between two descriptions."""
    lines = []
    for element_id, after in new.items():
        before = old.get(element_id)
        if before is None:
            where = f" in lane {after['lane']}" if after.get("lane") else ""
            lines.append((after["file"], element_id, "added", f"{_label(after, new)} added{where}"))
        else:
            lines += [(after["file"], element_id, kind, text) for kind, text in _compare(before, after, old, new)]
    for element_id, before in old.items():
        if element_id not in new:
            lines.append((before["file"], element_id, "removed", f"{_label(before, old)} removed"))
    return lines


def _compare(a: dict, b: dict, old: dict, new: dict):
    name = b["name"] or a["name"] or "unnamed"
    label = _label(a, old) if b["tag"] == "sequenceFlow" and not b["name"] else _label(b, new)
    if a["tag"] != b["tag"] or a["kind"] != b["kind"]:
        yield "changed", f"'{name}' changed from {_article(a['kind'])} to {_article(b['kind'])}"
    if a["name"] != b["name"] and a["name"] and b["name"]:
        yield "changed", f"{_label(a, old)} renamed to '{b['name']}'"
    if a["lane"] != b["lane"]:
        yield "moved", f"{label} moved from lane {a['lane'] or '(none)'} to lane {b['lane'] or '(none)'}"
    if a.get("timer") != b.get("timer"):
        yield "changed", f"{label} changed from {_timer(a, b)} to {_timer(b, a)}"
    if a.get("operator") != b.get("operator"):
        yield "changed", f"{label} now calls {_show(b.get('operator'))} instead of {_show(a.get('operator'))}"
    yield from _mapping(label, "parameter", a.get("params") or {}, b.get("params") or {})
    if a.get("result") != b.get("result"):
        yield "changed", f"{label}: result stored in {_show(b.get('result'))} instead of {_show(a.get('result'))}"
    yield from _properties(label, a["props"], b["props"])
    if a["condition"] != b["condition"]:
        yield "changed", f"Condition on {label[0].lower()}{label[1:]} changed " \
                         f"from {_show(a['condition'], 'no condition')} to {_show(b['condition'], 'no condition')}"
    if (a["source"], a["target"]) != (b["source"], b["target"]):
        yield "changed", f"{label} now runs from '{_name(b['source'], new)}' to '{_name(b['target'], new)}'"
    for key, what in (("script", "Script"), ("pre_script", "Pre-script"), ("post_script", "Post-script")):
        if a[key] != b[key]:
            yield "changed", f"{what} of '{name}' changed"
    if a.get("message") != b.get("message"):
        yield "changed", f"{label} now uses message {_show(b.get('message'))} instead of {_show(a.get('message'))}"
    if a.get("message_variable") != b.get("message_variable"):
        yield "changed", f"{label}: message stored in {_show(b.get('message_variable'))} instead of " \
                         f"{_show(a.get('message_variable'))}"
    for key, what in (("called", "process"), ("decision", "decision")):
        if a[key] != b[key]:
            yield "changed", f"{label} now calls {what} {_show(b[key])} instead of {_show(a[key])}"
    if a["default"] != b["default"]:
        yield "changed", f"{label}: default path changed from {_flow(a['default'], old)} to {_flow(b['default'], new)}"
    if a["interrupting"] != b["interrupting"] and None not in (a["interrupting"], b["interrupting"]):
        yield "changed", f"{label} {'now interrupts' if b['interrupting'] else 'no longer interrupts'} its task"
    if a["attached"] != b["attached"]:
        yield "moved", f"{label} now sits on '{_name(b['attached'], new)}' instead of '{_name(a['attached'], old)}'"


def _mapping(label: str, what: str, a: dict, b: dict):
    for key in [k for k in b if k not in a]:
        yield "changed", f"{label}: {what} {key} added with value {_show(b[key])}"
    for key in [k for k in a if k not in b]:
        yield "changed", f"{label}: {what} {key} removed"
    for key in [k for k in a if k in b and a[k] != b[k]]:
        yield "changed", f"{label}: {what} {key} changed from {_show(a[key])} to {_show(b[key])}"


def _properties(label: str, a: dict, b: dict):
    form_a, form_b = a.get("formJsonSchemaFilename"), b.get("formJsonSchemaFilename")
    if form_a != form_b:
        if form_b is None:
            yield "changed", f"{label} no longer uses form {form_a}"
        else:
            yield "changed", f"{label} now uses form {form_b}" + (f" instead of {form_a}" if form_a else "")
    def rest(props):
        return {PROPERTY_LABELS.get(k, k): v for k, v in props.items() if k != "formJsonSchemaFilename"}

    yield from _mapping(label, "property", rest(a), rest(b))


def _label(element: dict, elements: dict) -> str:
    if element["tag"] == "sequenceFlow" and not element["name"]:
        return f"Flow from '{_name(element['source'], elements)}' to '{_name(element['target'], elements)}'"
    return f"{element['kind']} '{element['name'] or 'unnamed'}'"


def _name(element_id: str | None, elements: dict) -> str:
    element = elements.get(element_id or "", {})
    return element.get("name") or element_id or "nothing"


def _flow(element_id: str | None, elements: dict) -> str:
    return _label(elements[element_id], elements).lower() if element_id in elements else "none"


def _timer(this: dict, other: dict) -> str:
    kind, expression = this.get("timer") or ("", "")
    other_kind = (other.get("timer") or ("", ""))[0]
    shown = expression or "no expression"
    return f"{TIMER_TYPES.get(kind, 'no timer')} {shown}" if kind != other_kind else shown


def _article(kind: str) -> str:
    return ("an " if kind[0].lower() in "aeiou" else "a ") + kind.lower()


def _show(value, empty: str = "nothing") -> str:
    return empty if value in (None, "") else str(value)
