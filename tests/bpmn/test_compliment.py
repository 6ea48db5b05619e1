"""Compliments for all divisions: recorded, shared, thanked, used publicly only with permission, reviewed."""
from datetime import datetime, timezone

import pytest
from lxml import etree

from tests.bpmn.harness import BPMN, DiagramRun
from tests.bpmn.test_training_support import at, end_of, event, events, lane, timer_kind

WED_23_DEC = datetime(2026, 12, 23, 10, tzinfo=timezone.utc)
CONFIG = {"feedback_mailbox": "feedback@seetec.co.uk", "complaints_mailbox": "TrainingComplaints@seetec.co.uk"}
WITH_EMAIL = {"name": "Lee Learner", "email": "lee@example.org"}
DETAILS = {"compliment_text": "Sam was brilliant", "business_area": "Seetec Training", "contract": "Adult Skills",
           "contract_contact": "contract.lead@seetec.co.uk", "team_name": "Leeds tutors",
           "team_contact": "leeds.manager@seetec.co.uk", "colleague_name": "Sam Tutor",
           "colleague_email": "sam.tutor@seetec.co.uk", "best_practice": True, "share_via": ["monthly_comms"]}


def compliment(division="ST", complainant=None, received=WED_23_DEC, **facts):
    data = {"kind": "compliment", "complainant": WITH_EMAIL if complainant is None else complainant, **facts}
    return DiagramRun("compliment", received, data, division=division, config=dict(CONFIG))


def describe(run, public=False, without=(), **details):
    fields = {k: v for k, v in DETAILS.items() if k not in without}
    run.complete("describe_compliment", **{**fields, "ask_permission_to_share": public, **details})


def test_a_compliment_is_recorded_centrally_and_described_by_the_complaints_team():
    run = compliment()
    assert run.case.stage == "recorded"
    assert run.ready == ["describe_compliment"] and lane(run, "describe_compliment") == "Complaints team"
    describe(run)
    assert event(run, "compliment_recorded")["best_practice"] is True


def test_the_business_area_contract_team_and_colleague_are_all_told():
    run = compliment()
    describe(run)
    told = [recipient for template, recipient in run.letters() if template == "compliment_notice"]
    assert told == ["mailbox:feedback_mailbox", "contract.lead@seetec.co.uk", "leeds.manager@seetec.co.uk",
                    "sam.tutor@seetec.co.uk"]


def test_when_no_one_is_named_the_line_managers_pass_the_compliment_on():
    run = compliment()
    describe(run, without=("contract_contact", "team_contact", "colleague_email"))
    told = [recipient for template, recipient in run.letters() if template == "compliment_notice"]
    assert told == ["mailbox:feedback_mailbox", "role:line_manager"]


def test_the_person_who_complimented_is_thanked_when_they_gave_contact_details():
    run = compliment()
    describe(run)
    assert ("compliment_thanks", "complainant") in run.letters()


def test_no_thanks_and_no_public_use_without_contact_details():
    run = compliment(complainant={"name": "Anonymous"})
    describe(run, public=True)
    assert ("compliment_thanks", "complainant") not in run.letters()
    assert "record_permission" not in run.ready and "use_publicly" not in run.ready


def test_public_use_waits_for_recorded_permission_and_then_follows_it():
    run = compliment()
    describe(run, public=True)
    assert run.ready == ["record_permission"]
    assert run.due("record_permission") == end_of(2027, 1, 25)
    run.complete("record_permission", permission_given=True, permission_recorded_on="2027-01-04",
                 permission_evidence="Email of 4 January")
    assert event(run, "publicity_permission_recorded")["permission_given"] is True
    assert run.ready == ["use_publicly"]


def test_refused_permission_means_the_compliment_is_not_used_publicly():
    run = compliment()
    describe(run, public=True)
    run.complete("record_permission", permission_given=False, permission_recorded_on="2027-01-04",
                 permission_evidence="Phone call")
    assert "compliment_not_for_public_use" in events(run) and "use_publicly" not in run.ready


def test_no_answer_within_twenty_working_days_means_no_public_use():
    run = compliment()
    describe(run, public=True)
    run.advance_to(at(2027, 1, 26))
    assert "compliment_not_for_public_use" in events(run) and "use_publicly" not in run.ready


def test_the_diagram_has_no_path_to_public_use_that_skips_the_permission():
    root = etree.parse(str(BPMN / "compliment" / "compliment.bpmn"))
    ns = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL"}
    into = root.xpath("//bpmn:sequenceFlow[@targetRef='use_publicly']", namespaces=ns)
    assert [(f.get("sourceRef"), f.findtext("bpmn:conditionExpression", namespaces=ns)) for f in into] == [
        ("permission_check", "permission_given == True")]


