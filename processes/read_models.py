"""Read models for the inbox and case lists: what staff see, limited to their divisions and roles."""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from types import SimpleNamespace
from typing import Protocol, TypeVar, overload

from .access import Actor
from .calendar import LONDON, WorkingCalendar
from .errors import InvalidInput
from .input_bounds import MAX_ID, MAX_PAGE, window_problems
from .vocabulary import MANAGER_ROLES, TASK_ROLES, VersionState

RowT = TypeVar("RowT")
SCOPES = ("all", "mine", "available", "team")
# how the inbox can be ordered: the query value, and what the person is told
INBOX_SORTS = {"due": "Due date, soonest first", "received": "Received date, oldest first",
               "newest": "Received date, newest first", "case": "Case reference"}
MAX_SEARCH = 80  # characters of a reference or a name; longer is not a search anyone means
COUNT_CAP = 1000


@dataclass(frozen=True)
class InboxFilter:
    """What the inbox is narrowed to; `scope` is all (mine + unclaimed), mine, available or team."""

    division: str | None = None
    stage: str | None = None
    version_id: int | None = None
    overdue: bool = False
    due_this_week: bool = False
    scope: str = "all"
    page: int = 1
    per_page: int = 25
    sort: str = "due"
    search: str | None = None  # part of a case reference or of the complainant's name


@dataclass(frozen=True)
class TaskQuery:
    """The inbox question in storage terms: (division id, role) pairs, the user, and the filters."""

    scopes: tuple[tuple[int, str], ...]
    division_ids: tuple[int, ...]
    user_id: int | None
    include_mine: bool
    include_claimed: bool
    stage: str | None = None
    version_id: int | None = None
    due_before: datetime | None = None
    due_after: datetime | None = None
    sort: str = "due"
    search: str | None = None


@dataclass
class InboxRow:
    """One task line in the inbox."""

    task_id: int
    title: str
    stage: str
    role: str | None
    case_reference: str
    case_kind: str
    division: str
    version_number: int
    process_key: str
    assignee: str | None
    assignee_id: int | None
    due_at: datetime | None
    received_at: datetime | None = None
    complainant_name: str = ""
    summary: str = ""
    working_days_left: int | None = None
    overdue: bool = False

    @property
    def summary_line(self) -> str:
        """The first line of what the complainant said, short enough for one line of the list."""
        line = next((part.strip() for part in (self.summary or "").splitlines() if part.strip()), "")
        return line if len(line) <= 90 else line[:89].rstrip() + "…"


@dataclass
class Page:
    """A page of rows with a total that stops counting at COUNT_CAP."""

    rows: list
    total: int
    page: int
    per_page: int
    capped: bool = False

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page * self.per_page < self.total


class InboxSource(Protocol):
    """The task index queries the inbox needs (storage implements them over the inbox indexes)."""

    def inbox_page(self, query: TaskQuery, offset: int, limit: int, cap: int) -> tuple[list[InboxRow], int]: ...
    def inbox_count(self, query: TaskQuery, cap: int) -> int: ...


@dataclass(frozen=True)
class CaseFilter:
    """What the case list is narrowed to."""

    division: str | None = None
    status: str | None = None
    stage: str | None = None
    kind: str | None = None
    reference: str | None = None
    received_from: date | None = None
    received_to: date | None = None
    page: int = 1
    per_page: int = 25


@dataclass
class CaseRow:
    """One case line in a list."""

    reference: str
    division: str
    kind: str
    channel: str
    stage: str
    status: str
    outcome: str | None
    received_at: datetime
    summary: str
    complainant_name: str = ""
    extra: dict = field(default_factory=dict)


@overload
def plain(row: None) -> None: ...
@overload
def plain(row: RowT) -> RowT: ...


def plain(row: object) -> object:
    """A detached copy of a stored row's loaded attributes, safe to use after its transaction ends.

    Typed as the row it copies: the copy has the same attributes (a SimpleNamespace of them)."""
    if row is None:
        return None
    return SimpleNamespace(**{k: v for k, v in vars(row).items() if not k.startswith("_")})


def plain_all(rows: Iterable[RowT]) -> list[RowT]:
    return [plain(r) for r in rows]


def task_query(actor: Actor, division_ids: dict[str, int], filters: InboxFilter, now: datetime) -> TaskQuery:
    """Turn an actor and inbox filters into the storage question, never reaching outside their divisions."""
    visible = sorted(code for code in actor.divisions if code in division_ids
                     and (not filters.division or code == filters.division))
    scope = filters.scope if filters.scope in SCOPES else "all"
    managers = any(actor.has_role(code, role) for code in visible for role in MANAGER_ROLES)
    pairs = tuple((division_ids[code], role) for code in visible for role in sorted(actor.roles.get(code, ()))
                  if role in TASK_ROLES) if scope != "mine" else ()
    if scope == "team" and managers:
        # managers see every open task of their divisions' task roles, claimed or not, to reassign it
        pairs = tuple((division_ids[code], role) for code in visible for role in TASK_ROLES
                      if any(actor.has_role(code, m) for m in MANAGER_ROLES))
    due_before = due_after = None
    if filters.overdue and filters.due_this_week:
        due_before = end_of_week(now)  # overdue or falling due by Sunday
    elif filters.overdue:
        due_before = now
    elif filters.due_this_week:
        due_after, due_before = now, end_of_week(now)
    return TaskQuery(scopes=pairs, division_ids=tuple(division_ids[c] for c in visible), user_id=actor.user_id,
                     include_mine=scope in ("all", "mine", "team"), include_claimed=scope == "team" and managers,
                     stage=filters.stage or None, version_id=filters.version_id,
                     due_before=due_before, due_after=due_after,
                     sort=filters.sort if filters.sort in INBOX_SORTS else "due",
                     search=(filters.search or "").strip()[:MAX_SEARCH] or None)


