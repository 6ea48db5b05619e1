"""Lifecycle use cases: start a case, complete a task, deliver a message, fire due timers."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.util.task import TaskState

from . import engine
from .access import SYSTEM, Actor
from .aggregates import Case, Division, Task
from .calendar import LONDON
from .case_run import CaseRun, Runtime
from .clock import as_utc, parse_instant
from .closing_forms import effective_form, record_classification
from .errors import Conflict, Forbidden, InvalidInput, NotFound
from .form_dates import DateContext
from .input_bounds import received_problems
from .late_requests import (
    OUT_OF_TIME,
    LateRequest,
    RequestOutOfTime,
    deliveries_of,
    late_request,
    out_of_time_letter,
    windows_for,
)
from .ports import UnitOfWork
from .staffing import assignment_refusal, named_people, self_claim_refusal, staffed_form, validate_task_data
from .vocabulary import MANAGER_ROLES, CaseKind, Channel, Role, TaskRowState

T = TypeVar("T")
KINDS = tuple(CaseKind)
CHANNELS = tuple(Channel)
MESSAGE_WORDS = {"escalation_requested": "a request to escalate", "appeal_requested": "a request to appeal",
                 "withdrawn": "a withdrawal", "consent_received": "written consent"}
# a request that answers a response can only have come once the response was sent, when its window opened
WINDOW_OF = {"escalation_requested": ("escalation_window", "stage 1 response"),
             "appeal_requested": ("appeal_window", "response being appealed")}


def start_case(uow: UnitOfWork, runtime: Runtime, *, division: str, kind: str, received_at: datetime | None = None,
               channel: str = "web", complainant: dict[str, Any] | None = None, summary: str = "",
               data: dict[str, Any] | None = None, actor: Actor = SYSTEM,
               describe: Callable[[UnitOfWork, CaseRun], T] | None = None) -> str | T:
    """Open a case on the published version of its division's process and run it to its first wait.

    Returns the reference, or, given `describe`, what it reads of the new case in the same transaction."""
    with uow:
        found = uow.divisions.by_code(division)
        if found is None or not actor.can_see(division):
            raise NotFound(f"no division {division!r}")
        if kind not in KINDS:
            raise InvalidInput("unknown kind of case", {"kind": [f"must be one of {', '.join(KINDS)}"]})
        if channel not in CHANNELS:
            raise InvalidInput("unknown channel", {"channel": [f"must be one of {', '.join(CHANNELS)}"]})
        now = runtime.clock.now()
        problems = received_problems(received_at or now, now)  # before converting: year 1 cannot move a zone west
        if problems:
            raise InvalidInput("the received date is outside what can be recorded", {"received_at": problems})
        received = as_utc(received_at) if received_at else now
        process_key = found.config.get("processes", {}).get(kind)
        version = uow.versions.published(process_key) if process_key else None
        if version is None:
            raise NotFound(f"{found.name} has no published process for a {kind}")
        reference = uow.cases.next_reference(found, received.year)
        case = uow.cases.add(reference=reference, division_id=found.id, kind=kind, channel=channel,
                             received_at=received, version_id=version.id, complainant=complainant or {},
                             summary=summary, created_at=now)
        run = CaseRun(runtime, uow, case, actor)
        run.start({**(data or {}), "reference": reference, "division": division, "kind": kind, "channel": channel,
                   "received_at": received.isoformat(), "summary": summary,
                   "complainant": complainant or {}, "support_needs": (complainant or {}).get("support_needs", {})})
        run.run()
        run.save()
        started = describe(uow, run) if describe else reference
        uow.commit()
        return started


@dataclass(frozen=True)
class Completion:
    """Where a case stands once a task is completed, read in the completing transaction."""

    reference: str
    status: str
    stage: str
    outcome: str | None
    open_tasks: list[dict[str, Any]]


def open_task_line(row: Task) -> dict[str, Any]:
    """How the API lists a case's open task."""
    return {"id": row.id, "title": row.title, "role": row.role, "due_at": row.due_at}


def complete_task(uow: UnitOfWork, runtime: Runtime, task_id: int, data: dict[str, Any], actor: Actor) -> Completion:
    """Complete an open task with form data validated against its JSON Schema; exactly one completion wins."""
    with uow:
        row, case, _ = _open_task(uow, task_id, actor)
        run = CaseRun(runtime, uow, case, actor)
        task = engine.find_task(run.workflow, row.spiff_task_id)
        if task is None or not task.has_state(TaskState.READY):
            raise Conflict("this task has already been completed or withdrawn", case_reference=case.reference)
        schema = staffed_form(uow, case, run.division, effective_form(uow, run.definition, task.task_spec))
        validate_task_data(uow, case, run.division, schema, data, date_context(run))
        task.data.update(data)
        task.run()
        row.state, row.completed_at = TaskRowState.COMPLETED, run.now
        row.completed_by_id, row.draft = actor.user_id, None
        run.note("task_completed", row.spec_name, title=row.title, task_id=row.id, data=data)
        record_classification(run, task.task_spec, row.spec_name, data)
        _involve(run, actor, row.title, schema, data)
        run.run()
        run.save()
        uow.commit()
        return Completion(case.reference, case.status, case.stage, case.outcome,
                          [open_task_line(t) for t in sorted(run.open_tasks, key=lambda t: t.id)])


