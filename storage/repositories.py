"""Repositories: the queries the use cases need, in SQLAlchemy 2 style."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, defer
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from processes.aggregates import ClosureDay, Division, Instance, Task  # the rows this module hands out

from . import models as m
from . import worklist_queries as rm
from .reference import closure_days


class _Repo:
    def __init__(self, session: Session):
        self.session = session

    def _add(self, row, flush: bool = False):
        """Add a row; flush only when the caller needs its generated id straight away."""
        self.session.add(row)
        if flush:
            self.session.flush()
        return row


class DivisionRepository(_Repo):
    def get(self, division_id: int) -> m.Division | None:
        held = self.session.info.setdefault("divisions", {})  # a strong reference: the identity map is weak
        if division_id not in held:
            held[division_id] = self.session.get(m.Division, division_id)
        return held[division_id]

    def by_code(self, code: str) -> m.Division | None:
        return self.session.scalars(select(m.Division).where(m.Division.code == code)).first()

    def all(self) -> list[m.Division]:
        return list(self.session.scalars(select(m.Division).order_by(m.Division.name)))


def _user_with_memberships(match) -> Select:
    # built once: on every request, constructing the statement would cost more than running it;
    # plain columns, since loading a full user entity on every request costs more than the query
    u = m.User
    return (select(u.id, u.username, u.is_active, u.is_group_wide, m.Division.code, m.Membership.role)
            .outerjoin(m.Membership, m.Membership.user_id == m.User.id)
            .outerjoin(m.Division, m.Division.id == m.Membership.division_id).where(match == bindparam("key")))


_USER_BY_ID = _user_with_memberships(m.User.id)
_USER_BY_TOKEN = _user_with_memberships(m.User.api_token_hash)
# the statements every engine step runs, built once (see docs/decisions.md, "Hot statements are built once")
_USER_BY_NAME = select(m.User).where(m.User.username == bindparam("username"))
_CLOSURES_FOR_DIVISION = select(m.ClosureDay.division_id, m.ClosureDay.day, m.ClosureDay.reason).where(
    (m.ClosureDay.division_id == bindparam("division_id")) | m.ClosureDay.division_id.is_(None))
_INSTANCE_FOR_CASE = select(m.Instance).where(m.Instance.case_id == bindparam("case_id"))
_TASK_WITH_CASE = (select(m.Task, m.Case, m.Instance, m.Division).join(m.Case, m.Task.case_id == m.Case.id)
                   .join(m.Division, m.Division.id == m.Case.division_id)
                   .outerjoin(m.Instance, m.Instance.case_id == m.Case.id).where(m.Task.id == bindparam("task_id")))
_OPEN_TASKS = select(m.Task).where(m.Task.case_id == bindparam("case_id"), m.Task.state == "open")
_INSERT_EVENT = insert(m.Event.__table__)
_INSERT_INVOLVEMENT = {name: dialect.insert(m.Involvement.__table__).on_conflict_do_nothing()
                       for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))}
_SAVE_INSTANCE = (update(m.Instance.__table__)
                  .where(m.Instance.id == bindparam("instance_id"), m.Instance.lock_version == bindparam("seen"))
                  .values(state=bindparam("new_state"), due_at=bindparam("new_due_at"),
                          completed=bindparam("new_completed"), lock_version=m.Instance.lock_version + 1))
_CLAIM_TASK = update(m.Task.__table__).where(m.Task.id == bindparam("task_id"), m.Task.state == "open")
_RUNNING_DEADLINES = select(m.Deadline).where(m.Deadline.case_id == bindparam("case_id"),
                                              m.Deadline.status == "running")


class UserRepository(_Repo):
    def with_memberships(self, user_id: int | None = None, *, token_hash: str | None = None
                         ) -> tuple[Any, list[tuple[str, str]]]:
        """A user's id, username, is_active and is_group_wide (by id or API token hash) and their
        (division code, role) memberships, in one query."""
        statement = _USER_BY_TOKEN if token_hash is not None else _USER_BY_ID
        rows = self.session.execute(statement, {"key": token_hash if token_hash is not None else user_id}).all()
        if not rows:
            return None, []
        user = rows[0]
        return user, [(row.code, row.role) for row in rows if row.id == user.id and row.code is not None]

    def all(self) -> list[m.User]:
        return list(self.session.scalars(select(m.User).order_by(m.User.username)))

    def remove_membership(self, user_id: int, division_id: int, role: str) -> None:
        row = self.session.scalars(select(m.Membership).where(
            m.Membership.user_id == user_id, m.Membership.division_id == division_id,
            m.Membership.role == role)).first()
        if row is not None:
            self.session.delete(row)
            self.session.flush()

    def holding_role(self, division_id: int, role: str) -> list[m.User]:
        """Active users holding a role in a division."""
        return list(self.session.scalars(
            select(m.User).join(m.Membership, m.Membership.user_id == m.User.id)
            .where(m.Membership.division_id == division_id, m.Membership.role == role, m.User.is_active.is_(True))
            .order_by(m.User.display_name)))

    def get(self, user_id: int) -> m.User | None:
        return self.session.get(m.User, user_id)

    def by_username(self, username: str) -> m.User | None:
        return self.session.scalars(_USER_BY_NAME, {"username": username}).first()

    def id_of(self, username: str) -> int | None:
        user = self.by_username(username)
        return user.id if user is not None else None

    def add(self, **fields) -> m.User:
        return self._add(m.User(**fields), flush=True)

    def add_membership(self, user_id: int, division_id: int, role: str) -> None:
        self._add(m.Membership(user_id=user_id, division_id=division_id, role=role))

    def memberships(self, user_id: int) -> list[tuple[str, str]]:
        rows = self.session.execute(select(m.Division.code, m.Membership.role).join(m.Division)
                                    .where(m.Membership.user_id == user_id))
        return [(code, role) for code, role in rows]


_UPSERT_FAILURE = {name: dialect.insert(m.SignInFailure.__table__) for name, dialect in
                   (("postgresql", postgresql), ("sqlite", sqlite))}


class SignInRepository(_Repo):
    """Unsuccessful sign-ins and lockouts, per username tried; shared by every web worker through the database."""

    def get(self, username: str) -> m.SignInFailure | None:
        return self.session.get(m.SignInFailure, username)

    def record_failure(self, username: str, at: datetime) -> int:
        """Count one more failure atomically (concurrent workers never lose one); returns the new count."""
        insert_ = _UPSERT_FAILURE[self.session.get_bind().dialect.name]
        table = m.SignInFailure.__table__
        statement = insert_.values(username=username, failures=1, last_failed_at=at).on_conflict_do_update(
            index_elements=[table.c.username],
            set_={"failures": table.c.failures + 1, "last_failed_at": at}).returning(table.c.failures)
        return int(self.session.execute(statement).scalar_one())

    def lock(self, username: str, until: datetime) -> None:
        self.session.execute(update(m.SignInFailure).where(m.SignInFailure.username == username)
                             .values(locked_until=until))

    def clear(self, username: str) -> None:
        self.session.execute(delete(m.SignInFailure).where(m.SignInFailure.username == username))

    def prune(self, before: datetime) -> None:
        """Forget failures not repeated since `before` whose lock (if any) is over."""
        self.session.execute(delete(m.SignInFailure).where(
            m.SignInFailure.last_failed_at < before,
            or_(m.SignInFailure.locked_until.is_(None), m.SignInFailure.locked_until < before)))


class ClosureRepository(_Repo):
    def listed(self, division_ids: list[int], include_group: bool = True) -> list[m.ClosureDay]:
        condition = m.ClosureDay.division_id.in_(division_ids)
        if include_group:
            condition = condition | m.ClosureDay.division_id.is_(None)
        return list(self.session.scalars(select(m.ClosureDay).where(condition).order_by(m.ClosureDay.day)))

    def get(self, closure_id: int) -> m.ClosureDay | None:
        return self.session.get(m.ClosureDay, closure_id)

    def add(self, division_id: int | None, day: date, reason: str) -> m.ClosureDay:
        return self._add(m.ClosureDay(division_id=division_id, day=day, reason=reason), flush=True)

    def find(self, division_id: int | None, day: date) -> ClosureDay | None:
        owner = m.ClosureDay.division_id.is_(None) if division_id is None else m.ClosureDay.division_id == division_id
        return self.session.scalars(select(m.ClosureDay).where(owner, m.ClosureDay.day == day)).first()

    def remove(self, row: ClosureDay) -> None:
        self.session.delete(row)
        self.session.flush()

    def for_division(self, division_id: int) -> dict[date, str]:
        return closure_days(self.session.execute(_CLOSURES_FOR_DIVISION, {"division_id": division_id}), division_id)


class VersionRepository(_Repo):
    def listed(self) -> list[m.ProcessVersion]:
        return list(self.session.scalars(select(m.ProcessVersion).order_by(m.ProcessVersion.process_key,
                                                                           m.ProcessVersion.number)))

    def summaries(self) -> list[m.ProcessVersion]:
        """Every version without its files and report, which are loaded only if read."""
        query = (select(m.ProcessVersion).options(defer(m.ProcessVersion.files), defer(m.ProcessVersion.validation))
                 .order_by(m.ProcessVersion.process_key, m.ProcessVersion.number))
        return list(self.session.scalars(query))

    def get(self, version_id: int) -> m.ProcessVersion | None:
        return self.session.get(m.ProcessVersion, version_id)

    def published(self, process_key: str) -> m.ProcessVersion | None:
        return self.session.scalars(select(m.ProcessVersion).where(
            m.ProcessVersion.process_key == process_key, m.ProcessVersion.state == "published")).first()

    def for_process(self, process_key: str) -> list[m.ProcessVersion]:
        return list(self.session.scalars(select(m.ProcessVersion).where(m.ProcessVersion.process_key == process_key)
                                         .order_by(m.ProcessVersion.number)))

    def next_number(self, process_key: str) -> int:
        return max((v.number for v in self.for_process(process_key)), default=0) + 1

    def add(self, **fields) -> m.ProcessVersion:
        return self._add(m.ProcessVersion(**fields), flush=True)

    def spec_json(self, sha256: str) -> str | None:
        row = self.session.get(m.ProcessSpec, sha256)
        return row.spec if row else None

    def store_spec(self, sha256: str, spec: str) -> None:
        if self.session.get(m.ProcessSpec, sha256) is None:
            self._add(m.ProcessSpec(sha256=sha256, spec=spec))

    def running_case_counts(self, process_key: str | None = None) -> dict[int, int]:
        """How many unfinished cases run on each version (of one process, or of all)."""
        query = (select(m.Instance.version_id, func.count()).join(m.ProcessVersion,
                                                                  m.ProcessVersion.id == m.Instance.version_id)
                 .where(m.Instance.completed.is_(False)).group_by(m.Instance.version_id))
        if process_key is not None:
            query = query.where(m.ProcessVersion.process_key == process_key)
        return {version_id: count for version_id, count in self.session.execute(query)}

    def running_cases(self, process_key: str, exclude_version_id: int, limit: int) -> list[m.Case]:
        """Open cases of a process whose workflow is unfinished, on any version but the given one, oldest first.

        A closed case is never offered for migration, even while work beside it (a learning review) still runs."""
        return list(self.session.scalars(
            select(m.Case).join(m.Instance, m.Instance.case_id == m.Case.id)
            .join(m.ProcessVersion, m.ProcessVersion.id == m.Instance.version_id)
            .where(m.ProcessVersion.process_key == process_key, m.Instance.completed.is_(False),
                   m.Case.status != "closed", m.Instance.version_id != exclude_version_id)
            .order_by(m.Case.received_at, m.Case.id).limit(limit)))


    def cases_since(self, process_key: str, since: datetime, limit: int) -> list[m.Case]:
        """Cases of a process received since an instant, on any version, open or closed, oldest first."""
        return list(self.session.scalars(
            select(m.Case).join(m.ProcessVersion, m.ProcessVersion.id == m.Case.version_id)
            .where(m.ProcessVersion.process_key == process_key, m.Case.received_at >= since)
            .order_by(m.Case.received_at, m.Case.id).limit(limit)))


class CaseRepository(_Repo):
    def by_access_token_hash(self, digest: str) -> m.Case | None:
        return self.session.scalars(select(m.Case).where(m.Case.access_token_hash == digest)).first()

    def search(self, division_ids: list[int], filters, offset: int, limit: int, cap: int):
        """Cases of some divisions matching a CaseFilter, newest first, with a capped total."""
        return rm.case_search(self.session, division_ids, filters, offset, limit, cap)

    def add_file(self, **fields):
        from .files import StoredFile
        return self._add(StoredFile(**fields), flush=True)

    def get_file(self, file_id: str):
        from .files import StoredFile
        return self.session.get(StoredFile, file_id)

    def files_for_case(self, case_id: int) -> list:
        from .files import StoredFile
        return list(self.session.scalars(select(StoredFile).where(StoredFile.case_id == case_id)
                                         .order_by(StoredFile.uploaded_at)))

    def add_note(self, **fields):
        from .case_notes import CaseNote
        return self._add(CaseNote(**fields), flush=True)

    def notes_for_case(self, case_id: int) -> list:
        from .case_notes import CaseNote
        return list(self.session.scalars(select(CaseNote).where(CaseNote.case_id == case_id)
                                         .order_by(CaseNote.written_at.desc(), CaseNote.id.desc())))

    def get(self, case_id: int) -> m.Case | None:
        return self.session.get(m.Case, case_id)

    def received_counts(self, since: datetime) -> dict[tuple[int, str], int]:
        """How many cases each division received of each kind since an instant: {(division id, kind): count}."""
        query = (select(m.Case.division_id, m.Case.kind, func.count()).where(m.Case.received_at >= since)
                 .group_by(m.Case.division_id, m.Case.kind))
        return {(division_id, kind): count for division_id, kind, count in self.session.execute(query)}

    def by_reference(self, reference: str) -> m.Case | None:
        return self.session.scalars(select(m.Case).where(m.Case.reference == reference)).first()

    def add(self, **fields) -> m.Case:
        return self._add(m.Case(**fields), flush=True)

    def next_reference(self, division: Division, year: int) -> str:
        """Allocate the next reference such as IA-2026-000123, safely under concurrent intake."""
        counter = update(m.ReferenceCounter).where(m.ReferenceCounter.division_id == division.id,
                                                   m.ReferenceCounter.year == year)
        number = self.session.execute(counter.values(last=m.ReferenceCounter.last + 1)
                                      .returning(m.ReferenceCounter.last)).scalar()
        if number is None:
            self._add(m.ReferenceCounter(division_id=division.id, year=year, last=1))
            number = 1
        return f"{division.code}-{year}-{number:06d}"


class InstanceRepository(_Repo):
    def get(self, instance_id: int) -> m.Instance | None:
        return self.session.get(m.Instance, instance_id)

    def for_case(self, case_id: int) -> m.Instance | None:
        held = self.session.info.get("instances", {})  # loaded with its task already: no second query
        if case_id in held:
            return held[case_id]
        return self.session.scalars(_INSTANCE_FOR_CASE, {"case_id": case_id}).first()

    def add(self, case_id: int, version_id: int, state: str, due_at: datetime | None) -> m.Instance:
        return self._add(m.Instance(case_id=case_id, version_id=version_id, state=state, due_at=due_at), flush=True)

    def save(self, instance: Instance, state: str, due_at: datetime | None, completed: bool) -> None:
        """Write a run's state now, as a compare-and-set on the lock counter; StaleDataError (a conflict) when
        another run saved since this one loaded. Written straight away, before the run's other rows, so that
        every run takes the instance's row lock first and concurrent runs queue on it instead of deadlocking."""
        seen = instance.lock_version
        result = self.session.connection().execute(_SAVE_INSTANCE, {
            "instance_id": instance.id, "seen": seen, "new_state": state, "new_due_at": due_at,
            "new_completed": completed})
        if result.rowcount != 1:
            raise StaleDataError(f"instance {instance.id} was saved by another run since it was loaded")
        for name, value in (("state", state), ("due_at", due_at), ("completed", completed),
                            ("lock_version", seen + 1)):
            set_committed_value(instance, name, value)


