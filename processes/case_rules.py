"""The rules of a case's own fields: its stage, its outcome, and closing it with the date its data is kept until.

Handlers ask for these changes during a run (`HandlerContext.move_to_stage`, `close_case`, `update_case`); the run
applies them to the case once, when it is saved."""
from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any

from .aggregates import Case
from .stage_outcomes import StageOutcome, record_stage_outcome
from .vocabulary import CaseStatus

DEFAULT_RETENTION_YEARS = 2  # a closed case's data is kept two years unless its contract says longer


@dataclass
class CaseChanges:
    """What a run's handlers asked to change on its case; a field left None was not asked for."""

    stage: str | None = None
    status: str | None = None
    outcome: str | None = None
    summary: str | None = None
    retention_years: int | None = None  # how long a case closed by this run is kept
    stage_outcome: StageOutcome | None = None  # a stage's own decision, kept beside the case's latest outcome

    def ask(self, **changes: Any) -> None:
        """Record requested changes by field name; an unknown name is a handler's mistake, refused."""
        for name, value in changes.items():
            if name not in CHANGEABLE:
                raise TypeError(f"a case has no changeable field {name!r}")
            setattr(self, name, value)

    def merge(self, other: CaseChanges) -> None:
        """Later requests win, field by field."""
        for name in CHANGEABLE:
            value = getattr(other, name)
            if value is not None:
                setattr(self, name, value)

    def asked(self) -> dict[str, Any]:
        """The fields asked for, by name."""
        return {name: getattr(self, name) for name in CHANGEABLE if getattr(self, name) is not None}

    @property
    def closes(self) -> bool:
        return self.status == CaseStatus.CLOSED


CHANGEABLE = tuple(f.name for f in fields(CaseChanges))


def move_to_stage(case: Case, stage: str) -> None:
    """The case is now at this stage of its procedure."""
    case.stage = stage


def record_outcome(case: Case, outcome: str) -> None:
    """The outcome of the case's latest stage, which is the case's outcome once it closes."""
    case.outcome = outcome


def close(case: Case, now: datetime, retention_years: int | None) -> date:
    """Close the case now; its data is kept `retention_years` (two unless given) from the day it closed."""
    case.status = CaseStatus.CLOSED
    case.closed_at = now
    case.retention_until = years_after(now.date(), int(retention_years or DEFAULT_RETENTION_YEARS))
    return case.retention_until


def apply_changes(case: Case, changes: CaseChanges, now: datetime) -> tuple[str, dict[str, Any]] | None:
    """Apply a run's requested changes to its case; the timeline event that says what changed, if anything did.

    A case is closed (and its retention set) only once: a closing request on a case closed before is an update."""
    asked = changes.asked()
    if changes.stage is not None:
        move_to_stage(case, changes.stage)
    if changes.status is not None:
        case.status = changes.status
    if changes.outcome is not None:
        record_outcome(case, changes.outcome)
    if changes.summary is not None:
        case.summary = changes.summary
    if changes.stage_outcome is not None:
        record_stage_outcome(case, changes.stage_outcome)
        asked["stage_outcome"] = {"stage": changes.stage_outcome.stage, "outcome": changes.stage_outcome.outcome}
    if changes.closes and case.closed_at is None:
        retention_until = close(case, now, changes.retention_years)
        return "case_closed", {"outcome": case.outcome, "retention_until": str(retention_until)}
    if not asked:
        return None
    asked.pop("retention_years", None)
    return "case_updated", asked


def years_after(day: date, years: int) -> date:
    """The same calendar day `years` later (28 February for a 29 February start)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)
