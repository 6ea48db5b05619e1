"""Replay of a proposed version against the cases of its process of the last N months, closed ones included:
each case's recorded receipts, messages and completed tasks run again on the proposal, on a clock set to each
recorded instant (processes/replay_run.py). Requested from the review page, run by the worker with its progress
noted, stored as an event with the version.

The report records its inputs and their hash (the version's hash, the period, each case's version, state counter
and last event), so running it again on unchanged cases gives the same report; nothing is saved to any case, and
the replay's unit of work refuses to commit.
"""
from __future__ import annotations

import calendar
import hashlib
import json
from collections.abc import Callable
from datetime import datetime
from itertools import zip_longest
from typing import Any

from .access import SYSTEM, Actor
from .case_run import CaseRun, Runtime
from .clock import as_utc
from .errors import Conflict, Forbidden, InvalidInput, NotFound
from .process_scope import process_owners
from .replay_run import BREACHED, Replayed, elements_of, replay_case
from .vocabulary import Role, VersionState

REQUESTED, REPORTED = "replay_requested", "replay_reported"
PROGRESS = "replay_progress"
REPLAY_LIMIT = 2000  # cases of the period, oldest first; a replay informs a decision, it is not a migration
DEFAULT_MONTHS, MAX_MONTHS = 12, 24
PROGRESS_EVERY = 10  # cases between the progress notes the review page shows
REPLAYABLE = (VersionState.DRAFT, VersionState.IN_REVIEW)
REPLAYERS = (Role.GOVERNANCE, Role.PROCESS_ANALYST)


def request_replay(uow: Any, runtime: Runtime, version_id: int, actor: Actor,
                   months: int | str = DEFAULT_MONTHS) -> None:
    """Queue a replay of a version under review against the last `months` of cases of the divisions the requester
    governs: only someone who may act on the process does, and the report reads only their divisions' cases."""
    if actor.is_system or not actor.has_any_role(*REPLAYERS):
        raise Forbidden("only governance and process analysts may replay a version")
    try:
        months = int(months)
    except (TypeError, ValueError):
        months = 0
    if not 1 <= months <= MAX_MONTHS:
        raise InvalidInput("the replay period is not a number of months",
                           {"months": [f"must be a whole number of months from 1 to {MAX_MONTHS}"]})
    with uow:
        version = uow.versions.get(version_id)
        if version is None:
            raise NotFound(f"no process version {version_id}")
        process_owners(uow).require(actor, REPLAYERS, version.process_key, "replay its versions")
        if version.state not in REPLAYABLE:
            raise Conflict(f"version {version.number} is {version.state.replace('_', ' ')}; only a proposed version "
                           "is replayed")
        done = _reported(uow, version.id)
        if any(e.kind == REQUESTED and e.id not in done for e in uow.events.for_version(version.id)):
            raise Conflict("a replay of this version is already waiting for the worker")
        uow.events.append(None, REQUESTED, actor.username, runtime.clock.now(), version_id=version.id,
                          data={"process": version.process_key, "number": version.number, "sha256": version.sha256,
                                "months": months, "as_of": runtime.clock.now().isoformat(),
                                "divisions": governed_divisions(actor, [d.code for d in uow.divisions.all()])})
        uow.commit()


def governed_divisions(actor: Actor, codes: list[str]) -> list[str]:
    """The divisions whose cases a replay may read: where the requester governs or analyses processes (group-wide
    holders of either role, every division); a role only to handle cases there is not enough."""
    if actor.group_wide and actor.has_any_role(*REPLAYERS):
        return sorted(codes)
    return sorted(c for c in codes if any(actor.has_role(c, role) for role in REPLAYERS))