class TaskRepository(_Repo):
    def get_with_case(self, task_id: int) -> tuple[m.Task | None, m.Case | None]:
        """A task and its case in one query (the case's instance and division are loaded alongside)."""
        row = self.session.execute(_TASK_WITH_CASE, {"task_id": task_id}).first()
        if row is None:
            return None, None
        task, case, instance, division = row
        self.session.info.setdefault("instances", {})[case.id] = instance
        self.session.info.setdefault("divisions", {})[division.id] = division
        return task, case

    def inbox_page(self, query, offset: int, limit: int, cap: int) -> tuple[list, int]:
        """One inbox page (see processes.read_models.TaskQuery) and its capped total, walking the inbox indexes."""
        return rm.inbox_page(self.session, query, offset, limit, cap)

    def inbox_count(self, query, cap: int) -> int:
        return rm.inbox_count(self.session, query, cap)

    def open_stages(self, division_ids: list[int]) -> list[str]:
        return rm.open_stages(self.session, division_ids)

    def open_versions(self, division_ids: list[int]) -> list[tuple[int, str]]:
        return rm.open_versions(self.session, division_ids)

    def for_case(self, case_id: int) -> list[m.Task]:
        return list(self.session.scalars(select(m.Task).where(m.Task.case_id == case_id).order_by(m.Task.id)))

    def get(self, task_id: int) -> m.Task | None:
        return self.session.get(m.Task, task_id)

    def open_for_case(self, case_id: int) -> list[m.Task]:
        return list(self.session.scalars(_OPEN_TASKS, {"case_id": case_id}))

    def add(self, **fields) -> m.Task:
        return self._add(m.Task(**fields))

    def assign(self, task: Task, assignee_id: int | None, held_by: tuple[int | None, ...]) -> bool:
        """Give an open task to `assignee_id` in one conditional UPDATE, only while its assignee is one of `held_by`
        (a claim: unclaimed or the claimer's; a reassignment: what the caller saw). False when someone else's
        claim or completion got there first: of concurrent claims exactly one matches the row."""
        holders = [m.Task.assignee_id.is_(None) if held is None else m.Task.assignee_id == held for held in held_by]
        result = self.session.connection().execute(_CLAIM_TASK.where(or_(*holders)).values(assignee_id=assignee_id),
                                                   {"task_id": task.id})
        if result.rowcount != 1:
            return False
        set_committed_value(task, "assignee_id", assignee_id)
        return True


