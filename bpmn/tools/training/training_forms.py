"""The task forms of the Seetec Training complaint bundle, as JSON Schema."""
from __future__ import annotations

from .form_parts import (MISCONDUCT_RULE, OUTCOMES, RESPONSE_FIELDS, choice, day, flag, form, learning, misconduct,
                         response, text, username, when)

SUPPORT = {"type": "object", "title": "Support needs", "properties": {
    "language": text("Preferred language", long=False), "scribe": flag("Needs scribing support"),
    "large_print": flag("Large print"), "preferred_format": text("Preferred format", long=False),
    "advocate_name": text("Advocate's name", long=False),
    "advocate_email": {"type": "string", "format": "email", "title": "Advocate's email"},
    "other": text("Other support agreed")}}
NOT_COOPERATING = "not_cooperating"


def training_forms() -> dict[str, dict]:
    """Every form of the bundle by file name."""
    return {
        "forms/triage.json": form(
            "Triage and acknowledge", {
                "route": choice("Route", ["informal", "formal", "third_party"]),
                "triage_notes": text("Triage notes", minLength=1),
                "raised_with": text("Colleague or manager it was raised with", long=False),
                "colleague_name": text("Colleague complained about (if any)", long=False),
                "team_name": text("Team", long=False), "contract": text("Contract", long=False),
                "support_needs": SUPPORT,
                "third_party_name": text("Third party or partner", long=False),
                "third_party_contact": text("Their contact details"),
                "referral_reason": text("Why it was passed to them")},
            ["route", "triage_notes", "colleague_name"],
            when("route", "third_party", ["third_party_name", "referral_reason"]),
            description="Informal is the first stage. Choose formal only when the complainant has already tried to "
                        "resolve it informally and has now written to the complaints team."),
        "forms/survey_agreement.json": form(
            "Record whether they agree to a complaint", {
                "survey_agreed": flag("The participant or employer agrees to it being logged as a complaint"),
                "survey_agreed_on": day("Date agreement was reached"), "how_asked": text("How they were asked")},
            ["survey_agreed", "how_asked"], when("survey_agreed", True, ["survey_agreed_on"])),
        "forms/internal_investigation_decision.json": form(
            "Decide whether an internal investigation is needed", {
                "internal_investigation_needed": flag("The concerns need an internal investigation"),
                "decision_reasons": text("Reasons", minLength=1)},
            ["internal_investigation_needed", "decision_reasons"],
            description="Without agreement the concern is not logged as a complaint."),
        "forms/internal_investigation.json": form(
            "Carry out the internal investigation", {"findings": text("Findings", minLength=1), **learning()},
            ["findings", "learning_considered"]),
        "forms/third_party_liaison.json": form(
            "Liaise with the third party until resolved", {
                "resolved": {"type": "boolean", "const": True, "title": "Resolved with the complainant and the "
                                                                         "third party"},
                "resolution_summary": text("How it was resolved", minLength=1),
                "themes": {"type": "array", "title": "Themes", "items": text("Theme", long=False)}},
            ["resolved", "resolution_summary", "themes"]),
        "forms/acknowledge.json": form(
            "Acknowledge the request", {
                "support_needs_checked": {"type": "boolean", "const": True, "title": "Support needs checked"},
                "support_needs": SUPPORT, "acknowledgement_note": text("Note for the acknowledgement")},
            ["support_needs_checked"]),
        "forms/informal_investigation.json": form(
            "Look into the concern and put things right", {
                "findings": text("What happened and what was done", minLength=1),
                "colleague_informed": flag("The colleague complained about has been told"),
                "colleague_interviewed": flag("The colleague has been interviewed"),
                "mediation_appropriate": flag("Mediation between the complainant and the colleague is appropriate"),
                "informal_decision": choice("Next step", ["respond", NOT_COOPERATING]),
                "information_needed": text("What we need from the complainant"), **misconduct()},
            ["findings", "colleague_informed", "mediation_appropriate", "informal_decision", "misconduct_suspected"],
            when("informal_decision", NOT_COOPERATING, ["information_needed"]), MISCONDUCT_RULE),
        "forms/mediation.json": form(
            "Hold mediation", {"mediation_held_on": day("Date held"), "mediation_outcome": text("Outcome",
                                                                                                minLength=1),
                               "mediation_agreed": flag("Both agreed a way forward")},
            ["mediation_held_on", "mediation_outcome", "mediation_agreed"]),
        "forms/informal_response.json": form(
            "Write the informal response", {**response(["resolved_informally", *OUTCOMES]), **learning()},
            RESPONSE_FIELDS),
        "forms/psrd_complaint_review.json": form(
            "Review the complaint and appoint the investigating officer", {
                "complaint_review_notes": text("Director's review of the complaint", minLength=1),
                "investigating_officer": username("Investigating officer", "investigating_officer", independent=True),
                "investigating_officer_name": text("Investigating officer's name", long=False)},
            ["complaint_review_notes", "investigating_officer"]),
        "forms/formal_investigation.json": form(
            "Investigate the formal complaint", {
                "findings": text("Findings", minLength=1),
                "colleague_informed": flag("The colleague complained about has been told"),
                "colleague_interviewed": flag("The colleague has been interviewed"),
                "confidentiality_maintained": flag("Confidentiality can be maintained"),
                "confidentiality_explanation": text("How this was explained to the complainant"),
                "formal_decision": choice("Next step", ["respond", "interim", NOT_COOPERATING]),
                "interim_text": text("Interim response: what is being done"),
                "new_response_due": day("When a full reply can be expected"),
                "responder_name": text("Who the full reply will come from", long=False),
                "information_needed": text("What we need from the complainant"),
                **response(OUTCOMES), **learning(), **misconduct()},
            ["findings", "colleague_informed", "colleague_interviewed", "confidentiality_maintained",
             "formal_decision", "misconduct_suspected"],
            when("formal_decision", "respond", RESPONSE_FIELDS),
            when("formal_decision", "interim", ["interim_text", "new_response_due", "responder_name"]),
            when("formal_decision", NOT_COOPERATING, ["information_needed"]),
            when("confidentiality_maintained", False, ["confidentiality_explanation"]), MISCONDUCT_RULE),
        "forms/psrd_response_review.json": form(
            "Review the formal response", {
                "response_approved": flag("The response can be sent"),
                "director_comments": text("Director's comments")},
            ["response_approved"], when("response_approved", False, ["director_comments"])),
        "forms/revise_response.json": form(
            "Revise the formal response", {**response(OUTCOMES), "revision_notes": text("What changed")},
            ["outcome", "response_text"]),
        "forms/convene_panel.json": form(
            "Convene the appeal panel", {
                "panel_members": {"type": "array", "title": "Panel members", "minItems": 2,
                                  "uniqueItems": True, "x-independent": True, "x-staff-role": "appeal_panel",
                                  "items": {"type": "string", "title": "Panel member", "minLength": 1,
                                            "maxLength": 80}},
                "panel_meets_on": day("Panel meeting date")},
            ["panel_members", "panel_meets_on"]),
        "forms/appeal_decision.json": form(
            "Review the formal investigation and decide the appeal", {
                "investigation_sufficient": flag("The formal investigation was sufficient"),
                "findings": text("The panel's review", minLength=1),
                "appeal_decision": choice("Next step", ["respond", NOT_COOPERATING]),
                "information_needed": text("What we need from the complainant"),
                **response(OUTCOMES),
                "next_avenues_applicable": flag("An independent arbiter is open to the complainant"),
                "next_steps": {"type": "array", "title": "Independent arbiters", "items": {
                    "type": "object", "required": ["name", "contact"], "properties": {
                        "name": text("Organisation", long=False), "contact": text("Contact details"),
                        "description": text("What they can look at")}}},
                **learning(), **misconduct()},
            ["investigation_sufficient", "findings", "appeal_decision", "misconduct_suspected"],
            when("appeal_decision", "respond", [*RESPONSE_FIELDS, "next_avenues_applicable"]),
            when("appeal_decision", NOT_COOPERATING, ["information_needed"]),
            when("next_avenues_applicable", True, ["next_steps"]), MISCONDUCT_RULE),
        "forms/behaviour.json": form(
            "Record the unacceptable behaviour and any restrictions", {
                "behaviour_description": text("What happened", minLength=1),
                "restrictions": {"type": "array", "title": "Restrictions", "items": text("Restriction")},
                "restrictions_review_on": day("Review the restrictions on")},
            ["behaviour_description", "restrictions", "restrictions_review_on"]),
        "forms/hr_referral.json": form(
            "Consider the misconduct referral", {
                "hr_decision": choice("Decision", ["no_further_action", "informal_management",
                                                   "disciplinary_investigation", "advice_given"]),
                "hr_notes": text("Next steps agreed", minLength=1)},
            ["hr_decision", "hr_notes"]),
    }
