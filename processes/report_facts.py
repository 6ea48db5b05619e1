"""What reports read: plain facts about cases, deadlines and learning actions, and the port that supplies them."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

from .vocabulary import LearningStatus

OUTCOME_LABELS = {
    "upheld": "Upheld", "partly_upheld": "Partly upheld", "not_upheld": "Not upheld",
    "resolved_informally": "Resolved informally", "withdrawn": "Withdrawn", "ineligible": "Ineligible",
    "transferred": "Transferred", "recorded": "Recorded (compliment)", "expired": "Expired",
}
STAGE_LABELS = {0: "Before stage 1", 1: "Informal stage 1", 2: "Formal stage 2", 3: "Appeal stage 3"}
SLA_KINDS = ("acknowledgement", "response")


SURVEY_FEEDBACK = "feedback"  # survey feedback not (or not yet) logged as a complaint
SURVEY_LOGGED = "survey_logged_as_complaint"  # the timeline event once the participant agreed to a complaint
KIND_LABELS = {"complaint": "Complaint", "compliment": "Compliment", "concern": "Concern",
               SURVEY_FEEDBACK: "Survey feedback (not a complaint)"}


def reported_kind(kind: str, channel: str, logged_as_complaint: bool) -> str:
    """What a case counts as in reports: Seetec Training survey feedback is a complaint only once the participant
    or employer agreed and it was logged as one; otherwise it 'will not be logged as a complaint' (policy,
    Feedback Surveys)."""
    if channel == "survey" and kind == "complaint" and not logged_as_complaint:
        return SURVEY_FEEDBACK
    return kind


def stage_number(stage: str | None) -> int:
    """Read a stage name as the policy's stage number: informal 1, formal 2, appeal 3, anything else 0."""
    text = (stage or "").lower().replace("-", "_").replace(" ", "_")
    if "appeal" in text or text.endswith("3"):
        return 3
    if ("formal" in text and "informal" not in text) or text.endswith("2") or "escalat" in text:
        return 2
    if "informal" in text or text.endswith("1"):
        return 1
    return 0


def stage_label(stage: str | None) -> str:
    return STAGE_LABELS[stage_number(stage)]


@dataclass(frozen=True)
class CaseFact:
    """One case as reports see it: no personal data, only what statistics need."""

    id: int
    reference: str
    division: str
    kind: str
    channel: str
    received_at: datetime
    status: str
    outcome: str | None
    closed_at: datetime | None
    furthest_stage: int = 0
    themes: tuple[str, ...] = ()
    team: str | None = None
    # each stage's own decision: (stage number, outcome, when decided), from the case's per-stage record
    stage_outcomes: tuple[tuple[int, str, datetime | None], ...] = ()


@dataclass(frozen=True)
class DeadlineFact:
    """One SLA clock: when it started, when it was due, how it ended, and when the response went."""

    case_id: int
    division: str
    kind: str
    stage: str
    started_at: datetime
    due_at: datetime
    status: str
    resolved_at: datetime | None
    responded_at: datetime | None = None


@dataclass(frozen=True)
class LearningFact:
    """One action-plan item from a case."""

    id: int
    case_reference: str
    division: str
    stage: str
    element: str
    description: str
    owner: str
    review_on: date | None
    status: str
    best_practice: bool
    created_at: datetime
    owner_name: str = ""  # the owner's display name, when the owner is a member of staff
    step_title: str = ""  # the title of the task the action was raised in, e.g. 'Write the informal response'

    def is_overdue(self, today: date) -> bool:
        return self.status == LearningStatus.OPEN and self.review_on is not None and self.review_on < today


@dataclass
class Facts:
    """Everything one report needs, fetched once for its whole trend window."""

    cases: list[CaseFact] = field(default_factory=list)
    deadlines: list[DeadlineFact] = field(default_factory=list)
    learning: list[LearningFact] = field(default_factory=list)
    category_labels: dict[str, str] = field(default_factory=dict)


class ReportSource(Protocol):
    """Reads facts for some divisions over a window of time."""

    def facts(self, divisions: list[str], start: datetime, end: datetime) -> Facts: ...

    def learning(self, divisions: list[str]) -> list[LearningFact]: ...
