"""Letter preview: the letters completing a task would send, rendered by the same queue, renderer and sandbox from
the answers typed so far, by running the completion in a transaction that is always rolled back."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from .access import Actor
from .aggregates import Case, Division
from .case_run import Runtime
from .lifecycle import complete_task
from .operators import LetterDraft
from .ports import LetterQueue, UnitOfWork


@dataclass(frozen=True)
class PreviewedLetter:
    """One copy of a letter as it would be sent: who to, from whom, and its three parts."""

    template: str
    addressee: str
    recipient: str
    sender: str
    reply_to: str
    subject: str
    text: str
    html: str


class _PreviewQueue:
    """A letter queue that renders each draft like the real one and keeps it, writing nothing."""

    def __init__(self, inner: LetterQueue):
        self.inner = inner
        self.letters: list[PreviewedLetter] = []

    def queue(self, uow: UnitOfWork, case: Case, division: Division, draft: LetterDraft, now: datetime) -> None:
        try:
            letters = self.inner.preview(uow, case, division, draft, now)
        except Exception as exc:  # shown to the person previewing: the same letter would fail when sent
            self.letters.append(PreviewedLetter(draft.template, draft.recipient, "", "", "",
                                                f"This letter could not be written: {exc}", "", ""))
            return
        self.letters += [PreviewedLetter(**letter) for letter in letters]


class _NeverCommits:
    """The caller's unit of work, whose commit does nothing: leaving its block rolls the whole step back."""

    def __init__(self, uow: UnitOfWork):
        self._uow = uow

    def __enter__(self) -> _NeverCommits:
        self._uow.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._uow.__exit__(*exc)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._uow, name)

    def commit(self) -> None:
        """Nothing is kept: a preview changes no case, task, deadline or outbox row."""


def preview_task_letters(uow: UnitOfWork, runtime: Runtime, task_id: int, data: dict[str, Any],
                         actor: Actor) -> list[PreviewedLetter]:
    """The letters completing this task with these answers would send now; the answers are checked as on
    completion (InvalidInput names the fields), and nothing is saved."""
    previews = _PreviewQueue(runtime.letters)
    complete_task(_NeverCommits(uow), replace(runtime, letters=previews), task_id, data, actor)  # type: ignore[arg-type]
    return previews.letters
