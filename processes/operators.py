"""Service-task dispatch: operator names map to handler functions, and their effects are collected."""
from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Any, Callable

from .errors import HandlerFailed


@dataclass
class LetterDraft:
    """A message a handler asked to send; rendered and queued in the same transaction."""

    recipient: str
    template: str
    context: dict
    idempotency_key: str


@dataclass
class Effects:
    """What one engine run asked the outside world for."""

    letters: list[LetterDraft] = field(default_factory=list)
    events: list[tuple[str, dict]] = field(default_factory=list)
    case_changes: dict[str, Any] = field(default_factory=dict)
    involvements: list[tuple[str, str]] = field(default_factory=list)
    learning_actions: list[dict] = field(default_factory=list)

    def extend(self, other: "Effects") -> None:
        self.letters += other.letters
        self.events += other.events
        self.case_changes.update(other.case_changes)
        self.involvements += other.involvements
        self.learning_actions += other.learning_actions


@dataclass
class HandlerContext:
    """What a handler may see and ask for: the case, the task data, and effect recorders."""

    case: Any
    division: Any
    data: dict
    task_key: str
    clock: Any
    calendar: Any
    effects: Effects = field(default_factory=Effects)

    def send(self, template: str, recipient: str = "complainant", **context) -> None:
        """Queue a letter or email; it goes out after the transaction commits."""
        key = f"{self.case.reference}:{self.task_key}:{template}:{recipient}"
        self.effects.letters.append(LetterDraft(recipient, template, {"data": self.data, **context}, key))

    def record(self, kind: str, **data) -> None:
        """Append an event to the case's timeline."""
        self.effects.events.append((kind, data))

    def update_case(self, **changes) -> None:
        """Change the case's stage, status, outcome or other summary fields."""
        self.effects.case_changes.update(changes)


Handler = Callable[..., dict]


class ServiceRegistry:
    """The operators that service tasks may name, each a plain handler function."""

    def __init__(self, handlers: dict[str, Handler] | None = None):
        self._handlers: dict[str, Handler] = dict(handlers or {})

    def register(self, handler: Handler, name: str | None = None) -> Handler:
        self._handlers[name or handler.__name__] = handler
        return handler

    def __contains__(self, name: str) -> bool:
        return name in self._handlers

    def names(self) -> list[str]:
        return sorted(self._handlers)

    def parameters(self, name: str) -> dict[str, bool]:
        """Parameter names of an operator, each mapped to whether it is required."""
        signature = inspect.signature(self._handlers[name])
        return {p.name: p.default is inspect.Parameter.empty
                for p in list(signature.parameters.values())[1:] if p.kind != p.VAR_KEYWORD}

    def call(self, name: str, ctx: HandlerContext, params: dict) -> dict:
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
