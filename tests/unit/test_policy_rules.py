"""Every policy rule against the shipped bundles (compliant) and against a bundle changed to breach it."""
import re
from pathlib import Path

import pytest

from processes.bundle import Bundle, bundle_from_directory, bundle_from_files
from processes.policy_checks import policy_breaches
from processes.policy_rules import RULES_DIR, RulesFileInvalid, load_rule_set, policy_of, rule_set_for

BPMN = Path(__file__).resolve().parents[2] / "bpmn"
GROUP, TRAINING = BPMN / "group_complaint", BPMN / "training_complaint"


def changed(folder: Path, name: str, old: str, new: str, count: int = 1) -> Bundle:
    """The shipped bundle with one text replaced in one file (asserting the text was there)."""
    files = dict(bundle_from_directory(folder).files)
    text = files[name].decode()
    assert text.count(old) >= count, f"{old!r} not in {name}"
    files[name] = text.replace(old, new, count).encode()
    return bundle_from_files(files)


def breaches(bundle: Bundle) -> list[dict]:
    return policy_breaches(bundle, rule_set_for(bundle))


def only(bundle: Bundle, rule: str) -> list[dict]:
    found = breaches(bundle)
    assert found and {b["rule"] for b in found} == {rule}, found
    return found


def test_the_shipped_group_and_training_bundles_breach_no_rule():
    assert breaches(bundle_from_directory(GROUP)) == []
    assert breaches(bundle_from_directory(TRAINING)) == []


def test_the_rule_set_comes_from_the_manifest_else_from_the_process_key():
    group = bundle_from_directory(GROUP)
    assert policy_of(group) == "group" and policy_of(bundle_from_directory(TRAINING)) == "training"
    named = bundle_from_files({**group.files, "bundle.json": b'{"process_key": "ia_complaint", '
                                                              b'"entry_process": "group_complaint", '
                                                              b'"policy": "training"}'})
    assert policy_of(named) == "training"
    renamed = bundle_from_files({**group.files, "bundle.json": b'{"process_key": "pl_complaint", '
                                                                b'"entry_process": "group_complaint"}'})
    assert policy_of(renamed) == "group"
    assert rule_set_for(bundle_from_directory(BPMN / "compliment")) is None
    assert rule_set_for(bundle_from_directory(BPMN / "demo")) is None


def test_each_rules_file_follows_the_schema_and_records_its_hash():
    for policy in ("group", "training"):
        rules = load_rule_set(policy)
        assert rules.policy == policy and re.fullmatch(r"[0-9a-f]{64}", rules.sha256)
        assert all(rule.clause and rule.text for rule in rules.rules)


def test_a_rules_file_that_breaks_the_schema_is_refused_naming_the_place(tmp_path):
    (tmp_path / "schema.json").write_bytes((RULES_DIR / "schema.json").read_bytes())
    (tmp_path / "group.yaml").write_text(
        "policy: group\ndocument: group policy\nissued: x\nrules:\n"
        "  - {id: a, clause: '3.1.2', text: t, check: {timer: {deadline_kind: acknowledgement, at_most: three}}}\n")
    with pytest.raises(RulesFileInvalid, match="group.yaml: rules/0/check"):
        load_rule_set("group", tmp_path)


# group policy 3.1.2 -------------------------------------------------------------------------------------------------

def test_a_group_acknowledgement_of_4_working_days_breaches_3_1_2():
    bundle = changed(GROUP, "shared/intake.bpmn", "working_days_after(complaint_received_at, 3)",
                     "working_days_after(complaint_received_at, 4)")
    [breach] = only(bundle, "group-acknowledge-within-3")
    assert breach["element"] == "triage_acknowledgement_due" and breach["clause"] == "group policy 3.1.2"
    assert breach["message"] == ("Timer 'Acknowledgement due' gives 4 working days; group policy 3.1.2 requires "
                                 "at most 3 working days")


def test_an_escalation_acknowledgement_counted_from_the_wrong_date_breaches_3_1_2():
    bundle = changed(GROUP, "formal_stage.bpmn", "working_days_after(formal_received_at, 3)",
                     "working_days_after(informal_responded_at, 3)")
    [breach] = only(bundle, "group-acknowledge-within-3")
    assert breach["element"] == "formal_ack_due" and "counts from informal_responded_at" in breach["message"]


def test_removing_the_appeal_acknowledgement_deadline_breaches_3_1_2():
    bundle = changed(GROUP, "appeal_stage.bpmn",
                     '<spiffworkflow:property name="deadlineKind" value="acknowledgement" />',
                     '<spiffworkflow:property name="deadlineKind" value="warning" />')
    [breach] = only(bundle, "group-acknowledge-within-3")
    assert breach["message"].startswith("No acknowledgement timer for the appeal stage") and "element" not in breach


def test_a_deadline_the_rules_cannot_read_is_a_breach_and_is_never_evaluated():
    bundle = changed(GROUP, "shared/intake.bpmn", "working_days_after(complaint_received_at, 3)",
                     "working_days_after(complaint_received_at, __import__('os').getpid())")
    [breach] = only(bundle, "group-acknowledge-within-3")
    assert "cannot be read as working days" in breach["message"] and "whole number" in breach["message"]


