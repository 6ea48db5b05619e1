"""Letter templates: every one renders for every division, escapes what people typed, and acts on support needs."""
from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace

import pytest

from handlers.letters import Delivery, letter_context
from handlers.rendering import LetterNotRenderable, LetterRenderer, long_date, stage_key
from processes.calendar import WorkingCalendar

DIVISIONS = json.loads((Path(__file__).resolve().parents[2] / "bpmn" / "divisions.json").read_text())
SENT = datetime(2026, 12, 23, 10, tzinfo=timezone.utc)
RENDERER = LetterRenderer(strict=True)  # strict: a template that reaches for a missing value fails the test
STAFF_TEMPLATES = {"compliment_notice", "staff_assignment", "sla_warning", "sla_breach", "hr_referral", "panel_chase",
                   "learning_review_due", "concern_notice"}
HOSTILE = "<script>alert('x')</script> & \"quotes\""
RICH_DATA = {
    "response_text": HOSTILE, "outcome": "partly_upheld", "improvement_actions": HOSTILE, "interim_text": HOSTILE,
    "new_response_due": "2027-02-01", "responder_name": HOSTILE, "ineligibility_reason": "out_of_time",
    "ineligibility_explanation": HOSTILE, "signpost": HOSTILE, "subject_name": HOSTILE, "consent_due": "2027-01-20",
    "consent_requested_on": "2027-01-04", "withdrawn_on": "2027-01-05", "information_needed": HOSTILE,
    "third_party_name": HOSTILE, "referral_reason": HOSTILE, "third_party_contact": HOSTILE, "colleague_name": HOSTILE,
    "compliment_text": HOSTILE, "misconduct_concern": HOSTILE, "actions_taken": HOSTILE, "raised_with": HOSTILE,
    "acknowledgement_note": HOSTILE, "next_steps": [{"name": HOSTILE, "description": HOSTILE, "contact": HOSTILE}],
    "learning_action": {"description": HOSTILE, "owner": HOSTILE, "review_on": "2027-03-01"}, "on_behalf": True,
}


def division(code: str = "IA", **config):
    item = next(d for d in DIVISIONS if d["code"] == code)
    return SimpleNamespace(id=1, code=item["code"], name=item["name"], nation=item["nation"],
                           config={**item["config"], **config})


def case(stage: str = "informal", kind: str = "complaint", **complainant):
    person = {"name": "Jo Bloggs", "email": "jo@example.org", **complainant}
    return SimpleNamespace(reference="IA-2026-000001", kind=kind, channel="web", received_at=SENT, stage=stage,
                           status="open", outcome=None, summary="They cancelled twice", complainant=person)


def render(template: str, *, case_=None, division_=None, data=None, audience="complainant", addressee="complainant",
           deadlines=None, **params):
    case_ = case_ or case()
    division_ = division_ or division()
    delivery = Delivery("x@example.org", audience, name="Sam Staff" if audience == "staff" else "")
    context = letter_context(case_, division_, {"data": data or {}, **params}, delivery,
                             WorkingCalendar(division_.nation), SENT, addressee, deadlines)
    return RENDERER.render(template, context)


@pytest.mark.parametrize("code", [d["code"] for d in DIVISIONS])
@pytest.mark.parametrize("template", RENDERER.names())
@pytest.mark.parametrize("data", [{}, RICH_DATA], ids=["no data", "every field"])
def test_every_template_renders_for_every_division(template, code, data):
    staff = template in STAFF_TEMPLATES
    letter = render(template, division_=division(code), data=data, audience="staff" if staff else "complainant",
                    addressee="role:line_manager" if staff else "complainant")
    assert letter.subject and "\n" not in letter.subject and len(letter.subject) <= 300
    assert "IA-2026-000001" in letter.text and letter.html.lstrip().startswith("<!DOCTYPE html>")
    assert "None" not in letter.text and "Undefined" not in letter.text
    if not staff:
        assert division(code).name in letter.text


