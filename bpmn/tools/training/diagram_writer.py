"""Lays out a Diagram on its grid and writes it as BPMN XML with SpiffWorkflow extensions and DI."""
from __future__ import annotations

from lxml import etree

from .diagram_elements import node_element
from .diagram_builder import (ACTIVITIES, COL_W, GATEWAYS, LANE_LABEL, LEFT, NS, POOL_LABEL, ROW_H, SIZES, Node,
                              Pool, q)

POOL_X, POOL_GAP, PAD = 40, 60, 25


def _size(node: Node) -> tuple[int, int]:
    if node.tag in ACTIVITIES:
        return SIZES["task"]
    if node.tag in GATEWAYS:
        return SIZES["gateway"]
    return SIZES["event"]


def layout(pool: Pool, top: float) -> tuple[float, float, dict]:
    """Place every node; return the pool's height, width and each lane's (top, height).

    The first and last lanes grow when nested subprocess frames would stick out of the pool."""
    above = below = 0.0
    for _ in range(2):
        lanes = _place(pool, top, above, below)
        first, last = lanes[pool.lanes[0]], lanes[pool.lanes[-1]]
        lowest = max(n.bounds[1] + n.bounds[3] for n in pool.nodes.values())
        above += max(0.0, first[0] + 10 - min(n.bounds[1] for n in pool.nodes.values()))
        below += max(0.0, lowest + 10 - (last[0] + last[1]))
    lanes = _place(pool, top, above, below)
    height = sum(h for _, h in lanes.values())
    width = max(n.bounds[0] + n.bounds[2] for n in pool.nodes.values()) - POOL_X + LEFT
    return height, width, lanes


def _place(pool: Pool, top: float, above: float, below: float) -> dict:
    rows = {lane: 1 for lane in pool.lanes}
    for node in pool.nodes.values():
        if node.lane and node.tag != "subProcess":
            rows[node.lane] = max(rows[node.lane], int(node.row) + 1)
    lanes, y = {}, top
    for lane in pool.lanes:
        height = rows[lane] * ROW_H + (above if lane == pool.lanes[0] else 0) + (below if lane == pool.lanes[-1] else 0)
        lanes[lane] = (y, height)
        y += height
    x0 = POOL_X + POOL_LABEL + LANE_LABEL + LEFT
    for node in pool.nodes.values():
        if node.tag not in ("subProcess", "boundaryEvent"):
            w, h = _size(node)
            offset = above if node.lane == pool.lanes[0] else 0
            cx, cy = x0 + node.col * COL_W, lanes[node.lane][0] + offset + node.row * ROW_H + ROW_H / 2
            node.bounds = (cx - w / 2, cy - h / 2, w, h)
    pending = [n for n in pool.nodes.values() if n.tag in ("subProcess", "boundaryEvent")]
    while pending:
        for node in list(pending):
            if node.tag == "boundaryEvent":
                host = pool.nodes[node.spec["attached"]]
                if host not in pending:
                    hx, hy, hw, hh = host.bounds
                    node.bounds = (hx + 12 + node.spec["slot"] * 40, hy + hh - 18, 36, 36)
                    pending.remove(node)
            else:
                children = [n for n in pool.nodes.values() if n.parent == node.id]
                if not any(c in pending for c in children):
                    x1 = min(c.bounds[0] for c in children) - PAD
                    y1 = min(c.bounds[1] for c in children) - PAD - 10
                    x2 = max(c.bounds[0] + c.bounds[2] for c in children) + PAD
                    y2 = max(c.bounds[1] + c.bounds[3] for c in children) + PAD
                    node.bounds = (x1, y1, x2 - x1, y2 - y1)
                    pending.remove(node)
    return lanes


def route(source: Node, target: Node) -> list[tuple[float, float]]:
    """Orthogonal waypoints from source to target."""
    sx, sy, sw, sh = source.bounds
    tx, ty, tw, th = target.bounds
    scx, scy, tcx, tcy = sx + sw / 2, sy + sh / 2, tx + tw / 2, ty + th / 2
    if source.tag == "boundaryEvent":
        if abs(tcx - scx) < 1:
            return [(scx, sy + sh), (tcx, ty)]
        edge = tx if tcx > scx else tx + tw
        return [(scx, sy + sh), (scx, tcy), (edge, tcy)]
    if tcx > scx + 1:
        if abs(tcy - scy) < 1:
            return [(sx + sw, scy), (tx, tcy)]
        if source.tag in GATEWAYS:
            start_y = sy + sh if tcy > scy else sy
            return [(scx, start_y), (scx, tcy), (tx, tcy)]
        mid = (sx + sw + tx) / 2
        return [(sx + sw, scy), (mid, scy), (mid, tcy), (tx, tcy)]
    if abs(tcx - scx) < 1:
        return [(scx, sy + sh), (tcx, ty)] if tcy > scy else [(scx, sy), (tcx, ty + th)]
    below = max(sy + sh, ty + th) + 22
    return [(scx, sy + sh), (scx, below), (tcx, below), (tcx, ty + th)]


