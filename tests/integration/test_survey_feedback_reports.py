"""Seetec Training survey feedback: counted as a complaint only once the participant agreed and it was logged as one
("this will not be logged as a complaint" otherwise); recorded survey feedback is counted as what it is."""
from __future__ import annotations

from processes import lifecycle
from processes.access import SYSTEM
from processes.intake import record_case
from processes.reports import report_for


def _survey(container, agreed: bool) -> str:
    reference = record_case(container.uow(), container.runtime, SYSTEM, "ST", "complaint", "survey",
                            container.clock.now(), {"summary": "The room was cold all term.", "name": "Sam Lee",
                                                    "email": "sam@example.org", "on_behalf": False})
    answers = {"survey_agreed": agreed, "how_asked": "Phone"}
    if agreed:
        answers["survey_agreed_on"] = container.clock.now().date().isoformat()
    _complete(container, reference, "record_survey_agreement", answers)
    if not agreed:
        _complete(container, reference, "decide_internal_investigation",
                  {"internal_investigation_needed": False, "decision_reasons": "Minor"})
    return reference


def _complete(container, reference, spec, answers):
    with container.uow() as uow:
        case = uow.cases.by_reference(reference)
        task = next(t for t in uow.tasks.open_for_case(case.id) if t.spec_name == spec)
        task_id = task.id
    lifecycle.complete_task(container.uow(), container.runtime, task_id, answers, SYSTEM)


def test_survey_feedback_without_agreement_is_not_counted_as_a_complaint_in_the_months_report(container):
    declined = _survey(container, agreed=False)
    agreed = _survey(container, agreed=True)
    with container.uow() as uow:
        assert uow.cases.by_reference(declined).outcome == "recorded"
        assert uow.cases.by_reference(agreed).status == "open"
    report = report_for(container.reporting_uow(), SYSTEM, "ST", "2026-12", container.clock.now())
    assert dict(report.table("received_by_kind").rows) == {"Complaint": 1, "Survey feedback (not a complaint)": 1}
    trend = report.table("trends").rows[-1]
    assert trend[0] == "Dec 2026" and trend[1] == 1  # complaints received: only the one logged with agreement
    escalation = report.table("escalation").rows
    assert escalation[0][2] == 1  # complaints answered at stage 1 or waiting: the logged one only
