"""What the complainant's private link shows: where the case stands, each stage's reply as sent, the outcome, the
last day to ask for the next stage, and only the requests that apply to this kind of case at this point."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from .access import Actor
from .accounts import token_hash
from .bundle import parse_xml_safely
from .calendar import LONDON
from .case_run import CaseRun, Runtime
from .case_view import COMPLAINANT_MESSAGES, waiting_messages
from .classification import CLASSIFIED
from .clock import as_utc
from .errors import NotFound
from .late_requests import OUT_OF_TIME, deliveries_of, late_request
from .vocabulary import CaseStatus, DeadlineKind, DeadlineStatus

SPIFF = "{http://spiffworkflow.org/bpmn/schema/1.0/core}"
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
DAYS = re.compile(r"working_days_after\(\s*(?:complaint|stage1)_received_at\s*,\s*(\d+)\s*\)")
REPLY_TEMPLATES = ("stage_response",)
OUTCOME_OF = {"upheld": "upheld", "partly upheld": "partly_upheld", "not upheld": "not_upheld",
              "resolved informally": "resolved_informally"}
DECISION = re.compile(r"Our decision: your complaint is (upheld|partly upheld|not upheld|resolved informally)\.")
# which request answers which window, and how the page words it
WINDOW_REQUEST = {DeadlineKind.ESCALATION_WINDOW: "escalation_requested",
                  DeadlineKind.APPEAL_WINDOW: "appeal_requested"}


@dataclass(frozen=True)
class Letter:
    """A letter we wrote to the complainant, as it was sent."""

    subject: str
    sent_on: date
    text: str
    template: str
    outcome: str | None = None


@dataclass
class PublicStatus:
    """What the complainant's private link shows."""

    reference: str
    kind: str
    division: str
    policy: str
    status: str
    stage: str
    outcome: str | None
    received_at: datetime
    acknowledge_by: datetime | None
    reply_by: datetime | None
    window: tuple[str, date] | None  # the request it is open for, and its last day
    can_send: list[str]
    expires_at: datetime | None
    replies: list[Letter] = field(default_factory=list)
    letters: list[Letter] = field(default_factory=list)
    out_of_time: list[dict[str, Any]] = field(default_factory=list)
    too_late: dict[str, date] = field(default_factory=dict)  # requests whose window's last day has passed

    @property
    def may_post(self) -> list[str]:
        """Requests the page takes: those offered, and late ones, which are recorded as out of time."""
        return self.can_send + [m for m in self.too_late if m not in self.can_send]

    @property
    def closed(self) -> bool:
        return self.status == CaseStatus.CLOSED

    @property
    def can_ask_again(self) -> bool:
        """True when an escalation or an appeal may be asked for now."""
        return any(m in self.can_send for m in ("escalation_requested", "appeal_requested"))


def case_for_token(uow: Any, token: str, now: datetime) -> Any:
    """The case a private link opens, if the link is real and has not expired."""
    case = uow.cases.by_access_token_hash(token_hash(token)) if token and len(token) < 200 else None
    if case is None or case.access_expires_at is None or case.access_expires_at < now:
        raise NotFound("this link is not valid or has expired")
    return case


def _day(instant: datetime) -> date:
    return as_utc(instant).astimezone(LONDON).date()


def _letters(uow: Any, case: Any, outcomes: list[tuple[datetime, str]]) -> list[Letter]:
    rows = [row for row in uow.outbox.for_case(case.id) if row.addressee == "complainant" and row.body_text]
    letters = []
    for row in sorted(rows, key=lambda r: (r.created_at, r.id)):
        outcome = None
        if row.template in REPLY_TEMPLATES:  # the decision the letter gave, else the last one classified before it
            said = DECISION.search(row.body_text)
            before = [o for at, o in outcomes if as_utc(at) <= as_utc(row.created_at)]
            outcome = OUTCOME_OF.get(said.group(1)) if said else (before[-1] if before else None)
        letters.append(Letter(row.subject, _day(row.sent_at or row.created_at), row.body_text, row.template,
                              outcome))
    return letters


