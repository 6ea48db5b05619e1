"""Seetec Training intake: acknowledgement within 5 working days, routes, third parties and feedback surveys."""
from tests.bpmn.test_training_support import ACTIONS, at, end_of, event, events, lane, timer_kind, training_case, triage


def test_acknowledgement_is_due_five_working_days_after_receipt_across_christmas_and_new_year():
    run = training_case()
    assert run.ready == ["triage"] and lane(run, "triage") == "Complaints team"
    # Thu 24 Dec, Tue 29, Wed 30, Thu 31 Dec, Mon 4 Jan: 25 and 28 Dec and 1 Jan are bank holidays
    assert run.due("triage") == end_of(2027, 1, 4)
    assert run.timers()["triage_warning"] == end_of(2026, 12, 30)
    assert timer_kind(run, "triage_due") == ("acknowledgement", "informal")


def test_acknowledgement_counts_from_the_true_receipt_date_of_a_complaint_recorded_late():
    run = training_case(at(2026, 12, 18))  # received by post on Fri 18 Dec, recorded later
    assert run.due("triage") == end_of(2026, 12, 29)


def test_acknowledgement_warning_goes_to_the_complaints_team_without_interrupting_triage():
    run = training_case()
    run.advance_to(at(2026, 12, 31))
    assert run.ready == ["triage"]
    assert run.letters() == [("sla_warning", "role:complaints_team")]


def test_missed_acknowledgement_alerts_the_line_manager_and_complaints_team_and_work_continues():
    run = training_case()
    run.advance_to(at(2027, 1, 5))
    assert run.ready == ["triage"]
    assert ("sla_breach", "role:line_manager") in run.letters()
    assert ("sla_breach", "role:complaints_team") in run.letters()


def test_informal_route_sends_the_details_to_the_training_complaints_mailbox_and_acknowledges():
    run = training_case()
    triage(run)
    assert run.letters() == [("concern_notice", "mailbox:complaints_mailbox"), ("acknowledgement", "complainant")]
    assert run.case.stage == "informal"
    assert run.ready == ["resolve_informally"] and lane(run, "resolve_informally") == "Line manager"


def test_third_party_complaint_is_acknowledged_by_explaining_who_it_went_to_and_why():
    run = training_case()
    triage(run, route="third_party", third_party_name="Acme Assessments", referral_reason="They run the exams")
    assert run.letters() == [("third_party_referral", "complainant")]
    assert run.ready == ["liaise_third_party"] and lane(run, "liaise_third_party") == "Complaints team"


def test_third_party_complaint_is_recorded_with_its_themes_and_closed_as_transferred_once_resolved():
    run = training_case()
    triage(run, route="third_party", third_party_name="Acme Assessments", referral_reason="They run the exams")
    run.complete("liaise_third_party", resolved=True, resolution_summary="Resit arranged", themes=["exams"])
    assert event(run, "third_party_complaint_resolved")["themes"] == ["exams"]
    assert (run.case.status, run.case.outcome, run.kept_for_years()) == ("closed", "transferred", 2)
    assert run.completed


def test_triage_refuses_a_third_party_route_without_saying_who_and_why():
    run = training_case()
    try:
        triage(run, route="third_party")
    except Exception as exc:
        assert "third_party_name" in exc.fields
    else:
        raise AssertionError("the form should have been refused")


def test_survey_feedback_waits_for_the_participants_agreement_before_it_is_a_complaint():
    run = training_case(channel="survey")
    assert run.ready == ["record_survey_agreement"]
    assert run.due("record_survey_agreement") == end_of(2027, 1, 11)
    assert timer_kind(run, "survey_agreement_due") == ("consent", "survey")
    assert run.letters() == []


def test_survey_feedback_with_agreement_is_logged_as_received_on_the_day_agreement_was_reached():
    run = training_case(channel="survey")
    run.advance_to(at(2027, 1, 6))
    run.complete("record_survey_agreement", survey_agreed=True, survey_agreed_on="2027-01-06", how_asked="Phone")
    assert "survey_logged_as_complaint" in events(run)
    assert run.ready == ["triage"] and run.due("triage") == end_of(2027, 1, 13)


def test_survey_feedback_without_agreement_is_not_logged_and_closes_as_recorded_feedback():
    run = training_case(channel="survey")
    run.complete("record_survey_agreement", survey_agreed=False, how_asked="Email")
    assert run.ready == ["decide_internal_investigation"]
    assert lane(run, "decide_internal_investigation") == "PSRD director"
    run.complete("decide_internal_investigation", internal_investigation_needed=False, decision_reasons="Minor")
    assert event(run, "survey_not_logged_as_complaint")["internal_investigation_needed"] is False
    assert (run.case.status, run.case.outcome, run.case.stage) == ("closed", "recorded", "intake")
    assert run.letters() == [] and run.completed


def test_psrd_may_still_investigate_survey_concerns_internally_without_logging_a_complaint():
    run = training_case(channel="survey")
    run.complete("record_survey_agreement", survey_agreed=False, how_asked="Email")
    run.complete("decide_internal_investigation", internal_investigation_needed=True, decision_reasons="Safety")
    assert run.ready == ["investigate_internally"] and lane(run, "investigate_internally") == "Investigating officer"
    run.complete("investigate_internally", findings="Room too cold", learning_considered=True,
                 learning_actions=ACTIONS)
    assert "survey_logged_as_complaint" not in events(run)
    assert (run.case.status, run.case.outcome) == ("closed", "transferred")
    assert run.effects.learning_actions[0]["stage"] == "survey"


def test_survey_agreement_is_chased_and_then_treated_as_not_given_when_no_answer_comes():
    run = training_case(channel="survey")
    run.advance_to(at(2027, 1, 5))
    assert run.letters() == [("sla_warning", "role:complaints_team")]
    assert run.ready == ["record_survey_agreement"]
    run.advance_to(at(2027, 1, 12))
    assert run.ready == ["decide_internal_investigation"]


def test_a_concern_raised_with_a_tutor_is_handled_informally_and_its_details_go_to_the_mailbox():
    run = training_case(kind="concern")
    triage(run, raised_with="Sam Tutor")
    assert run.letters()[0] == ("concern_notice", "mailbox:complaints_mailbox")
    assert run.task("resolve_informally").data["raised_with"] == "Sam Tutor"


def test_support_needs_agreed_at_triage_travel_with_the_case_to_every_later_task():
    run = training_case()
    triage(run, support_needs={"language": "Polish", "scribe": True, "advocate_name": "Ann Advocate"})
    assert run.task("resolve_informally").data["support_needs"]["language"] == "Polish"