def date_context(run: CaseRun) -> DateContext:
    """Today, the day the case was received and the division's calendar: what a form's dates are judged by."""
    return DateContext(run.now.astimezone(LONDON).date(), as_utc(run.case.received_at).astimezone(LONDON).date(),
                       run.calendar)


def save_task_draft(uow: UnitOfWork, task_id: int, data: dict[str, Any], actor: Actor) -> None:
    """Keep what someone typed into a task form without completing it."""
    with uow:
        row, _, _ = _open_task(uow, task_id, actor)
        row.draft = data
        uow.commit()


def deliver_message(uow: UnitOfWork, runtime: Runtime, reference: str, message: str,
                    payload: dict[str, Any] | None = None,
                    actor: Actor = SYSTEM) -> None:
    """Deliver a named message (e.g. escalation_requested, withdrawn) to a case that waits for it."""
    with uow:
        case = _visible_case(uow, reference, actor)
        run = CaseRun(runtime, uow, case, actor)
        waiting = {e.name for e in run.workflow.waiting_events() if e.event_type == "MessageEventDefinition"}
        if message in waiting:
            _check_message_received(payload or {}, runtime.clock.now(), case, _window_opened(uow, case, message))
        late = _late(uow, case, message, payload or {}, runtime.clock.now())
        if late is not None:  # judged by its received day, whether or not a sweep has closed the window yet
            recorded = [e.data for e in uow.events.for_case(case.id) if e.kind == OUT_OF_TIME]
            if not any(d.get("message") == message and d.get("received_on") == late.received_on.isoformat()
                       for d in recorded):  # the same late request sent twice is one record and one letter
                _record_out_of_time(run, late, payload or {})
                uow.commit()
            raise RequestOutOfTime(late, case_reference=reference)
        if message not in waiting:
            raise Conflict(f"the case is not waiting for {message_words(message)} now", case_reference=reference)
        event = BpmnEvent(MessageEventDefinition(message), payload=dict(payload or {}))
        run.workflow.catch(event)
        run.note("message_delivered", None, message=message, payload=payload or {})
        run.run(timers_first=False)
        run.save()
        uow.commit()


def fire_due_timers(uow: UnitOfWork, runtime: Runtime, instance_id: int, lease_owner: str | None = None) -> bool:
    """Fire the timers that have fallen due on one instance; False if another worker got there first."""
    with uow:
        instance = uow.instances.get(instance_id)
        if instance is None or (lease_owner and instance.lease_owner != lease_owner):
            return False
        case = uow.cases.get(instance.case_id)
        if case is None:
            return False
        run = CaseRun(runtime, uow, case, SYSTEM)
        run.run()
        run.save()
        instance.lease_owner, instance.lease_until = None, None
        uow.commit()
        return True


def retry_incident(uow: UnitOfWork, runtime: Runtime, reference: str, actor: Actor) -> bool:
    """Retry the failed steps of a case after the cause has been put right."""
    with uow:
        case = _visible_case(uow, reference, actor)
        run = CaseRun(runtime, uow, case, actor)
        ok = run.retry()
        run.save()
        uow.commit()
        return ok


def claim_task(uow: UnitOfWork, task_id: int, actor: Actor, assignee: str | None = None) -> None:
    """Take a task (or give it to `assignee`, which needs a line manager or the complaints team); only someone
    eligible for the task's role in its division can be given it."""
    with uow:
        row, case, division = _open_task(uow, task_id, actor, for_claim=True)
        user_id = actor.user_id
        if assignee is not None:
            if not any(actor.has_role(division.code, role) for role in MANAGER_ROLES):
                raise Forbidden("only a line manager or the complaints team can reassign tasks")
            problem = assignment_refusal(uow, case, division, row, assignee) if assignee else None
            if problem:
                raise InvalidInput("that person cannot be given this task", {"assignee": [problem]},
                                   case_reference=case.reference)
            user_id = uow.users.id_of(assignee) if assignee else None
        elif row.assignee_id not in (None, actor.user_id):
            raise Conflict("someone else has already claimed this task", case_reference=case.reference)
        else:
            problem = self_claim_refusal(uow, case, row, actor.user_id)
            if problem:
                raise Forbidden(problem, case_reference=case.reference)
        held_by = (row.assignee_id,) if assignee is not None else (None, actor.user_id)
        if not uow.tasks.assign(row, user_id, held_by):
            raise Conflict("someone else claimed or completed this task at the same time; reload and try again",
                           case_reference=case.reference)
        uow.events.append(case.id, "task_assigned", actor.username, uow.clock_now(), element=row.spec_name,
                          version_id=case.version_id, data={"task_id": row.id, "assignee": assignee or actor.username})
        uow.commit()