def write_definitions(diagram) -> bytes:
    """The whole BPMN document as pretty-printed bytes."""
    root = etree.Element(q("bpmn:definitions"), nsmap=NS, id=diagram.id, targetNamespace="http://bpmn.io/schema/bpmn")
    for node in (n for pool in diagram.pools for n in pool.nodes.values()):
        if node.spec.get("message") or node.spec.get("receives"):
            diagram.message_ref(node.spec.get("message") or node.spec["receives"])
    for name, ref in sorted(diagram.messages.items()):
        etree.SubElement(root, q("bpmn:message"), id=ref, name=name)
    collaboration = etree.SubElement(root, q("bpmn:collaboration"), id=f"{diagram.id}_collaboration")
    for pool in diagram.pools:
        etree.SubElement(collaboration, q("bpmn:participant"), id=f"{pool.id}_participant", name=pool.name,
                         processRef=pool.id)
    _check_ids(diagram)
    for pool in diagram.pools:
        root.append(_process(pool))
    bpmn_diagram = etree.SubElement(root, q("bpmndi:BPMNDiagram"), id=f"{diagram.id}_diagram")
    plane = etree.SubElement(bpmn_diagram, q("bpmndi:BPMNPlane"), id=f"{diagram.id}_plane",
                             bpmnElement=collaboration.get("id"))
    top = 40
    for pool in diagram.pools:
        height, width, lanes = layout(pool, top)
        _shape(plane, f"{pool.id}_participant", (POOL_X, top, width, height), isHorizontal="true")
        for lane, (lane_top, lane_h) in lanes.items():
            _shape(plane, _lane_id(pool, lane), (POOL_X + POOL_LABEL, lane_top, width - POOL_LABEL, lane_h),
                   isHorizontal="true")
        for node in sorted(pool.nodes.values(), key=lambda n: (n.tag != "subProcess", n.tag == "boundaryEvent")):
            extra = {"isExpanded": "true"} if node.tag == "subProcess" else {}
            if node.tag == "exclusiveGateway":
                extra = {"isMarkerVisible": "true"}
            _shape(plane, node.id, node.bounds, label=_label(node), **extra)
        for flow in pool.flows:
            edge = etree.SubElement(plane, q("bpmndi:BPMNEdge"), id=f"{flow['id']}_di", bpmnElement=flow["id"])
            for x, y in route(pool.nodes[flow["source"]], pool.nodes[flow["target"]]):
                etree.SubElement(edge, q("di:waypoint"), x=_n(x), y=_n(y))
        top += height + POOL_GAP
    return etree.tostring(root, pretty_print=True, xml_declaration=True, encoding="UTF-8")


def _check_ids(diagram) -> None:
    reserved = set()
    for pool in diagram.pools:
        for node in pool.nodes.values():
            if node.tag == "serviceTask":
                reserved |= {node.spec["op"], *node.spec["params"]}
    ids = [n for p in diagram.pools for n in p.nodes] + [f["id"] for p in diagram.pools for f in p.flows]
    clashes = reserved & set(ids)
    if clashes or len(ids) != len(set(ids)):
        raise ValueError(f"element ids clash with operators or each other: {sorted(clashes)}")


def _n(value: float) -> str:
    return str(int(round(value)))


def _lane_id(pool: Pool, lane: str) -> str:
    return f"{pool.id}_lane_{lane.lower().replace(' ', '_')}"


def _shape(plane, element: str, bounds, label=None, **attrs) -> None:
    shape = etree.SubElement(plane, q("bpmndi:BPMNShape"), id=f"{element}_di", bpmnElement=element, **attrs)
    x, y, w, h = bounds
    etree.SubElement(shape, q("dc:Bounds"), x=_n(x), y=_n(y), width=_n(w), height=_n(h))
    if label:
        holder = etree.SubElement(shape, q("bpmndi:BPMNLabel"))
        x, y, w, h = label
        etree.SubElement(holder, q("dc:Bounds"), x=_n(x), y=_n(y), width=_n(w), height=_n(h))


def _label(node: Node):
    """Boundary events side by side: the first one's label to the left, the others' to the right."""
    if node.tag != "boundaryEvent":
        return None
    x, y, _, _ = node.bounds
    return (x - 78, y + 34, 80, 40) if node.spec["slot"] == 0 else (x + 34, y + 34, 80, 40)


def _process(pool: Pool):
    process = etree.Element(q("bpmn:process"), id=pool.id, name=pool.name, isExecutable="true")
    lane_set = etree.SubElement(process, q("bpmn:laneSet"), id=f"{pool.id}_lanes")
    for lane in pool.lanes:
        element = etree.SubElement(lane_set, q("bpmn:lane"), id=_lane_id(pool, lane), name=lane)
        for node in pool.nodes.values():
            if node.lane == lane and not (node.tag == "subProcess" and node.lane is None):
                etree.SubElement(element, q("bpmn:flowNodeRef")).text = node.id
    for name in pool.data_objects:
        etree.SubElement(process, q("bpmn:dataObject"), id=name, name=name)
    _fill_scope(pool, process, None)
    return process


def _fill_scope(pool: Pool, parent, scope: str | None) -> None:
    for node in pool.nodes.values():
        if node.parent == scope:
            incoming = [f["id"] for f in pool.flows if f["target"] == node.id]
            outgoing = [f["id"] for f in pool.flows if f["source"] == node.id]
            element = node_element(pool, node, incoming, outgoing)
            parent.append(element)
            if node.tag == "subProcess":
                _fill_scope(pool, element, node.id)
    for flow in pool.flows:
        if pool.nodes[flow["source"]].parent == scope:
            attrs = {"id": flow["id"], "sourceRef": flow["source"], "targetRef": flow["target"]}
            if flow["name"]:
                attrs["name"] = flow["name"]
            element = etree.SubElement(parent, q("bpmn:sequenceFlow"), **attrs)
            if flow["condition"]:
                condition = etree.SubElement(element, q("bpmn:conditionExpression"))
                condition.set(q("xsi:type"), "bpmn:tFormalExpression")
                condition.text = flow["condition"]
