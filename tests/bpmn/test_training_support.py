"""Steps shared by the Seetec Training diagram tests: start a case and move it along its stages."""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from processes import engine
from tests.bpmn.harness import DiagramRun

LONDON = ZoneInfo("Europe/London")
WED_23_DEC = datetime(2026, 12, 23, 10, tzinfo=timezone.utc)
ST_CONFIG = {"complaints_mailbox": "TrainingComplaints@seetec.co.uk", "feedback_mailbox": "feedback@seetec.co.uk",
             "policy": "training"}
ACTIONS = [{"description": "Refresh induction notes", "owner": "amy.lead", "review_on": "2027-06-01"}]


def end_of(year: int, month: int, day: int) -> datetime:
    """23:59:59 Europe/London on that day, as the working-day calendar gives deadlines."""
    return datetime(year, month, day, 23, 59, 59, tzinfo=LONDON).astimezone(timezone.utc)


def at(year: int, month: int, day: int, hour: int = 9) -> datetime:
    return datetime(year, month, day, hour, tzinfo=timezone.utc)


def training_case(received: datetime = WED_23_DEC, **data) -> DiagramRun:
    return DiagramRun("training_complaint", received, data, division="ST", config=dict(ST_CONFIG))


def deliver(run: DiagramRun, message: str, **payload) -> None:
    """Deliver a message only if the case lists it as awaited, as the lifecycle's deliver_message insists."""
    assert message in awaited(run), f"the case is not waiting for {message!r}: {awaited(run)}"
    run.message(message, **payload)


def awaited(run: DiagramRun) -> list[str]:
    return sorted({e.name for e in run.workflow.waiting_events() if e.event_type == "MessageEventDefinition"})


def lane(run: DiagramRun, element: str) -> str:
    return run.task(element).task_spec.lane


def events(run: DiagramRun) -> list[str]:
    return [kind for kind, _ in run.effects.events]


def event(run: DiagramRun, kind: str) -> dict:
    return [data for name, data in run.effects.events if name == kind][-1]


def triage(run: DiagramRun, route: str = "informal", **data) -> None:
    run.complete("triage", route=route, triage_notes="Late feedback on assignments", colleague_name="Sam Tutor",
                 **data)


def investigate_informally(run: DiagramRun, decision: str = "respond", **data) -> None:
    fields = {"findings": "Assignments were marked late", "colleague_informed": True, "mediation_appropriate": False,
              "informal_decision": decision, "misconduct_suspected": False}
    if decision == "not_cooperating":
        fields["information_needed"] = "Dates of the missed sessions"
    run.complete("resolve_informally", **{**fields, **data})


def write_informal_response(run: DiagramRun, outcome: str = "resolved_informally", actions=()) -> None:
    run.complete("write_informal_response", outcome=outcome, response_text="We have put this right",
                 learning_considered=True, learning_actions=list(actions))


def informal_response_sent(received: datetime = WED_23_DEC) -> DiagramRun:
    run = training_case(received)
    triage(run)
    investigate_informally(run)
    write_informal_response(run, outcome="partly_upheld")
    return run


def escalate(run: DiagramRun, when: datetime | None = None, **payload) -> None:
    if when:
        run.advance_to(when)
    deliver(run, "escalation_requested", reasons="Still unhappy", **payload)
    run.complete("acknowledge_formal", support_needs_checked=True)


def review_formal_complaint(run: DiagramRun, officer: str = "ian.officer") -> None:
    run.complete("review_formal_complaint", complaint_review_notes="Serious; investigate",
                 investigating_officer=officer)


def investigate_formally(run: DiagramRun, decision: str = "respond", **data) -> None:
    fields = {"findings": "Marking backlog", "colleague_informed": True, "colleague_interviewed": True,
              "confidentiality_maintained": True, "formal_decision": decision, "misconduct_suspected": False}
    if decision == "respond":
        fields.update(outcome="upheld", response_text="We were wrong", learning_considered=True,
                      learning_actions=[])
    elif decision == "interim":
        fields.update(interim_text="Interviewing tutors", new_response_due="2027-03-05", responder_name="Ian Officer")
    else:
        fields["information_needed"] = "Your assignment dates"
    run.complete("investigate_formal", **{**fields, **data})


def formal_response_sent(run: DiagramRun | None = None) -> DiagramRun:
    run = run or informal_response_sent()
    escalate(run)
    review_formal_complaint(run)
    investigate_formally(run)
    run.complete("review_formal_response", response_approved=True)
    return run


def appeal(run: DiagramRun, when: datetime | None = None) -> None:
    if when:
        run.advance_to(when)
    deliver(run, "appeal_requested", reasons="The investigation missed my evidence")
    run.complete("acknowledge_appeal", support_needs_checked=True)


def decide_appeal(run: DiagramRun, decision: str = "respond", **data) -> None:
    fields = {"investigation_sufficient": False, "findings": "Evidence was missed", "appeal_decision": decision,
              "misconduct_suspected": False}
    if decision == "respond":
        fields.update(outcome="upheld", response_text="We uphold your appeal", learning_considered=True,
                      next_avenues_applicable=False)
    else:
        fields["information_needed"] = "Your evidence"
    run.complete("decide_appeal", **{**fields, **data})


def task_tree_depth(run: DiagramRun) -> int:
    """The deepest task in the instance, counting through subprocesses as the engine's iterator does."""
    deepest, stack = 0, [(run.workflow.task_tree, 0)]
    while stack:
        task, depth = stack.pop()
        deepest = max(deepest, depth)
        sub = run.workflow.subprocesses.get(task.id)
        stack += [(child, depth + 1) for child in task.children] + ([(sub.task_tree, depth + 1)] if sub else [])
    return deepest


def timer_kind(run: DiagramRun, element: str) -> tuple[str, str]:
    """A waiting timer's deadline kind and stage, as the case's deadline list reads them."""
    for task, _ in engine.waiting_timers(run.workflow):
        if task.task_spec.bpmn_id == element:
            props = engine.task_properties(task.task_spec)
            return props.get("deadlineKind"), props.get("stage")
    raise AssertionError(f"no waiting timer {element}")


def explanation(run: DiagramRun, element: str) -> str:
    for task, _ in engine.waiting_timers(run.workflow):
        if task.task_spec.bpmn_id == element:
            return engine.deadline_explanation(task)["text"]
    raise AssertionError(f"no waiting timer {element}")