def public_status(uow: Any, runtime: Runtime, token: str) -> PublicStatus:
    """The status a complainant sees through their private link."""
    with uow:
        now = runtime.clock.now()
        case = case_for_token(uow, token, now)
        division = uow.divisions.get(case.division_id)
        run = CaseRun(runtime, uow, case, Actor("complainant"))
        running = [d for d in uow.deadlines.running_for_case(case.id)] if case.status != CaseStatus.CLOSED else []
        events = uow.events.for_case(case.id)
        outcomes = [(e.at, str((e.data or {}).get("outcome"))) for e in events
                    if e.kind == CLASSIFIED and (e.data or {}).get("outcome")]
        letters = _letters(uow, case, outcomes)
        window = _open_window(running, _day(now))
        every = list(uow.deadlines.for_case(case.id))
        too_late = {m: late.last_day for m in WINDOW_REQUEST.values()
                    for late in [late_request(every, m, now, deliveries_of(events, m))] if late is not None}
        if case.kind == "compliment":
            too_late = {}
        waiting = set(waiting_messages(run)) & set(COMPLAINANT_MESSAGES)
        return PublicStatus(
            case.reference, case.kind, division.name, str((division.config or {}).get("policy") or "group"),
            case.status, case.stage, case.outcome, case.received_at,
            acknowledge_by=_due(running, DeadlineKind.ACKNOWLEDGEMENT), reply_by=_due(running, DeadlineKind.RESPONSE),
            window=window, can_send=_actions(case, waiting, window), expires_at=case.access_expires_at,
            replies=[letter for letter in letters if letter.template in REPLY_TEMPLATES], letters=letters,
            out_of_time=[dict(e.data or {}) for e in events if e.kind == OUT_OF_TIME], too_late=too_late)


def _due(running: list[Any], kind: str) -> datetime | None:
    return min((d.due_at for d in running if d.kind == kind), default=None)


def _open_window(running: list[Any], today: date) -> tuple[str, date] | None:
    """The window open today; one whose last day has passed is closed, whether or not a sweep has run."""
    windows = [d for d in running if d.kind in WINDOW_REQUEST and d.status == DeadlineStatus.RUNNING
               and _day(d.due_at) >= today]
    if not windows:
        return None
    latest = max(windows, key=lambda d: d.started_at)
    return WINDOW_REQUEST[latest.kind], _day(latest.due_at)


def _actions(case: Any, waiting: set[str], window: tuple[str, date] | None) -> list[str]:
    """Only what applies: nothing for a compliment or a closed case; escalation or appeal only while its window is
    open after a reply; withdrawal while the complaint is open."""
    if case.kind == "compliment" or case.status == CaseStatus.CLOSED:
        return []
    actions = [window[0]] if window is not None and window[0] in waiting else []
    if "withdrawn" in waiting:
        actions.append("withdrawn")
    return actions


def promised_days(uow: Any, division_code: str, kind: str = "complaint") -> dict[str, int]:
    """The working days the division's published process gives to acknowledge and to reply to a new complaint,
    read from its own timers (e.g. `working_days_after(complaint_received_at, 3)`)."""
    with uow:
        division = uow.divisions.by_code(division_code)
        key = ((division.config or {}).get("processes") or {}).get(kind) if division is not None else None
        version = uow.versions.published(key) if key else None
        files = dict(version.files or {}) if version is not None else {}
    found: dict[str, int] = {}
    for name, content in sorted(files.items()):
        if not name.endswith(".bpmn"):
            continue
        root = parse_xml_safely(name, content.encode("utf-8") if isinstance(content, str) else content)
        for event in root.iter(f"{BPMN}boundaryEvent", f"{BPMN}intermediateCatchEvent"):
            kinds = [p.get("value") for p in event.iter(f"{SPIFF}property") if p.get("name") == "deadlineKind"]
            expressions = [t.text or "" for t in event.iter(f"{BPMN}timeDate", f"{BPMN}timeDuration")]
            matched = [int(m.group(1)) for text in expressions for m in [DAYS.search(text)] if m]
            if kinds and matched and kinds[0] in ("acknowledgement", "response"):
                found.setdefault(str(kinds[0]), matched[0])
    return found
