"""What can happen at any Training stage: withdrawal, unacceptable behaviour, and learning beyond closure."""
import pytest

from tests.bpmn.test_training_support import (
    ACTIONS,
    appeal,
    at,
    awaited,
    deliver,
    escalate,
    event,
    events,
    formal_response_sent,
    informal_response_sent,
    investigate_formally,
    investigate_informally,
    lane,
    review_formal_complaint,
    task_tree_depth,
    training_case,
    triage,
    write_informal_response,
)


def at_triage():
    return training_case()


def at_survey_agreement():
    return training_case(channel="survey")


def at_informal_investigation():
    run = training_case()
    triage(run)
    return run


def waiting_for_cooperation():
    run = at_informal_investigation()
    investigate_informally(run, decision="not_cooperating")
    return run


def waiting_for_escalation():
    return informal_response_sent()


def at_formal_investigation():
    run = informal_response_sent()
    escalate(run)
    review_formal_complaint(run)
    return run


def at_director_response_review():
    run = at_formal_investigation()
    investigate_formally(run)
    return run


def waiting_for_appeal():
    return formal_response_sent()


def at_appeal_panel():
    run = formal_response_sent()
    appeal(run)
    run.complete("convene_panel", panel_members=["pat.panel", "quinn.panel"], panel_meets_on="2027-01-20")
    return run


def third_party_liaison():
    run = training_case()
    triage(run, route="third_party", third_party_name="Acme", referral_reason="Their exam")
    return run


STAGES = [at_triage, at_survey_agreement, at_informal_investigation, waiting_for_cooperation, waiting_for_escalation,
          at_formal_investigation, at_director_response_review, waiting_for_appeal, at_appeal_panel,
          third_party_liaison]


@pytest.mark.parametrize("stage", STAGES, ids=[s.__name__ for s in STAGES])
def test_withdrawal_at_any_stage_closes_the_case_as_withdrawn_and_confirms_it_in_writing(stage):
    run = stage()
    deliver(run, "withdrawn", withdrawn_on="2026-12-24", reason="Sorted out with my tutor")
    assert (run.case.status, run.case.outcome) == ("closed", "withdrawn")
    assert run.letters()[-1] == ("withdrawal_confirmation", "complainant")
    assert event(run, "complaint_withdrawn")["withdrawal"]["reason"] == "Sorted out with my tutor"
    assert run.ready == [] and awaited(run) == [] and run.timers() == {}
    assert run.completed


def test_a_closed_case_can_no_longer_be_withdrawn():
    run = informal_response_sent()
    run.advance_to(at(2027, 1, 12))
    assert run.case.status == "closed" and "withdrawn" not in awaited(run)


def test_action_plan_reminders_survive_a_later_withdrawal():
    run = training_case()
    triage(run)
    investigate_informally(run)
    write_informal_response(run, actions=ACTIONS)
    escalate(run)
    deliver(run, "withdrawn")
    assert run.case.outcome == "withdrawn" and "review_date_reached" in run.timers()
    run.advance_to(at(2027, 6, 2))
    assert ("learning_review_due", "user:amy.lead") in run.letters() and run.completed


def test_unacceptable_behaviour_can_be_recorded_with_restrictions_at_any_stage_and_work_goes_on():
    run = at_formal_investigation()
    deliver(run, "unacceptable_behaviour", description="Abusive calls to the tutor")
    assert sorted(run.ready) == ["investigate_formal", "record_behaviour"]
    assert lane(run, "record_behaviour") == "Line manager"
    run.complete("record_behaviour", behaviour_description="Abusive calls", restrictions=["Contact by email only"],
                 restrictions_review_on="2027-04-01")
    assert event(run, "unacceptable_behaviour_recorded")["restrictions"] == ["Contact by email only"]
    assert run.ready == ["investigate_formal"] and "unacceptable_behaviour" in awaited(run)


def test_repeated_behaviour_reports_do_not_deepen_the_task_tree():
    run = at_informal_investigation()
    depths = []
    for n in range(40):
        deliver(run, "unacceptable_behaviour", n=n)
        run.complete("record_behaviour", behaviour_description=f"Report {n}", restrictions=[],
                     restrictions_review_on="2027-04-01")
        depths.append(task_tree_depth(run))
    assert depths[-1] == depths[0]
    assert events(run).count("unacceptable_behaviour_recorded") == 40


def test_every_misconduct_referral_reaches_hr_even_when_several_are_open():
    run = at_formal_investigation()
    for week in range(3):
        investigate_formally(run, decision="interim", new_response_due="2027-03-05", misconduct_suspected=True,
                             misconduct_concern=f"Concern {week}")
    assert run.ready.count("consider_misconduct") == 3
    assert [t for t, _ in run.letters()].count("hr_referral") == 3
