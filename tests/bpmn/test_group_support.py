"""Steps shared by the group complaint tests: form answers and moves along the real group diagrams."""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from tests.bpmn.harness import DiagramRun

LONDON = ZoneInfo("Europe/London")
BUNDLE = "group_complaint"
CONFIG = {"retention_years": 2, "next_steps": "You may ask the Independent Case Examiner to review your complaint.",
          "contracts": {"Probation services": {"retention_years": 7,
                                               "next_steps": "You may contact the Prisons and Probation Ombudsman."}}}


def at(year, month, day, hour=10, minute=0) -> datetime:
    """An instant given in London time."""
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


def end_of(year, month, day) -> datetime:
    """23:59:59 London time on a day: when a working-day deadline falls."""
    return datetime(year, month, day, 23, 59, 59, tzinfo=LONDON)


def utc(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc)


def triage_answers(**overrides) -> dict:
    """An eligible complaint from a service user about our own services, in time."""
    answers = dict(contract="Restart", about_service_delivery=True, event_date="2026-12-01", known_date="2026-12-01",
                   exclusion="none", provider="seetec", other_providers=[], complainant_is_service_user=True,
                   on_behalf_of_someone=False, needs_service_user_information=False, subject_deceased=False,
                   about_colleague=False, too_serious_for_informal=False)
    answers.update(overrides)
    return answers


def findings(**overrides) -> dict:
    answers = dict(findings="What we found", outcome="upheld", response_summary="Our response",
                   misconduct_concern=False, learning_identified=False, best_practice_identified=False)
    answers.update(overrides)
    return answers


def panel_decision(sufficient=True, **overrides) -> dict:
    answers = findings(**{"outcome": "not_upheld", **overrides}, investigation_sufficient=sufficient)
    if not sufficient:
        answers.setdefault("reopen_scope", "The whole complaint")
    return answers


def new_case(received=None, config=None, **data) -> DiagramRun:
    """A complaint received (by default Wed 23 Dec 2026, 10am) on the group lifecycle."""
    return DiagramRun(BUNDLE, received or at(2026, 12, 23), data, config=CONFIG if config is None else config)


def to_informal_investigation(run: DiagramRun, line_manager="lm.one", **triage) -> DiagramRun:
    run.complete("triage", **triage_answers(**triage))
    run.complete("allocate_line_manager", line_manager=line_manager)
    return run


def to_escalation_window(run: DiagramRun, **answers) -> DiagramRun:
    to_informal_investigation(run)
    run.complete("investigate", **findings(**answers))
    return run


def to_formal_investigation(run: DiagramRun, officer="io.one", when=None) -> DiagramRun:
    """Escalate after the informal response, acknowledge it and allocate an investigating officer."""
    to_escalation_window(run)
    if when:
        run.advance_to(when)
    run.message("escalation_requested", reasons="The response did not deal with my complaint")
    run.complete("acknowledge_escalation", reasons_for_dissatisfaction="The response did not deal with it")
    run.complete("allocate_investigator", investigating_officer=officer)
    return run


def to_appeal_window(run: DiagramRun, **answers) -> DiagramRun:
    to_formal_investigation(run)
    run.complete("investigate", **findings(outcome="partly_upheld", **answers))
    return run


def to_panel_review(run: DiagramRun, panel=("panel.one", "panel.two")) -> DiagramRun:
    to_appeal_window(run)
    run.message("appeal_requested", reasons="The investigation missed things")
    run.complete("acknowledge_appeal", reasons_for_dissatisfaction="The investigation missed things")
    run.complete("convene_panel", panel=list(panel), panel_meets_on="2027-01-20")
    return run


def sent(run: DiagramRun, template: str) -> list:
    """Letters queued with a template, with their context."""
    return [draft for draft in run.effects.letters if draft.template == template]


def events(run: DiagramRun, kind: str) -> list[dict]:
    return [data for name, data in run.effects.events if name == kind]


def closed_as(run: DiagramRun) -> tuple:
    return run.case.status, run.case.outcome
