"""The case a piece of work is about, carried to every log line written while doing it."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

current_case: ContextVar[str | None] = ContextVar("current_case", default=None)


@contextmanager
def case_context(reference: str | None) -> Iterator[None]:
    """Tag log lines written inside the block with a case reference."""
    token = current_case.set(reference)
    try:
        yield
    finally:
        current_case.reset(token)
