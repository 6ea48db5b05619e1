"""Retention: anonymise the personal data of cases past their retention date; export all held about a complainant."""
from __future__ import annotations

import io
import json
import logging
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

from .access import Actor
from .calendar import LONDON
from .errors import Forbidden, InvalidInput, NotFound
from .log_context import case_context
from .vocabulary import Role

log = logging.getLogger(__name__)
REFERENCE = re.compile(r"^[A-Z]{1,8}-\d{4}-\d{6}$")
EXPORTERS = (Role.ADMINISTRATOR, Role.COMPLAINTS_TEAM)


@dataclass
class RetentionResult:
    """What one retention run did."""

    run_id: int
    as_of: date
    anonymised: list[str] = field(default_factory=list)
    held: dict[str, str] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)


class RetentionStore(Protocol):
    """What retention needs from storage."""

    def due(self, today: date) -> list[tuple[int, str, str | None]]: ...
    def start_run(self, now: datetime, as_of: date) -> int: ...
    def anonymise(self, case_id: int, run_id: int, now: datetime) -> None: ...
    def finish_run(self, run_id: int, now: datetime, result: RetentionResult) -> None: ...


def run_retention(uow_factory, now: datetime) -> RetentionResult:
    """Anonymise every case whose retention date has passed, skip those under legal hold, and log the run."""
    today = now.astimezone(LONDON).date()
    with uow_factory() as uow:
        due = uow.retention.due(today)
        run_id = uow.retention.start_run(now, today)
        uow.commit()
    result = RetentionResult(run_id, today)
    for case_id, reference, hold in due:
        with case_context(reference):
            if hold:
                result.held[reference] = hold
                log.info("retention skipped a case under legal hold", extra={"reason": hold})
                continue
            try:
                with uow_factory() as uow:
                    uow.retention.anonymise(case_id, run_id, now)
                    uow.commit()
                result.anonymised.append(reference)
            except Exception as exc:  # one bad case must not stop the rest; it is retried next night
                result.failed[reference] = f"{type(exc).__name__}: {exc}"
                log.exception("retention could not anonymise a case")
    with uow_factory() as uow:
        uow.retention.finish_run(run_id, now, result)
        uow.commit()
    log.info("retention run finished", extra={"run_id": run_id, "anonymised": len(result.anonymised),
                                             "held": len(result.held), "failed": len(result.failed)})
    return result


@dataclass(frozen=True)
class RunView:
    """One logged retention run."""

    id: int
    as_of: str
    started_at: datetime
    anonymised: int
    held: int
    failed: int
    details: dict


def retention_runs(uow, limit: int = 20) -> list[RunView]:
    """The latest retention runs, newest first."""
    with uow:
        return [RunView(r.id, r.as_of, r.started_at, r.anonymised, r.held, r.failed, dict(r.details or {}))
                for r in uow.retention.runs(limit)]


def set_legal_hold(uow, reference: str, reason: str | None, actor: Actor) -> None:
    """Put a case under legal hold with a reason (retention skips it), or lift the hold."""
    with uow:
        case = uow.cases.by_reference(reference)
        division = uow.divisions.get(case.division_id) if case else None
        if case is None or not actor.can_see(division.code):
            raise NotFound(f"no case {reference}")
        if not (actor.is_system or actor.has_role(division.code, Role.ADMINISTRATOR)):
            raise Forbidden("only administrators place or lift legal holds", case_reference=reference)
        reason = (reason or "").strip() or None
        if reason and len(reason) > 200:
            raise InvalidInput("the reason is too long", {"reason": ["Use at most 200 characters"]})
        case.legal_hold = reason
        uow.events.append(case.id, "legal_hold_placed" if reason else "legal_hold_lifted", actor.username,
                          uow.clock_now(), version_id=case.version_id, data={"reason": reason} if reason else {})
        uow.commit()


def export_subject(uow, query: str, actor: Actor, now: datetime) -> tuple[str, bytes]:
    """Everything held about one complainant (found by email or by one case reference) as a zip of JSON and letters."""
    query = (query or "").strip()
    if not query:
        raise InvalidInput("say whose data to export", {"subject": ["Give an email address or a case reference"]})
    with uow:
        if REFERENCE.match(query.upper()):
            case = uow.cases.by_reference(query.upper())
            email = (case.complainant or {}).get("email") if case else None
            case_ids = uow.retention.cases_of_complainant(email) if email else ([case.id] if case else [])
        else:
            case_ids = uow.retention.cases_of_complainant(query)
        records = [uow.retention.case_record(case_id) for case_id in case_ids]
    records = [r for r in records if _may_export(actor, r["case"]["division"])]
    if not records:
        raise NotFound("no cases held about that person in your divisions")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        manifest = {"subject": query, "generated_at": now.isoformat(), "generated_by": actor.username,
                    "cases": [r["case"]["reference"] for r in records]}
        archive.writestr("manifest.json", _json(manifest))
        for record in records:
            folder = f"cases/{record['case']['reference']}/"
            for part in ("case", "events", "correspondence", "tasks", "deadlines", "learning_actions", "notes",
                         "workflow"):
                archive.writestr(f"{folder}{part}.json", _json(record.get(part)))
            for n, stored in enumerate(record.get("files", []), 1):
                name = re.sub(r"[^A-Za-z0-9._-]+", "_", stored["filename"])[:100]
                archive.writestr(f"{folder}attachments/{n:03d}-{name}", stored["content"])
            for n, letter in enumerate(record["correspondence"], 1):
                stem = f"{folder}letters/{n:03d}-{letter['template']}"
                archive.writestr(stem + ".txt", letter["body_text"] or "")
                archive.writestr(stem + ".html", letter["body_html"] or "")
    safe = re.sub(r"[^A-Za-z0-9.-]+", "_", query)[:60]
    return f"subject-access-{safe}-{now:%Y%m%d}.zip", buffer.getvalue()


def _may_export(actor: Actor, division: str) -> bool:
    return actor.is_system or any(actor.has_role(division, role) for role in EXPORTERS) or (
        actor.group_wide and actor.has_any_role(Role.ADMINISTRATOR))


def _json(value) -> str:
    return json.dumps(value, indent=2, sort_keys=True, default=str, ensure_ascii=False)
