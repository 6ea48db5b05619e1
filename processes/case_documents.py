"""Documents attached to a case itself (written permission, evidence, a scanned letter), checked like task files."""
from __future__ import annotations

import uuid
from datetime import datetime

from .access import Actor
from .attachments import DOCUMENT_KINDS, check_upload
from .case_view import visible_case
from .errors import InvalidInput

FIELD = "document"  # the form field a refusal is reported against
DOCUMENT_ATTACHED = "document_attached"


def attach_document(uow, reference: str, kind: str, filename: str, content: bytes, actor: Actor,
                    now: datetime) -> dict:
    """Keep a document against a case the actor's division holds; return what was stored."""
    problems = {}
    if kind not in DOCUMENT_KINDS:
        problems["kind"] = ["Choose what the document is"]
    try:
        meta = check_upload(FIELD, filename or "", content or b"") if filename or content else None
    except InvalidInput as exc:
        problems.update(exc.fields)
        meta = None
    if meta is None and FIELD not in problems:
        problems[FIELD] = ["Choose a file to attach"]
    with uow:
        case, _division = visible_case(uow, reference, actor)  # a case outside the actor's divisions is not found
        if problems:
            raise InvalidInput("the document cannot be attached", problems, case_reference=reference)
        stored = uow.cases.add_file(id=str(uuid.uuid4()), case_id=case.id, task_id=None, field=kind,
                                    filename=meta["filename"], content_type=meta["content_type"], size=meta["size"],
                                    sha256=meta["sha256"], content=content, uploaded_by=actor.username,
                                    uploaded_at=now)
        uow.events.append(case.id, DOCUMENT_ATTACHED, actor.username, now, version_id=case.version_id,
                          data={"file_id": stored.id, "kind": kind})
        uow.commit()
        return {"file_id": stored.id, "kind": kind, **meta}
