"""SQL for the read models: the inbox over the task indexes, and the case list."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache

from sqlalchemy import Integer, Select, and_, bindparam, func, or_, select, union
from sqlalchemy.orm import Session, aliased

from processes.calendar import LONDON
from processes.read_models import CaseFilter, CaseRow, InboxRow, TaskQuery

from . import models as m


@dataclass(frozen=True)
class _Shape:
    """What decides the form of the inbox SQL; the values themselves travel as bound parameters."""

    scopes: int
    include_claimed: bool
    has_user: bool
    mine: bool
    stage: bool
    version: bool
    due_before: bool
    due_after: bool
    sort: str = "due"
    search: bool = False

    @property
    def fast(self) -> bool:
        """Soonest due first with no search: each branch can stop early on its index."""
        return self.sort == "due" and not self.search


def _open_tasks(shape: _Shape, *conditions) -> Select:
    q = select(m.Task.id, m.Task.due_at).where(m.Task.state == "open", *conditions)
    if shape.stage:
        q = q.where(m.Task.stage == bindparam("stage"))
    if shape.version:
        q = q.where(m.Task.version_id == bindparam("version_id"))
    if shape.due_before:
        q = q.where(m.Task.due_at <= bindparam("due_before"))
    if shape.due_after:
        q = q.where(m.Task.due_at >= bindparam("due_after"))
    return q


def _shape_and_params(query: TaskQuery) -> tuple[_Shape, dict]:
    mine = query.include_mine and query.user_id is not None and bool(query.division_ids)
    params = {"user_id": query.user_id, "division_ids": list(query.division_ids), "stage": query.stage,
              "version_id": query.version_id, "due_before": query.due_before, "due_after": query.due_after}
    if query.search:
        pattern = f"%{_escape_like(query.search.strip().lower())}%"
        params.update(search_reference=pattern.upper(), search_name=pattern)
    for n, (division_id, role) in enumerate(query.scopes):
        params[f"division_{n}"], params[f"role_{n}"] = division_id, role
    shape = _Shape(len(query.scopes), query.include_claimed, query.user_id is not None, mine, bool(query.stage),
                   bool(query.version_id), query.due_before is not None, query.due_after is not None,
                   query.sort, bool(query.search))
    return shape, params


def _branches(shape: _Shape) -> list[Select]:
    """One select per (division, role) pair and one for the user's own tasks, each able to walk one index."""
    branches = []
    for n in range(shape.scopes):
        conditions = [m.Task.division_id == bindparam(f"division_{n}"), m.Task.role == bindparam(f"role_{n}")]
        if not shape.include_claimed:
            unclaimed = m.Task.assignee_id.is_(None)
            conditions.append(or_(unclaimed, m.Task.assignee_id == bindparam("user_id")) if shape.has_user
                              else unclaimed)
        branches.append(_open_tasks(shape, *conditions))
    if shape.mine:
        branches.append(_open_tasks(shape, m.Task.assignee_id == bindparam("user_id"),
                                    m.Task.division_id.in_(bindparam("division_ids", expanding=True))))
    return branches


def _ordered(q: Select) -> Select:
    return q.order_by(m.Task.due_at.asc().nulls_last(), m.Task.id.asc())


def _sort_keys(sort: str) -> tuple:
    """The inbox's order for a sort choice; the task id last, so pages never overlap."""
    due = m.Task.due_at.asc().nulls_last()
    return {"received": (m.Case.received_at.asc(), due, m.Task.id.asc()),
            "newest": (m.Case.received_at.desc(), due, m.Task.id.asc()),
            "case": (m.Case.reference.asc(), due, m.Task.id.asc())}.get(sort, (due, m.Task.id.asc()))


def _matching(shape: _Shape) -> Select | None:
    """Task ids of the whole inbox joined to their cases, narrowed by the search (the general, slower path)."""
    branches = [b.with_only_columns(m.Task.id) for b in _branches(shape)]
    if not branches:
        return None
    ids = (union(*branches) if len(branches) > 1 else branches[0]).subquery()
    q = select(m.Task.id).join(ids, ids.c.id == m.Task.id).join(m.Case, m.Case.id == m.Task.case_id)
    if shape.search:
        name = func.lower(m.Case.complainant["name"].as_string())
        q = q.where(or_(m.Case.reference.like(bindparam("search_reference"), escape="\\"),
                        name.like(bindparam("search_name"), escape="\\")))
    return q


@lru_cache(maxsize=128)
def _ids_statement(shape: _Shape) -> Select | None:
    """Task ids of one inbox page: each branch stops after offset+limit rows, then the union is merged."""
    if not shape.fast:
        matching = _matching(shape)
        if matching is None:
            return None
        return (matching.order_by(*_sort_keys(shape.sort)).offset(bindparam("offset", type_=Integer))
                .limit(bindparam("limit", type_=Integer)))
    branches = [select(sub.c.id, sub.c.due_at).select_from(sub)
                for sub in (_ordered(b).limit(bindparam("upto", type_=Integer)).subquery() for b in _branches(shape))]
    if not branches:
        return None
    merged = union(*branches).subquery() if len(branches) > 1 else branches[0].subquery()
    return (select(merged.c.id).order_by(merged.c.due_at.asc().nulls_last(), merged.c.id.asc())
            .offset(bindparam("offset", type_=Integer)).limit(bindparam("limit", type_=Integer)))


