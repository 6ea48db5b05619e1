"""What the complainant receives tells the truth: received dates, each stage's outcome, windows, avenues,
exclusions, the signer and the status link, for the letters users found wrong."""
from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from handlers.letter_facts import signer
from handlers.letters import Delivery, letter_context
from processes.calendar import WorkingCalendar
from processes.stage_outcomes import StageOutcome, record_stage_outcome
from tests.unit.test_templates import RENDERER, SENT, case, division, render

EXCLUSIONS = ["seetec_ireland_or_corporate", "criminal_investigation", "court_or_tribunal_decision",
              "independent_tribunal_appeal", "colleague_hr", "legal_action", "commissioner_policy", "anonymous"]


def decided(case_, stage: str, outcome: str, reasons: str = "", remedy: str = ""):
    record_stage_outcome(case_, StageOutcome(stage, outcome, reasons, remedy))
    return case_


def test_an_escalation_acknowledgement_gives_the_requests_received_date_not_the_complaints():
    letter = render("acknowledgement", stage="formal", data={"formal_received_at": "2027-01-14T10:00:00+00:00"})
    assert "We received your request on Thursday 14 January 2027" in letter.text
    assert "About: your request to escalate your complaint, received on Thursday 14 January 2027" in letter.text
    assert "Wednesday 23 December 2026" not in letter.text.split("Dear", 1)[1]


def test_an_appeal_acknowledgement_gives_the_appeal_requests_date_and_no_investigating_officer_note():
    letter = render("acknowledgement", stage="appeal", data={"appeal_received_at": "2027-02-03T10:00:00+00:00",
                                                              "formal_received_at": "2027-01-14T10:00:00+00:00"})
    assert "We received your appeal request on Wednesday 3 February 2027" in letter.text
    assert "investigating officer" not in letter.text
    assert "Stage: appeal stage 3" in letter.text


def test_the_final_letter_gives_each_stages_own_outcome():
    case_ = decided(decided(case(stage="appeal"), "formal", "upheld"), "appeal", "not_upheld")
    letter = render("stage_response", case_=case_, stage="appeal", outcome="not_upheld",
                    data={"outcome": "not_upheld"})
    assert "At the formal stage 2, your complaint was upheld." in letter.text
    assert "Our decision at the appeal stage 3: your complaint is not upheld." in letter.text


def test_a_stage_response_gives_its_remedy_from_the_stage_record():
    case_ = decided(case(), "informal", "partly_upheld", remedy="A written apology and a new adviser.")
    letter = render("stage_response", case_=case_, stage="informal")
    assert "your complaint is partly upheld" in letter.text
    assert "What we are doing to put things right: A written apology and a new adviser." in letter.text


@pytest.mark.parametrize("code", ["IA", "EUK", "PL"])
def test_the_final_letter_names_the_commissioner_it_mentions(code):
    letter = render("stage_response", division_=division(code), stage="appeal")
    assert "named in this letter" not in letter.text
    commissioner = {"IA": "HM Prison and Probation Service", "EUK": "the Department for Work and Pensions",
                    "PL": "the Department for Work and Pensions"}[code]
    assert f"- {commissioner}: the commissioner of the" in letter.text


def test_a_training_final_letter_without_avenues_says_plainly_there_is_none():
    letter = render("stage_response", division_=division("ST"), stage="appeal",
                    data={"next_avenues_applicable": False, "next_steps": []})
    assert "There is no further independent organisation that can review this complaint" in letter.text


@pytest.mark.parametrize("reason", EXCLUSIONS)
def test_every_exclusion_reads_as_a_sentence_not_a_code(reason):
    letter = render("ineligible_signposting", reason=reason, signpost="")
    sentence = letter.text.split("because ", 1)[1].split(".", 1)[0]
    assert "_" not in letter.text.split("Dear", 1)[1] and sentence.strip() != reason.replace("_", " ")
    assert len(sentence.split()) >= 8, sentence


def test_an_on_behalf_acknowledgement_says_the_clock_starts_when_permission_arrives():
    waiting = render("acknowledgement", data={"on_behalf": True})
    arrived = render("acknowledgement", data={"on_behalf": True, "consent_received_at": "2027-01-05T09:00:00+00:00",
                                              "response_due": "2027-02-02T23:59:59+00:00"})
    assert "of receiving your complaint" not in waiting.text
    assert "start on the day we receive that permission" in waiting.text
    assert "We received the written permission on Tuesday 5 January 2027" in arrived.text
    assert "by Tuesday 2 February 2027" in arrived.text


