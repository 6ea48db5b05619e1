"""Domain errors; each says plainly what went wrong and for which case."""
from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Something the user asked for that the rules refuse."""

    code = "domain_error"

    def __init__(self, message: str, *, case_reference: str | None = None):
        super().__init__(message)
        self.message = message
        self.case_reference = case_reference

    def __str__(self) -> str:
        prefix = f"{self.case_reference}: " if self.case_reference else ""
        return prefix + self.message


class NotFound(DomainError):
    """The thing asked for does not exist, or the asker may not see it."""

    code = "not_found"


class Forbidden(DomainError):
    """The asker may see the thing but may not do this to it."""

    code = "forbidden"


class Conflict(DomainError):
    """Someone else changed the thing first (for example completed the same task)."""

    code = "conflict"


class InvalidInput(DomainError):
    """Input that fails validation; `fields` maps a field path to its messages."""

    code = "validation_error"

    def __init__(self, message: str, fields: dict[str, list[str]] | None = None, **kwargs: Any):
        super().__init__(message, **kwargs)
        self.fields = fields or {}


class BundleInvalid(InvalidInput):
    """A process bundle that cannot be deployed; `problems` lists each one against its element."""

    code = "bundle_invalid"

    def __init__(self, problems: list[dict[str, Any]], **kwargs: Any):
        summary = "; ".join(p["message"] for p in problems[:5])
        super().__init__(f"the process bundle is invalid: {summary}", **kwargs)
        self.problems = problems


class HandlerFailed(DomainError):
    """A service task's handler failed; the step is kept and can be retried."""

    code = "handler_failed"

    def __init__(self, operator: str, message: str, **kwargs: Any):
        super().__init__(f"service task {operator!r} failed: {message}", **kwargs)
        self.operator = operator
