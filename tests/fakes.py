"""An in-memory unit of work implementing `processes.ports`: a transaction is a copy of the store, kept on commit.

Rows are plain dataclasses with the stored models' attributes. A unit of work that saves an instance another one
committed since it loaded raises Conflict, as the SQL compare-and-set does."""
from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass, field
from datetime import date, datetime
from types import SimpleNamespace
from typing import Any

from processes.errors import Conflict
from processes.vocabulary import DeadlineStatus, TaskRowState, VersionState


@dataclass
class FakeDivision:
    id: int
    code: str
    name: str
    nation: str = "england"
    config: dict = field(default_factory=dict)


@dataclass
class FakeUser:
    id: int
    username: str
    display_name: str = ""
    email: str = ""
    password_hash: str | None = None
    api_token_hash: str | None = None
    is_active: bool = True
    is_group_wide: bool = False


@dataclass
class FakeVersion:
    id: int
    process_key: str
    number: int
    sha256: str
    files: dict
    state: str = VersionState.DRAFT
    title: str = ""
    author_id: int | None = None
    reviewer_id: int | None = None
    change_note: str = ""
    review_note: str = ""
    validation: list = field(default_factory=list)
    created_at: datetime | None = None
    updated_at: datetime | None = None
    submitted_at: datetime | None = None
    reviewed_at: datetime | None = None
    published_at: datetime | None = None
    retired_at: datetime | None = None


@dataclass
class FakeCase:
    id: int
    reference: str
    division_id: int
    kind: str
    received_at: datetime
    version_id: int
    created_at: datetime
    channel: str = "web"
    stage: str = "intake"
    status: str = "open"
    outcome: str | None = None
    closed_at: datetime | None = None
    retention_until: date | None = None
    legal_hold: str | None = None
    complainant: dict = field(default_factory=dict)
    summary: str = ""
    incident: str | None = None
    access_token_hash: str | None = None
    access_expires_at: datetime | None = None
    stage_outcomes: dict = field(default_factory=dict)


@dataclass
class FakeInstance:
    id: int
    case_id: int
    version_id: int
    state: str
    due_at: datetime | None = None
    lock_version: int = 1
    lease_owner: str | None = None
    lease_until: datetime | None = None
    lease_token: str | None = None
    claimed_at: datetime | None = None
    completed: bool = False


@dataclass
class FakeTask:
    id: int
    case_id: int
    division_id: int
    version_id: int
    spiff_task_id: str
    spec_name: str
    title: str
    created_at: datetime
    stage: str = ""
    role: str | None = None
    assignee_id: int | None = None
    due_at: datetime | None = None
    state: str = TaskRowState.OPEN
    draft: dict | None = None
    completed_at: datetime | None = None
    completed_by_id: int | None = None


@dataclass
class FakeDeadline:
    id: int
    case_id: int
    spiff_task_id: str
    element_id: str
    name: str
    kind: str
    due_at: datetime
    started_at: datetime
    stage: str = ""
    explanation: dict | None = None
    status: str = DeadlineStatus.RUNNING
    resolved_at: datetime | None = None


@dataclass
class FakeEvent:
    id: int
    case_id: int | None
    kind: str
    actor: str
    at: datetime
    element: str | None = None
    version_id: int | None = None
    data: dict = field(default_factory=dict)


@dataclass
class FakeLearningAction:
    id: int
    case_id: int
    stage: str
    element: str
    description: str
    owner: str
    created_at: datetime
    review_on: date | None = None
    status: str = "open"
    best_practice: bool = False


TABLES = ("divisions", "users", "memberships", "closures", "versions", "specs", "cases", "counters", "instances",
          "tasks", "deadlines", "events", "involvements", "learning", "categories", "outbox", "files",
          "mail")