def test_an_informal_acknowledgement_gives_the_response_date():
    letter = render("acknowledgement")
    assert "within 20 working days of Wednesday 23 December 2026, that is by" in letter.text
    assert re.search(r"that is by \w+day \d+ \w+ 2027", letter.text)


def test_a_response_that_begins_with_its_own_greeting_greets_once():
    letter = render("stage_response", case_=case(name="Riley Carter"),
                    data={"response_text": "Dear Riley, I looked into what happened at your appointment."})
    assert letter.text.count("Dear ") == 1 and "Dear Riley Carter," in letter.text
    assert "\nI looked into what happened" in letter.text


def test_an_interim_response_never_falls_back_to_the_original_due_date():
    letter = render("interim_response", data={"response_due": "2026-12-01T23:59:59+00:00"})
    assert "December 2026" not in letter.text.split("Dear", 1)[1]


def test_a_letter_is_signed_by_its_handler_and_carries_the_status_link():
    handler = signer(SimpleNamespace(display_name="Morgan Lee"), ["line_manager"], "Interventions Alliance")
    context = letter_context(case(), division(), {"data": {}, "stage": "informal"},
                             Delivery("jo@example.org", "complainant"), WorkingCalendar(), SENT, "complainant", [],
                             handler, "https://complaints.example/public/status/abc")
    letter = RENDERER.render("stage_response", context)
    assert "Morgan Lee\nLine manager, Interventions Alliance" in letter.text
    assert "The Complaints Team" not in letter.text
    assert "https://complaints.example/public/status/abc" in letter.text
    assert 'href="https://complaints.example/public/status/abc"' in letter.html


def test_an_interim_reply_date_in_the_past_is_refused_at_the_form_naming_the_field():
    import json
    from datetime import date
    from pathlib import Path

    from processes.form_dates import DateContext, date_problems
    form = json.loads((Path(__file__).resolve().parents[2] / "bpmn" / "training_complaint" / "forms"
                       / "formal_investigation.json").read_text())
    context = DateContext(date(2027, 1, 13), date(2026, 12, 23), WorkingCalendar())
    answers = {"formal_decision": "interim", "interim_text": "Interviewing tutors", "responder_name": "Ian Officer"}
    past = date_problems(form, {**answers, "new_response_due": "2027-01-12"}, context)
    today = date_problems(form, {**answers, "new_response_due": "2027-01-13"}, context)
    ahead = date_problems(form, {**answers, "new_response_due": "2027-01-20"}, context)
    assert list(past) == ["new_response_due"] and "after today" in past["new_response_due"][0]
    assert list(today) == ["new_response_due"] and ahead == {}


def test_each_stage_keeps_its_own_outcome_when_a_later_stage_decides():
    from processes.case_rules import CaseChanges, apply_changes
    from processes.stage_outcomes import outcome_from, stage_outcomes
    case_ = case()
    case_.stage_outcomes = {}
    formal = outcome_from("formal", {"outcome": "upheld", "findings": "We were wrong",
                                     "improvement_actions": "An apology"}, "2027-01-06T10:00:00+00:00")
    appeal = outcome_from("appeal", {"outcome": "not_upheld", "response_summary": "Stage 2 stands"},
                          "2027-01-13T10:00:00+00:00")
    apply_changes(case_, CaseChanges(stage_outcome=formal), SENT)
    kind, data = apply_changes(case_, CaseChanges(stage_outcome=appeal, outcome="not_upheld"), SENT)
    kept = stage_outcomes(case_)
    assert [(s, o.outcome) for s, o in kept.items()] == [("formal", "upheld"), ("appeal", "not_upheld")]
    assert (kept["formal"].reasons, kept["formal"].remedy) == ("We were wrong", "An apology")
    assert case_.outcome == "not_upheld" and data["stage_outcome"] == {"stage": "appeal", "outcome": "not_upheld"}
    assert outcome_from("intake", {"outcome": "upheld"}, "") is None
    assert outcome_from("formal", {"outcome": "withdrawn"}, "") is None  # not a stage's decision
