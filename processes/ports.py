"""What the domain needs from outside, as Protocols; storage and handlers implement them."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol


class UnitOfWork(Protocol):
    """One transaction over all repositories; commit or nothing."""

    divisions: Any
    users: Any
    closures: Any
    versions: Any
    cases: Any
    instances: Any
    tasks: Any
    events: Any
    outbox: Any
    deadlines: Any
    involvements: Any
    learning: Any
    categories: Any
    mail: Any  # emails taken in from the division mailboxes
    reference: Any  # rarely changing snapshots: divisions, closure days, version summaries

    def __enter__(self) -> "UnitOfWork": ...
    def __exit__(self, *exc) -> None: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...


class LetterQueue(Protocol):
    """Renders a handler's letter draft and writes it to the outbox in the caller's transaction."""

    def queue(self, uow: UnitOfWork, case: Any, division: Any, draft: Any, now: datetime) -> None: ...
