"""The domain's words: roles, states, stages and outcomes, each a StrEnum whose values are the stored strings."""
from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """A role someone holds in a division."""

    COMPLAINTS_TEAM = "complaints_team"
    LINE_MANAGER = "line_manager"
    INVESTIGATING_OFFICER = "investigating_officer"
    APPEAL_PANEL = "appeal_panel"
    PSRD_DIRECTOR = "psrd_director"
    HR = "hr"
    PROCESS_ANALYST = "process_analyst"
    GOVERNANCE = "governance"
    ADMINISTRATOR = "administrator"


class CaseKind(StrEnum):
    """What a case is about."""

    COMPLAINT = "complaint"
    COMPLIMENT = "compliment"
    CONCERN = "concern"


class Channel(StrEnum):
    """How a case reached the organisation."""

    WEB = "web"
    EMAIL = "email"
    PHONE = "phone"
    POST = "post"
    IN_PERSON = "in_person"
    SURVEY = "survey"


class CaseStatus(StrEnum):
    """Whether a case is still being handled."""

    OPEN = "open"
    CLOSED = "closed"


class Stage(StrEnum):
    """The stages the shipped processes name; a process may name others (a case's stage is any string)."""

    INTAKE = "intake"
    INFORMAL = "informal"
    FORMAL = "formal"
    APPEAL = "appeal"


class Outcome(StrEnum):
    """How a stage or a case ended."""

    UPHELD = "upheld"
    PARTLY_UPHELD = "partly_upheld"
    NOT_UPHELD = "not_upheld"
    RESOLVED_INFORMALLY = "resolved_informally"
    WITHDRAWN = "withdrawn"
    INELIGIBLE = "ineligible"
    TRANSFERRED = "transferred"
    RECORDED = "recorded"
    EXPIRED = "expired"


class TaskRowState(StrEnum):
    """The life of a task row (not SpiffWorkflow's task state)."""

    OPEN = "open"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class DeadlineStatus(StrEnum):
    """What became of a deadline the process started."""

    RUNNING = "running"
    MET = "met"
    BREACHED = "breached"
    EXTENDED = "extended"
    FIRED = "fired"  # a plain timer (not a deadline) that ran out
    NOT_NEEDED = "not_needed"  # a warning or reminder cancelled before it fired


class DeadlineKind(StrEnum):
    """The `deadlineKind` a timer of a process may carry; a timer without one is a plain `timer`."""

    ACKNOWLEDGEMENT = "acknowledgement"
    RESPONSE = "response"
    ESCALATION_WINDOW = "escalation_window"
    APPEAL_WINDOW = "appeal_window"
    PANEL_CONVENING = "panel_convening"
    CONSENT = "consent"
    WARNING = "warning"
    BREACH = "breach"
    REVIEW = "review"
    NON_COOPERATION = "non_cooperation"
    TIMER = "timer"


class VersionState(StrEnum):
    """Where a process version is in governance."""

    DRAFT = "draft"
    IN_REVIEW = "in_review"
    PUBLISHED = "published"
    RETIRED = "retired"
    REJECTED = "rejected"


class LearningStatus(StrEnum):
    """Where a learning action stands."""

    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


MANAGER_ROLES = (Role.LINE_MANAGER, Role.COMPLAINTS_TEAM)  # may hand tasks to others
TASK_ROLES = (Role.COMPLAINTS_TEAM, Role.LINE_MANAGER, Role.INVESTIGATING_OFFICER, Role.APPEAL_PANEL,
              Role.PSRD_DIRECTOR, Role.HR)  # roles that work case tasks
OFFICE_ROLES = frozenset({Role.PROCESS_ANALYST, Role.GOVERNANCE, Role.ADMINISTRATOR})  # never work case tasks
# the deadlines that count against the organisation: one that fires was breached, not merely fired
BREACHABLE_KINDS = frozenset({DeadlineKind.ACKNOWLEDGEMENT, DeadlineKind.RESPONSE, DeadlineKind.PANEL_CONVENING,
                            DeadlineKind.CONSENT})
