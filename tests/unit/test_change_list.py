"""The plain-language change list between two versions of a bundle."""
import json
from pathlib import Path

from processes.bundle import bundle_from_directory, bundle_from_files
from processes.change_list import change_list

DEMO = Path(__file__).resolve().parents[2] / "bpmn" / "demo"
LANES = """<bpmn:laneSet id="demo_lanes">
      <bpmn:lane id="lane_team" name="Complaints team">
        <bpmn:flowNodeRef>start</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>acknowledge</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>triage</bpmn:flowNodeRef>"""
DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="D" namespace="x">
  <decision id="route" name="Route complaint"><decisionTable id="t" hitPolicy="FIRST">
    <input id="i1" label="Category">
      <inputExpression id="e1" typeRef="string"><text>category</text></inputExpression></input>
    <output id="o1" label="Lane" name="lane" typeRef="string" />
    <rule id="r1"><inputEntry id="a1"><text>"staff"</text></inputEntry>
      <outputEntry id="b1"><text>"HR"</text></outputEntry></rule>
    {extra}
  </decisionTable></decision>
</definitions>"""


def demo() -> dict[str, bytes]:
    return dict(bundle_from_directory(DEMO).files)


def lines(old: dict, new: dict) -> list[str]:
    return [c.text for c in change_list(bundle_from_files(old), bundle_from_files(new))]


def xml(*pairs) -> str:
    text = (DEMO / "demo.bpmn").read_text()
    for before, after in pairs:
        assert before in text, before
        text = text.replace(before, after)
    return text


def test_a_changed_timer_expression_reads_as_from_and_to():
    changed = xml(("working_days_after(received_at, 5)", "working_days_after(received_at, 3)"))
    [change] = change_list(bundle_from_files(demo()), bundle_from_files({**demo(), "demo.bpmn": changed.encode()}))
    assert change.text == ("Timer 'Triage deadline' changed from working_days_after(received_at, 5) "
                           "to working_days_after(received_at, 3)")
    assert (change.element, change.file, change.kind) == ("triage_deadline", "demo.bpmn", "changed")


def test_a_task_moved_to_another_lane_says_from_which_lane_to_which():
    moved = xml((LANES, LANES.replace("        <bpmn:flowNodeRef>triage</bpmn:flowNodeRef>", "")),
                ("</bpmn:laneSet>", '  <bpmn:lane id="lane_psrd" name="PSRD director">'
                                    "<bpmn:flowNodeRef>triage</bpmn:flowNodeRef></bpmn:lane>\n    </bpmn:laneSet>"))
    assert "Task 'Triage the complaint' moved from lane Complaints team to lane PSRD director" in lines(
        demo(), {**demo(), "demo.bpmn": moved.encode()})


def test_a_form_field_added_is_named_in_plain_words():
    form = json.loads((DEMO / "forms" / "triage.json").read_text())
    form["properties"]["remedy_sought"] = {"type": "string", "title": "What would put this right?"}
    assert lines(demo(), {**demo(), "forms/triage.json": json.dumps(form).encode()}) == [
        "Form field 'remedy sought' added"]


def test_form_fields_removed_required_or_relabelled_are_listed():
    form = json.loads((DEMO / "forms" / "triage.json").read_text())
    form["required"] = ["eligible"]
    form["properties"]["eligible"]["title"] = "Eligible under the policy?"
    del form["properties"]["notes"]
    assert lines(demo(), {**demo(), "forms/triage.json": json.dumps(form).encode()}) == [
        "Form field 'eligible' changed (label)", "Form field 'notes' removed"]


def test_operator_parameter_condition_and_rename_changes_are_each_one_line():
    changed = xml(("serviceTaskOperator id=\"send_letter\"", "serviceTaskOperator id=\"send_email\""),
                  ("'sla_warning'", "'reminder'"), ("eligible == True", "eligible"),
                  ('name="Triage the complaint"', 'name="Triage"'))
    assert lines(demo(), {**demo(), "demo.bpmn": changed.encode()}) == [
        "Service task 'Send acknowledgement' now calls send_email instead of send_letter",
        "Task 'Triage the complaint' renamed to 'Triage'",
        "Service task 'Remind the complaints team': parameter template changed from 'sla_warning' to 'reminder'",
        "Condition on flow 'Yes' changed from eligible == True to eligible",
    ]


def test_added_and_removed_elements_and_flows_are_listed():
    changed = xml(('<bpmn:endEvent id="end_reminded" name="Reminder sent">',
                   '<bpmn:endEvent id="end_done" name="Done">'),
                  ('targetRef="end_reminded"', 'targetRef="end_done"'))
    result = lines(demo(), {**demo(), "demo.bpmn": changed.encode()})
    assert "End event 'Done' added" in result and "End event 'Reminder sent' removed" in result
    assert "Flow from 'Remind the complaints team' to 'Reminder sent' now runs from 'Remind the complaints team' " \
           "to 'Done'" in result


def test_a_layout_only_change_says_so():
    moved = xml(('<dc:Bounds x="172" y="142"', '<dc:Bounds x="170" y="140"'))
    assert lines(demo(), {**demo(), "demo.bpmn": moved.encode()}) == [
        "demo.bpmn: only the layout or documentation changed"]


def test_decision_rules_added_and_changed_are_listed():
    old = {**demo(), "route.dmn": DMN.format(extra="").encode()}
    extra = ('<rule id="r2"><inputEntry id="a2"><text>"other"</text></inputEntry>'
             '<outputEntry id="b2"><text>"Complaints team"</text></outputEntry></rule>')
    new = {**demo(), "route.dmn": DMN.format(extra=extra).replace('"HR"', '"PSRD director"').encode()}
    assert lines(old, new) == [
        "Decision 'Route complaint': rule 1 changed from (when \"staff\" then \"HR\") "
        "to (when \"staff\" then \"PSRD director\")",
        "Decision 'Route complaint': rule 2 added (when \"other\" then \"Complaints team\")"]


def test_files_added_and_removed_and_the_title_are_listed():
    manifest = json.loads((DEMO / "bundle.json").read_text())
    manifest["title"] = "Demo complaint v2"
    new = {**demo(), "bundle.json": json.dumps(manifest).encode(), "templates/ack.txt": b"Dear {{ name }}"}
    assert lines(demo(), new) == ["Title changed from Demo complaint (runtime proof) to Demo complaint v2",
                                  "File 'templates/ack.txt' added"]


def test_the_first_version_has_nothing_to_compare_with():
    [change] = change_list(None, bundle_from_files(demo()))
    assert change.text.startswith("First version")