def run_requested_replays(uow_factory: Callable[[], Any], runtime: Runtime, limit: int = 5) -> int:
    """The worker's job: make and store the report of each replay still waiting; how many were made."""
    with uow_factory() as uow:
        waiting = [(e.id, e.version_id, dict(e.data)) for e in reversed(uow.events.governance_log(500))
                   if e.kind == REQUESTED and e.id not in _reported(uow, e.version_id)][:limit]
    for request_id, version_id, data in waiting:
        def progress(done: int, total: int, request_id: int = request_id, version_id: int = version_id) -> None:
            if done == total or done % PROGRESS_EVERY == 0:
                with uow_factory() as log:
                    log.events.append(None, PROGRESS, SYSTEM.username, runtime.clock.now(), version_id=version_id,
                                      data={"request": request_id, "done": done, "total": total})
                    log.commit()

        as_of = datetime.fromisoformat(data["as_of"]) if data.get("as_of") else None
        report = replay_report(uow_factory, runtime, version_id, data.get("divisions", []),
                               int(data.get("months") or DEFAULT_MONTHS), as_of, progress)
        with uow_factory() as uow:
            uow.events.append(None, REPORTED, SYSTEM.username, runtime.clock.now(), version_id=version_id,
                              data={"request": request_id, **report})
            uow.commit()
    return len(waiting)


