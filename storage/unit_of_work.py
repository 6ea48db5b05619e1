"""The SQLAlchemy unit of work: one session, one transaction, concurrency conflicts made plain."""
from __future__ import annotations

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from processes.errors import Conflict

from . import repositories as r
from .categories import SqlCategoryRepository
from .mail_repository import SqlMailRepository
from .reference import ReferenceData, cache_for

# PostgreSQL's serialization failure and deadlock: another transaction won, so trying again is the answer
RETRYABLE_SQLSTATES = {"40001", "40P01"}
CHANGED_MEANWHILE = "someone else changed this case at the same time; reload and try again"


class SqlUnitOfWork:
    """Repositories over one session; leaving the block without commit rolls everything back."""

    def __init__(self, session_factory: sessionmaker, clock):
        self.session_factory = session_factory
        self.clock = clock
        self.session: Session | None = None

    def __enter__(self) -> "SqlUnitOfWork":
        self.session = self.session_factory()
        s = self.session
        self.divisions, self.users, self.closures = r.DivisionRepository(s), r.UserRepository(s), r.ClosureRepository(s)
        self.versions, self.cases, self.instances = r.VersionRepository(s), r.CaseRepository(s), r.InstanceRepository(s)
        self.tasks, self.events, self.outbox = r.TaskRepository(s), r.EventRepository(s), r.OutboxRepository(s)
        self.deadlines, self.involvements = r.DeadlineRepository(s), r.InvolvementRepository(s)
        self.learning, self.categories = r.LearningRepository(s), SqlCategoryRepository(s)
        self.sign_ins = r.SignInRepository(s)
        self.mail = SqlMailRepository(s)
        self.reference = ReferenceData(s, cache_for(self.session_factory))
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.session.rollback()
        self.session.close()
        if exc is not None:
            conflict = as_conflict(exc)
            if conflict is not None:
                raise conflict from None

    def clock_now(self):
        return self.clock.now()

    def commit(self) -> None:
        try:
            self.session.commit()
        except (StaleDataError, DBAPIError) as exc:
            self.session.rollback()
            conflict = as_conflict(exc)
            if conflict is None:
                raise
            raise conflict from None

    def rollback(self) -> None:
        self.session.rollback()


def as_conflict(exc: BaseException) -> Conflict | None:
    """The conflict a concurrent writer caused, whether it surfaced at a flush in the block or at commit."""
    if isinstance(exc, StaleDataError):
        return Conflict(CHANGED_MEANWHILE)
    if isinstance(exc, IntegrityError):
        return Conflict(f"the change clashes with existing data: {exc.orig}")
    if isinstance(exc, DBAPIError) and getattr(exc.orig, "sqlstate", None) in RETRYABLE_SQLSTATES:
        return Conflict(CHANGED_MEANWHILE)
    return None