class EventRepository(_Repo):
    def append(self, case_id: int | None, kind: str, actor: str, at: datetime, *, element: str | None = None,
               version_id: int | None = None, data: dict | None = None) -> None:
        self.session.add(m.Event(case_id=case_id, kind=kind, actor=actor, at=at, element=element,
                                 version_id=version_id, data=data or {}))

    def append_many(self, rows: list[dict]) -> None:
        """Append several events in one statement."""
        if rows:  # straight to the table: the ORM's bulk path costs more than the insert
            self.session.connection().execute(_INSERT_EVENT, rows)

    def for_case(self, case_id: int) -> list[m.Event]:
        return list(self.session.scalars(select(m.Event).where(m.Event.case_id == case_id).order_by(m.Event.id)))

    def for_version(self, version_id: int) -> list[m.Event]:
        """The governance history of one version (events about the version, not its cases)."""
        return list(self.session.scalars(select(m.Event).where(m.Event.version_id == version_id,
                                                              m.Event.case_id.is_(None)).order_by(m.Event.id)))

    def admin_log(self, kinds: tuple[str, ...], limit: int) -> list[m.Event]:
        """The newest administrative events (about accounts and closures, not cases or versions), newest first."""
        return list(self.session.scalars(select(m.Event).where(m.Event.case_id.is_(None), m.Event.version_id.is_(None),
                                                              m.Event.kind.in_(kinds))
                                         .order_by(m.Event.id.desc()).limit(limit)))

    def governance_log(self, limit: int) -> list[m.Event]:
        """The newest events about versions, newest first."""
        return list(self.session.scalars(select(m.Event).where(m.Event.case_id.is_(None),
                                                              m.Event.version_id.is_not(None))
                                         .order_by(m.Event.id.desc()).limit(limit)))


