"""Group policy 2.3.3 to 2.3.5 and 3.1.4: permission, consent, deceased people and seriousness at intake."""
from tests.bpmn.test_group_support import (
    at,
    closed_as,
    end_of,
    findings,
    new_case,
    sent,
    to_informal_investigation,
    triage_answers,
    utc,
)


def on_behalf_case():
    run = new_case()
    run.complete("triage", **triage_answers(on_behalf_of_someone=True, complainant_is_service_user=False))
    return run


def test_a_complaint_made_on_someones_behalf_waits_for_their_written_permission():
    run = on_behalf_case()
    assert [d.template for d in run.effects.letters] == ["acknowledgement", "consent_request"]
    assert run.ready == [] and run.case.stage == "intake"
    assert run.timers() == {"consent_deadline": utc(end_of(2027, 1, 25)),
                            "consent_reminder_due": utc(end_of(2027, 1, 11))}


def test_the_permission_request_is_reminded_once_and_then_the_complaint_cannot_be_investigated():
    run = on_behalf_case()
    run.advance_to(at(2027, 1, 12))
    assert len(sent(run, "consent_reminder")) == 1 and not run.completed
    run.advance_to(at(2027, 1, 26))
    [letter] = sent(run, "ineligible_signposting")
    assert letter.context["reason"] == "permission_not_given"
    assert closed_as(run) == ("closed", "ineligible") and len(sent(run, "consent_reminder")) == 1


def test_refused_permission_means_the_complaint_cannot_be_investigated():
    run = on_behalf_case()
    run.message("consent_received", given=False)
    assert sent(run, "ineligible_signposting")[0].context["reason"] == "permission_not_given"
    assert closed_as(run) == ("closed", "ineligible")


def test_acknowledgement_counts_from_receipt_but_the_response_clock_from_the_permission():
    run = on_behalf_case()
    run.advance_to(at(2027, 1, 6, 15))
    run.message("consent_received", given=True, received_at=utc(at(2027, 1, 6, 9)).isoformat())
    assert run.ready == ["allocate_line_manager"]
    assert run.timers()["informal_response_due"] == utc(end_of(2027, 2, 3))
    assert run.due("allocate_line_manager") == utc(end_of(2027, 2, 3))


def test_permission_arriving_without_a_date_starts_the_clock_when_it_is_recorded():
    run = on_behalf_case()
    run.advance_to(at(2027, 1, 7, 11))
    run.message("consent_received", given=True)
    assert run.timers()["informal_response_due"] == utc(end_of(2027, 2, 4))


def test_a_non_service_user_complaint_needing_a_service_users_information_asks_for_consent():
    run = new_case()
    run.complete("triage", **triage_answers(complainant_is_service_user=False, needs_service_user_information=True))
    assert [d.template for d in run.effects.letters] == ["acknowledgement", "consent_request"]
    run.message("consent_received", given=True)
    assert run.ready == ["allocate_line_manager"]
    assert run.timers()["informal_response_due"] == utc(end_of(2027, 1, 25))


def test_without_the_service_users_consent_the_complaint_is_still_investigated():
    run = new_case()
    run.complete("triage", **triage_answers(complainant_is_service_user=False, needs_service_user_information=True))
    run.advance_to(at(2027, 1, 26))
    assert run.ready == ["allocate_line_manager"]
    assert run.workflow.get_next_task(spec_name="allocate_line_manager").data["consent_outcome"] == "not_received"


def test_a_complaint_about_someone_who_has_died_is_decided_case_by_case():
    run = new_case()
    run.complete("triage", **triage_answers(subject_deceased=True, on_behalf_of_someone=True))
    assert run.ready == ["decide_deceased"] and sent(run, "consent_request") == []
    run.complete("decide_deceased", relationship="Daughter", complaint_accepted=True,
                 deceased_decision_reasons="Immediate family")
    assert run.ready == ["allocate_line_manager"]


def test_a_complaint_about_someone_who_has_died_that_is_not_accepted_is_signposted_with_the_reasons():
    run = new_case()
    run.complete("triage", **triage_answers(subject_deceased=True))
    run.complete("decide_deceased", relationship="Neighbour", complaint_accepted=False,
                 deceased_decision_reasons="Please ask the family or a nominated advocate to contact us")
    [letter] = sent(run, "ineligible_signposting")
    assert letter.context == {**letter.context, "reason": "deceased_not_accepted",
                              "signpost": "Please ask the family or a nominated advocate to contact us"}
    assert closed_as(run) == ("closed", "ineligible")


def test_a_complaint_too_serious_to_resolve_informally_goes_straight_to_the_formal_stage():
    run = new_case()
    run.complete("triage", **triage_answers(too_serious_for_informal=True))
    assert run.ready == ["allocate_investigator"] and run.case.stage == "formal"
    assert run.timers()["formal_response_due"] == utc(end_of(2027, 1, 25))
    assert sent(run, "acknowledgement")[0].context["stage"] == "intake"


def test_the_informal_stage_is_handled_by_the_line_manager_allocated():
    run = to_informal_investigation(new_case(), line_manager="lm.two")
    task = run.task("investigate")
    assert task.data["investigator"] == "lm.two"
    assert task.task_spec.extensions["properties"]["assigneeVariable"] == "investigator"
    assert sent(run, "staff_assignment")[0].recipient == "role:line_manager"
    assert ("lm.two", "informal line manager") in run.effects.involvements


def test_support_agreed_at_intake_is_kept_with_the_case_data():
    run = new_case(support_needs={"language": "Polish", "scribe": True})
    run.complete("triage", **triage_answers(support_agreed="Letters in Polish; scribe at meetings"))
    run.complete("allocate_line_manager", line_manager="lm.one")
    data = run.task("investigate").data
    assert data["support_needs"] == {"language": "Polish", "scribe": True}
    assert data["support_agreed"] == "Letters in Polish; scribe at meetings"
    run.complete("investigate", **findings())
    assert sent(run, "stage_response")[0].context["data"]["support_needs"]["language"] == "Polish"
