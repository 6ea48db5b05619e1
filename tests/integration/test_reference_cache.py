"""Reference data (divisions, closure days, version summaries) is cached for seconds and never outlives a commit."""
from __future__ import annotations

from datetime import date

from sqlalchemy.orm import sessionmaker

from storage.reference import ReferenceCache, cache_for
from storage.unit_of_work import SqlUnitOfWork


class Ticks:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_value_is_reused_until_its_time_is_up():
    ticks, loads = Ticks(), []
    cache = ReferenceCache(ttl=5.0, monotonic=ticks)
    assert cache.get("k", lambda: loads.append(1) or "first") == "first"
    ticks.now = 4.9
    assert cache.get("k", lambda: "second") == "first"
    ticks.now = 5.0
    assert cache.get("k", lambda: "second") == "second"


def test_a_value_loaded_while_the_cache_was_cleared_is_not_kept():
    cache = ReferenceCache(ttl=5.0, monotonic=Ticks())

    def load_then_clear():
        cache.clear()  # a commit lands while this request was still loading
        return "stale"
    assert cache.get("k", load_then_clear) == "stale"
    assert cache.get("k", lambda: "fresh") == "fresh"


def test_a_committed_closure_day_shows_at_once(container):
    with container.uow() as uow:
        ia = next(d for d in uow.reference.divisions() if d.code == "IA")
        assert uow.reference.closures_for(ia.id) == {}
    with container.uow() as uow:
        uow.closures.add(ia.id, date(2026, 12, 29), "Staff training")
        uow.commit()
    with container.uow() as uow:
        assert uow.reference.closures_for(ia.id) == {date(2026, 12, 29): "Staff training"}


def test_a_rolled_back_change_leaves_the_cache_alone_and_a_committed_one_clears_it(container):
    with container.uow() as uow:
        before = {d.code: d.name for d in uow.reference.divisions()}
    with container.uow() as uow:
        uow.divisions.by_code("IA").name = "Renamed but abandoned"
        uow.session.flush()  # leaving the block rolls back
    with container.uow() as uow:
        assert {d.code: d.name for d in uow.reference.divisions()} == before
        uow.divisions.by_code("IA").name = "Interventions Alliance (renamed)"
        uow.commit()
    with container.uow() as uow:
        assert {d.code: d.name for d in uow.reference.divisions()}["IA"] == "Interventions Alliance (renamed)"


def test_group_closures_apply_to_every_division_and_a_divisions_own_reason_wins(container):
    with container.uow() as uow:
        ia, euk = uow.divisions.by_code("IA"), uow.divisions.by_code("EUK")
        uow.closures.add(None, date(2026, 12, 29), "Group closure")
        uow.closures.add(ia.id, date(2026, 12, 29), "IA office move")
        uow.commit()
    with container.uow() as uow:
        assert uow.reference.closures_for(ia.id) == {date(2026, 12, 29): "IA office move"}
        assert uow.reference.closures_for(euk.id) == {date(2026, 12, 29): "Group closure"}


def test_each_session_factory_has_its_own_cache(container):
    other = sessionmaker(container.engine, expire_on_commit=False)
    assert cache_for(other) is not cache_for(container.session_factory)
    with SqlUnitOfWork(other, container.clock) as uow:
        assert {d.code for d in uow.reference.divisions()} >= {"IA", "EUK", "ST", "PL"}
