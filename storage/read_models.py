"""SQL for the read models: the inbox over the task indexes, and the case list."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import Select, and_, func, or_, select, union
from sqlalchemy.orm import Session, aliased

from processes.calendar import LONDON
from processes.read_models import CaseFilter, CaseRow, InboxRow, TaskQuery

from . import models as m


def _open_tasks(query: TaskQuery, *conditions) -> Select:
    q = select(m.Task.id, m.Task.due_at).where(m.Task.state == "open", *conditions)
    if query.stage:
        q = q.where(m.Task.stage == query.stage)
    if query.version_id:
        q = q.where(m.Task.version_id == query.version_id)
    if query.due_before is not None:
        q = q.where(m.Task.due_at <= query.due_before)
    if query.due_after is not None:
        q = q.where(m.Task.due_at >= query.due_after)
    return q


def _branches(query: TaskQuery) -> list[Select]:
    """One select per (division, role) pair and one for the user's own tasks, each able to walk one index."""
    branches = []
    for division_id, role in query.scopes:
        conditions = [m.Task.division_id == division_id, m.Task.role == role]
        if not query.include_claimed:
            conditions.append(or_(m.Task.assignee_id.is_(None), m.Task.assignee_id == query.user_id)
                              if query.user_id is not None else m.Task.assignee_id.is_(None))
        branches.append(_open_tasks(query, *conditions))
    if query.include_mine and query.user_id is not None and query.division_ids:
        branches.append(_open_tasks(query, m.Task.assignee_id == query.user_id,
                                    m.Task.division_id.in_(query.division_ids)))
    return branches


def _ordered(q: Select) -> Select:
    return q.order_by(m.Task.due_at.asc().nulls_last(), m.Task.id.asc())


def _inbox_ids_select(query: TaskQuery, offset: int, limit: int) -> Select | None:
    """Task ids of one inbox page: each branch stops after offset+limit rows, then the union is merged."""
    branches = [select(sub.c.id, sub.c.due_at).select_from(sub)
                for sub in (_ordered(b).limit(offset + limit).subquery() for b in _branches(query))]
    if not branches:
        return None
    merged = union(*branches).subquery() if len(branches) > 1 else branches[0].subquery()
    return (select(merged.c.id).order_by(merged.c.due_at.asc().nulls_last(), merged.c.id.asc())
            .offset(offset).limit(limit))


def _inbox_details_select(ids: list[int]) -> Select:
    assignee = aliased(m.User)
    return (select(m.Task, m.Case.reference, m.Case.kind, m.Division.code, m.ProcessVersion.number,
                   m.ProcessVersion.process_key, assignee.display_name)
            .join(m.Case, m.Case.id == m.Task.case_id).join(m.Division, m.Division.id == m.Task.division_id)
            .join(m.ProcessVersion, m.ProcessVersion.id == m.Task.version_id)
            .outerjoin(assignee, assignee.id == m.Task.assignee_id)
            .where(m.Task.id.in_(ids)))


def _inbox_count_select(query: TaskQuery, cap: int) -> Select | None:
    branches = [select(sub.c.id).select_from(sub)
                for sub in (b.with_only_columns(m.Task.id).limit(cap).subquery() for b in _branches(query))]
    if not branches:
        return None
    merged = union(*branches).subquery() if len(branches) > 1 else branches[0].subquery()
    return select(func.count()).select_from(select(merged.c.id).limit(cap).subquery())


def inbox_ids(session: Session, query: TaskQuery, offset: int, limit: int) -> list[int]:
    """Task ids of one inbox page, soonest due first."""
    page = _inbox_ids_select(query, offset, limit)
    return list(session.scalars(page)) if page is not None else []


def inbox_rows(session: Session, query: TaskQuery, offset: int, limit: int) -> list[InboxRow]:
    """One inbox page with what each line shows."""
    ids = inbox_ids(session, query, offset, limit)
    if not ids:
        return []
    rows = session.execute(_inbox_details_select(ids))
    by_id = {task.id: InboxRow(task.id, task.title, task.stage, task.role, reference, kind, code, number, key,
                               name, task.assignee_id, task.due_at)
             for task, reference, kind, code, number, key, name in rows}
    return [by_id[i] for i in ids if i in by_id]


def inbox_count(session: Session, query: TaskQuery, cap: int) -> int:
    """How many tasks the inbox holds, counting no further than `cap`."""
    counted = _inbox_count_select(query, cap)
    return (session.scalar(counted) or 0) if counted is not None else 0


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
