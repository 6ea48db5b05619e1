"""Shared intake: eligibility (DMN), acknowledgement, permission and consent (group policy 2.3 to 2.5, 3.1.2)."""
from diagram import Diagram

CT = "Complaints team"
FORMS = "shared/forms"


def intake() -> Diagram:
    d = Diagram("shared_intake_eligibility", "Intake and eligibility", [CT],
                doc="Group policy 2.3-2.5: decide whether the complaint can be investigated, acknowledge it within "
                    "3 working days of receipt (3.1.2) and obtain any permission or consent needed first.")
    d.start("intake_start", "Complaint to assess", (0, 0), CT)
    d.service("intake_record_stage", "Record the intake stage", (1, 0), CT, "record_stage", {"stage": "'intake'"})
    d.user("triage", "Assess and acknowledge the complaint", (2, 0), CT, f"{FORMS}/triage.json", stage="intake",
           due_timer="triage_acknowledgement_due", doc="Policy 2.3-2.5 and 3.1.2; support needs are in the case data.")
    d.timer("triage_acknowledgement_warning", "One day left to acknowledge", "triage", 0,
            "working_days_after(complaint_received_at, 2)", False, "warning", "intake")
    d.timer("triage_acknowledgement_due", "Acknowledgement due", "triage", 1,
            "working_days_after(complaint_received_at, 3)", False, "acknowledgement", "intake",
            doc="Policy 3.1.2: acknowledged within 3 working days of receipt.")
    d.service("warn_acknowledgement", "Warn that acknowledgement is due", (3, 2), CT, "alert_deadline",
              {"template": "'sla_warning'", "stage": "'intake'", "deadline": "'acknowledgement'"})
    d.end("warned_acknowledgement", "Warned", (4, 2), CT)
    d.service("alert_acknowledgement", "Alert: acknowledgement overdue", (3, 1), CT, "alert_deadline",
              {"template": "'sla_breach'", "stage": "'intake'", "deadline": "'acknowledgement'"})
    d.end("alerted_acknowledgement", "Alerted", (4, 1), CT)
    d.service("check_complaint_time_limit", "Check the one-year time limit", (3, 0), CT, "check_time_limit",
              {"received_at": "complaint_received_at", "event_date": "event_date", "known_date": "known_date"},
              result="time_limit", doc="Policy 2.3.2: within a year of the matter or of when it could have been known.")
    d.rule("decide_eligibility", "Decide eligibility", (4, 0), CT, "eligibility",
           doc="Decision table eligibility.dmn: policy 2.3.1-2.3.5, the eight exclusions of 2.4.1, and 2.5.")
    d.gateway("investigable_gateway", "Can it be considered?", (5, 0), CT)
    d.end("intake_ineligible", "Not eligible", (5, 1), CT, doc="Policy 2.4.2: the caller signposts and closes it.")
    d.service("send_acknowledgement", "Send the acknowledgement", (6, 0), CT, "send_stage_letter",
              {"template": "'acknowledgement'", "stage": "'intake'"})
    d.gateway("eligibility_route", "Route by eligibility", (7, 0), CT)
    d.user("decide_deceased", "Decide on a complaint about someone who has died", (8, 1), CT,
           f"{FORMS}/deceased_decision.json", stage="intake", doc="Policy 2.3.5: assessed case by case.")
    d.gateway("deceased_gateway", "Accepted?", (9, 1), CT)
    d.script("deceased_not_accepted", "Record that it is not accepted", (9, 2), CT,
             "eligibility = 'ineligible'\neligibility_reason = 'deceased_not_accepted'\n"
             "signpost = deceased_decision_reasons")
    d.end("deceased_ineligible", "Not accepted", (10, 2), CT)
    d.call("obtain_consent", "Obtain written permission or consent", (8, 3), CT, "shared_written_consent",
           doc="Policy 2.3.3 (permission of the person complained for) and 2.3.4 (service user's consent).")
    d.gateway("consent_gateway", "Permission missing?", (9, 3), CT)
    d.script("permission_missing", "Record that permission was not given", (9, 4), CT,
             "eligibility = 'ineligible'\neligibility_reason = 'permission_not_given'\n"
             "signpost = 'a complaint made on behalf of someone can be investigated once they give written permission'")
    d.end("permission_ineligible", "Cannot be investigated", (10, 4), CT)
    d.script("start_response_clock", "Start the response clock", (10, 3), CT,
             "if eligibility == 'needs_permission':\n    stage1_received_at = consent_received_at",
             doc="Policy 2.3.3: the response clock starts when the written permission arrives.")
    d.user("assist_other_provider", "Help with a complaint about another provider", (8, 5), CT,
           f"{FORMS}/other_provider.json", stage="intake", doc="Policy 2.5.1.")
    d.end("other_provider_assisted", "Referred to the provider", (9, 5), CT)
    d.end("delivery_partner_route", "Delivery Partner's procedure", (8, 6), CT, doc="Policy 2.5.3.")
    d.gateway("eligible_join", "Eligible", (11, 0), CT)
    d.gateway("multi_provider_gateway", "Other providers too?", (12, 0), CT)
    d.service("record_providers", "Record the other providers", (13, 1), CT, "record_other_providers",
              {"providers": "other_providers"}, doc="Policy 2.5.2: one case per provider.")
    d.gateway("providers_join", None, (14, 0), CT)
    d.script("choose_first_stage", "Choose the first stage", (15, 0), CT,
             "first_stage = 'formal' if too_serious_for_informal else 'informal'",
             doc="Policy 3.1.4: too serious to resolve informally goes straight to the formal stage.")
    d.end("intake_done", "Ready for investigation", (16, 0), CT)

    d.chain("intake_start", "intake_record_stage", "triage", "check_complaint_time_limit", "decide_eligibility",
            "investigable_gateway")
    d.flow("triage_acknowledgement_warning", "warn_acknowledgement")
    d.flow("warn_acknowledgement", "warned_acknowledgement")
    d.flow("triage_acknowledgement_due", "alert_acknowledgement")
    d.flow("alert_acknowledgement", "alerted_acknowledgement")
    d.flow("investigable_gateway", "intake_ineligible", "Ineligible", "eligibility == 'ineligible'")
    d.flow("investigable_gateway", "send_acknowledgement", default=True)
    d.flow("send_acknowledgement", "eligibility_route")
    d.flow("eligibility_route", "decide_deceased", "Case by case", "eligibility == 'case_by_case'")
    d.flow("eligibility_route", "obtain_consent", "Permission or consent",
           "eligibility in ('needs_permission', 'needs_consent')")
    d.flow("eligibility_route", "assist_other_provider", "Another provider", "eligibility == 'other_provider'")
    d.flow("eligibility_route", "delivery_partner_route", "Delivery Partner", "eligibility == 'delivery_partner'")
    d.flow("eligibility_route", "eligible_join", "Eligible", default=True)
    d.flow("decide_deceased", "deceased_gateway")
    d.flow("deceased_gateway", "eligible_join", "Accepted", "complaint_accepted == True")
    d.flow("deceased_gateway", "deceased_not_accepted", "Not accepted", default=True)
    d.flow("deceased_not_accepted", "deceased_ineligible")
    d.flow("obtain_consent", "consent_gateway")
    d.flow("consent_gateway", "permission_missing", "No permission",
           "eligibility == 'needs_permission' and consent_outcome != 'received'")
    d.flow("consent_gateway", "start_response_clock", default=True)
    d.flow("permission_missing", "permission_ineligible")
    d.flow("start_response_clock", "eligible_join")
    d.flow("assist_other_provider", "other_provider_assisted")
    d.flow("eligible_join", "multi_provider_gateway")
    d.flow("multi_provider_gateway", "record_providers", "Several providers", "provider == 'multiple_providers'")
    d.flow("multi_provider_gateway", "providers_join", default=True)
    d.flow("record_providers", "providers_join")
    d.chain("providers_join", "choose_first_stage", "intake_done")
    return d


