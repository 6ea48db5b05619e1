"""The case page's read model: summary, deadlines with reasons, timeline, people, letters and the diagram state."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace

from SpiffWorkflow.util.task import TaskState

from . import engine
from .access import Actor
from .attachments import document_label
from .case_answers import told_us, triage_answers
from .case_diagram import diagram_state, process_xml, where_sentence
from .case_run import CaseRun, Runtime
from .classification import CLASSIFIED
from .errors import NotFound
from .mail_in import emails_on_case
from .read_models import plain, plain_all
from .vocabulary import DeadlineStatus

EVENT_LABELS = {
    "case_started": "Case opened", "task_completed": "Task completed", "task_assigned": "Task assigned",
    "task_released": "Task released", "message_delivered": "Message recorded", "message_received": "Message received",
    "timer_fired": "Deadline reached", "service_completed": "Step done", "case_updated": "Case updated",
    "case_closed": "Case closed", "incident_raised": "Problem raised", "incident_retried": "Problem retried",
    CLASSIFIED: "Classified", "note_added": "Note added", "document_attached": "Document attached",
    "file_attached": "File attached to a task", "evidence_pack_made": "Evidence pack made",
    "request_out_of_time": "Request out of time",
}
COMPLAINANT_MESSAGES = ("escalation_requested", "appeal_requested", "withdrawn")
STAFF_MESSAGES = ("escalation_requested", "appeal_requested", "withdrawn", "consent_received")
WAITING_WORDS = {"escalation_requested": "a request to escalate", "appeal_requested": "a request to appeal",
                 "withdrawn": "a withdrawal", "consent_received": "written permission or consent",
                 "partner_update": "the Delivery Partner's copy of a stage"}


@dataclass
class DeadlineLine:
    """A deadline and why it falls where it does."""

    name: str
    kind: str
    stage: str
    due_at: datetime
    status: str
    why: str
    counted_from: str | None = None
    working_days: int | None = None
    skipped: list = field(default_factory=list)
    overdue: bool = False


@dataclass
class CaseView:
    """Everything the case page shows, already limited to what the actor may see."""

    case: object
    division: object
    version: object
    deadlines: list
    timeline: list
    correspondence: list
    learning: list
    involved: list
    tasks: list
    files: list
    waiting_messages: list
    diagram_xml: str
    markers: dict
    classification: dict = field(default_factory=dict)  # the latest; the case page starts a correction from it
    notes: list = field(default_factory=list)
    triage: list = field(default_factory=list)  # (question, answer) pairs from the completed triage form
    told_us: list = field(default_factory=list)  # (label, answer) pairs of what the person said on the form
    diagram: dict = field(default_factory=dict)  # every process of the version, markers per process, where it is

    @property
    def waiting_for(self) -> list[str]:
        """What the case waits to receive, in words."""
        return [WAITING_WORDS.get(m, m.replace("_", " ")) for m in self.waiting_messages]

    @property
    def where(self) -> str:
        """Where the case is, as a sentence (the diagram's accessible name)."""
        return where_sentence(self.diagram, self.case.status == "closed")

    @property
    def current_deadlines(self) -> list:
        """Deadlines still running; a closed case has none, whatever a timer left behind."""
        return [d for d in self.deadlines if d.status == "running" and self.case.status != "closed"]

    @property
    def past_deadlines(self) -> list:
        """Deadlines that have been met, extended, breached or fired, newest first."""
        current = {id(d) for d in self.current_deadlines}
        return sorted((d for d in self.deadlines if id(d) not in current), key=lambda d: d.due_at, reverse=True)


def visible_case(uow, reference: str, actor: Actor):
    """The case with this reference if the actor's divisions include it; otherwise NotFound."""
    case = uow.cases.by_reference(reference)
    division = uow.divisions.get(case.division_id) if case is not None else None
    if case is None or not actor.can_see(division.code):
        raise NotFound(f"no case {reference}")
    return case, division


def case_view(uow, runtime: Runtime, reference: str, actor: Actor) -> CaseView:
    """Load the case page for an actor who may see the case's division."""
    with uow:
        case, division = visible_case(uow, reference, actor)
        run = CaseRun(runtime, uow, case, actor)
        now = runtime.clock.now()
        users = {u.id: u for u in uow.users.all()}
        names = {u.username: u.display_name for u in users.values()}
        deadlines = [_deadline_line(row, now) for row in uow.deadlines.for_case(case.id)]
        involved = [{"name": users[i.user_id].display_name if i.user_id in users else "?",
                     "username": users[i.user_id].username if i.user_id in users else "?",
                     "capacity": i.capacity, "at": i.at} for i in uow.involvements.for_case(case.id)]
        tasks = [{"id": t.id, "title": t.title, "spec_name": t.spec_name, "stage": t.stage, "role": t.role,
                  "state": t.state, "due_at": t.due_at,
                  "assignee": users[t.assignee_id].display_name if t.assignee_id in users else None,
                  "completed_by": users[t.completed_by_id].display_name if t.completed_by_id in users else None,
                  "completed_at": t.completed_at} for t in uow.tasks.for_case(case.id)]
        version = uow.versions.get(case.version_id)
        events = uow.events.for_case(case.id)
        classified = [dict(e.data or {}) for e in events if e.kind == CLASSIFIED]
        workflow = run.workflow if run.has_workflow else None
        files = [SimpleNamespace(**vars(plain(f)), label=document_label(f.field),
                                 uploader=names.get(f.uploaded_by, f.uploaded_by))
                 for f in uow.cases.files_for_case(case.id)]
        return CaseView(case=plain(case), division=plain(division), version=plain(version), deadlines=deadlines,
                        timeline=[_timeline_line(e) for e in events],
                        classification=classified[-1] if classified else {},
                        correspondence=sorted(plain_all(uow.outbox.for_case(case.id)) + emails_on_case(uow, case.id),
                                              key=lambda line: line.created_at),
                        learning=plain_all(uow.learning.for_case(case.id)), involved=involved, tasks=tasks,
                        files=files, waiting_messages=waiting_messages(run),
                        diagram_xml=entry_diagram(version), markers=markers(workflow),
                        notes=plain_all(uow.cases.notes_for_case(case.id)),
                        triage=triage_answers(run, tasks), told_us=told_us(run, case.kind),
                        diagram=diagram_state(version, workflow))


def waiting_messages(run: CaseRun) -> list[str]:
    """Names of the messages the case's workflow waits for now."""
    if not run.has_workflow:
        return []
    return sorted({e.name for e in run.workflow.waiting_events() if e.event_type == "MessageEventDefinition"})


def markers(workflow) -> dict[str, list[str]]:
    """Element ids that are completed, current (ready or failed) and waiting (timers, messages)."""
    done, current, waiting = set(), set(), set()
    if workflow is None:
        return {"completed": [], "current": [], "waiting": []}
    for task in engine.all_tasks(workflow):
        element = task.task_spec.bpmn_id
        if not element:
            continue
        if task.has_state(TaskState.COMPLETED):
            done.add(element)
        elif task.has_state(TaskState.READY | TaskState.STARTED | TaskState.ERROR):
            current.add(element)
        elif task.has_state(TaskState.WAITING):
            waiting.add(element)
    return {"completed": sorted(done), "current": sorted(current), "waiting": sorted(waiting - current)}


def entry_diagram(version) -> str:
    """The BPMN XML of the version's entry process (the diagram a case is drawn on)."""
    files = version.files or {}
    entry = ""
    try:
        entry = json.loads(files.get("bundle.json", "{}")).get("entry_process", "")
    except ValueError:
        pass
    diagrams = {name: text for name, text in sorted(files.items()) if name.endswith(".bpmn")}
    for text in diagrams.values():
        if entry and f'id="{entry}"' in text:
            return text
    return next(iter(diagrams.values()), "")


def _deadline_line(row, now: datetime) -> DeadlineLine:
    explanation = row.explanation or {}
    why = explanation.get("text") or "a fixed time on the diagram"
    return DeadlineLine(row.name, row.kind, row.stage, row.due_at, row.status, why,
                        explanation.get("counted_from"), explanation.get("working_days"),
                        [tuple(s) for s in explanation.get("skipped", [])],
                        overdue=row.status == DeadlineStatus.RUNNING and row.due_at < now)


def _timeline_line(event) -> dict:
    data = dict(event.data or {})
    detail = data.get("title") or data.get("name") or data.get("message") or data.get("outcome") or ""
    if event.kind == "case_started":
        detail = f"{data.get('process', '')} version {data.get('version', '')}"
    if event.kind in ("task_assigned",):
        detail = f"to {data.get('assignee', '')}"
    return {"at": event.at, "kind": event.kind, "label": EVENT_LABELS.get(event.kind, event.kind.replace("_", " ")),
            "detail": str(detail).replace("_", " "), "actor": event.actor, "element": event.element, "data": data}


def case_diagram_xml(uow, reference: str, process_id: str, actor: Actor) -> str:
    """The XML of one process of the case's version, for the diagram's drill-down; NotFound outside its divisions."""
    with uow:
        case, _division = visible_case(uow, reference, actor)
        xml = process_xml(uow.versions.get(case.version_id), process_id)
    if xml is None:
        raise NotFound(f"no process {process_id} in this case's version")
    return xml