class OutboxRepository(_Repo):
    def add(self, **fields) -> m.Outbox | None:
        """Queue a message unless one with the same idempotency key is already queued."""
        existing = self.session.scalars(select(m.Outbox).where(
            m.Outbox.idempotency_key == fields["idempotency_key"])).first()
        return existing or self._add(m.Outbox(**fields), flush=True)

    def for_case(self, case_id: int) -> list[m.Outbox]:
        return list(self.session.scalars(select(m.Outbox).where(m.Outbox.case_id == case_id).order_by(m.Outbox.id)))

    def get(self, outbox_id: int) -> m.Outbox | None:
        return self.session.get(m.Outbox, outbox_id)

    def claim_due(self, now: datetime, owner: str, token: str, lease_until: datetime, limit: int) -> list[m.Outbox]:
        """Lease pending rows that are due and unheld: SKIP LOCKED on PostgreSQL, BEGIN IMMEDIATE on SQLite."""
        query = (select(m.Outbox)
                 .where(m.Outbox.status == "pending", m.Outbox.next_attempt_at <= now,
                        or_(m.Outbox.lease_until.is_(None), m.Outbox.lease_until < now))
                 .order_by(m.Outbox.next_attempt_at, m.Outbox.id).limit(limit))
        if self.session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        rows = list(self.session.scalars(query))
        for row in rows:
            row.lease_owner, row.lease_token, row.lease_until = owner, token, lease_until
            row.attempts, row.last_attempt_at = row.attempts + 1, now
        self.session.flush()
        return rows

    def held(self, outbox_id: int, owner: str, token: str, lease_until: datetime) -> m.Outbox | None:
        """The pending row if this claim still holds it, its lease extended and the row locked until commit."""
        table = m.Outbox.__table__
        # a conditional update on the claim, not a read then a write: a rival's claim cannot slip in between
        held = self.session.connection().execute(
            update(table).where(table.c.id == outbox_id, table.c.status == "pending", table.c.lease_owner == owner,
                                table.c.lease_token == token).values(lease_until=lease_until))
        if held.rowcount != 1:
            return None
        return self.session.get(m.Outbox, outbox_id, populate_existing=True)

    def count_by_status(self) -> dict[str, int]:
        rows = self.session.execute(select(m.Outbox.status, func.count()).group_by(m.Outbox.status))
        return {status: count for status, count in rows}

    def staff_addresses(self, division_id: int, role: str) -> list[str]:
        """Email addresses of the active users holding a role in a division."""
        return list(self.session.scalars(
            select(m.User.email).join(m.Membership, m.Membership.user_id == m.User.id)
            .where(m.Membership.division_id == division_id, m.Membership.role == role, m.User.is_active.is_(True),
                   m.User.email != "")
            .order_by(m.User.email).distinct()))