# group policy 3.1.3 -------------------------------------------------------------------------------------------------

def test_a_formal_response_due_in_25_working_days_breaches_3_1_3():
    bundle = changed(GROUP, "formal_and_appeal.bpmn", "working_days_after(formal_received_at, 20)",
                     "working_days_after(formal_received_at, 25)")
    [breach] = only(bundle, "group-respond-within-20")
    assert breach["element"] == "formal_response_due" and "gives 25 working days" in breach["message"]


def test_a_closure_reached_without_any_letter_breaches_the_written_response_rule():
    # the withdrawal confirmation becomes a note to staff: a withdrawn complaint closes with nothing in writing
    bundle = changed(GROUP, "group_complaint.bpmn",
                     "<spiffworkflow:serviceTaskOperator id=\"send_stage_letter\">\n          "
                     "<spiffworkflow:parameters>\n            <spiffworkflow:parameter id=\"template\" type=\"any\" "
                     "value=\"'withdrawal_confirmation'\" />",
                     "<spiffworkflow:serviceTaskOperator id=\"send_stage_letter\">\n          "
                     "<spiffworkflow:parameters>\n            <spiffworkflow:parameter id=\"template\" type=\"any\" "
                     "value=\"'withdrawal_confirmation'\" /><spiffworkflow:parameter id=\"recipient\" type=\"any\" "
                     "value=\"'role:complaints_team'\" />")
    found = only(bundle, "group-written-response-before-closure")
    assert "close_withdrawn" in {b["element"] for b in found}
    assert all("without a written response" in b["message"] for b in found)


# group policy 3.1.5 and 3.1.6 ---------------------------------------------------------------------------------------

def test_an_escalation_window_of_5_working_days_breaches_3_1_5():
    bundle = changed(GROUP, "complaint_handling.bpmn",
                     "working_days_after(informal_responded_at, 10)", "working_days_after(informal_responded_at, 5)")
    [breach] = only(bundle, "group-escalation-window-10")
    assert breach["message"] == ("Timer 'Escalation window closes' gives 5 working days; group policy 3.1.5 "
                                 "requires exactly 10 working days")


def test_an_appeal_window_of_15_working_days_breaches_3_1_6():
    bundle = changed(GROUP, "formal_and_appeal.bpmn",
                     "working_days_after(formal_responded_at, 10)", "working_days_after(formal_responded_at, 15)")
    [breach] = only(bundle, "group-appeal-window-10")
    assert breach["element"] == "appeal_window_closes"


def test_an_investigating_officer_chosen_without_the_independence_rule_breaches_3_1_5():
    bundle = changed(GROUP, "forms/allocate_investigator.json", '"x-independent": true',
                     '"x-independent": false')
    [breach] = only(bundle, "group-independent-investigator")
    assert breach["element"] == "allocate_investigator" and "not x-independent" in breach["message"]


def test_a_panel_of_one_breaches_3_1_6():
    bundle = changed(GROUP, "forms/convene_panel.json", '"minItems": 2', '"minItems": 1')
    [breach] = only(bundle, "group-independent-panel")
    assert "fewer than 2 people" in breach["message"]


def test_a_panel_chosen_by_anyone_breaches_3_1_6():
    bundle = changed(GROUP, "forms/convene_panel.json", '"x-independent": true,', "")
    [breach] = only(bundle, "group-independent-panel")
    assert breach["element"] == "convene_panel"


# group policy 2.9.1 and 2.10.1 --------------------------------------------------------------------------------------

def test_taking_away_withdrawal_during_intake_breaches_2_9_1_at_each_waiting_state():
    bundle = changed(GROUP, "group_complaint.bpmn", 'attachedToRef="intake"',
                     'attachedToRef="intake" cancelActivity="false"')
    assert breaches(bundle) == []  # a non-interrupting withdrawal still catches it
    files = dict(bundle_from_directory(GROUP).files)
    text = files["group_complaint.bpmn"].decode()
    start = text.index('<bpmn:boundaryEvent id="intake_withdrawn"')
    end = text.index("</bpmn:boundaryEvent>", start) + len("</bpmn:boundaryEvent>")
    files["group_complaint.bpmn"] = text.replace(
        text[start:end], text[start:end].replace("message_withdrawn", "message_complaint_closed")).encode()
    found = only(bundle_from_files(files), "group-withdrawal-at-any-stage")
    assert {"triage", "await_consent"} <= {b["element"] for b in found}
    assert all("no way to withdraw" in b["message"] for b in found)


def test_a_closure_that_ignores_the_contracts_retention_breaches_2_10_1():
    bundle = changed(GROUP, "group_complaint.bpmn",
                     '<spiffworkflow:serviceTaskOperator id="close_complaint">\n          <spiffworkflow:parameters>\n'
                     "            <spiffworkflow:parameter id=\"outcome\" type=\"any\" value=\"'ineligible'\" />",
                     '<spiffworkflow:serviceTaskOperator id="close_case">\n          <spiffworkflow:parameters>\n'
                     "            <spiffworkflow:parameter id=\"outcome\" type=\"any\" value=\"'ineligible'\" />")
    [breach] = only(bundle, "group-retention-on-closure")
    assert breach["element"] == "close_ineligible" and "close_case" in breach["message"]


