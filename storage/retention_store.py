"""Retention in SQL: which cases are due, irreversible anonymisation, and the subject-access record."""
from __future__ import annotations

import json
from datetime import date, datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from processes.retention import RetentionResult

from . import models as m
from .case_notes import CaseNote
from .reports_models import CaseAnonymisation, RetentionPermit, RetentionRun

# Event data keys that carry statistics, never personal data; everything else in an event is dropped.
STATISTICAL_KEYS = frozenset({"outcome", "themes", "team", "stage", "status", "retention_until", "version", "sha256",
                              "process", "operator", "message", "task_id", "action_id", "best_practice"})
ANONYMISED = {"anonymised": True}


def redact(data: dict | None) -> dict:
    """Event data with only its statistical keys left, marked as redacted."""
    kept = {k: v for k, v in (data or {}).items() if k in STATISTICAL_KEYS}
    return {**kept, "redacted": True}


def _stored_file_model():
    try:  # uploaded files live in storage.files when that module is installed
        from .files import StoredFile
    except ImportError:
        return None
    return StoredFile


class SqlRetentionStore:
    """Finds cases past retention and removes their personal data, keeping the statistical record."""

    def __init__(self, session: Session):
        self.session = session

    def due(self, today: date) -> list[tuple[int, str, str | None]]:
        done = select(CaseAnonymisation.case_id)
        query = (select(m.Case.id, m.Case.reference, m.Case.legal_hold)
                 .where(m.Case.retention_until < today, m.Case.status == "closed", m.Case.id.not_in(done))
                 .order_by(m.Case.id))
        return [tuple(row) for row in self.session.execute(query)]

    def start_run(self, now: datetime, as_of: date) -> int:
        run = RetentionRun(started_at=now, as_of=as_of.isoformat(), anonymised=0, held=0, failed=0, details={})
        self.session.add(run)
        self.session.flush()
        return run.id

    def finish_run(self, run_id: int, now: datetime, result: RetentionResult) -> None:
        run = self.session.get(RetentionRun, run_id)
        run.finished_at = now
        run.anonymised, run.held, run.failed = len(result.anonymised), len(result.held), len(result.failed)
        run.details = {"anonymised": result.anonymised, "held": result.held, "failed": result.failed}

    def runs(self, limit: int) -> list[RetentionRun]:
        return list(self.session.scalars(select(RetentionRun).order_by(RetentionRun.id.desc()).limit(limit)))

    def anonymise(self, case_id: int, run_id: int | None, now: datetime) -> None:
        """Remove the case's personal data in one transaction; events are redacted through the retention permit."""
        case = self.session.get(m.Case, case_id)
        case.complainant, case.summary, case.incident = dict(ANONYMISED), "", None
        case.access_token_hash, case.access_expires_at = None, None
        self.session.add(RetentionPermit(case_id=case_id))
        self.session.flush()
        for event_id, data in self.session.execute(select(m.Event.id, m.Event.data).where(m.Event.case_id == case_id)):
            self.session.execute(update(m.Event).where(m.Event.id == event_id).values(data=redact(data)))
        self.session.execute(delete(RetentionPermit).where(RetentionPermit.case_id == case_id))
        self.session.execute(update(m.Task).where(m.Task.case_id == case_id).values(draft=None))
        outbox_values = {"recipient": "anonymised", "cc": [], "subject": f"{case.reference} (anonymised)",
                         "body_text": "", "body_html": ""}
        for column in ("addressee", "reply_to"):
            if hasattr(m.Outbox, column):
                outbox_values[column] = "" if column == "addressee" else None
        self.session.execute(update(m.Outbox).where(m.Outbox.case_id == case_id).values(**outbox_values))
        self.session.execute(delete(m.Instance).where(m.Instance.case_id == case_id))
        self._anonymise_emails(case_id, case.reference)
        stored = _stored_file_model()
        if stored is not None:
            self.session.execute(delete(stored).where(stored.case_id == case_id))
        self.session.execute(delete(CaseNote).where(CaseNote.case_id == case_id))
        self.session.add(CaseAnonymisation(case_id=case_id, run_id=run_id, at=now))
        self.session.flush()

    def _anonymise_emails(self, case_id: int, reference: str) -> None:
        """The emails a case was opened from or received as replies: no sender, words or files are kept."""
        from .mail_models import MailAttachment, MailItem
        items = select(MailItem.id).where(MailItem.case_id == case_id)
        self.session.execute(delete(MailAttachment).where(MailAttachment.item_id.in_(items)))
        self.session.execute(update(MailItem).where(MailItem.case_id == case_id).values(
            sender="anonymised", sender_name="", subject=f"{reference} (anonymised)", body_text="", body_html="",
            notes=[]))

    def cases_of_complainant(self, email: str) -> list[int]:
        address = func.lower(m.Case.complainant["email"].as_string())
        return list(self.session.scalars(select(m.Case.id).where(address == email.strip().lower()).order_by(m.Case.id)))

    def case_record(self, case_id: int) -> dict:
        """Everything held about one case, as JSON-safe dicts."""
        case = self.session.get(m.Case, case_id)
        division = self.session.get(m.Division, case.division_id)
        instance = self.session.scalars(select(m.Instance).where(m.Instance.case_id == case_id)).first()
        record = {
            "case": {**_row(case, exclude={"access_token_hash"}), "division": division.code},
            "events": [_row(e) for e in self._for_case(m.Event, case_id)],
            "correspondence": [_row(o) for o in self._for_case(m.Outbox, case_id)],
            "tasks": [_row(t) for t in self._for_case(m.Task, case_id)],
            "deadlines": [_row(d) for d in self._for_case(m.Deadline, case_id)],
            "learning_actions": [_row(a) for a in self._for_case(m.LearningAction, case_id)],
            "notes": [_row(n) for n in self._for_case(CaseNote, case_id)],
            "workflow": json.loads(instance.state) if instance and instance.state.startswith("{") else None,
        }
        stored = _stored_file_model()
        if stored is not None:
            record["files"] = [{"filename": f.filename, "content_type": f.content_type, "content": f.content}
                               for f in self._for_case(stored, case_id)]
        return record

    def _for_case(self, model, case_id: int) -> list:
        return list(self.session.scalars(select(model).where(model.case_id == case_id).order_by(model.id)))


def _row(row, exclude: frozenset | set = frozenset()) -> dict:
    return {c.key: getattr(row, c.key) for c in row.__mapper__.column_attrs if c.key not in exclude}
