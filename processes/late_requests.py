"""Late requests: an escalation, appeal or written permission judged by the day it was received against the window
it answers, whatever the timer sweep has or has not done yet (policy 3.1.5, 3.1.6, 2.3.3; Training appeal stage)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from .aggregates import Case, Deadline, Event
from .calendar import LONDON
from .clock import as_utc
from .errors import Conflict
from .operators import LetterDraft
from .ports import UnitOfWork
from .vocabulary import DeadlineKind, DeadlineStatus

# the window each request answers: a request received after its last day is out of time
WINDOW_OF_REQUEST = {"escalation_requested": DeadlineKind.ESCALATION_WINDOW,
                     "appeal_requested": DeadlineKind.APPEAL_WINDOW,
                     "consent_received": DeadlineKind.CONSENT}
REQUEST_WORDS = {"escalation_requested": "request to escalate", "appeal_requested": "request to appeal",
                 "consent_received": "written permission"}
OUT_OF_TIME = "request_out_of_time"
LETTER = "request_out_of_time"
# a window still open, or one that ran out (a sweep fired it); a met window was answered in time
CLOSABLE = {DeadlineStatus.RUNNING, DeadlineStatus.FIRED, DeadlineStatus.BREACHED}


@dataclass(frozen=True)
class LateRequest:
    """A request that arrived after the last day of the window it answers."""

    message: str
    received_on: date
    last_day: date
    stage: str

    @property
    def words(self) -> str:
        """What was late, in words: 'request to appeal'."""
        return REQUEST_WORDS.get(self.message, self.message.replace("_", " "))

    def sentence(self) -> str:
        """Why it is out of time, as the complainant and staff read it."""
        return (f"The {self.words} was received on {self.received_on:%A %-d %B %Y}, after the last day to make it "
                f"({self.last_day:%A %-d %B %Y}). It is recorded as out of time and we have written to explain")


class RequestOutOfTime(Conflict):
    """A late request: recorded as out of time and answered in writing; the case carried on without it."""

    code = "out_of_time"

    def __init__(self, late: LateRequest, *, case_reference: str | None = None):
        super().__init__(late.sentence(), case_reference=case_reference)
        self.late = late


def london_day(instant: datetime) -> date:
    """The day an instant falls on in London, the day the policy counts."""
    return as_utc(instant).astimezone(LONDON).date()


def latest_window(deadlines: list[Deadline], message: str) -> Deadline | None:
    """The most recent window the request answers, if the case ever opened one."""
    kind = WINDOW_OF_REQUEST.get(message)
    rows = [row for row in deadlines if kind is not None and row.kind == kind]
    return max(rows, key=lambda row: (row.started_at, row.id or 0)) if rows else None


def late_request(deadlines: list[Deadline], message: str, received: datetime,
                 answered_at: list[datetime] | None = None) -> LateRequest | None:
    """The request is late when it was received after the last day of its window, open or closed, and the window
    was not answered (`answered_at`: when this request was delivered before; a window closed by its timer may read
    as met, so only a delivery tells an answered window from an expired one)."""
    window = latest_window(deadlines, message)
    if window is None or window.status not in CLOSABLE | {DeadlineStatus.MET}:
        return None
    if any(as_utc(at) >= as_utc(window.started_at) for at in answered_at or []):
        return None
    received_on, last_day = london_day(received), london_day(window.due_at)
    if received_on <= last_day:  # the last day itself is in time
        return None
    return LateRequest(message, received_on, last_day, window.stage)


def out_of_time_letter(case: Case, late: LateRequest, data: dict[str, Any]) -> LetterDraft:
    """The letter that tells the complainant their request was out of time, and what happens now."""
    context = {"data": data, "request": late.message, "request_words": late.words,
               "received_on": late.received_on.isoformat(), "last_day": late.last_day.isoformat(),
               "window_stage": late.stage}
    key = f"{case.reference}:{OUT_OF_TIME}:{late.message}:{late.received_on.isoformat()}:complainant"
    return LetterDraft("complainant", LETTER, context, key)


def windows_for(uow: UnitOfWork, case: Case) -> list[Deadline]:
    """Every deadline the case has had, for judging a request against its window."""
    return list(uow.deadlines.for_case(case.id))


def deliveries_of(events: list[Event], message: str) -> list[datetime]:
    """When this request was delivered to the case before (an answered window is not judged late)."""
    return [e.at for e in events if e.kind == "message_delivered" and (e.data or {}).get("message") == message]
