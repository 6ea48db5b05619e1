"""Group policy 2.6, 2.8, 3.1.1 and 3.1.3 to 3.2.1: concerns, the three stages, colleagues and the final letter."""
import pytest

from processes.errors import InvalidInput
from processes.forms import validate_form
from tests.bpmn.test_group_support import (
    CONFIG,
    at,
    closed_as,
    end_of,
    events,
    findings,
    new_case,
    panel_decision,
    sent,
    to_informal_investigation,
    to_panel_review,
    triage_answers,
    utc,
)


def test_a_complaint_goes_through_all_three_stages_to_a_final_response_naming_the_next_avenues():
    run = to_panel_review(new_case())
    assert run.ready == ["panel_review"] and run.case.stage == "appeal"
    run.complete("panel_review", **panel_decision())
    [final] = [d for d in sent(run, "stage_response") if d.context.get("final")]
    assert final.context["next_steps"] == CONFIG["next_steps"] and final.context["outcome"] == "not_upheld"
    assert [d.context["stage"] for d in sent(run, "stage_response")] == ["informal", "formal", "appeal"]
    assert [d.context["stage"] for d in sent(run, "acknowledgement")] == ["intake", "formal", "appeal"]
    assert closed_as(run) == ("closed", "not_upheld") and run.kept_for_years() == 2 and run.completed


def test_the_final_letter_and_retention_follow_the_contract_of_the_complaint():
    run = new_case()
    run.complete("triage", **triage_answers(contract="Probation services", too_serious_for_informal=True))
    run.complete("allocate_investigator", investigating_officer="io.one")
    run.complete("investigate", **findings())
    run.message("appeal_requested", reasons="Unfair")
    run.complete("acknowledge_appeal", reasons_for_dissatisfaction="Unfair")
    run.complete("convene_panel", panel=["panel.one", "panel.two"], panel_meets_on="2027-01-20")
    run.complete("panel_review", **panel_decision())
    assert "Prisons and Probation Ombudsman" in sent(run, "stage_response")[-1].context["next_steps"]
    assert run.kept_for_years() == 7


def test_a_concern_resolved_locally_is_notified_to_the_line_manager_and_complaints_team_and_closed():
    run = new_case(kind="concern")
    assert run.ready == ["resolve_concern"] and run.case.stage == "pre_complaint"
    run.complete("resolve_concern", actions_taken="Rearranged the appointment", concern_resolved=True)
    assert sorted(d.recipient for d in sent(run, "concern_notice")) == ["role:complaints_team", "role:line_manager"]
    assert closed_as(run) == ("closed", "resolved_informally") and run.completed
    assert sent(run, "acknowledgement") == []


def test_an_unresolved_concern_becomes_an_official_complaint_received_when_it_is_raised():
    run = new_case(kind="concern")
    run.advance_to(at(2027, 1, 4, 9))
    run.complete("resolve_concern", actions_taken="Explained the rules", concern_resolved=False)
    assert run.ready == ["triage"] and len(sent(run, "concern_notice")) == 2
    assert run.due("triage") == utc(end_of(2027, 1, 7))


def test_the_colleague_complained_about_is_told_and_interviewed_before_the_investigation():
    run = new_case()
    run.complete("triage", **triage_answers(about_colleague=True))
    run.complete("allocate_line_manager", line_manager="lm.one")
    assert run.ready == ["discuss_with_colleague"]
    assert run.task("discuss_with_colleague").data["investigator"] == "lm.one"
    with pytest.raises(InvalidInput):
        validate_form(run.definition.form_for(run.task("discuss_with_colleague").task_spec),
                      {"colleague": "A", "colleague_informed": False, "interviewed_on": "2027-01-04",
                       "colleague_account": "x"})
    run.complete("discuss_with_colleague", colleague="Case worker", colleague_informed=True,
                 interviewed_on="2027-01-04", colleague_account="Their account", others_interviewed=["Team leader"])
    assert run.ready == ["investigate"]


def test_a_misconduct_concern_is_referred_to_hr_and_next_steps_agreed_before_the_response():
    run = to_informal_investigation(new_case())
    run.complete("investigate", **findings(misconduct_concern=True))
    assert [d.recipient for d in sent(run, "hr_referral")] == ["role:hr"]
    assert run.ready == ["agree_next_steps"] and sent(run, "stage_response") == []
    run.complete("agree_next_steps", hr_next_steps="Investigation under the disciplinary policy",
                 disciplinary_action=True)
    assert events(run, "hr_next_steps_agreed")[0]["disciplinary_action"] is True
    assert len(sent(run, "stage_response")) == 1


def test_unacceptable_behaviour_restrictions_are_recorded_while_the_investigation_goes_on():
    run = to_informal_investigation(new_case())
    run.message("unacceptable_behaviour", description="Abusive calls")
    assert run.ready == ["investigate", "record_behaviour"]
    run.complete("record_behaviour", behaviour="Abusive calls to staff", restrictions=["written_contact_only"],
                 restrictions_review_on="2027-03-01")
    assert events(run, "restrictions_recorded") == [{"behaviour": "Abusive calls to staff",
                                                    "restrictions": ["written_contact_only"],
                                                    "review_on": "2027-03-01"}]
    run.complete("investigate", **findings())
    assert len(sent(run, "stage_response")) == 1


def test_the_investigating_officer_and_panel_are_chosen_as_people_not_previously_involved():
    run = to_panel_review(new_case(), panel=("panel.one", "panel.two", "panel.three"))
    formal = run.definition.bundle.json_file("forms/allocate_investigator.json")
    assert formal["properties"]["investigating_officer"]["x-independent"] is True
    panel = run.definition.bundle.json_file("forms/convene_panel.json")["properties"]["panel"]
    assert (panel["x-independent"], panel["minItems"], panel["uniqueItems"]) == (True, 2, True)
    assert run.task("panel_review").data["panel_chair"] == "panel.one"
    assert {("panel.two", "appeal appeal panel"), ("io.one", "formal investigating officer")} <= set(
        run.effects.involvements)


def test_a_panel_of_one_person_is_refused_by_the_form():
    run = to_panel_review(new_case())
    schema = run.definition.bundle.json_file("forms/convene_panel.json")
    with pytest.raises(InvalidInput) as refused:
        validate_form(schema, {"panel": ["panel.one"], "panel_meets_on": "2027-01-20"})
    assert "panel" in refused.value.fields


def test_the_panel_must_say_what_the_formal_stage_should_revisit_when_it_reopens_the_complaint():
    run = to_panel_review(new_case())
    schema = run.definition.form_for(run.task("panel_review").task_spec)
    with pytest.raises(InvalidInput):
        validate_form(schema, findings(outcome="upheld", investigation_sufficient=False))
    validate_form(schema, panel_decision(sufficient=False))


def test_unacceptable_behaviour_restrictions_can_be_recorded_during_the_appeal_too():
    run = to_panel_review(new_case())
    run.message("unacceptable_behaviour", description="Threats to the panel")
    assert run.ready == ["panel_review", "record_behaviour"]
    run.complete("record_behaviour", behaviour="Threats", restrictions=["third_party_contact", "no_face_to_face"],
                 restrictions_review_on="2027-06-01")
    assert events(run, "restrictions_recorded")[0]["restrictions"] == ["third_party_contact", "no_face_to_face"]
    run.complete("panel_review", **panel_decision())
    assert closed_as(run) == ("closed", "not_upheld")
