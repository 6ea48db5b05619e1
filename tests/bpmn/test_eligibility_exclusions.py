"""Group policy 2.3.1, 2.3.2, 2.4.1 and 2.4.2 on the real intake diagram and its decision table."""
import pytest

from handlers import build_registry
from processes.bundle import bundle_from_directory, bundle_from_files
from processes.validation import require_valid
from tests.bpmn import harness
from tests.bpmn.harness import DiagramRun
from tests.bpmn.test_group_support import BUNDLE, CONFIG, at, closed_as, events, new_case, sent, triage_answers

EXCLUSIONS = {
    "seetec_ireland_or_corporate": "Seetec Employability & Skills Ireland",
    "criminal_investigation": "criminal investigation",
    "court_or_tribunal_decision": "Criminal Cases Review Commission",
    "independent_tribunal_appeal": "Parole Board",
    "colleague_hr": "HR policies",
    "legal_action": "legal proceedings",
    "commissioner_policy": "commissioner responsible",
    "anonymous": "name and contact details",
}


@pytest.mark.parametrize("exclusion", sorted(EXCLUSIONS))
def test_each_exclusion_is_signposted_by_letter_and_closed_as_ineligible(exclusion):
    run = new_case()
    run.complete("triage", **triage_answers(exclusion=exclusion))
    [letter] = sent(run, "ineligible_signposting")
    assert letter.context["reason"] == exclusion
    assert EXCLUSIONS[exclusion] in letter.context["signpost"]
    assert closed_as(run) == ("closed", "ineligible")
    assert run.kept_for_years() == 2
    assert sent(run, "acknowledgement") == [] and run.completed


def test_an_exclusion_is_signposted_even_when_the_complaint_is_also_out_of_time():
    run = new_case()
    run.complete("triage", **triage_answers(exclusion="legal_action", event_date="2024-01-01", known_date="2024-01-01"))
    assert sent(run, "ineligible_signposting")[0].context["reason"] == "legal_action"


def test_a_complaint_not_about_the_delivery_of_services_is_ineligible():
    run = new_case()
    run.complete("triage", **triage_answers(about_service_delivery=False))
    assert sent(run, "ineligible_signposting")[0].context["reason"] == "not_about_service_delivery"
    assert closed_as(run) == ("closed", "ineligible")


def test_a_complaint_received_on_the_anniversary_of_the_matter_is_in_time():
    run = new_case(received=at(2026, 12, 23, 23, 30))
    run.complete("triage", **triage_answers(event_date="2025-12-23", known_date="2025-12-23"))
    assert run.ready == ["allocate_line_manager"]
    assert events(run, "time_limit_checked")[0]["last_day"] == "2026-12-23"


def test_a_complaint_received_the_day_after_the_anniversary_is_out_of_time():
    run = new_case(received=at(2026, 12, 24, 0, 30))
    run.complete("triage", **triage_answers(event_date="2025-12-23", known_date="2025-12-23"))
    [letter] = sent(run, "ineligible_signposting")
    assert letter.context["reason"] == "out_of_time" and "within one year" in letter.context["signpost"]
    assert closed_as(run) == ("closed", "ineligible")


def test_the_year_runs_from_when_the_complainant_could_reasonably_have_known():
    run = new_case()
    run.complete("triage", **triage_answers(event_date="2024-06-01", known_date="2026-01-10"))
    assert run.ready == ["allocate_line_manager"]
    assert events(run, "time_limit_checked")[0] == {"counted_from": "2026-01-10", "last_day": "2027-01-10",
                                                    "received_on": "2026-12-23", "in_time": True}


def test_a_known_date_earlier_than_the_matter_does_not_move_the_limit_back():
    run = new_case()
    run.complete("triage", **triage_answers(event_date="2026-01-05", known_date="2025-01-01"))
    assert events(run, "time_limit_checked")[0]["counted_from"] == "2026-01-05"


def test_the_receipt_date_is_the_london_date_of_the_instant_received():
    run = new_case(received=at(2026, 6, 1, 0, 30))  # 23:30 UTC on 31 May
    run.complete("triage", **triage_answers(event_date="2025-06-01", known_date="2025-06-01"))
    assert events(run, "time_limit_checked")[0]["received_on"] == "2026-06-01"
    assert run.ready == ["allocate_line_manager"]


def test_a_matter_on_29_february_must_be_complained_of_by_28_february_next_year():
    late = new_case(received=at(2025, 3, 1))
    late.complete("triage", **triage_answers(event_date="2024-02-29", known_date="2024-02-29"))
    assert sent(late, "ineligible_signposting")[0].context["reason"] == "out_of_time"
    in_time = new_case(received=at(2025, 2, 28))
    in_time.complete("triage", **triage_answers(event_date="2024-02-29", known_date="2024-02-29"))
    assert in_time.ready == ["allocate_line_manager"]


def test_an_eligible_complaint_is_acknowledged_and_goes_to_the_informal_stage():
    run = new_case()
    run.complete("triage", **triage_answers())
    assert [d.context["stage"] for d in sent(run, "acknowledgement")] == ["intake"]
    assert run.ready == ["allocate_line_manager"] and run.case.stage == "informal"


def test_an_analyst_changes_an_eligibility_outcome_by_editing_the_decision_table():
    files = dict(bundle_from_directory(harness.BPMN / BUNDLE).files)
    table = files["shared/eligibility.dmn"].decode()
    anonymous_rule = table.index('<inputEntry id="rule_8_exclusion">')
    files["shared/eligibility.dmn"] = (table[:anonymous_rule] + table[anonymous_rule:].replace(
        '<text>"ineligible"</text>', '<text>"eligible"</text>', 1)).encode()
    harness._DEFINITIONS["group_complaint_edited"] = require_valid(bundle_from_files(files), build_registry())
    run = DiagramRun("group_complaint_edited", at(2026, 12, 23), config=CONFIG)
    run.complete("triage", **triage_answers(exclusion="anonymous"))
    assert run.ready == ["allocate_line_manager"] and sent(run, "ineligible_signposting") == []
