"""Service-task dispatch: operator names map to handler functions, and their effects are collected."""
from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .aggregates import Case, Division
from .calendar import WorkingCalendar
from .case_rules import CaseChanges
from .clock import Clock
from .errors import HandlerFailed
from .vocabulary import CaseStatus


@dataclass
class LetterDraft:
    """A message a handler asked to send; rendered and queued in the same transaction."""

    recipient: str
    template: str
    context: dict[str, Any]
    idempotency_key: str


@dataclass
class Effects:
    """What one engine run asked the outside world for."""

    letters: list[LetterDraft] = field(default_factory=list)
    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    case_changes: CaseChanges = field(default_factory=CaseChanges)
    involvements: list[tuple[str, str]] = field(default_factory=list)
    learning_actions: list[dict[str, Any]] = field(default_factory=list)

    def extend(self, other: Effects) -> None:
        self.letters += other.letters
        self.events += other.events
        self.case_changes.merge(other.case_changes)
        self.involvements += other.involvements
        self.learning_actions += other.learning_actions


@dataclass
class HandlerContext:
    """What a handler may see and ask for: the case, the task data, and effect recorders."""

    case: Case
    division: Division
    data: dict[str, Any]
    task_key: str
    clock: Clock
    calendar: WorkingCalendar
    effects: Effects = field(default_factory=Effects)

    def send(self, template: str, recipient: str = "complainant", **context: Any) -> None:
        """Queue a letter or email; it goes out after the transaction commits."""
        key = f"{self.case.reference}:{self.task_key}:{template}:{recipient}"
        self.effects.letters.append(LetterDraft(recipient, template, {"data": self.data, **context}, key))

    def record(self, kind: str, **data: Any) -> None:
        """Append an event to the case's timeline."""
        self.effects.events.append((kind, data))

    def update_case(self, **changes: Any) -> None:
        """Change the case's stage, status, outcome or summary (see `processes.case_rules.CaseChanges`)."""
        self.effects.case_changes.ask(**changes)

    def move_to_stage(self, stage: str, status: str = CaseStatus.OPEN) -> None:
        """The case moves to a stage of its procedure when the run is saved."""
        self.effects.case_changes.ask(stage=stage, status=status)

    def close_case(self, outcome: str, retention_years: int | None = None) -> None:
        """Close the case with its outcome when the run is saved; kept `retention_years` (two unless given)."""
        self.effects.case_changes.ask(status=CaseStatus.CLOSED, outcome=outcome, retention_years=retention_years)


Handler = Callable[..., Any]  # (ctx, **params) -> dict of results for the task data


class ServiceRegistry:
    """The operators that service tasks may name, each a plain handler function."""

    def __init__(self, handlers: dict[str, Handler] | None = None):
        self._handlers: dict[str, Handler] = dict(handlers or {})

    def register(self, handler: Handler, name: str | None = None) -> Handler:
        self._handlers[name or handler.__name__] = handler
        return handler

    def __contains__(self, name: str) -> bool:
        return name in self._handlers

    def handler(self, name: str) -> Handler:
        """The handler registered under an operator name."""
        return self._handlers[name]

    def names(self) -> list[str]:
        return sorted(self._handlers)

    def parameters(self, name: str) -> dict[str, bool]:
        """Parameter names of an operator, each mapped to whether it is required."""
        signature = inspect.signature(self._handlers[name])
        return {p.name: p.default is inspect.Parameter.empty
                for p in list(signature.parameters.values())[1:] if p.kind != p.VAR_KEYWORD}

    def call(self, name: str, ctx: HandlerContext, params: dict[str, Any]) -> dict[str, Any]:
        """Run one operator; any failure becomes a HandlerFailed naming the case."""
        if name not in self._handlers:
            raise HandlerFailed(name, "no handler is registered for this operator", case_reference=ctx.case.reference)
        try:
            result = self._handlers[name](ctx, **params)
        except HandlerFailed:
            raise
        except Exception as exc:  # a handler's own failure must never lose the step
            raise HandlerFailed(name, f"{type(exc).__name__}: {exc}", case_reference=ctx.case.reference) from exc
        return result if isinstance(result, dict) else {}