class FakeStore:
    """The committed state every FakeUnitOfWork starts from."""

    def __init__(self, clock):
        self.clock = clock
        self.tables: dict[str, dict] = {name: {} for name in TABLES}
        self.ids = itertools.count(1)

    def uow(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self)

    def add_division(self, code: str, name: str = "", nation: str = "england", config: dict | None = None):
        row = FakeDivision(next(self.ids), code, name or code, nation, config or {})
        self.tables["divisions"][row.id] = row
        return row

    def add_user(self, username: str, roles: dict[str, tuple[str, ...]] | None = None, **fields):
        row = FakeUser(next(self.ids), username, display_name=fields.pop("display_name", username.title()), **fields)
        self.tables["users"][row.id] = row
        divisions = {d.code: d for d in self.tables["divisions"].values()}
        for code, held in (roles or {}).items():
            for role in held:
                self.tables["memberships"][next(self.ids)] = (row.id, divisions[code].id, role)
        return row

    def publish(self, definition_files: dict[str, str], process_key: str, sha256: str):
        row = FakeVersion(next(self.ids), process_key, 1, sha256, definition_files, VersionState.PUBLISHED,
                          created_at=self.clock.now())
        self.tables["versions"][row.id] = row
        return row

    def rows(self, table: str) -> list:
        """Committed rows of a table, in insertion order."""
        return list(self.tables[table].values())


class _Repo:
    def __init__(self, uow: FakeUnitOfWork, table: str):
        self.uow, self.table = uow, table

    @property
    def rows(self) -> dict:
        return self.uow.tables[self.table]

    def _new(self, cls, **fields):
        row = cls(id=next(self.uow.store.ids), **fields)
        self.rows[row.id] = row
        return row

    def get(self, row_id):
        return self.rows.get(row_id)


class Divisions(_Repo):
    def by_code(self, code):
        return next((d for d in self.rows.values() if d.code == code), None)

    def all(self):
        return sorted(self.rows.values(), key=lambda d: d.name)


class Users(_Repo):
    def all(self):
        return sorted(self.rows.values(), key=lambda u: u.username)

    def by_username(self, username):
        return next((u for u in self.rows.values() if u.username == username), None)

    def id_of(self, username):
        user = self.by_username(username)
        return user.id if user else None

    def memberships(self, user_id):
        codes = {d.id: d.code for d in self.uow.tables["divisions"].values()}
        return [(codes[d], role) for u, d, role in self.uow.tables["memberships"].values() if u == user_id]

    def with_memberships(self, user_id=None, *, token_hash=None):
        user = (self.get(user_id) if token_hash is None
                else next((u for u in self.rows.values() if u.api_token_hash == token_hash), None))
        return (user, self.memberships(user.id)) if user else (None, [])

    def holding_role(self, division_id, role):
        ids = {u for u, d, r in self.uow.tables["memberships"].values() if d == division_id and r == role}
        return sorted((u for u in self.rows.values() if u.id in ids and u.is_active), key=lambda u: u.display_name)

    def add(self, **fields):
        return self._new(FakeUser, **fields)

    def add_membership(self, user_id, division_id, role):
        self.uow.tables["memberships"][next(self.uow.store.ids)] = (user_id, division_id, role)

    def remove_membership(self, user_id, division_id, role):
        memberships = self.uow.tables["memberships"]
        for key, value in list(memberships.items()):
            if value == (user_id, division_id, role):
                del memberships[key]


class Closures(_Repo):
    def for_division(self, division_id):
        days = [c for c in self.rows.values() if c.division_id in (None, division_id)]
        return {c.day: c.reason for c in sorted(days, key=lambda c: c.division_id is not None)}

    def listed(self, division_ids, include_group=True):
        return sorted((c for c in self.rows.values()
                       if c.division_id in division_ids or (include_group and c.division_id is None)),
                      key=lambda c: c.day)


class Versions(_Repo):
    def published(self, process_key):
        return next((v for v in self.rows.values()
                     if v.process_key == process_key and v.state == VersionState.PUBLISHED), None)

    def for_process(self, process_key):
        return sorted((v for v in self.rows.values() if v.process_key == process_key), key=lambda v: v.number)

    def listed(self):
        return sorted(self.rows.values(), key=lambda v: (v.process_key, v.number))

    summaries = listed

    def next_number(self, process_key):
        return max((v.number for v in self.for_process(process_key)), default=0) + 1

    def add(self, **fields):
        return self._new(FakeVersion, **fields)

    def spec_json(self, sha256):
        return self.uow.tables["specs"].get(sha256)

    def store_spec(self, sha256, spec):
        self.uow.tables["specs"].setdefault(sha256, spec)


