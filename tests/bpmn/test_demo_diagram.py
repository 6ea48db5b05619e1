from datetime import datetime, timezone

from tests.bpmn.harness import DiagramRun

WED_23_DEC = datetime(2026, 12, 23, 10, tzinfo=timezone.utc)


def test_demo_triage_deadline_skips_christmas_and_new_year():
    run = DiagramRun("demo", WED_23_DEC)
    assert run.ready == ["triage"]
    assert run.due("triage") == datetime(2027, 1, 4, 23, 59, 59, tzinfo=timezone.utc)
    assert run.letters() == [("acknowledgement", "complainant")]


def test_demo_reminder_fires_without_interrupting_triage():
    run = DiagramRun("demo", WED_23_DEC)
    run.advance_to(datetime(2026, 12, 30, 9, tzinfo=timezone.utc))
    assert run.ready == ["triage"]
    assert ("sla_warning", "role:complaints_team") in run.letters()


def test_demo_deadline_interrupts_triage_and_closes_as_expired():
    run = DiagramRun("demo", WED_23_DEC)
    run.advance_to(datetime(2027, 1, 5, 9, tzinfo=timezone.utc))
    assert run.ready == []
    assert (run.case.status, run.case.outcome) == ("closed", "expired")


def test_demo_eligible_complaint_closes_when_the_complainant_replies():
    run = DiagramRun("demo", WED_23_DEC)
    run.complete("triage", eligible=True, notes="fine")
    run.message("complainant_replied", text="thank you")
    assert run.completed and run.case.outcome == "resolved_informally"
    assert run.workflow.data.get("reply", run.workflow.last_task.data.get("reply")) == {"text": "thank you"}


def test_demo_ineligible_complaint_closes_as_ineligible():
    run = DiagramRun("demo", WED_23_DEC)
    run.complete("triage", eligible=False, notes="anonymous")
    assert run.completed and run.case.outcome == "ineligible"