def test_the_shipped_templates_cover_every_letter_the_policies_need():
    assert set(RENDERER.names()) >= {
        "acknowledgement", "stage_response", "interim_response", "ineligible_signposting", "consent_request",
        "consent_reminder", "withdrawal_confirmation", "non_cooperation_notice", "third_party_referral",
        "compliment_thanks", "compliment_notice", "staff_assignment", "sla_warning", "sla_breach", "hr_referral",
        "panel_chase", "learning_review_due", "concern_notice"}


@pytest.mark.parametrize("template", sorted(set(RENDERER.names()) - STAFF_TEMPLATES))
def test_what_people_typed_is_escaped_in_html_and_kept_verbatim_in_text(template):
    letter = render(template, case_=case(name=HOSTILE), data=RICH_DATA)
    assert "<script>" not in letter.html
    assert "&lt;script&gt;" in letter.html
    assert HOSTILE in letter.text


@pytest.mark.parametrize("template", sorted(STAFF_TEMPLATES))
def test_staff_emails_escape_case_text_in_html(template):
    hostile_case = case()
    hostile_case.summary = HOSTILE
    letter = render(template, case_=hostile_case, data=RICH_DATA, audience="staff", addressee="role:line_manager")
    assert "<script>" not in letter.html


def test_a_subject_stays_on_one_line_whatever_the_data_holds():
    letter = render("compliment_notice", data={"colleague_name": "Sam\r\nBcc: someone@example.org"},
                    audience="staff", addressee="role:line_manager")
    assert "\n" not in letter.subject and "\r" not in letter.subject


def test_large_print_is_asked_for_so_the_html_letter_is_set_in_18_point():
    large = render("acknowledgement", case_=case(support_needs={"large_print": True}))
    from_formats = render("acknowledgement", case_=case(support_needs={"formats": ["large_print"]}))
    normal = render("acknowledgement")
    assert "font-size:18pt" in large.html and "font-size:18pt" in from_formats.html
    assert "font-size:18pt" not in normal.html and "font-size:12pt" in normal.html


def test_a_preferred_language_is_acknowledged_in_the_letter():
    letter = render("stage_response", case_=case(support_needs={"language": "Welsh"}))
    assert "prefer to receive letters in Welsh" in letter.text
    assert "prefer to receive letters" not in render("stage_response").text


def test_acknowledgements_say_which_stage_and_when_the_response_is_due_under_each_policy():
    group = render("acknowledgement", stage="formal")
    training = render("acknowledgement", division_=division("ST"), stage="formal")
    appeal = render("acknowledgement", stage="appeal")
    informal = render("acknowledgement", case_=case(stage="intake"))
    assert "formal stage 2" in group.text and "within 20 working days" in group.text
    assert "within 30 working days" in training.text and "formal stage of" in training.text
    assert "request for escalation" in group.subject and "appeal request" in appeal.subject
    assert "at least two people" in appeal.text
    assert "informal stage 1" in informal.text and "within 20 working days" in informal.text


def test_a_stage_response_gives_the_window_to_escalate_counted_in_working_days():
    letter = render("stage_response", stage="informal", data={"outcome": "not_upheld"})
    assert "escalated to the formal stage 2" in letter.text
    assert "within 10 working days of receiving this response, that is by Monday 11 January 2027" in letter.text
    assert "your complaint is not upheld" in letter.text


def test_a_stage_response_uses_the_window_end_the_diagram_computed():
    letter = render("stage_response", stage="formal", window_days=10, window_ends="2027-01-11T23:59:59+00:00")
    assert "an appeal, at the appeal stage 3" in letter.text and "by Monday 11 January 2027" in letter.text


def test_a_training_informal_response_gives_the_last_day_to_escalate_before_the_case_closes():
    letter = render("stage_response", division_=division("ST"), stage="informal",
                    data={"window_closes": "2027-01-11T23:59:59+00:00"})
    assert "formal stage" in letter.text
    assert "within 10 working days of receiving this response, that is by Monday 11 January 2027" in letter.text
    assert "we will close your complaint" in letter.text