def test_seetec_training_reviews_each_compliment_in_the_psrd_quarterly_review_then_closes_it():
    run = compliment()
    describe(run)
    assert run.timers()["quarter_ended"] == end_of(2026, 12, 31)
    assert timer_kind(run, "quarter_ended") == ("review", "recorded")
    assert run.case.status == "open"
    run.advance_to(at(2027, 1, 1))
    assert run.ready == ["review_in_quarter"] and lane(run, "review_in_quarter") == "PSRD director"
    run.complete("review_in_quarter", quarter_reviewed=True, themes=["tutor support"],
                 shared_as_best_practice=True, quality_improvement_notes="Share in monthly comms")
    assert (run.case.status, run.case.outcome, run.kept_for_years()) == ("closed", "recorded", 2)
    assert run.completed


def test_a_quarter_ending_at_a_weekend_is_reviewed_on_the_next_working_day():
    run = compliment(received=datetime(2028, 8, 10, 10, tzinfo=timezone.utc))
    describe(run)
    assert run.timers()["quarter_ended"] == end_of(2028, 10, 2)  # Sat 30 Sep 2028


def test_a_spring_compliment_is_reviewed_at_the_end_of_march_in_summer_time():
    run = compliment(received=datetime(2027, 2, 15, 10, tzinfo=timezone.utc))
    describe(run)
    assert run.timers()["quarter_ended"] == datetime(2027, 3, 31, 22, 59, 59, tzinfo=timezone.utc)


@pytest.mark.parametrize("division", ["IA", "EUK", "PL"])
def test_other_divisions_close_the_compliment_as_recorded_and_review_through_the_regular_reports(division):
    run = compliment(division=division)
    describe(run)
    assert (run.case.status, run.case.outcome) == ("closed", "recorded")
    assert "quarter_ended" not in run.timers() and run.completed


def thanks_text(code: str, public: bool, **facts) -> str:
    from tests.bpmn.test_letter_facts_runs import run_for
    run, sent = run_for(code, "compliment", kind="compliment", complainant=WITH_EMAIL, **facts)
    describe(run, public=public)
    [letter] = [letter for letter in sent if letter["template"] == "compliment_thanks"]
    return letter["text"]


def test_agreed_on_the_public_form_the_permission_is_recorded_from_the_form_and_not_asked_again():
    run = compliment(received=datetime(2027, 6, 30, 23, 30, tzinfo=timezone.utc), may_share=True)
    describe(run, public=True)
    assert "record_permission" not in run.ready and run.ready == ["use_publicly"]
    recorded = event(run, "publicity_permission_recorded")
    assert recorded["permission_given"] is True
    assert recorded["permission_recorded_on"] == "2027-07-01"  # the London day it came, in summer time
    assert recorded["permission_evidence"] == "Given on the public form when the compliment was sent"
    assert "compliment_not_for_public_use" not in events(run)


def test_agreed_on_the_form_without_contact_details_it_can_still_be_used_publicly():
    run = compliment(complainant={"name": "Anonymous"}, may_share=True)
    describe(run, public=True)
    assert ("compliment_thanks", "complainant") not in run.letters()
    assert run.ready == ["use_publicly"]


def test_refused_on_the_public_form_it_is_not_used_publicly_and_not_asked_again():
    run = compliment(may_share=False)
    describe(run, public=True)
    assert "record_permission" not in run.ready and "use_publicly" not in run.ready
    recorded = event(run, "publicity_permission_recorded")
    assert recorded["permission_given"] is False
    assert recorded["permission_evidence"] == "Refused on the public form when the compliment was sent"
    assert "compliment_not_for_public_use" in events(run)
    assert "permission_not_given" not in run.timers()


def test_refused_on_the_form_and_not_chosen_for_public_use_nothing_is_asked_or_recorded():
    run = compliment(may_share=False)
    describe(run, public=False)
    assert "record_permission" not in run.ready and "use_publicly" not in run.ready
    assert "publicity_permission_recorded" not in events(run)


def test_a_compliment_recorded_by_staff_without_the_form_answer_is_asked_as_before():
    run = compliment()
    describe(run, public=True)
    assert run.ready == ["record_permission"]
    assert run.due("record_permission") == end_of(2027, 1, 25)
    assert "publicity_permission_recorded" not in events(run)


def test_the_thanks_asks_for_permission_only_when_the_form_did_not_give_it():
    asked = "We will only do this with your permission"
    assert asked in thanks_text("IA", public=True)  # recorded by staff: asked as before
    given = thanks_text("IA", public=True, may_share=True)
    assert asked not in given and "You told us on the form that we may share what you said" in given
    refused = thanks_text("IA", public=True, may_share=False)
    assert asked not in refused and "we may share" not in refused
