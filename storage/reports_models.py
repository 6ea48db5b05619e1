"""Tables for classification categories, retention runs and the retention permit (see docs/retention.md)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base


class Category(Base):
    """A theme or root-cause category that administrators maintain; retired ones stay for old reports."""

    __tablename__ = "categories"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    label: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16), default="theme")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column()


class RetentionRun(Base):
    """One run of the retention job with its counts and the cases it skipped and why."""

    __tablename__ = "retention_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()
    as_of: Mapped[str] = mapped_column(String(10))
    anonymised: Mapped[int] = mapped_column(Integer, default=0)
    held: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    details: Mapped[dict] = mapped_column(default=dict)


class CaseAnonymisation(Base):
    """Marks a case whose personal data has been irreversibly removed."""

    __tablename__ = "case_anonymisations"
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("retention_runs.id"))
    at: Mapped[datetime] = mapped_column()


class RetentionPermit(Base):
    """Present only inside the anonymisation transaction: lets the event trigger accept a redaction."""

    __tablename__ = "retention_permits"
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
