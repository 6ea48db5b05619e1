"""The aggregates the domain reads and changes, as Protocols matching the stored rows' attributes.

Storage's SQLAlchemy models satisfy them; the in-memory fakes of the tests are plain dataclasses with the same
attributes. Strings that hold a vocabulary word (a state, a role) are typed `str`: the rows keep the stored string,
and every `processes.vocabulary` member is one."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Protocol


class Division(Protocol):
    id: int
    code: str
    name: str
    nation: str
    config: dict[str, Any]


class User(Protocol):
    id: int
    username: str
    display_name: str
    email: str
    password_hash: str | None
    api_token_hash: str | None
    is_active: bool
    is_group_wide: bool


class MemberRow(Protocol):
    """A user's identity columns as the actor query reads them (not a full user)."""

    @property
    def id(self) -> int: ...
    @property
    def username(self) -> str: ...
    @property
    def is_active(self) -> bool: ...
    @property
    def is_group_wide(self) -> bool: ...


class ClosureDay(Protocol):
    id: int
    division_id: int | None
    day: date
    reason: str


class Version(Protocol):
    id: int
    process_key: str
    number: int
    title: str
    state: str
    sha256: str
    files: dict[str, Any]
    author_id: int | None
    reviewer_id: int | None
    change_note: str
    review_note: str
    validation: list[Any]
    policy_check: dict[str, Any] | None
    created_at: datetime
    updated_at: datetime | None
    submitted_at: datetime | None
    reviewed_at: datetime | None
    published_at: datetime | None
    retired_at: datetime | None


class Case(Protocol):
    id: int
    reference: str
    division_id: int
    kind: str
    channel: str
    received_at: datetime
    stage: str
    status: str
    outcome: str | None
    closed_at: datetime | None
    retention_until: date | None
    legal_hold: str | None
    version_id: int
    complainant: dict[str, Any]
    summary: str
    incident: str | None
    access_token_hash: str | None
    access_expires_at: datetime | None
    created_at: datetime
    stage_outcomes: dict[str, Any]


class Instance(Protocol):
    """A case's workflow state, saved as a compare-and-set on `lock_version`."""

    id: int
    case_id: int
    version_id: int
    state: str
    lock_version: int
    due_at: datetime | None
    lease_owner: str | None
    lease_until: datetime | None
    lease_token: str | None
    claimed_at: datetime | None
    completed: bool


class Task(Protocol):
    """A user task the workflow waits on, indexed for inboxes."""

    id: int
    case_id: int
    division_id: int
    version_id: int
    spiff_task_id: str
    spec_name: str
    title: str
    stage: str
    role: str | None
    assignee_id: int | None
    due_at: datetime | None
    state: str
    draft: dict[str, Any] | None
    created_at: datetime
    completed_at: datetime | None
    completed_by_id: int | None


class Deadline(Protocol):
    id: int
    case_id: int
    spiff_task_id: str
    element_id: str
    name: str
    kind: str
    stage: str
    due_at: datetime
    explanation: dict[str, Any] | None
    status: str
    started_at: datetime
    resolved_at: datetime | None


class Event(Protocol):
    id: int
    case_id: int | None
    at: datetime
    kind: str
    actor: str
    element: str | None
    version_id: int | None
    data: dict[str, Any]


class Outbox(Protocol):
    id: int
    case_id: int | None
    idempotency_key: str
    recipient: str
    template: str
    subject: str
    body_text: str
    body_html: str
    status: str
    attempts: int
    next_attempt_at: datetime
    created_at: datetime
    sent_at: datetime | None
    addressee: str
    delivery: str


class Involvement(Protocol):
    id: int
    case_id: int
    user_id: int
    capacity: str
    at: datetime


class LearningAction(Protocol):
    id: int
    case_id: int
    stage: str
    element: str
    description: str
    owner: str
    review_on: date | None
    status: str
    best_practice: bool
    created_at: datetime


class StoredFile(Protocol):
    id: str
    case_id: int
    task_id: int | None
    field: str
    filename: str
    content_type: str
    size: int
    sha256: str
    content: bytes
    uploaded_by: str
    uploaded_at: datetime


class Category(Protocol):
    id: int
    code: str
    label: str
    kind: str
    active: bool
    created_at: datetime


class DivisionSummary(Protocol):
    """A division as the reference cache holds it (read-only)."""

    @property
    def id(self) -> int: ...
    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def nation(self) -> str: ...
    @property
    def config(self) -> dict[str, Any]: ...


class VersionSummary(Protocol):
    """A version as the reference cache holds it (read-only, without files)."""

    @property
    def id(self) -> int: ...
    @property
    def process_key(self) -> str: ...
    @property
    def number(self) -> int: ...
    @property
    def state(self) -> str: ...
    @property
    def sha256(self) -> str: ...


class SignInFailure(Protocol):
    username: str
    failures: int
    locked_until: datetime | None
    last_failed_at: datetime
