"""Notes staff write on a case: append-only, bounded in length, visible to the case's division alone."""
from __future__ import annotations

from datetime import datetime

from .access import Actor
from .case_view import visible_case
from .errors import InvalidInput
from .input_bounds import NUL, NUL_MESSAGE

MAX_NOTE = 4000  # characters: a long paragraph or two; anything longer belongs in a document on the case
NOTE_ADDED = "note_added"


def note_problems(text: str) -> list[str]:
    """Why a note cannot be kept as written, in words for the field; empty when it can."""
    if NUL in text:
        return [NUL_MESSAGE]
    if not text.strip():
        return ["Write the note"]
    if len(text) > MAX_NOTE:
        return [f"The note must be {MAX_NOTE:,} characters or fewer (it has {len(text):,})"]
    return []


def add_note(uow, reference: str, text: str, actor: Actor, now: datetime) -> int:
    """Keep a note on a case the actor's division holds; notes are never edited or deleted afterwards."""
    text = (text or "").replace("\r\n", "\n")
    with uow:
        case, _division = visible_case(uow, reference, actor)  # outside the actor's divisions: not found
        problems = note_problems(text)
        if problems:
            raise InvalidInput("the note cannot be kept", {"note": problems}, case_reference=reference)
        user = uow.users.get(actor.user_id) if actor.user_id is not None else None
        note = uow.cases.add_note(case_id=case.id, author=actor.username,
                                  author_name=user.display_name if user else actor.username,
                                  text=text.strip(), written_at=now)
        # the event records that a note exists, never its words: events outlive a case's personal data
        uow.events.append(case.id, NOTE_ADDED, actor.username, now, version_id=case.version_id,
                          data={"note_id": note.id})
        uow.commit()
        return note.id
