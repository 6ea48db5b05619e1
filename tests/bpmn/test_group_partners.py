"""Group policy 2.5: complaints about other providers, several providers, and Delivery Partners."""
from tests.bpmn.test_group_support import (
    at,
    closed_as,
    end_of,
    events,
    new_case,
    panel_decision,
    sent,
    triage_answers,
    utc,
)


def partner_case():
    run = new_case()
    run.complete("triage", **triage_answers(provider="delivery_partner", delivery_partner="Partner Ltd"))
    return run


def partner_appeal(run):
    run.message("partner_update", stage="formal", outcome="not_upheld", responded_at=utc(at(2027, 1, 4)).isoformat())
    run.advance_to(at(2027, 1, 8))
    run.message("appeal_requested", reasons="The partner did not listen")
    return run


def test_a_complaint_about_another_provider_is_helped_on_its_way_and_closed_as_transferred():
    run = new_case()
    run.complete("triage", **triage_answers(provider="other_provider"))
    assert run.ready == ["assist_other_provider"]
    run.complete("assist_other_provider", responsible_provider="Other Co", commissioner_contacted=True,
                 advice="Commissioner confirmed Other Co is responsible")
    assert [d.recipient for d in sent(run, "third_party_referral")] == ["complainant"]
    assert closed_as(run) == ("closed", "transferred") and run.completed


def test_other_providers_in_a_multi_provider_complaint_are_recorded_and_ours_is_investigated():
    run = new_case()
    run.complete("triage", **triage_answers(provider="multiple_providers", other_providers=["Other Co", "Third Co"]))
    assert events(run, "other_providers_recorded") == [{"providers": ["Other Co", "Third Co"]}]
    assert run.ready == ["allocate_line_manager"]


def test_a_delivery_partner_complaint_follows_the_partners_procedure_with_seetec_copied_in():
    run = partner_case()
    assert run.case.stage == "delivery_partner" and run.ready == []
    assert sent(run, "third_party_referral")[0].context["stage"] == "delivery_partner"
    run.message("partner_update", stage="informal", outcome="not_upheld")
    assert events(run, "partner_copy_received") == [{"stage": "informal", "outcome": "not_upheld"}]
    assert "partner_update" in {e.name for e in run.workflow.waiting_events()}


def test_an_appeal_after_the_partners_formal_reply_is_handled_by_seetec_at_stage_3():
    run = partner_appeal(partner_case())
    assert run.ready == ["acknowledge_appeal"] and run.case.stage == "appeal"
    assert run.timers()["appeal_response_due"] == utc(end_of(2027, 2, 5))
    run.complete("acknowledge_appeal", reasons_for_dissatisfaction="Not listened to")
    run.complete("convene_panel", panel=["panel.one", "panel.two"], panel_meets_on="2027-01-20")
    run.complete("panel_review", **panel_decision(outcome="upheld"))
    assert sent(run, "stage_response")[-1].context["final"] is True
    assert closed_as(run) == ("closed", "upheld")


def test_a_panel_reopening_a_partner_complaint_sends_it_to_seetecs_formal_stage():
    run = partner_appeal(partner_case())
    run.complete("acknowledge_appeal", reasons_for_dissatisfaction="Not listened to")
    run.complete("convene_panel", panel=["panel.one", "panel.two"], panel_meets_on="2027-01-20")
    run.complete("panel_review", **panel_decision(sufficient=False))
    assert run.ready == ["allocate_investigator"] and run.case.stage == "formal"


def test_without_an_appeal_within_10_working_days_of_the_partners_reply_the_case_closes_as_transferred():
    run = partner_case()
    run.message("partner_update", stage="formal", responded_at=utc(at(2027, 1, 4)).isoformat())
    assert run.timers() == {"partner_appeal_window_closes": utc(end_of(2027, 1, 18))}
    run.advance_to(at(2027, 1, 19))
    assert closed_as(run) == ("closed", "transferred") and run.completed


def test_a_complaint_the_partner_resolves_closes_as_transferred():
    run = partner_case()
    run.message("partner_update", stage="closed", outcome="resolved_informally")
    assert closed_as(run) == ("closed", "transferred") and run.completed
