"""The compliments bundle for all four divisions (group policy 2.2, Training policy 3.1)."""
from __future__ import annotations

from .diagram_builder import Diagram
from .form_parts import choice, day, email, flag, form, text, when

TEAM, PSRD = "Complaints team", "PSRD director"
MANIFEST = {"process_key": "compliment", "entry_process": "compliment",
            "title": "Compliment (group policy 2.2 and Seetec Training policy 3.1)"}
PERMISSION_DAYS = 20


def compliment_diagram() -> Diagram:
    """Record centrally, inform those complimented, thank, ask permission before public use, review (ST quarterly)."""
    diagram = Diagram("compliment_definitions", "Compliment")
    pool = diagram.pool("compliment", "Compliment", [TEAM, PSRD])
    pool.start("compliment_received", "Compliment received", TEAM, 0)
    pool.service("record_compliment", "Record the compliment centrally", TEAM, 1, op="record_stage",
                 params={"stage": "'recorded'"},
                 pre="has_contact = bool(complainant.get('email') or complainant.get('address'))")
    pool.user("describe_compliment", "Record who the compliment is about", TEAM, 2,
              form="forms/compliment_details.json", stage="recorded", classify="team", team_field="team_name")
    pool.service("record_compliment_details", "Record the details and good practice", TEAM, 3, op="record_decision",
                 params={"decision": "'compliment_recorded'",
                         "fields": "['business_area', 'contract', 'team_name', 'colleague_name', 'best_practice', "
                                   "'share_via']"})
    pool.service("inform_those_complimented", "Tell the business area, contract, team and colleague", TEAM, 4,
                 op="inform_compliment_recipients")
    pool.gateway("contact_check", "Contact details given?", TEAM, 5)
    pool.service("thank_complimenter", "Thank the person who complimented", TEAM, 6, 1, op="send_letter",
                 params={"template": "'compliment_thanks'"}, pre="permission_asked_at = now()")
    pool.gateway("publicity_check", "Would we like to use it publicly?", TEAM, 7)
    pool.user("record_permission", "Record their permission to use it publicly", TEAM, 8, 1,
              form="forms/publicity_permission.json", stage="recorded", due="permission_not_given")
    pool.boundary("permission_not_given", "No permission in time", "record_permission",
                  timer=f"working_days_after(permission_asked_at, {PERMISSION_DAYS})",
                  props={"deadlineKind": "consent", "stage": "recorded"})
    pool.service("record_permission_decision", "Record the permission decision", TEAM, 9, 1, op="record_decision",
                 params={"decision": "'publicity_permission_recorded'",
                         "fields": "['permission_given', 'permission_recorded_on', 'permission_evidence']"})
    pool.gateway("permission_check", "Permission given?", TEAM, 10, 1)
    pool.user("use_publicly", "Use the compliment publicly", TEAM, 11, 1, form="forms/publish_compliment.json",
              stage="recorded")
    pool.service("record_not_public", "Record that it is not for public use", TEAM, 11, 2, op="record_decision",
                 params={"decision": "'compliment_not_for_public_use'", "fields": "[]"})
    pool.gateway("review_check", "Seetec Training?", TEAM, 12)
    pool.service("plan_review", "Find the end of the quarter", PSRD, 13, op="plan_quarterly_review",
                 result="review_plan", post="quarter_end = review_plan['review_on']")
    pool.catch("quarter_ended", "Quarter ended", PSRD, 14, timer="working_days_after(quarter_end, 0)",
               props={"deadlineKind": "review", "stage": "recorded"})
    pool.user("review_in_quarter", "Review the compliment in the quarterly review", PSRD, 15,
              form="forms/compliment_review.json", stage="review")
    pool.service("record_quarterly_review", "Record the review", PSRD, 16, op="record_decision",
                 params={"decision": "'compliment_reviewed'", "fields": "['themes', 'shared_as_best_practice']"})
    pool.service("close_compliment", "Close as recorded", TEAM, 17, op="close_case_with_retention",
                 params={"outcome": "'recorded'"})
    pool.end("compliment_closed", "Recorded", TEAM, 18)
    pool.chain("compliment_received", "record_compliment", "describe_compliment", "record_compliment_details",
               "inform_those_complimented", "contact_check")
    pool.flow("contact_check", "thank_complimenter", "Yes", condition="has_contact == True")
    pool.flow("contact_check", "publicity_check", "No", default=True)
    pool.flow("thank_complimenter", "publicity_check")
    pool.flow("publicity_check", "record_permission", "Yes, if they agree",
              condition="ask_permission_to_share == True and has_contact == True")
    pool.flow("publicity_check", "review_check", "No", default=True)
    pool.chain("record_permission", "record_permission_decision", "permission_check")
    pool.flow("permission_check", "use_publicly", "Yes", condition="permission_given == True")
    pool.flow("permission_check", "record_not_public", "No", default=True)
    pool.flow("permission_not_given", "record_not_public")
    pool.flow("use_publicly", "review_check")
    pool.flow("record_not_public", "review_check")
    pool.flow("review_check", "plan_review", "Yes: quarterly PSRD review", condition="division == 'ST'")
    pool.flow("review_check", "close_compliment", "No: reviewed through the regular reports", default=True)
    pool.chain("plan_review", "quarter_ended", "review_in_quarter", "record_quarterly_review", "close_compliment",
               "compliment_closed")
    return diagram


