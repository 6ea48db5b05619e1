"""Reference data that busy read pages need on every request and that changes rarely: divisions, closure days
and process version summaries, kept as detached snapshots for a few seconds.

A commit in this process that changed any of those tables clears the cache at once; another process sees the
change within TTL_SECONDS. See docs/decisions.md ("Reference data cache").
"""
from __future__ import annotations

import copy
import threading
import time
from datetime import date
from types import SimpleNamespace
from weakref import WeakKeyDictionary

from sqlalchemy import event, select
from sqlalchemy.orm import Session, sessionmaker

from . import models as m

TTL_SECONDS = 5.0
WATCHED = (m.Division, m.ClosureDay, m.ProcessVersion)
_CHANGED = "reference_changed"


class ReferenceCache:
    """Values by key, each dropped after TTL_SECONDS of monotonic time or when cleared."""

    def __init__(self, ttl: float = TTL_SECONDS, monotonic=time.monotonic):
        self.ttl, self.monotonic = ttl, monotonic
        self._entries: dict = {}
        self._generation = 0
        self._lock = threading.Lock()

    def get(self, key, load):
        now = self.monotonic()
        with self._lock:
            entry = self._entries.get(key)
            generation = self._generation
        if entry is not None and now - entry[0] < self.ttl:
            return entry[1]
        value = load()
        with self._lock:
            if generation == self._generation:  # not cleared while loading
                self._entries[key] = (now, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._generation += 1


_CACHES: WeakKeyDictionary = WeakKeyDictionary()


def cache_for(session_factory: sessionmaker) -> ReferenceCache:
    """The cache shared by every session of one factory, cleared by commits that change reference tables."""
    cache = _CACHES.get(session_factory)
    if cache is None:
        cache = _CACHES[session_factory] = ReferenceCache()

        @event.listens_for(session_factory, "after_flush")
        def note(session: Session, _context) -> None:
            if any(isinstance(row, WATCHED) for row in (*session.new, *session.dirty, *session.deleted)):
                session.info[_CHANGED] = True

        @event.listens_for(session_factory, "after_commit")
        def clear(session: Session) -> None:
            if session.info.pop(_CHANGED, False):
                cache.clear()

        @event.listens_for(session_factory, "after_soft_rollback")
        def forget(session: Session, _previous) -> None:
            session.info.pop(_CHANGED, None)
    return cache


def closure_days(rows, division_id: int) -> dict[date, str]:
    """A division's closure days from (division id, day, reason) rows: group-wide ones too, its own reason wins."""
    group, own = {}, {}
    for row_division, day, reason in rows:
        if row_division is None:
            group[day] = reason
        elif row_division == division_id:
            own[day] = reason
    return {**group, **own}


class ReferenceData:
    """Read-only snapshots of divisions, closure days and version summaries; never change what they return."""

    def __init__(self, session: Session, cache: ReferenceCache):
        self.session, self.cache = session, cache

    def divisions(self) -> list[SimpleNamespace]:
        return self.cache.get("divisions", lambda: [
            SimpleNamespace(id=d.id, code=d.code, name=d.name, nation=d.nation, config=copy.deepcopy(d.config))
            for d in self.session.scalars(select(m.Division).order_by(m.Division.name))])

    def closures_for(self, division_id: int) -> dict[date, str]:
        """A division's closure days with the group-wide ones; its own reason wins on a shared day."""
        rows = self.cache.get("closures", lambda: self.session.execute(
            select(m.ClosureDay.division_id, m.ClosureDay.day, m.ClosureDay.reason)).all())
        return closure_days(rows, division_id)

    def version_summaries(self) -> list[SimpleNamespace]:
        v = m.ProcessVersion
        return self.cache.get("versions", lambda: [
            SimpleNamespace(id=i, process_key=key, number=number, state=state, sha256=sha)
            for i, key, number, state, sha in self.session.execute(
                select(v.id, v.process_key, v.number, v.state, v.sha256).order_by(v.process_key, v.number))])
