"""Every complainant letter of every division, rendered at the stage that sends it in a real case run (the shipped
diagrams, the production case run and the real letter queue), states its facts: what it answers and when that was
received, the stage and that stage's outcome, the window's last day, the next avenue, the status link and the
division's sender, with no unrendered code or placeholder. A template no run covers fails the discovery test."""
from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest

from handlers.letters import OutboxLetterQueue
from handlers.rendering import long_date
from processes.calendar import WorkingCalendar
from processes.status_links import StatusLinks
from tests.bpmn import test_training_support as st
from tests.bpmn.harness import DiagramRun
from tests.bpmn.test_group_support import findings, panel_decision, triage_answers
from tests.unit.test_templates import RENDERER, STAFF_TEMPLATES

DIVISIONS = {d["code"]: d for d in json.loads((Path(__file__).resolve().parents[2] / "bpmn" / "divisions.json")
                                              .read_text())}
LINKS = StatusLinks("letter-facts-secret", "https://complaints.example")
PERSON = {"name": "Riley Carter", "email": "riley@example.org"}
UTC = timezone.utc
RECEIVED = datetime(2026, 12, 23, 10, tzinfo=UTC)
ESCALATED = datetime(2027, 1, 6, 10, tzinfo=UTC)
APPEALED = datetime(2027, 1, 13, 10, tzinfo=UTC)
CALENDAR = WorkingCalendar("england")


class RenderingLetters:
    """The production letter queue's preview, at the moment each letter is queued: what would go in the outbox."""

    def __init__(self):
        self.queue_ = OutboxLetterQueue(status_links=LINKS)
        self.sent: list[dict] = []

    def queue(self, uow, case, division, draft, now) -> None:
        if draft.recipient != "complainant":  # staff emails: tests/unit/test_templates.py
            return
        for letter in self.queue_.preview(uow, case, division, draft, now):
            self.sent.append({**letter, "stage": str(draft.context.get("stage") or case.stage), "now": now,
                              "reference": case.reference})


def run_for(code: str, bundle: str, received: datetime = RECEIVED, kind: str = "complaint", **data):
    letters = RenderingLetters()
    run = DiagramRun(bundle, received, data, division=code, config=DIVISIONS[code]["config"], letters=letters,
                     complainant=PERSON, kind=kind)
    return run, letters.sent


def compliment_letters(code: str) -> list[dict]:
    from tests.bpmn.test_compliment import describe
    run, sent = run_for(code, "compliment", kind="compliment", complainant=PERSON)
    describe(run)
    return sent


def group_three_stages(code: str) -> list[dict]:
    run, sent = run_for(code, "group_complaint")
    run.complete("triage", **triage_answers())
    run.complete("allocate_line_manager", line_manager="lm.one")
    run.complete("investigate", **findings(outcome="partly_upheld", response_summary="Dear Riley, we looked."))
    run.advance_to(ESCALATED)
    run.message("escalation_requested", reasons="The response did not deal with my complaint")
    run.complete("acknowledge_escalation", reasons_for_dissatisfaction="It did not deal with it",
                 acknowledgement_note="We will appoint an investigating officer who was not involved.")
    run.complete("allocate_investigator", investigating_officer="io.one")
    run.complete("investigate", **findings(outcome="upheld"))
    run.advance_to(APPEALED)
    run.message("appeal_requested", reasons="The investigation missed things")
    run.complete("acknowledge_appeal", reasons_for_dissatisfaction="The investigation missed things")
    run.complete("convene_panel", panel=["panel.one", "panel.two"], panel_meets_on="2027-02-03")
    run.complete("panel_review", **panel_decision())
    return sent


def group_other_letters(code: str) -> list[dict]:
    sent = []
    run, letters = run_for(code, "group_complaint")
    run.complete("triage", **triage_answers(exclusion="court_or_tribunal_decision"))
    sent += letters
    run, letters = run_for(code, "group_complaint")
    run.complete("triage", **triage_answers(on_behalf_of_someone=True, complainant_is_service_user=False))
    run.advance_to(datetime(2027, 1, 12, 9, tzinfo=UTC))
    sent += letters
    run, letters = run_for(code, "group_complaint")
    run.complete("triage", **triage_answers())
    run.complete("allocate_line_manager", line_manager="lm.one")
    run.message("non_cooperation", reason="No reply to three calls")
    run.advance_to(datetime(2027, 1, 12, 9, tzinfo=UTC))
    sent += letters
    run, letters = run_for(code, "group_complaint")
    run.complete("triage", **triage_answers(provider="other_provider"))
    run.complete("assist_other_provider", responsible_provider="Other Co", commissioner_contacted=True,
                 advice="Commissioner confirmed Other Co is responsible")
    sent += letters
    return sent