def end_of_week(now: datetime) -> datetime:
    """The end of Sunday of the current week, London time."""
    local = now.astimezone(LONDON).date()
    sunday = local + timedelta(days=6 - local.weekday())
    return datetime.combine(sunday, time(23, 59, 59), LONDON).astimezone(timezone.utc)


def inbox(uow, actor: Actor, filters: InboxFilter, clock) -> Page:
    """The actor's inbox page: tasks assigned to them and open tasks for their roles, soonest due first."""
    with uow:
        return _inbox_page(uow, actor, filters, clock.now(), {d.code: d for d in uow.reference.divisions()})


def inbox_screen(uow, actor: Actor, filters: InboxFilter, clock) -> tuple[Page, dict]:
    """The inbox page and the values its filters offer, read in one transaction."""
    with uow:
        divisions = {d.code: d for d in uow.reference.divisions()}
        return (_inbox_page(uow, actor, filters, clock.now(), divisions),
                _choices(uow, actor, list(divisions.values())))


def _inbox_page(uow, actor: Actor, filters: InboxFilter, now: datetime, divisions: dict) -> Page:
    problems = {}
    if filters.version_id is not None and not 0 < filters.version_id <= MAX_ID:
        problems["version_id"] = ["No process version has that number"]
    if filters.page > MAX_PAGE:
        problems["page"] = [f"Choose a page up to {MAX_PAGE:,}"]
    if problems:
        raise InvalidInput("the filters are out of range", problems)
    query = task_query(actor, {c: d.id for c, d in divisions.items()}, filters, now)
    page = max(1, filters.page)
    rows, total = uow.tasks.inbox_page(query, (page - 1) * filters.per_page, filters.per_page, COUNT_CAP)
    _mark_due(uow, rows, divisions, now)
    return Page(rows, min(total, COUNT_CAP), page, filters.per_page, capped=total >= COUNT_CAP)


def _mark_due(uow, rows: list[InboxRow], divisions: dict, now: datetime) -> None:
    """Set each row's working days left and overdue flag, on its division's calendar."""
    shown = {row.division for row in rows if row.due_at is not None}
    if not shown:
        return
    calendars = {code: WorkingCalendar(divisions[code].nation, uow.reference.closures_for(divisions[code].id))
                 for code in shown}
    left: dict[tuple[str, date], int] = {}
    for row in rows:
        if row.due_at is None:
            continue
        key = (row.division, row.due_at.astimezone(LONDON).date())
        if key not in left:
            left[key] = calendars[row.division].working_days_between(now, row.due_at)
        row.overdue = row.due_at < now
        row.working_days_left = left[key]


def inbox_count(uow, actor: Actor, clock) -> int:
    """How many open tasks wait for the actor (capped), for the navigation badge."""
    with uow:
        ids = {d.code: d.id for d in uow.reference.divisions()}
        return min(uow.tasks.inbox_count(task_query(actor, ids, InboxFilter(), clock.now()), COUNT_CAP), COUNT_CAP)


_STAGES_BY_SHA: dict[str, list[str]] = {}
STAGE_PROPERTY = re.compile(r'name="stage"\s+value="([^"]+)"')


def _choices(uow, actor: Actor, all_divisions: list) -> dict:
    divisions = [d for d in all_divisions if actor.can_see(d.code)]
    keys = {key for d in divisions for key in (d.config or {}).get("processes", {}).values()}
    versions = [v for v in uow.reference.version_summaries()
                if v.process_key in keys and v.state in (VersionState.PUBLISHED, VersionState.RETIRED)]
    stages = set()
    for version in versions:
        if version.sha256 not in _STAGES_BY_SHA:  # a version's files never change once published
            files = uow.versions.get(version.id).files or {}
            _STAGES_BY_SHA[version.sha256] = sorted({m for text in files.values()
                                                     for m in STAGE_PROPERTY.findall(text)})
        stages.update(_STAGES_BY_SHA[version.sha256])
    return {"divisions": [(d.code, d.name) for d in divisions], "stages": sorted(stages),
            "versions": [(v.id, f"{v.process_key} v{v.number}") for v in versions]}


def case_list(uow, actor: Actor, filters: CaseFilter) -> Page:
    """Cases in the actor's divisions, newest received first; a date or page no case could have is refused."""
    problems = {name: window_problems(getattr(filters, name)) for name in ("received_from", "received_to")}
    if filters.page > MAX_PAGE:
        problems["page"] = [f"Choose a page up to {MAX_PAGE:,}"]
    problems = {name: messages for name, messages in problems.items() if messages}
    if problems:
        raise InvalidInput("the filters are out of range", problems)
    with uow:
        ids = [d.id for d in uow.divisions.all() if actor.can_see(d.code)
               and (not filters.division or d.code == filters.division)]
        page = max(1, filters.page)
        rows, total = uow.cases.search(ids, filters, (page - 1) * filters.per_page, filters.per_page, COUNT_CAP)
        return Page(rows, min(total, COUNT_CAP), page, filters.per_page, capped=total >= COUNT_CAP)
