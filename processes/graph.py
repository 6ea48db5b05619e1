"""Structure checks on the BPMN XML: reachability, termination, call activities and lanes."""
from __future__ import annotations

from collections import defaultdict

from .access import ROLES, role_for_lane
from .bundle import Bundle, parse_xml_safely
from .errors import BundleInvalid
from .vocabulary import OFFICE_ROLES

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
FLOW_NODES = {"task", "userTask", "serviceTask", "scriptTask", "manualTask", "sendTask", "receiveTask",
              "businessRuleTask", "callActivity", "subProcess", "exclusiveGateway", "parallelGateway",
              "inclusiveGateway", "eventBasedGateway", "startEvent", "endEvent", "intermediateCatchEvent",
              "intermediateThrowEvent", "boundaryEvent"}


def bpmn_roots(bundle: Bundle) -> dict:
    """The parsed root of every well-formed BPMN file (the parser reports the others)."""
    roots = {}
    for name, content in sorted(bundle.xml_files().items()):
        if name.endswith(".bpmn"):
            try:
                roots[name] = parse_xml_safely(name, content)
            except BundleInvalid:
                continue
    return roots


def flow_problems(bundle: Bundle) -> list[dict]:
    """Unreachable elements and elements from which no end can be reached, per process or subprocess."""
    problems = []
    for name, root in bpmn_roots(bundle).items():
        for scope in list(root.iter(BPMN + "process")) + list(root.iter(BPMN + "subProcess")):
            problems += _scope_problems(name, scope)
    return problems


def structure_problems(bundle: Bundle) -> list[dict]:
    """Flow problems plus call activities that call nothing in the bundle and lanes that are not roles."""
    roots = bpmn_roots(bundle)
    processes = {p.get("id") for root in roots.values() for p in root.iter(BPMN + "process")}
    problems = flow_problems(bundle)
    for name, root in roots.items():
        for call in root.iter(BPMN + "callActivity"):
            label = call.get("name") or call.get("id")
            where = {"file": name, "element": call.get("id"), "name": label}
            target = call.get("calledElement")
            if not target:
                problems.append({**where, "message": f"call activity '{label}' does not name a process to call"})
            elif target not in processes:
                problems.append({**where, "message": f"call activity '{label}' calls process {target!r}, "
                                                     "which is not in the bundle"})
        for lane in root.iter(BPMN + "lane"):
            label = lane.get("name") or lane.get("id")
            if role_for_lane(lane.get("name")) is None and not lane.findall(BPMN + "childLaneSet"):
                known = ", ".join(label for key, label in ROLES.items() if key not in OFFICE_ROLES)
                problems.append({"file": name, "element": lane.get("id"), "name": label,
                                 "message": f"lane '{label}' is not a known role (known roles: {known})"})
    return problems


def _scope_problems(file: str, scope) -> list[dict]:
    nodes, names, forward, backward = {}, {}, defaultdict(set), defaultdict(set)
    for child in scope:
        tag = child.tag.replace(BPMN, "")
        if tag in FLOW_NODES:
            nodes[child.get("id")] = tag
            names[child.get("id")] = child.get("name") or child.get("id")
    for child in scope:
        if child.tag == BPMN + "sequenceFlow":
            forward[child.get("sourceRef")].add(child.get("targetRef"))
            backward[child.get("targetRef")].add(child.get("sourceRef"))
        elif child.tag == BPMN + "boundaryEvent":
            forward[child.get("attachedToRef")].add(child.get("id"))
            backward[child.get("id")].add(child.get("attachedToRef"))
    event_subprocesses = [c.get("id") for c in scope
                          if c.tag == BPMN + "subProcess" and c.get("triggeredByEvent") == "true"]
    starts = [n for n, tag in nodes.items() if tag == "startEvent"] + event_subprocesses
    if scope.tag == BPMN + "subProcess" and scope.get("triggeredByEvent") == "true":
        return []
    ends = [n for n, tag in nodes.items() if tag == "endEvent"] + event_subprocesses
    reached, ending = _walk(starts, forward), _walk(ends, backward)
    problems = [{"file": file, "element": n, "message": f"'{names[n]}' cannot be reached from a start event"}
                for n in nodes if n not in reached]
    problems += [{"file": file, "element": n, "message": f"no path from '{names[n]}' reaches an end"}
                 for n in nodes if n in reached and n not in ending]
    return problems


def _walk(seeds, edges) -> set:
    seen, todo = set(seeds), list(seeds)
    while todo:
        for nxt in edges[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen
