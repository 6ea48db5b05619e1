"""The tables. Alembic migrations are the only way the schema changes."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on both SQLite and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value

    def process_result_value(self, value, dialect):
        from datetime import timezone
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UtcDateTime, dict: JSON, list: JSON}


class Division(Base):
    __tablename__ = "divisions"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    nation: Mapped[str] = mapped_column(String(32), default="england")
    config: Mapped[dict] = mapped_column(default=dict)


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    api_token_hash: Mapped[str | None] = mapped_column(String(128), index=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_group_wide: Mapped[bool] = mapped_column(Boolean, default=False)


class SignInFailure(Base):
    """Unsuccessful sign-ins per username tried (an account or not, so a lockout reveals neither)."""
    __tablename__ = "sign_in_failures"
    username: Mapped[str] = mapped_column(String(80), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column()
    last_failed_at: Mapped[datetime] = mapped_column(index=True)


class Membership(Base):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "division_id", "role"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    division_id: Mapped[int] = mapped_column(ForeignKey("divisions.id"))
    role: Mapped[str] = mapped_column(String(40))


class ClosureDay(Base):
    __tablename__ = "closure_days"
    __table_args__ = (UniqueConstraint("division_id", "day"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    division_id: Mapped[int | None] = mapped_column(ForeignKey("divisions.id"))
    day: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(200))


class ProcessSpec(Base):
    __tablename__ = "process_specs"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    spec: Mapped[str] = mapped_column(Text)


class ProcessVersion(Base):
    __tablename__ = "process_versions"
    __table_args__ = (UniqueConstraint("process_key", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    process_key: Mapped[str] = mapped_column(String(80), index=True)
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200), default="")
    state: Mapped[str] = mapped_column(String(16), default="draft")
    sha256: Mapped[str] = mapped_column(String(64))
    files: Mapped[dict] = mapped_column()
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    change_note: Mapped[str] = mapped_column(Text, default="")
    review_note: Mapped[str] = mapped_column(Text, default="")
    validation: Mapped[list] = mapped_column(default=list)
    # the policy rules file and hash it was validated against, each breach and its justification
    policy_check: Mapped[dict | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column()
    updated_at: Mapped[datetime | None] = mapped_column()
    submitted_at: Mapped[datetime | None] = mapped_column()
    reviewed_at: Mapped[datetime | None] = mapped_column()
    published_at: Mapped[datetime | None] = mapped_column()
    retired_at: Mapped[datetime | None] = mapped_column()


class ReferenceCounter(Base):
    __tablename__ = "reference_counters"
    division_id: Mapped[int] = mapped_column(ForeignKey("divisions.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_division_status", "division_id", "status"),
        Index("ix_cases_division_received", "division_id", "received_at"),  # the case list, newest first
        Index("ix_cases_received_at", "received_at"),  # reports by period
        Index("ix_cases_retention_until", "retention_until"),  # the retention run
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    division_id: Mapped[int] = mapped_column(ForeignKey("divisions.id"))
    kind: Mapped[str] = mapped_column(String(24))
    channel: Mapped[str] = mapped_column(String(24), default="web")
    received_at: Mapped[datetime] = mapped_column()
    stage: Mapped[str] = mapped_column(String(40), default="intake")
    status: Mapped[str] = mapped_column(String(24), default="open")
    outcome: Mapped[str | None] = mapped_column(String(40))
    closed_at: Mapped[datetime | None] = mapped_column()
    retention_until: Mapped[date | None] = mapped_column(Date)
    legal_hold: Mapped[str | None] = mapped_column(String(200))
    version_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id"))
    complainant: Mapped[dict] = mapped_column(default=dict)
    summary: Mapped[str] = mapped_column(Text, default="")
    incident: Mapped[str | None] = mapped_column(Text)
    access_token_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    access_expires_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column()
    # each stage's own outcome, reasons and remedy (processes.stage_outcomes), kept when a later stage decides
    stage_outcomes: Mapped[dict] = mapped_column(default=dict, server_default="{}")


class Instance(Base):
    __tablename__ = "instances"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id"))
    state: Mapped[str] = mapped_column(Text)
    lock_version: Mapped[int] = mapped_column(Integer, nullable=False)
    due_at: Mapped[datetime | None] = mapped_column(index=True)
    lease_owner: Mapped[str | None] = mapped_column(String(80))
    lease_until: Mapped[datetime | None] = mapped_column()
    lease_token: Mapped[str | None] = mapped_column(String(32))  # which claim holds the lease
    claimed_at: Mapped[datetime | None] = mapped_column()  # when a sweep last claimed it
    completed: Mapped[bool] = mapped_column(Boolean, default=False)
    __mapper_args__ = {"version_id_col": lock_version}


class Task(Base):
    __tablename__ = "tasks"
    __table_args__ = (Index("ix_tasks_inbox", "state", "division_id", "role", "due_at"),
                      Index("ix_tasks_assignee", "state", "assignee_id", "due_at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    division_id: Mapped[int] = mapped_column(ForeignKey("divisions.id"))
    version_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id"))
    spiff_task_id: Mapped[str] = mapped_column(String(36), unique=True)
    spec_name: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(200))
    stage: Mapped[str] = mapped_column(String(40), default="")
    role: Mapped[str | None] = mapped_column(String(40))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    due_at: Mapped[datetime | None] = mapped_column()
    state: Mapped[str] = mapped_column(String(16), default="open")
    draft: Mapped[dict | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column()
    completed_at: Mapped[datetime | None] = mapped_column()
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Event(Base):
    __tablename__ = "events"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    at: Mapped[datetime] = mapped_column()
    kind: Mapped[str] = mapped_column(String(60))
    actor: Mapped[str] = mapped_column(String(80), default="system")
    element: Mapped[str | None] = mapped_column(String(120))
    version_id: Mapped[int | None] = mapped_column(ForeignKey("process_versions.id"))
    data: Mapped[dict] = mapped_column(default=dict)


class Outbox(Base):
    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_pending", "status", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    idempotency_key: Mapped[str] = mapped_column(String(255), unique=True)
    recipient: Mapped[str] = mapped_column(String(254))
    cc: Mapped[list] = mapped_column(default=list)
    template: Mapped[str] = mapped_column(String(80))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column()
    sent_at: Mapped[datetime | None] = mapped_column()
    lease_until: Mapped[datetime | None] = mapped_column()
    # who the handler asked for ('complainant', 'role:line_manager', ...), before it became an address
    addressee: Mapped[str] = mapped_column(String(120), default="", server_default="")
    delivery: Mapped[str] = mapped_column(String(16), default="email", server_default="email")  # email | post
    reply_to: Mapped[str | None] = mapped_column(String(254))
    adjustments: Mapped[list] = mapped_column(default=list, server_default="[]")  # support needs acted on
    lease_owner: Mapped[str | None] = mapped_column(String(80))
    last_attempt_at: Mapped[datetime | None] = mapped_column()  # when a dispatcher last claimed it
    lease_token: Mapped[str | None] = mapped_column(String(32))  # which claim holds the lease
    sender: Mapped[str | None] = mapped_column(String(254))  # the division's From address; None: the default


class Deadline(Base):
    __tablename__ = "deadlines"
    __table_args__ = (Index("ix_deadlines_kind_due_at", "kind", "due_at"),)  # reports read the SLA kinds by due date
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    spiff_task_id: Mapped[str] = mapped_column(String(36), unique=True)
    element_id: Mapped[str] = mapped_column(String(120))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))
    stage: Mapped[str] = mapped_column(String(40), default="")
    due_at: Mapped[datetime] = mapped_column()
    explanation: Mapped[dict | None] = mapped_column()
    status: Mapped[str] = mapped_column(String(16), default="running")
    started_at: Mapped[datetime] = mapped_column()
    resolved_at: Mapped[datetime | None] = mapped_column()


class Involvement(Base):
    __tablename__ = "involvements"
    __table_args__ = (UniqueConstraint("case_id", "user_id", "capacity"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    capacity: Mapped[str] = mapped_column(String(80))
    at: Mapped[datetime] = mapped_column()


class LearningAction(Base):
    __tablename__ = "learning_actions"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    stage: Mapped[str] = mapped_column(String(40))
    element: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(120))
    review_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open")
    best_practice: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column()


class SchedulerHeartbeat(Base):
    __tablename__ = "scheduler_heartbeats"
    worker: Mapped[str] = mapped_column(String(80), primary_key=True)
    beat_at: Mapped[datetime] = mapped_column()