def compliment_forms() -> dict[str, dict]:
    """The compliment bundle's task forms by file name."""
    ways = ["standardisation", "monthly_comms", "staff_training", "team_meeting"]
    return {
        "forms/compliment_details.json": form(
            "Record who the compliment is about", {
                "compliment_text": text("What was said", minLength=1),
                "business_area": text("Business area", long=False, minLength=1),
                "contract": text("Contract", long=False), "contract_contact": email("Contract contact's email"),
                "team_name": text("Team", long=False), "team_contact": email("Team manager's email"),
                "colleague_name": text("Colleague", long=False), "colleague_email": email("Colleague's email"),
                "best_practice": flag("Good practice to recognise and share"),
                "share_via": {"type": "array", "title": "Share through", "uniqueItems": True,
                              "items": choice("Way", ways)},
                "ask_permission_to_share": flag("We would like to use it publicly (the person's permission will be "
                                                 "asked first)")},
            ["compliment_text", "business_area", "best_practice", "ask_permission_to_share"]),
        "forms/publicity_permission.json": form(
            "Record their permission to use it publicly", {
                "permission_given": flag("They agree to the compliment being used publicly"),
                "permission_recorded_on": day("Date of their answer"),
                "permission_evidence": text("How they answered (e.g. their email of that date)", minLength=1),
                "permission_scope": text("Any limits they set (e.g. no names)")},
            ["permission_given", "permission_recorded_on", "permission_evidence"]),
        "forms/publish_compliment.json": form(
            "Use the compliment publicly", {
                "published_where": text("Where it is used", minLength=1), "published_on": day("Date")},
            ["published_where", "published_on"]),
        "forms/compliment_review.json": form(
            "Review the compliment in the quarterly review", {
                "quarter_reviewed": {"type": "boolean", "const": True, "title": "Reviewed for self-assessment and "
                                                                                "quality improvement planning"},
                "themes": {"type": "array", "title": "Themes", "items": text("Theme", long=False)},
                "shared_as_best_practice": flag("Shared as best practice across the organisation"),
                "quality_improvement_notes": text("Notes for the quality improvement plan")},
            ["quarter_reviewed", "themes", "shared_as_best_practice"],
            when("shared_as_best_practice", True, ["quality_improvement_notes"])),
    }


def compliment_bundle() -> dict[str, bytes | dict]:
    """Every file of the bundle: manifest, diagram and forms."""
    return {"bundle.json": MANIFEST, "compliment.bpmn": compliment_diagram().to_xml(), **compliment_forms()}
