"""Replay of a proposed version against the running cases of its process: which deadlines would move, by how many
working days, before governance decides. Requested from the review page, run by the worker, stored as an event.

The report records its inputs (the version's hash, each case's version and state counter), so running it again on
unchanged cases gives the same figures; nothing is saved to any case.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from . import engine
from .access import SYSTEM, Actor
from .case_run import CaseRun, Runtime
from .errors import Conflict, Forbidden, NotFound
from .migration import _blockers, _migrate, _shifts
from .vocabulary import Role, VersionState

REQUESTED, REPORTED = "replay_requested", "replay_reported"
REPLAY_LIMIT = 200  # running cases, oldest first; a replay informs a decision, it is not a migration
REPLAYABLE = (VersionState.DRAFT, VersionState.IN_REVIEW)


def request_replay(uow: Any, runtime: Runtime, version_id: int, actor: Actor) -> None:
    """Queue a replay of a version under review against the running cases of the divisions the requester sees."""
    if actor.is_system or not actor.has_any_role(Role.GOVERNANCE, Role.PROCESS_ANALYST):
        raise Forbidden("only governance and process analysts may replay a version")
    with uow:
        version = uow.versions.get(version_id)
        if version is None:
            raise NotFound(f"no process version {version_id}")
        if version.state not in REPLAYABLE:
            raise Conflict(f"version {version.number} is {version.state.replace('_', ' ')}; only a proposed version "
                           "is replayed")
        done = _reported(uow, version.id)
        if any(e.kind == REQUESTED and e.id not in done for e in uow.events.for_version(version.id)):
            raise Conflict("a replay of this version is already waiting for the worker")
        uow.events.append(None, REQUESTED, actor.username, runtime.clock.now(), version_id=version.id,
                          data={"process": version.process_key, "number": version.number, "sha256": version.sha256,
                                "divisions": sorted(actor.divisions)})
        uow.commit()


def run_requested_replays(uow_factory: Callable[[], Any], runtime: Runtime, limit: int = 5) -> int:
    """The worker's job: make and store the report of each replay still waiting; how many were made."""
    with uow_factory() as uow:
        waiting = [(e.id, e.version_id, dict(e.data)) for e in reversed(uow.events.governance_log(500))
                   if e.kind == REQUESTED and e.id not in _reported(uow, e.version_id)][:limit]
    for request_id, version_id, data in waiting:
        uow = uow_factory()
        report = replay_report(uow, runtime, version_id, data.get("divisions", []))
        with uow_factory() as uow:
            uow.events.append(None, REPORTED, SYSTEM.username, runtime.clock.now(), version_id=version_id,
                              data={"request": request_id, **report})
            uow.commit()
    return len(waiting)


def replay_report(uow: Any, runtime: Runtime, version_id: int, divisions: list[str]) -> dict[str, Any]:
    """For each running case of the process on another version: can it move, and which deadlines would shift."""
    with uow:
        version = uow.versions.get(version_id)
        definition = runtime.definitions.get(uow, version)
        lines = []
        for case in sorted(uow.versions.running_cases(version.process_key, version.id, REPLAY_LIMIT),
                           key=lambda c: c.reference):
            division = uow.divisions.get(case.division_id)
            if division.code not in divisions:
                continue
            run = CaseRun(runtime, uow, case, SYSTEM)
            line: dict[str, Any] = {"reference": case.reference, "division": division.code,
                                    "from_version": run.version.number, "from_sha256": run.version.sha256,
                                    "state_counter": run.instance.lock_version if run.instance else None,
                                    "reasons": _blockers(run.workflow, definition), "moves": []}
            if not line["reasons"]:
                before = {t.task_spec.bpmn_id: (t.task_spec.bpmn_name, due)
                          for t, due in engine.waiting_timers(run.workflow)}
                _migrate(run.workflow, definition)
                line["moves"] = [{"element": s.element, "name": s.name, "before": _iso(s.before),
                                  "after": _iso(s.after),
                                  "working_days": run.calendar.working_days_between(s.before, s.after)
                                  if s.before and s.after else None}
                                 for s in _shifts(before, run.workflow) if s.moved]
            lines.append(line)
        moved = [line for line in lines if line["moves"]]  # nothing is committed: the workflows moved in memory
        return {"process": version.process_key, "number": version.number, "sha256": version.sha256,
                "divisions": sorted(divisions), "cases": lines,
                "summary": {"checked": len(lines), "with_moved_deadlines": len(moved),
                            "cannot_move": sum(1 for line in lines if line["reasons"])}}


def latest_replay(uow: Any, version_id: int) -> dict[str, Any] | None:
    """The newest stored replay of a version, or that one is waiting for the worker."""
    with uow:
        events = [(e.id, e.kind, e.actor, e.at, dict(e.data or {})) for e in uow.events.for_version(version_id)
                  if e.kind in (REQUESTED, REPORTED)]
    reports = [e for e in events if e[1] == REPORTED]
    requested = [e for e in events if e[1] == REQUESTED]
    if requested and (not reports or requested[-1][0] > reports[-1][4].get("request", 0)):
        return {"waiting": True, "requested_by": requested[-1][2], "requested_at": requested[-1][3]}
    if not reports:
        return None
    _, _, _, made_at, data = reports[-1]
    asked = next((e for e in requested if e[0] == data.get("request")), None)
    cases = [{**line, "moves": [{**move, "before": _instant(move["before"]), "after": _instant(move["after"])}
                                for move in line["moves"]]} for line in data.get("cases", [])]
    return {"waiting": False, "made_at": made_at, "requested_by": asked[2] if asked else None, **data,
            "cases": cases}


def _reported(uow: Any, version_id: int) -> set[int]:
    return {e.data.get("request") for e in uow.events.for_version(version_id) if e.kind == REPORTED}


def _instant(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None