class DeadlineRepository(_Repo):
    def running_for_case(self, case_id: int) -> list[m.Deadline]:
        return list(self.session.scalars(_RUNNING_DEADLINES, {"case_id": case_id}))

    def for_case(self, case_id: int) -> list[m.Deadline]:
        return list(self.session.scalars(select(m.Deadline).where(m.Deadline.case_id == case_id)
                                         .order_by(m.Deadline.id)))

    def add(self, **fields) -> m.Deadline:
        return self._add(m.Deadline(**fields))


class InvolvementRepository(_Repo):
    def add(self, case_id: int, user_id: int, capacity: str, at: datetime) -> None:
        """Record that someone took part in a case in a capacity; the same again is ignored."""
        statement = _INSERT_INVOLVEMENT[self.session.get_bind().dialect.name]
        self.session.connection().execute(statement, {"case_id": case_id, "user_id": user_id, "capacity": capacity,
                                                      "at": at})

    def capacities(self, case_id: int, user_id: int) -> set[str]:
        return set(self.session.scalars(select(m.Involvement.capacity).where(
            m.Involvement.case_id == case_id, m.Involvement.user_id == user_id)))

    def for_case(self, case_id: int) -> list[m.Involvement]:
        return list(self.session.scalars(select(m.Involvement).where(m.Involvement.case_id == case_id)
                                         .order_by(m.Involvement.at)))


class LearningRepository(_Repo):
    def add(self, **fields) -> m.LearningAction:
        return self._add(m.LearningAction(**fields))

    def for_case(self, case_id: int) -> list[m.LearningAction]:
        return list(self.session.scalars(select(m.LearningAction).where(m.LearningAction.case_id == case_id)))