class Cases(_Repo):
    def by_reference(self, reference):
        return next((c for c in self.rows.values() if c.reference == reference), None)

    def by_access_token_hash(self, digest):
        return next((c for c in self.rows.values() if c.access_token_hash == digest), None)

    def add(self, **fields):
        return self._new(FakeCase, **fields)

    def next_reference(self, division, year):
        counters = self.uow.tables["counters"]
        counters[(division.id, year)] = counters.get((division.id, year), 0) + 1
        return f"{division.code}-{year}-{counters[(division.id, year)]:06d}"

    def files_for_case(self, case_id):
        return [f for f in self.uow.tables["files"].values() if f.case_id == case_id]


class Instances(_Repo):
    def for_case(self, case_id):
        return next((i for i in self.rows.values() if i.case_id == case_id), None)

    def add(self, case_id, version_id, state, due_at):
        return self._new(FakeInstance, case_id=case_id, version_id=version_id, state=state, due_at=due_at)

    def save(self, instance, state, due_at, completed):
        committed = self.uow.store.tables["instances"].get(instance.id)
        if committed is not None and committed.lock_version != instance.lock_version:
            raise Conflict("someone else changed this case at the same time; reload and try again")
        instance.state, instance.due_at, instance.completed = state, due_at, completed
        instance.lock_version += 1
        self.uow.saved_instances[instance.id] = instance.lock_version - 1


class Tasks(_Repo):
    def get_with_case(self, task_id):
        task = self.get(task_id)
        return (task, self.uow.tables["cases"][task.case_id]) if task else (None, None)

    def for_case(self, case_id):
        return [t for t in self.rows.values() if t.case_id == case_id]

    def open_for_case(self, case_id):
        return [t for t in self.for_case(case_id) if t.state == TaskRowState.OPEN]

    def add(self, **fields):
        return self._new(FakeTask, **fields)

    def assign(self, task, assignee_id, held_by):
        if task.state != TaskRowState.OPEN or task.assignee_id not in held_by:
            return False
        task.assignee_id = assignee_id
        return True


class Deadlines(_Repo):
    def running_for_case(self, case_id):
        return [d for d in self.for_case(case_id) if d.status == DeadlineStatus.RUNNING]

    def for_case(self, case_id):
        return [d for d in self.rows.values() if d.case_id == case_id]

    def add(self, **fields):
        return self._new(FakeDeadline, **fields)


class Events(_Repo):
    def append(self, case_id, kind, actor, at, *, element=None, version_id=None, data=None):
        self._new(FakeEvent, case_id=case_id, kind=kind, actor=actor, at=at, element=element,
                  version_id=version_id, data=data or {})

    def append_many(self, rows):
        for row in rows:
            self._new(FakeEvent, **row)

    def for_case(self, case_id):
        return [e for e in self.rows.values() if e.case_id == case_id]


class Involvements(_Repo):
    def add(self, case_id, user_id, capacity, at):
        self.rows.setdefault((case_id, user_id, capacity), SimpleNamespace(
            case_id=case_id, user_id=user_id, capacity=capacity, at=at))

    def capacities(self, case_id, user_id):
        return {i.capacity for i in self.rows.values() if (i.case_id, i.user_id) == (case_id, user_id)}

    def for_case(self, case_id):
        return [i for i in self.rows.values() if i.case_id == case_id]


class Learning(_Repo):
    def add(self, **fields):
        return self._new(FakeLearningAction, **fields)

    def for_case(self, case_id):
        return [a for a in self.rows.values() if a.case_id == case_id]


class Categories(_Repo):
    def all(self):
        return sorted(self.rows.values(), key=lambda c: c.code)

    def by_code(self, code):
        return next((c for c in self.rows.values() if c.code == code), None)