def release_task(uow: UnitOfWork, task_id: int, actor: Actor) -> None:
    """Give up a claimed task so others in the role can take it."""
    with uow:
        row, case, _ = _open_task(uow, task_id, actor)
        row.assignee_id = None
        uow.events.append(case.id, "task_released", actor.username, uow.clock_now(), element=row.spec_name,
                          version_id=case.version_id, data={"task_id": row.id})
        uow.commit()


def message_words(message: str) -> str:
    """What a message is, in words: 'a request to appeal', never 'appeal_requested'."""
    return MESSAGE_WORDS.get(message) or f"‘{str(message).replace('_', ' ')[:80]}’"


def _window_opened(uow: UnitOfWork, case: Case, message: str) -> tuple[datetime, str] | None:
    """When the response a request answers was sent (its window started), with what to call it; None if none."""
    kind, what = WINDOW_OF.get(message, (None, ""))
    opened = [row.started_at for row in uow.deadlines.running_for_case(case.id) if row.kind == kind]
    return (max(opened), what) if opened else None


def _late(uow: UnitOfWork, case: Case, message: str, payload: dict[str, Any], now: datetime) -> LateRequest | None:
    """The request, if it was received after the last day of the window it answers."""
    try:
        received = parse_instant(payload["received_at"]) if "received_at" in payload else now
    except (TypeError, ValueError):
        return None  # a received date that cannot be read is refused by the checks, not judged late
    if received_problems(received, now, case.received_at):
        return None
    return late_request(windows_for(uow, case), message, received,
                        deliveries_of(list(uow.events.for_case(case.id)), message))


def _record_out_of_time(run: CaseRun, late: LateRequest, payload: dict[str, Any]) -> None:
    """Note the late request, write to the complainant, and let the case carry on as its window closing says."""
    run.note(OUT_OF_TIME, None, message=late.message, received_on=late.received_on.isoformat(),
             last_day=late.last_day.isoformat(), reasons=str(payload.get("reasons") or "")[:2000],
             channel=payload.get("channel"), recorded_by=payload.get("recorded_by"))
    run.effects.letters.append(out_of_time_letter(run.case, late, dict(run.workflow.data)))
    run.run()  # the window's timer is due: it fires now, as the sweep would have
    run.save()


def _check_message_received(payload: dict[str, Any], now: datetime, case: Case,
                            window: tuple[datetime, str] | None = None) -> None:
    """A message that says when it arrived may not have arrived before its case, nor outside the window, nor
    (a request answering a response) before that response was sent."""
    if "received_at" not in payload:
        return
    try:
        received = parse_instant(payload["received_at"])
    except (TypeError, ValueError):
        received = None
    problems = received_problems(received, now, case.received_at)
    if not problems and window is not None and received is not None:
        opened, what = as_utc(window[0]).astimezone(LONDON).date(), window[1]
        if as_utc(received).astimezone(LONDON).date() < opened:
            problems = [f"The date received must not be before the {what} was sent ({opened:%a %d %b %Y})"]
    if problems:
        raise InvalidInput("the message's received date cannot be recorded", {"received_at": problems},
                           case_reference=case.reference)


def _visible_case(uow: UnitOfWork, reference: str, actor: Actor) -> Case:
    case = uow.cases.by_reference(reference)
    division = uow.divisions.get(case.division_id) if case is not None else None
    if case is None or division is None or not actor.can_see(division.code):
        raise NotFound(f"no case {reference}")
    return case


def _open_task(uow: UnitOfWork, task_id: int, actor: Actor, for_claim: bool = False) -> tuple[Task, Case, Division]:
    row, case = uow.tasks.get_with_case(task_id)
    division = uow.divisions.get(case.division_id) if case else None
    if row is None or case is None or division is None or not actor.can_see(division.code):
        raise NotFound(f"no task {task_id}")
    allowed = (row.assignee_id == actor.user_id or actor.has_role(division.code, row.role)
               or (for_claim and actor.has_role(division.code, Role.LINE_MANAGER)))
    if not allowed:
        raise Forbidden("this task is for another role", case_reference=case.reference)
    if row.state != TaskRowState.OPEN:
        raise Conflict("this task has already been completed or withdrawn", case_reference=case.reference)
    if not for_claim and row.assignee_id not in (None, actor.user_id) and not actor.is_system:
        raise Conflict("this task is claimed by someone else", case_reference=case.reference)
    return row, case, division


def _involve(run: CaseRun, actor: Actor, capacity: str, schema: dict[str, Any] | None, data: dict[str, Any]) -> None:
    if actor.user_id is not None:
        run.effects.involvements.append((actor.username, capacity))
    run.effects.involvements.extend(named_people(schema, data))