def replay_report(uow_factory: Callable[[], Any], runtime: Runtime, version_id: int, divisions: list[str],
                  months: int = DEFAULT_MONTHS, as_of: datetime | None = None,
                  progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Each case of the process received in the `months` before `as_of`, open or closed, replayed on the version
    from its recorded events: the deadlines that would move, the breaches that would appear or vanish, the cases
    that cannot be replayed and why, and the version's elements no case took. Nothing is committed: the unit of
    work refuses to, and is rolled back when the block ends."""
    as_of = as_utc(as_of or runtime.clock.now())
    since = months_before(as_of, months)
    with _NoCommit(uow_factory()) as uow:
        version = uow.versions.get(version_id)
        key, number, sha256 = version.process_key, version.number, version.sha256
        info, definition = runtime.definitions.for_version(uow, version.id)
        elements = elements_of(definition)
        codes = {d.id: d.code for d in uow.divisions.all()}
        chosen = sorted(((c.reference, c.id) for c in uow.versions.cases_since(key, since, REPLAY_LIMIT)
                         if codes.get(c.division_id) in divisions and as_utc(c.received_at) <= as_of))
    lines, taken, inputs = [], set(), []
    for done, (_, case_id) in enumerate(chosen):
        with _NoCommit(uow_factory()) as uow:  # one short transaction a case, rolled back
            case = uow.cases.get(case_id)
            run = CaseRun(runtime, uow, case, SYSTEM)
            events = uow.events.for_case(case.id)
            inputs.append([case.reference, run.version.sha256, run.instance.lock_version if run.instance else None,
                           events[-1].id if events else None])
            replayed = replay_case(uow, runtime, case, definition, info, as_of)
            taken |= replayed.taken
            lines.append(_line(case, codes[case.division_id], run, replayed, uow.deadlines.for_case(case.id)))
            uow.rollback()
        if progress is not None:
            progress(done + 1, len(chosen))
    moved = [line for line in lines if line["moves"]]
    digest = hashlib.sha256(json.dumps({"sha256": sha256, "divisions": sorted(divisions), "months": months,
                                        "as_of": as_of.isoformat(), "cases": inputs}).encode()).hexdigest()
    return {"process": key, "number": number, "sha256": sha256,
            "divisions": sorted(divisions), "months": months, "since": since.isoformat(), "as_of": as_of.isoformat(),
            "inputs_sha256": digest, "cases": lines,
            "never_taken": [{"element": e, "name": n} for e, n in sorted(elements.items()) if e not in taken],
            "summary": {"checked": len(lines), "with_moved_deadlines": len(moved),
                        "cannot_move": sum(1 for line in lines if line["reasons"])},
            "totals": {"replayed": sum(1 for line in lines if not line["reasons"]),
                       "earlier": sum(1 for line in lines for mv in line["moves"] if (mv["working_days"] or 0) < 0),
                       "later": sum(1 for line in lines for mv in line["moves"] if (mv["working_days"] or 0) > 0),
                       "breaches_appear": sum(len(line["breaches_appear"]) for line in lines),
                       "breaches_vanish": sum(len(line["breaches_vanish"]) for line in lines)}}


def months_before(instant: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months earlier (the month's last day when it is shorter)."""
    month = instant.month - 1 - months
    year, month = instant.year + month // 12, month % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return instant.replace(year=year, month=month, day=min(instant.day, last))


def _line(case: Any, division: str, run: CaseRun, replayed: Replayed, recorded: list[Any]) -> dict[str, Any]:
    """One case's comparison: its recorded deadlines beside the replay's, paired by element and occurrence."""
    line: dict[str, Any] = {"reference": case.reference, "division": division, "status": case.status,
                            "from_version": run.version.number, "from_sha256": run.version.sha256,
                            "state_counter": run.instance.lock_version if run.instance else None,
                            "reasons": [replayed.reason] if replayed.reason else [], "moves": [],
                            "breaches_appear": [], "breaches_vanish": [], "deadlines": len(replayed.deadlines)}
    if replayed.reason:
        return line
    real: dict[str, list[Any]] = {}
    for row in recorded:
        real.setdefault(row.element_id, []).append(row)
    again: dict[str, list[Any]] = {}
    for tracked in replayed.deadlines:
        again.setdefault(tracked.element, []).append(tracked)
    for element in sorted(set(real) | set(again)):
        pairs = list(zip_longest(real.get(element, []), again.get(element, [])))
        for before, after in pairs:
            name = (after.name if after else None) or (before.name if before else element)
            due_before = as_utc(before.due_at) if before and before.due_at else None
            due_after = as_utc(after.due_at) if after and after.due_at else None
            if due_before != due_after:
                line["moves"].append({"element": element, "name": name, "before": _iso(due_before),
                                      "after": _iso(due_after),
                                      "working_days": run.calendar.working_days_between(due_before, due_after)
                                      if due_before and due_after else None})
            was = before.status if before else None
            would = after.status if after else None
            entry = {"element": element, "name": name, "due": _iso(due_after or due_before)}
            if would == BREACHED and was != BREACHED:
                line["breaches_appear"].append(entry)
            elif was == BREACHED and would != BREACHED:
                line["breaches_vanish"].append(entry)
    return line


class _NoCommit:
    """A unit of work that a replay reads through: any attempt to commit is a fault, never a write."""

    def __init__(self, uow: Any):
        self._uow = uow

    def __enter__(self) -> Any:
        self._uow.__enter__()
        self._commit, self._uow.commit = self._uow.commit, self._refuse
        return self._uow

    def __exit__(self, *exc: Any) -> None:
        self._uow.commit = self._commit
        self._uow.__exit__(*exc)

    @staticmethod
    def _refuse() -> None:
        raise AssertionError("a replay must never commit")


def latest_replay(uow: Any, version_id: int) -> dict[str, Any] | None:
    """The newest stored replay of a version, or that one is waiting for the worker."""
    with uow:
        events = [(e.id, e.kind, e.actor, e.at, dict(e.data or {})) for e in uow.events.for_version(version_id)
                  if e.kind in (REQUESTED, REPORTED, PROGRESS)]
    reports = [e for e in events if e[1] == REPORTED]
    requested = [e for e in events if e[1] == REQUESTED]
    if requested and (not reports or requested[-1][0] > reports[-1][4].get("request", 0)):
        notes = [e[4] for e in events if e[1] == PROGRESS and e[4].get("request") == requested[-1][0]]
        return {"waiting": True, "requested_by": requested[-1][2], "requested_at": requested[-1][3],
                "months": requested[-1][4].get("months", DEFAULT_MONTHS),
                "done": notes[-1]["done"] if notes else 0, "total": notes[-1]["total"] if notes else None}
    if not reports:
        return None
    _, _, _, made_at, data = reports[-1]
    asked = next((e for e in requested if e[0] == data.get("request")), None)
    cases = [{**line, "moves": [{**move, "before": _instant(move["before"]), "after": _instant(move["after"])}
                                for move in line["moves"]],
              "breaches_appear": [{**b, "due": _instant(b.get("due"))} for b in line.get("breaches_appear", [])],
              "breaches_vanish": [{**b, "due": _instant(b.get("due"))} for b in line.get("breaches_vanish", [])]}
             for line in data.get("cases", [])]
    return {"waiting": False, "made_at": made_at, "requested_by": asked[2] if asked else None, **data,
            "cases": cases}


def _reported(uow: Any, version_id: int) -> set[int]:
    return {e.data.get("request") for e in uow.events.for_version(version_id) if e.kind == REPORTED}


def _instant(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None