def test_the_final_response_names_the_next_avenues_from_configuration():
    sentence = render("stage_response", stage="appeal", division_=division(next_steps="Ask the Ombudsman."))
    listed = render("stage_response", stage="appeal", next_steps=[{"name": "Independent Case Examiner",
                                                                   "contact": "ice@example.org"}])
    by_contract = render("stage_response", stage="appeal", data={"contract": "restart"},
                         division_=division(contracts={"restart": {"next_steps": "Contract avenue."}},
                                            next_steps="Division avenue."))
    none_configured = render("stage_response", stage="appeal", division_=division(next_steps=""))
    assert "final response" in sentence.text and "Ask the Ombudsman." in sentence.text
    assert "- Independent Case Examiner (ice@example.org)" in listed.text
    assert "Contract avenue." in by_contract.text and "Division avenue." not in by_contract.text
    assert "There is no further independent organisation that can review this complaint" in none_configured.text
    assert "If you are not satisfied" not in sentence.html


def test_an_appeal_that_reopens_the_formal_stage_says_so_instead_of_closing():
    letter = render("stage_response", stage="appeal", data={"investigation_sufficient": False})
    assert "reopened at the formal stage 2" in letter.text and "final response" not in letter.text


def test_staff_alerts_name_the_deadline_kind_and_its_date_from_the_case():
    deadlines = [
        {"name": "Triage reminder", "kind": "warning", "stage": "informal", "status": "fired",
         "due_at": datetime(2026, 12, 29, 23, 59, 59, tzinfo=timezone.utc)},
        {"name": "Response due", "kind": "response", "stage": "informal", "status": "running",
         "due_at": datetime(2027, 1, 22, 23, 59, 59, tzinfo=timezone.utc)},
        {"name": "Acknowledge", "kind": "acknowledgement", "stage": "informal", "status": "breached",
         "due_at": datetime(2026, 12, 30, 23, 59, 59, tzinfo=timezone.utc)},
    ]
    warning = render("sla_warning", deadline="response", deadlines=deadlines, audience="staff",
                     addressee="role:complaints_team")
    breach = render("sla_breach", deadline="acknowledgement", deadlines=deadlines, audience="staff",
                    addressee="role:line_manager")
    assert "The response deadline for case IA-2026-000001 falls on Friday 22 January 2027" in warning.text
    assert warning.subject == "IA-2026-000001: response deadline approaching (Friday 22 January 2027)"
    assert "was due on Wednesday 30 December 2026" in breach.text and "as a line manager" in breach.text


def test_an_unknown_template_is_refused_with_its_name():
    with pytest.raises(LetterNotRenderable, match="no letter template 'thank_you_note'"):
        render("thank_you_note")


def test_a_bundle_can_carry_its_own_wording_for_a_template():
    files = {"templates/acknowledgement/subject.txt": "Bundle wording for {{ case.reference }}"}
    env = RENDERER.environment("bundle-sha", files)
    context = letter_context(case(), division(), {"data": {}}, Delivery("jo@example.org", "complainant"),
                             WorkingCalendar(), SENT)
    letter = RENDERER.render("acknowledgement", context, env)
    assert letter.subject == "Bundle wording for IA-2026-000001"
    assert "we are dealing with it" in letter.text  # the parts it does not carry come from the shipped set


def test_dates_and_stages_read_as_words():
    assert long_date("2027-01-11T23:59:59+00:00") == "Monday 11 January 2027"
    assert long_date("2027-06-30T23:30:00+00:00") == "Thursday 1 July 2027"  # London time
    assert long_date("not a date") == "not a date" and long_date(None, "soon") == "soon"
    assert [stage_key(s) for s in ("stage_1", "Formal", "appeal-stage", "intake")] == [
        "informal", "formal", "appeal", "intake"]


def test_every_template_a_shipped_diagram_names_exists():
    bpmn = Path(__file__).resolve().parents[2] / "bpmn"
    named = set()
    for diagram in bpmn.rglob("*.bpmn"):
        named |= set(re.findall(r'id="template" type="\w+" value="\'(\w+)\'"', diagram.read_text()))
    assert named and named <= set(RENDERER.names()), sorted(named - set(RENDERER.names()))