def training_letters() -> list[dict]:
    run, sent = run_for("ST", "training_complaint")
    st.triage(run)
    st.investigate_informally(run)
    st.write_informal_response(run, outcome="partly_upheld")
    st.escalate(run, when=ESCALATED)
    st.review_formal_complaint(run)
    st.investigate_formally(run, decision="interim")
    st.investigate_formally(run)
    run.complete("review_formal_response", response_approved=True)
    st.appeal(run, when=APPEALED)
    run.complete("convene_panel", panel_members=["pat.panel", "quinn.panel"], panel_meets_on="2027-01-20")
    st.decide_appeal(run)
    run, withdrawn = run_for("ST", "training_complaint")
    st.triage(run)
    st.investigate_informally(run, decision="not_cooperating")
    st.deliver(run, "withdrawn", withdrawn_on="2026-12-24", reason="Sorted out with my tutor")
    return sent + withdrawn


@pytest.fixture(scope="module")
def letters() -> list[dict]:
    found = []
    for code in ("IA", "EUK", "PL"):
        found += [{**letter, "division": code} for letter in group_three_stages(code) + group_other_letters(code)]
    found += [{**letter, "division": "ST"} for letter in training_letters()]
    for code in DIVISIONS:
        found += [{**letter, "division": code, "kind": "compliment"} for letter in compliment_letters(code)]
    return [letter for letter in found if letter["addressee"] == "complainant"]


def received_day(letter: dict) -> str:
    key = letter["stage"]
    if letter["template"] in ("acknowledgement", "stage_response", "interim_response") and key == "formal":
        return long_date(ESCALATED)
    if letter["template"] in ("acknowledgement", "stage_response") and key == "appeal":
        return long_date(APPEALED)
    return long_date(RECEIVED)


COMPLAINANT_TEMPLATES = sorted(set(RENDERER.names()) - STAFF_TEMPLATES)


@pytest.mark.parametrize("template", COMPLAINANT_TEMPLATES)
def test_every_complainant_template_is_rendered_from_a_real_case_run(template, letters):
    assert any(letter["template"] == template for letter in letters), \
        f"no case run in this file sends {template!r}: add the path that sends it, and its facts"


def test_every_letter_states_its_facts(letters):
    assert {(letter["division"], letter["template"]) for letter in letters} >= {
        (code, template) for code in DIVISIONS for template in ("acknowledgement", "stage_response",
                                                                 "withdrawal_confirmation", "compliment_thanks")}
    for letter in letters:
        text, where = letter["text"], f"{letter['division']} {letter['template']} at {letter['stage']}"
        config = DIVISIONS[letter["division"]]["config"]
        assert f"received on {received_day(letter)}" in text, where
        assert LINKS.url(letter["reference"]) in text and LINKS.url(letter["reference"]) in letter["html"], where
        mailbox = config["feedback_mailbox" if letter.get("kind") == "compliment" else "complaints_mailbox"]
        assert letter["sender"] == mailbox == letter["reply_to"], where
        assert "The Complaints Team" not in text, where
        body = text.replace(LINKS.url(letter["reference"]), "")
        assert not re.search(r"\w_\w", body), (where, re.findall(r"\S*\w_\w\S*", body))
        for placeholder in ("None", "{{", "{%", "Undefined"):
            assert placeholder not in text, (where, placeholder)
        assert text.count("Dear ") == 1, where


def test_stage_responses_state_the_stage_its_outcome_and_the_windows_last_day(letters):
    responses = [letter for letter in letters if letter["template"] == "stage_response"]
    assert {(r["division"], r["stage"]) for r in responses} >= {(c, s) for c in ("IA", "EUK", "PL", "ST")
                                                               for s in ("informal", "formal", "appeal")}
    for letter in responses:
        text, key = letter["text"], letter["stage"]
        assert re.search(r"Our decision at the (informal|formal|appeal) stage( \d)?: your complaint is "
                         r"(upheld|partly upheld|not upheld|resolved informally)\.", text), text
        if key != "appeal":
            last_day = long_date(CALENDAR.deadline_after(letter["now"], 10).due)
            assert f"within 10 working days of receiving this response, that is by {last_day}" in text, text
        else:
            assert "This is our final response." in text


def test_the_final_letters_name_each_stages_outcome_and_the_next_avenue(letters):
    finals = {r["division"]: r["text"] for r in letters if r["template"] == "stage_response" and r["stage"] == "appeal"}
    for code in ("IA", "EUK", "PL"):
        assert "At the informal stage 1, your complaint was partly upheld." in finals[code]
        assert "At the formal stage 2, your complaint was upheld." in finals[code]
        assert "Our decision at the appeal stage 3: your complaint is not upheld." in finals[code]
        for avenue in DIVISIONS[code]["config"]["next_steps"]:
            assert f"- {avenue['name']}: {avenue['description']} ({avenue['contact']})" in finals[code]
    assert "At the formal stage, your complaint was upheld." in finals["ST"]
    assert "There is no further independent organisation that can review this complaint" in finals["ST"]


def test_acknowledgements_give_the_received_day_of_the_request_and_only_their_own_note(letters):
    for letter in (r for r in letters if r["template"] == "acknowledgement"):
        assert f"received on {received_day(letter)}" in letter["text"]
        if letter["stage"] == "appeal":
            assert "investigating officer" not in letter["text"]