def written_consent() -> Diagram:
    d = Diagram("shared_written_consent", "Written permission or consent", [CT],
                doc="Policy 2.3.3 and 2.3.4: ask in writing, remind after 10 working days, stop waiting after 20.")
    d.start("consent_start", "Permission or consent needed", (0, 0), CT)
    d.service("request_consent", "Ask for written permission or consent", (1, 0), CT, "send_stage_letter",
              {"template": "'consent_request'", "stage": "'intake'"})
    d.script("consent_clock", "Note when it was asked for", (2, 0), CT, "consent_requested_at = now()")
    d.receive("await_consent", "Await the written permission or consent", (3, 0), CT, "consent_received", "consent")
    d.timer("consent_deadline", "No reply in 20 working days", "await_consent", 0,
            "working_days_after(consent_requested_at, 20)", True, "consent", "intake")
    d.timer("consent_reminder_due", "No reply in 10 working days", "await_consent", 1,
            "working_days_after(consent_requested_at, 10)", False, "warning", "intake")
    d.service("remind_consent", "Send a reminder", (4, 1), CT, "send_stage_letter",
              {"template": "'consent_reminder'", "stage": "'intake'"})
    d.end("consent_reminded", "Reminded", (5, 1), CT)
    d.script("consent_missing", "Record that none arrived", (4, 2), CT,
             "consent_outcome = 'not_received'\nconsent_received_at = ''")
    d.end("consent_not_received", "No permission or consent", (5, 2), CT)
    d.script("consent_recorded", "Record the reply", (4, 0), CT,
             "consent_outcome = 'received' if consent.get('given', True) else 'refused'\n"
             "consent_received_at = consent.get('received_at') or now()")
    d.end("consent_done", "Replied", (5, 0), CT)
    d.chain("consent_start", "request_consent", "consent_clock", "await_consent", "consent_recorded", "consent_done")
    d.flow("consent_reminder_due", "remind_consent")
    d.flow("remind_consent", "consent_reminded")
    d.flow("consent_deadline", "consent_missing")
    d.flow("consent_missing", "consent_not_received")
    return d
