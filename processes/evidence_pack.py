"""The ombudsman evidence pack of a closed case: everything the organisation holds on how the case was handled,
read from the event log and the existing records (nothing new is kept to make it)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .access import Actor
from .bundle import bundle_from_files
from .case_view import _deadline_line, _timeline_line
from .errors import Conflict, Forbidden
from .policy_rules import RulesFileInvalid, rule_set_for
from .staffing import NAMED_CAPACITIES
from .vocabulary import CaseStatus, DeadlineStatus

GOVERNANCE_STEPS = {"version_submitted": "Submitted for review", "version_approved": "Approved",
                    "version_rejected": "Rejected", "version_published": "Published"}
DEADLINE_RESULT: dict[str, str] = {
    DeadlineStatus.MET: "met", DeadlineStatus.BREACHED: "missed", DeadlineStatus.EXTENDED: "extended",
    DeadlineStatus.FIRED: "reached (a timer, not a deadline)", DeadlineStatus.NOT_NEEDED: "not needed",
    DeadlineStatus.RUNNING: "still running at closure"}
INDEPENDENT = {capacity for capacities in NAMED_CAPACITIES.values() for capacity in capacities}


@dataclass
class EvidencePack:
    """A closed case's evidence for an ombudsman or a subject-access request."""

    reference: str
    made_at: datetime
    made_by: str
    case: dict[str, Any]
    division: dict[str, Any]
    versions: list[dict[str, Any]]
    timeline: list[dict[str, Any]]
    letters: list[dict[str, Any]]
    deadlines: list[dict[str, Any]]
    independence: list[dict[str, Any]]
    rules: dict[str, Any] | None
    bundle_files: dict[str, str] = field(default_factory=dict)


def evidence_pack(uow: Any, reference: str, actor: Actor) -> EvidencePack:
    """Assemble the pack of a closed case for staff of its division; anyone else is refused, found or not."""
    with uow:
        case = uow.cases.by_reference(reference)
        division: Any = uow.divisions.get(case.division_id) if case is not None else None
        if case is None or division is None or actor.is_system or not actor.can_see(division.code):
            raise Forbidden("only staff of the case's division may make its evidence pack")
        if case.status != CaseStatus.CLOSED:
            raise Conflict(f"case {reference} is still open; an evidence pack is made once it is closed",
                           case_reference=reference)
        now = uow.clock_now()
        users = {u.id: u for u in uow.users.all()}
        events = uow.events.for_case(case.id)
        version = uow.versions.get(case.version_id)
        pack = EvidencePack(
            reference=case.reference, made_at=now, made_by=actor.username,
            case={"kind": case.kind, "channel": case.channel, "received_at": case.received_at, "stage": case.stage,
                  "status": case.status, "outcome": case.outcome, "closed_at": case.closed_at,
                  "retention_until": case.retention_until, "summary": case.summary,
                  "complainant": dict(case.complainant or {})},
            division={"code": division.code, "name": division.name},
            versions=_versions(uow, version, events, users),
            timeline=[_timeline_line(e) for e in events],
            letters=[_letter(row) for row in uow.outbox.for_case(case.id)],
            deadlines=[_deadline(row) for row in uow.deadlines.for_case(case.id)],
            independence=_independence(uow.involvements.for_case(case.id), users),
            rules=_rules(version), bundle_files=dict(version.files or {}))
        uow.events.append(case.id, "evidence_pack_made", actor.username, now, data={"made_by": actor.username})
        uow.commit()
        return pack


def _versions(uow: Any, current: Any, events: list[Any], users: dict[int, Any]) -> list[dict[str, Any]]:
    """Every version the case ran on (it starts on one; governance may have migrated it), with its approvals."""
    numbers = [e.data.get("version") for e in events if e.kind == "case_started"]
    numbers += [n for e in events if e.kind == "case_migrated" for n in (e.data.get("from_version"),
                                                                         e.data.get("to_version"))]
    by_number = {v.number: v for v in uow.versions.for_process(current.process_key)}
    chosen = [by_number[n] for n in dict.fromkeys(numbers) if n in by_number] or [current]
    if current not in chosen:
        chosen.append(current)
    lines = []
    for version in chosen:
        steps = [{"step": GOVERNANCE_STEPS[e.kind], "by": e.actor, "at": e.at,
                  "note": e.data.get("note") or e.data.get("change_note") or ""}
                 for e in uow.events.for_version(version.id) if e.kind in GOVERNANCE_STEPS]
        author, reviewer = users.get(version.author_id), users.get(version.reviewer_id)
        lines.append({"process_key": version.process_key, "number": version.number, "title": version.title,
                      "sha256": version.sha256, "state": version.state, "current": version.id == current.id,
                      "author": author.display_name if author else "shipped with the system",
                      "reviewer": reviewer.display_name if reviewer else None, "review_note": version.review_note,
                      "change_note": version.change_note, "published_at": version.published_at, "steps": steps,
                      "policy_check": version.policy_check})
    return lines


def _letter(row: Any) -> dict[str, Any]:
    return {"id": row.id, "to": row.recipient, "addressee": row.addressee, "template": row.template,
            "subject": row.subject, "body_text": row.body_text, "body_html": row.body_html, "status": row.status,
            "delivery": row.delivery, "queued_at": row.created_at, "sent_at": row.sent_at,
            "to_complainant": not (row.addressee or "").startswith(("role:", "user:", "mailbox:", "assignees"))}


def _deadline(row: Any) -> dict[str, Any]:
    line = _deadline_line(row, row.resolved_at or row.due_at)
    return {"name": line.name, "kind": line.kind, "stage": line.stage, "due_at": line.due_at, "why": line.why,
            "counted_from": line.counted_from, "working_days": line.working_days, "status": line.status,
            "result": DEADLINE_RESULT.get(line.status, line.status), "resolved_at": row.resolved_at,
            "met": line.status == DeadlineStatus.MET if line.status in (DeadlineStatus.MET, DeadlineStatus.BREACHED)
            else None}


def _independence(involvements: list[Any], users: dict[int, Any]) -> list[dict[str, Any]]:
    """Each independent allocation and what the person had done in the case before it (nothing, if the rule held)."""
    checks = []
    for allocation in involvements:
        if not any(allocation.capacity.endswith(capacity) for capacity in INDEPENDENT):
            continue
        before = [i.capacity for i in involvements
                  if i.user_id == allocation.user_id and i.at < allocation.at and i.capacity != allocation.capacity]
        person = users.get(allocation.user_id)
        checks.append({"person": person.display_name if person else "?", "capacity": allocation.capacity,
                       "at": allocation.at, "earlier": before, "held": not before})
    return checks


def _rules(version: Any) -> dict[str, Any] | None:
    """The policy rules the case's version answers to, with the hash recorded when it was checked."""
    bundle = bundle_from_files({n: t.encode() for n, t in (version.files or {}).items()})
    try:
        rules = rule_set_for(bundle)
    except (RulesFileInvalid, OSError):
        return None
    if rules is None:
        return None
    recorded = (version.policy_check or {}).get("sha256")
    return {**rules.stamp(), "recorded_sha256": recorded,
            "rules": [{"id": r.id, "clause": r.cited, "text": r.text} for r in rules.rules]}