class Mail(_Repo):
    """Emails taken in from the division mailboxes; the lifecycle use cases only read a case's correspondence."""

    def get(self, item_id):
        return self.rows.get(item_id)

    def for_case(self, case_id):
        return [m for m in self.rows.values() if getattr(m, "case_id", None) == case_id]

    def queue(self, division_ids):
        return [m for m in self.rows.values() if m.division_id in division_ids]

    def attachments(self, item_id, with_content=False):
        return []

    def contacts(self, division_ids):
        return []


class Reference:
    def __init__(self, uow: FakeUnitOfWork):
        self.uow = uow

    def divisions(self):
        return self.uow.divisions.all()

    def closures_for(self, division_id):
        return self.uow.closures.for_division(division_id)

    def version_summaries(self):
        return self.uow.versions.listed()


class FakeUnitOfWork:
    """One transaction over a FakeStore: everything read and written is a copy until `commit`."""

    def __init__(self, store: FakeStore):
        self.store = store
        self.commits = 0

    def __enter__(self) -> FakeUnitOfWork:
        self.tables: dict[str, dict[Any, Any]] = _copied(self.store.tables)
        self.saved_instances: dict[int, int] = {}  # instance id -> the lock version it was loaded with
        self.divisions, self.users = Divisions(self, "divisions"), Users(self, "users")
        self.closures, self.versions = Closures(self, "closures"), Versions(self, "versions")
        self.cases, self.instances = Cases(self, "cases"), Instances(self, "instances")
        self.tasks = Tasks(self, "tasks")
        self.deadlines, self.events = Deadlines(self, "deadlines"), Events(self, "events")
        self.involvements, self.learning = Involvements(self, "involvements"), Learning(self, "learning")
        self.categories, self.reference = Categories(self, "categories"), Reference(self)
        self.mail = Mail(self, "mail")
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.tables = {}

    def clock_now(self) -> datetime:
        return self.store.clock.now()

    def commit(self) -> None:
        committed = self.store.tables["instances"]
        for instance_id, seen in self.saved_instances.items():
            if instance_id in committed and committed[instance_id].lock_version != seen:
                raise Conflict("someone else changed this case at the same time; reload and try again")
        self.store.tables = self.tables
        self.tables = _copied(self.tables)  # a commit ends the transaction; the block may read on
        self.commits += 1

    def rollback(self) -> None:
        self.tables = _copied(self.store.tables)


def _copied(tables: dict[str, dict[Any, Any]]) -> dict[str, dict[Any, Any]]:
    # each row copied, its values shared: the domain assigns a row's attributes and never changes a stored dict
    # in place, and a deep copy of every case's workflow state would make the fake slower than SQLite
    return {name: {key: copy.copy(row) for key, row in rows.items()} for name, rows in tables.items()}


class RecordingLetters:
    """A LetterQueue that keeps each draft, with its case's reference, in the transaction's outbox unrendered."""

    def queue(self, uow, case, division, draft, now) -> None:
        uow.tables["outbox"][next(uow.store.ids)] = (case.reference, draft)

    def preview(self, uow, case, division, draft, now) -> list:
        return []  # nothing is rendered here; letter previews are tested with the real queue


def fake_world(start: datetime, *, services=None, bundles: tuple[str, ...] = ("demo",), config: dict | None = None):
    """A FakeStore with division IA running the named shipped bundles, and a Runtime over it."""
    from pathlib import Path

    from handlers import build_registry
    from processes.bundle import bundle_from_directory
    from processes.case_run import Runtime
    from processes.clock import SettableClock
    from processes.definitions import DefinitionCache

    clock = SettableClock(start)
    store = FakeStore(clock)
    processes = {}
    for name in bundles:
        bundle = bundle_from_directory(Path(__file__).resolve().parents[1] / "bpmn" / name)
        store.publish({n: b.decode() for n, b in bundle.files.items()}, bundle.process_key, bundle.sha256)
        processes.setdefault("complaint", bundle.process_key)
        processes[name] = bundle.process_key
    division = store.add_division("IA", "Interventions Alliance", config={"processes": processes, **(config or {})})
    runtime = Runtime(clock=clock, services=services or build_registry(), letters=RecordingLetters(),
                      definitions=DefinitionCache())
    return SimpleNamespace(store=store, clock=clock, runtime=runtime, division=division)