# Seetec Training policy ---------------------------------------------------------------------------------------------

def test_a_training_acknowledgement_of_6_working_days_breaches_the_5_day_rule():
    bundle = changed(TRAINING, "training_complaint.bpmn",
                     "working_days_after(formal_received_at, 5)", "working_days_after(formal_received_at, 6)")
    [breach] = only(bundle, "training-acknowledge-within-5")
    assert breach["element"] == "acknowledge_formal_due"
    assert breach["clause"] == "Seetec Training policy 3.2 and 4.0"


def test_a_training_informal_response_of_25_working_days_breaches_the_20_day_rule():
    bundle = changed(TRAINING, "training_complaint.bpmn",
                     ">working_days_after(complaint_received_at, 20) if not",
                     ">working_days_after(complaint_received_at, 25) if not")
    [breach] = only(bundle, "training-informal-response-within-20")
    assert breach["element"] == "informal_response_due"


def test_a_training_formal_response_of_35_days_breaches_the_30_day_rule():
    bundle = changed(TRAINING, "training_complaint.bpmn",
                     ">working_days_after(formal_received_at, 30) if not",
                     ">working_days_after(formal_received_at, 35) if not")
    [breach] = only(bundle, "training-formal-response-within-30")
    assert "gives 35 working days" in breach["message"]


def test_a_training_appeal_response_of_40_days_breaches_the_30_day_rule():
    bundle = changed(TRAINING, "training_complaint.bpmn",
                     ">working_days_after(appeal_received_at, 30) if not",
                     ">working_days_after(appeal_received_at, 40) if not")
    only(bundle, "training-appeal-response-within-30")


def test_a_training_appeal_window_of_5_days_breaches_the_10_day_rule():
    bundle = changed(TRAINING, "training_complaint.bpmn",
                     "working_days_after(formal_responded_at, 10)</bpmn:timeDate>",
                     "working_days_after(formal_responded_at, 5)</bpmn:timeDate>")
    only(bundle, "training-appeal-window-10")


def test_a_training_closure_without_a_letter_breaches_the_written_response_rule():
    bundle = changed(TRAINING, "training_complaint.bpmn",
                     "value=\"'withdrawal_confirmation'\"/>",
                     "value=\"'withdrawal_confirmation'\"/><spiffworkflow:parameter id=\"recipient\" type=\"any\" "
                     "value=\"'role:complaints_team'\" />")
    found = only(bundle, "training-written-response-before-closure")
    assert "close_withdrawn" in {b["element"] for b in found}


def test_a_training_case_that_cannot_be_withdrawn_breaches_the_withdrawal_rule():
    bundle = changed(TRAINING, "training_complaint.bpmn", 'attachedToRef="run_stages"',
                     'attachedToRef="handle_in_parallel"')
    found = [b for b in breaches(bundle) if b["rule"] == "training-withdrawal-at-any-stage"]
    assert {"triage", "acknowledge_formal", "convene_panel"} <= {b["element"] for b in found}


def test_a_training_panel_of_one_and_a_reviewer_without_independence_breach_their_rules():
    bundle = changed(TRAINING, "forms/convene_panel.json", '"minItems": 2', '"minItems": 1')
    only(bundle, "training-independent-panel")
    bundle = changed(TRAINING, "forms/psrd_complaint_review.json", '"x-independent": true',
                     '"x-independent": false')
    only(bundle, "training-independent-reviewer")


def test_a_training_closure_without_retention_breaches_2_10_1():
    bundle = changed(TRAINING, "training_complaint.bpmn",
                     'serviceTaskOperator id="close_case_with_retention"', 'serviceTaskOperator id="close_case"')
    [breach] = only(bundle, "training-retention-on-closure")
    assert breach["clause"] == "group policy 2.10.1"


def test_a_bundle_too_large_for_the_path_rules_is_a_breach_rather_than_a_long_walk():
    tasks = "".join(f'<bpmn:manualTask id="t{i}"/><bpmn:sequenceFlow id="f{i}" sourceRef="t{i}" targetRef="t{i + 1}"/>'
                    for i in range(5001))
    diagram = ('<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">'
               f'<bpmn:process id="big" isExecutable="true">{tasks}<bpmn:endEvent id="t5001"/></bpmn:process>'
               '</bpmn:definitions>')
    bundle = bundle_from_files({"bundle.json": b'{"process_key": "big_complaint", "entry_process": "big"}',
                                "big.bpmn": diagram.encode()})
    found = {b["rule"]: b["message"] for b in breaches(bundle)}
    assert "more than the 5000 the path rules check" in found["group-written-response-before-closure"]
    assert "more than the 5000 the path rules check" in found["group-withdrawal-at-any-stage"]
