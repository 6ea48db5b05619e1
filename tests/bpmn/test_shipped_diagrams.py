"""The shipped diagrams are the source of truth: each validates, opens laid out in bpmn-js with lanes that are
roles, and uses ids the modeler cannot confuse; the group diagrams are what IA, EUK and PL run."""
import json

import pytest
from lxml import etree

from handlers import build_registry
from processes.access import role_for_lane
from processes.bundle import bundle_from_directory
from processes.graph import FLOW_NODES
from processes.validation import validate_bundle
from tests.bpmn.harness import BPMN as BPMN_DIR

DIAGRAMS = sorted(BPMN_DIR.glob("*/*.bpmn"))
BUNDLES = sorted(p.parent for p in BPMN_DIR.glob("*/bundle.json"))
NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL", "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
      "dc": "http://www.omg.org/spec/DD/20100524/DC", "di": "http://www.omg.org/spec/DD/20100524/DI",
      "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core"}


def bounds(root, element_id):
    box = root.find(f".//bpmndi:BPMNShape[@bpmnElement='{element_id}']/dc:Bounds", NS)
    return None if box is None else [float(box.get(k)) for k in ("x", "y", "width", "height")]


@pytest.mark.parametrize("path", DIAGRAMS, ids=lambda p: p.name)
def test_every_element_and_flow_of_the_diagram_is_laid_out(path):
    root = etree.parse(str(path)).getroot()
    nodes = [el for el in root.iter() if etree.QName(el).localname in FLOW_NODES and el.get("id")]
    assert nodes
    for node in nodes:
        assert bounds(root, node.get("id")), f"{path.name}: {node.get('id')} has no shape"
    for flow in root.iterfind(".//bpmn:sequenceFlow", NS):
        points = root.findall(f".//bpmndi:BPMNEdge[@bpmnElement='{flow.get('id')}']/di:waypoint", NS)
        assert len(points) >= 2, f"{path.name}: {flow.get('id')} has no waypoints"
    for boundary in root.iterfind(".//bpmn:boundaryEvent", NS):
        x, y, w, h = bounds(root, boundary.get("id"))
        hx, hy, hw, hh = bounds(root, boundary.get("attachedToRef"))
        assert hx <= x + w / 2 <= hx + hw and y + h / 2 in (hy, hy + hh)


@pytest.mark.parametrize("path", DIAGRAMS, ids=lambda p: p.name)
def test_the_pool_has_lanes_that_are_roles_and_hold_every_element(path):
    root = etree.parse(str(path)).getroot()
    participants = root.findall(".//bpmn:participant", NS)
    assert participants and all(bounds(root, p.get("id")) for p in participants)
    for process in root.iterfind("bpmn:process", NS):
        lanes = process.findall(".//bpmn:lane", NS)
        assert lanes and all(role_for_lane(lane.get("name")) for lane in lanes), process.get("id")
        assert all(bounds(root, lane.get("id")) for lane in lanes)
        in_lanes = [ref.text for ref in process.iterfind(".//bpmn:flowNodeRef", NS)]
        nodes = {el.get("id") for el in process.iter() if etree.QName(el).localname in FLOW_NODES and el.get("id")}
        must = {el.get("id") for el in process.iter() if _sits_in_a_lane(process, el)}
        assert len(in_lanes) == len(set(in_lanes)) and must <= set(in_lanes) <= nodes, process.get("id")


def _sits_in_a_lane(process, element) -> bool:
    """Tasks and events sit in the lane of their role; an expanded subprocess (and what hangs on its
    boundary) spans the lanes of the work inside it."""
    name = etree.QName(element).localname
    if name not in FLOW_NODES or not element.get("id") or name == "subProcess":
        return False
    host = element.get("attachedToRef")
    return not (host and process.find(f".//bpmn:subProcess[@id='{host}']", NS) is not None)


@pytest.mark.parametrize("path", DIAGRAMS, ids=lambda p: p.name)
def test_element_ids_are_not_reserved_or_the_names_of_operators_and_their_parameters(path):
    root = etree.parse(str(path)).getroot()
    registry = build_registry()
    taken = {"Start", "End"} | set(registry.names())
    taken |= {param for name in registry.names() for param in registry.parameters(name)}
    element_ids = {el.get("id") for el in root.iter() if el.get("id") and not etree.QName(el).namespace.startswith(
        "http://spiffworkflow.org")}
    assert element_ids.isdisjoint(taken), element_ids & taken


