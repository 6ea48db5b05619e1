"""Validation reports each problem against the element it concerns, so the modeler can highlight it."""
from pathlib import Path

from handlers import build_registry
from processes.bundle import bundle_from_directory, bundle_from_files
from processes.validation import validate_bundle

DEMO = Path(__file__).resolve().parents[2] / "bpmn" / "demo"
CALL = ('<bpmn:callActivity id="remind" name="Remind the complaints team" calledElement="{target}">'
        '<bpmn:incoming>f_remind</bpmn:incoming><bpmn:outgoing>f_reminded</bpmn:outgoing></bpmn:callActivity>')


def demo_xml() -> str:
    return (DEMO / "demo.bpmn").read_text()


def problems_with(xml: str | None = None, files: dict[str, str] | None = None) -> list[dict]:
    contents = dict(bundle_from_directory(DEMO).files)
    if xml is not None:
        contents["demo.bpmn"] = xml.encode()
    contents.update({name: text.encode() for name, text in (files or {}).items()})
    return validate_bundle(bundle_from_files(contents), build_registry())[1]


def with_call_activity(target: str) -> str:
    xml = demo_xml()
    start = xml.index('<bpmn:serviceTask id="remind"')
    end = xml.index("</bpmn:serviceTask>", start) + len("</bpmn:serviceTask>")
    return xml[:start] + CALL.format(target=target) + xml[end:]


def test_a_call_activity_calling_a_process_outside_the_bundle_is_reported_against_it():
    problems = problems_with(with_call_activity("nowhere"))
    assert [(p["element"], p["message"]) for p in problems] == [
        ("remind", "call activity 'Remind the complaints team' calls process 'nowhere', which is not in the bundle")]


def test_a_call_activity_calling_a_process_of_the_bundle_resolves():
    xml = with_call_activity("demo_complaint")
    assert not [p for p in problems_with(xml) if "call activity" in p["message"]]


def test_an_unknown_lane_is_reported_against_the_lane_and_lists_the_roles():
    problems = problems_with(demo_xml().replace('name="Complaints team"', 'name="Tea room"'))
    lane = [p for p in problems if p["element"] == "lane_team"]
    assert lane and "lane 'Tea room' is not a known role" in lane[0]["message"]
    assert "PSRD director" in lane[0]["message"] and "Governance" not in lane[0]["message"]


def test_a_condition_that_is_not_restricted_python_is_reported_against_its_flow():
    xml = demo_xml().replace("eligible == True", "__import__('os').system('id')")
    problems = problems_with(xml)
    assert any(p["element"] == "f_yes" and "condition of 'Yes' is refused by the sandbox" in p["message"]
               for p in problems)


def test_a_condition_with_a_syntax_error_is_reported():
    problems = problems_with(demo_xml().replace("eligible == True", "eligible ==="))
    assert any(p["element"] == "f_yes" for p in problems)


def test_a_due_timer_naming_no_boundary_timer_is_reported_against_the_task():
    xml = demo_xml().replace('name="dueTimer" value="triage_deadline"', 'name="dueTimer" value="no_such_timer"')
    problems = problems_with(xml)
    assert any(p["element"] == "triage" and "dueTimer 'no_such_timer'" in p["message"] for p in problems)


def test_a_timer_problem_names_the_timer_element_and_the_expression():
    xml = demo_xml().replace("working_days_after(received_at, 5)", "working_days_after(received_at, 5")
    problems = problems_with(xml)
    assert any(p["element"] == "triage_deadline" and "working_days_after(received_at, 5" in p["message"]
               for p in problems)


def test_a_ui_schema_that_is_not_an_object_is_reported():
    xml = demo_xml().replace('<spiffworkflow:property name="stage" value="triage" />',
                             '<spiffworkflow:property name="formUiSchemaFilename" value="forms/triage.ui.json" />'
                             '<spiffworkflow:property name="stage" value="triage" />')
    problems = problems_with(xml, {"forms/triage.ui.json": "[1, 2]"})
    assert any("must be a JSON object" in p["message"] and p["element"] == "triage" for p in problems)


def test_a_deeply_nested_form_is_reported_instead_of_crashing():
    problems = problems_with(files={"forms/triage.json": "[" * 100_000 + "]" * 100_000})
    assert any(p["element"] == "triage" and "forms/triage.json" in p["message"] for p in problems)


def test_an_element_that_cannot_reach_an_end_is_reported():
    flow = '<bpmn:sequenceFlow id="f_resolved" sourceRef="close_resolved" targetRef="end_resolved" />'
    xml = demo_xml().replace(flow, "")
    problems = problems_with(xml)
    assert any(p["element"] == "close_resolved" and "reaches an end" in p["message"] for p in problems)


def test_an_unknown_deadline_kind_is_reported_against_its_timer():
    xml = demo_xml().replace('name="deadlineKind" value="warning"', 'name="deadlineKind" value="soonish"')
    problems = problems_with(xml)
    assert any(p["element"] == "triage_reminder" and "deadline kind 'soonish'" in p["message"] for p in problems)