@lru_cache(maxsize=128)
def _count_statement(shape: _Shape) -> Select | None:
    if not shape.fast:
        matching = _matching(shape)
        if matching is None:
            return None
        return select(func.count()).select_from(matching.limit(bindparam("cap", type_=Integer)).subquery())
    branches = [select(sub.c.id).select_from(sub)
                for sub in (b.with_only_columns(m.Task.id).limit(bindparam("cap", type_=Integer)).subquery()
                            for b in _branches(shape))]
    if not branches:
        return None
    merged = union(*branches).subquery() if len(branches) > 1 else branches[0].subquery()
    return select(func.count()).select_from(select(merged.c.id).limit(bindparam("cap", type_=Integer)).subquery())


def _details(page_ids, sort: str = "due") -> Select:
    """What each inbox line shows, for the task ids of one page."""
    assignee = aliased(m.User)
    return (select(m.Task.id, m.Task.title, m.Task.stage, m.Task.role, m.Case.reference, m.Case.kind,
                   m.Division.code, m.ProcessVersion.number, m.ProcessVersion.process_key, assignee.display_name,
                   m.Task.assignee_id, m.Task.due_at, m.Case.received_at,
                   func.coalesce(m.Case.complainant["name"].as_string(), ""), func.substr(m.Case.summary, 1, 200))
            .select_from(page_ids).join(m.Task, m.Task.id == page_ids.c.id)
            .join(m.Case, m.Case.id == m.Task.case_id).join(m.Division, m.Division.id == m.Task.division_id)
            .join(m.ProcessVersion, m.ProcessVersion.id == m.Task.version_id)
            .outerjoin(assignee, assignee.id == m.Task.assignee_id)
            .order_by(*_sort_keys(sort)))


@lru_cache(maxsize=128)
def _page_statement(shape: _Shape) -> Select | None:
    """One round trip for a page: its lines, each carrying the capped total (computed once by the database)."""
    ids = _ids_statement(shape)
    if ids is None:
        return None
    return _details(ids.subquery(), shape.sort).add_columns(_count_statement(shape).scalar_subquery().label("total"))


def inbox_page_sql(query: TaskQuery, offset: int, limit: int, cap: int) -> tuple[Select | None, dict]:
    """The statement and parameters for one inbox page with its capped total."""
    shape, params = _shape_and_params(query)
    return _page_statement(shape), {**params, "upto": offset + limit, "offset": offset, "limit": limit, "cap": cap}


def inbox_count_sql(query: TaskQuery, cap: int) -> tuple[Select | None, dict]:
    """The statement and parameters counting the inbox's tasks no further than `cap`."""
    shape, params = _shape_and_params(query)
    return _count_statement(shape), {**params, "cap": cap}


def inbox_page(session: Session, query: TaskQuery, offset: int, limit: int, cap: int) -> tuple[list[InboxRow], int]:
    """One inbox page, soonest due first, and how many tasks the inbox holds (counting no further than `cap`)."""
    statement, params = inbox_page_sql(query, offset, limit, cap)
    if statement is None:
        return [], 0
    rows = session.execute(statement, params).all()
    if rows:
        return [InboxRow(*row[:-1]) for row in rows], rows[0][-1]
    return [], inbox_count(session, query, cap) if offset else 0


def inbox_count(session: Session, query: TaskQuery, cap: int) -> int:
    """How many tasks the inbox holds, counting no further than `cap`."""
    statement, params = inbox_count_sql(query, cap)
    return (session.scalar(statement, params) or 0) if statement is not None else 0


def open_stages(session: Session, division_ids: list[int]) -> list[str]:
    return [s for s in session.scalars(select(m.Task.stage).where(
        m.Task.state == "open", m.Task.division_id.in_(division_ids)).distinct().order_by(m.Task.stage)) if s]


def open_versions(session: Session, division_ids: list[int]) -> list[tuple[int, str]]:
    used = select(m.Task.version_id).where(m.Task.state == "open", m.Task.division_id.in_(division_ids)).distinct()
    rows = session.execute(select(m.ProcessVersion.id, m.ProcessVersion.process_key, m.ProcessVersion.number)
                           .where(m.ProcessVersion.id.in_(used)).order_by(m.ProcessVersion.process_key,
                                                                           m.ProcessVersion.number))
    return [(vid, f"{key} v{number}") for vid, key, number in rows]


def case_search(session: Session, division_ids: list[int], filters: CaseFilter, offset: int, limit: int,
                cap: int) -> tuple[list[CaseRow], int]:
    """Cases of the given divisions matching the filters, newest received first, with a capped count."""
    conditions = [m.Case.division_id.in_(division_ids)]
    if filters.status:
        conditions.append(m.Case.status == filters.status)
    if filters.stage:
        conditions.append(m.Case.stage == filters.stage)
    if filters.kind:
        conditions.append(m.Case.kind == filters.kind)
    if filters.reference:
        conditions.append(m.Case.reference.like(f"%{_escape_like(filters.reference.strip().upper())}%", escape="\\"))
    if filters.received_from:
        conditions.append(m.Case.received_at >= start_of_day(filters.received_from))
    if filters.received_to:
        conditions.append(m.Case.received_at < start_of_day(filters.received_to + timedelta(days=1)))
    where = and_(*conditions)
    rows = session.execute(select(m.Case, m.Division.code).join(m.Division).where(where)
                           .order_by(m.Case.received_at.desc(), m.Case.id.desc()).offset(offset).limit(limit))
    found = [CaseRow(c.reference, code, c.kind, c.channel, c.stage, c.status, c.outcome, c.received_at, c.summary,
                     (c.complainant or {}).get("name", "")) for c, code in rows]
    total = session.scalar(select(func.count()).select_from(select(m.Case.id).where(where).limit(cap).subquery()))
    return found, total or 0


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def start_of_day(day: date) -> datetime:
    """Midnight London time at the start of a day, in UTC (columns hold UTC)."""
    return datetime.combine(day, time(0), LONDON).astimezone(timezone.utc)