XML_FILES = sorted([*BPMN_DIR.glob("*/*.bpmn"), *BPMN_DIR.glob("*/*.dmn")])
# What the inbox, deadlines, timelines and migrations refer to by id, across every file of a bundle.
NAMED_WORK = {"userTask", "manualTask", "serviceTask", "scriptTask", "businessRuleTask", "callActivity", "subProcess",
              "boundaryEvent", "intermediateCatchEvent", "startEvent"}


@pytest.mark.parametrize("path", XML_FILES, ids=lambda p: p.name)
def test_ids_are_unique_in_each_file(path):
    ids = [el.get("id") for el in etree.parse(str(path)).getroot().iter()
           if isinstance(el.tag, str) and el.get("id") and not etree.QName(el).namespace.startswith(
               "http://spiffworkflow.org")]
    assert ids and len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


@pytest.mark.parametrize("folder", BUNDLES, ids=lambda p: p.name)
def test_the_ids_of_tasks_and_timers_are_unique_across_the_bundle(folder):
    seen: dict[str, str] = {}
    for name, content in bundle_from_directory(folder).xml_files().items():
        for el in etree.fromstring(content).iter():
            if isinstance(el.tag, str) and etree.QName(el).localname in NAMED_WORK and el.get("id"):
                assert el.get("id") not in seen, f"{el.get('id')} is in {seen.get(el.get('id'))} and {name}"
                seen[el.get("id")] = name
    assert seen


def test_the_eligibility_table_has_a_decision_shape_for_the_dmn_editor():
    root = etree.parse(str(BPMN_DIR / "shared" / "eligibility.dmn")).getroot()
    dmndi = "https://www.omg.org/spec/DMN/20191111/DMNDI/"
    [shape] = root.iter(f"{{{dmndi}}}DMNShape")
    assert shape.get("dmnElementRef") == "eligibility"


@pytest.mark.parametrize("folder", BUNDLES, ids=lambda p: p.name)
def test_every_shipped_bundle_passes_bundle_validation(folder):
    _, problems = validate_bundle(bundle_from_directory(folder), build_registry())
    assert problems == []


def test_interventions_alliance_employability_uk_and_pluss_run_complaints_and_concerns_on_the_group_lifecycle():
    divisions = {d["code"]: d["config"] for d in json.loads((BPMN_DIR / "divisions.json").read_text())}
    manifest = json.loads((BPMN_DIR / "group_complaint" / "bundle.json").read_text())
    assert manifest["process_key"] == "group_complaint" and manifest["include"] == ["shared"]
    base = bundle_from_directory(BPMN_DIR / "group_complaint")
    keys = set()
    for code in ("IA", "EUK", "PL"):
        key = f"{code.lower()}_complaint"  # each division its own process, so each versions and publishes alone
        assert {k: divisions[code]["processes"][k] for k in ("complaint", "concern")} == {
            "complaint": key, "concern": key}
        own = bundle_from_directory(BPMN_DIR / key)
        assert own.process_key == key and own.entry_process == "group_complaint"
        assert {n: c for n, c in own.files.items() if n != "bundle.json"} == {
            n: c for n, c in base.files.items() if n != "bundle.json"}  # version 1: the group lifecycle's files
        keys.add(key)
        assert divisions[code]["retention_years"] == 2 and divisions[code]["next_steps"]
    assert len(keys) == 3 and divisions["ST"]["processes"]["complaint"] == "training_complaint"
    assert [divisions[code]["complaints_mailbox"] for code in ("IA", "EUK", "PL")] == [
        "IAComplaints@interventionsalliance.com", "QualityandCompliance@seetecpluss.co.uk",
        "PlussComplaints@pluss.org.uk"]
    assert "the Prisons and Probation Ombudsman" in [a["name"] for a in divisions["IA"]["next_steps"]]
    assert "the Independent Case Examiner" in [a["name"] for a in divisions["EUK"]["next_steps"]]
