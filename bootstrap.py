"""The composition root: the one place that picks concrete implementations from settings."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import sessionmaker

from handlers import build_registry
from handlers.letters import OutboxLetterQueue
from processes.case_run import Runtime
from processes.clock import OffsetClock, SystemClock
from processes.definitions import DefinitionCache
from processes.status_links import StatusLinks
from settings import Settings
from storage.db import make_engine
from storage.unit_of_work import SqlUnitOfWork


@dataclass
class Container:
    """Everything a process (web, worker or CLI) needs, built once from settings."""

    settings: Settings
    engine: object
    session_factory: sessionmaker
    runtime: Runtime

    def uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.session_factory, self.runtime.clock)

    def reporting_uow(self):
        """A unit of work that also reaches report facts, the learning register and retention."""
        from storage.reports_uow import ReportingUnitOfWork
        return ReportingUnitOfWork(self.session_factory, self.runtime.clock)

    @property
    def clock(self):
        return self.runtime.clock


def build(settings: Settings | None = None, clock=None) -> Container:
    """Wire storage, handlers and the engine runtime together."""
    settings = settings or Settings.from_env()
    if settings.database_url.startswith("sqlite:///"):
        from pathlib import Path
        Path(settings.database_url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.database_url)
    clock = clock or (OffsetClock() if settings.clock == "demo" else SystemClock())
    links = StatusLinks(settings.secret_key, settings.link_base)
    runtime = Runtime(clock=clock, services=build_registry(), letters=OutboxLetterQueue(status_links=links),
                      definitions=DefinitionCache(), status_links=links)
    return Container(settings, engine, sessionmaker(engine, expire_on_commit=False), runtime)


