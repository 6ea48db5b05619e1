"""Files attached to task forms (written consent, evidence): checked by size and by what the bytes really are."""
from __future__ import annotations

import hashlib
import uuid

from .access import Actor
from .errors import InvalidInput, NotFound

MAX_BYTES = 10 * 1024 * 1024
ALLOWED = {
    "application/pdf": "PDF", "image/png": "PNG image", "image/jpeg": "JPEG image", "text/plain": "plain text",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word document",
}
ATTACHMENT = "x-attachment"
# what a document attached to the case itself is; a task's file is stored under its form field's name instead
DOCUMENT_KINDS = {"written_permission": "Written permission or consent", "evidence": "Evidence",
                  "scanned_letter": "Scanned letter", "other": "Other document"}


def sniff(content: bytes, filename: str) -> str | None:
    """The content type the bytes show (not what the browser claims), if it is one we accept."""
    if content.startswith(b"%PDF-"):
        return "application/pdf"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content.startswith(b"PK\x03\x04") and filename.lower().endswith(".docx") and b"word/" in content[:4096]:
        return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    if b"\0" not in content:
        try:
            content.decode("utf-8")
            return "text/plain"
        except UnicodeDecodeError:
            return None
    return None


def document_label(kind: str) -> str:
    """What a stored file is, in words: a document's kind, or that it came with a task form."""
    return DOCUMENT_KINDS.get(kind) or "Attached to a task"


def safe_filename(filename: str) -> str:
    """A file name with no path and no control characters, for display and download headers."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"<>:|?*;')
    return (name.strip() or "attachment")[:200]


def store_attachment(uow, task_id: int, field: str, filename: str, content: bytes, actor: Actor, now) -> dict:
    """Keep an uploaded file against a task's case; return the metadata the task data records."""
    with uow:
        row = uow.tasks.get(task_id)
        case = uow.cases.get(row.case_id) if row else None
        if row is None or not actor.can_see(uow.divisions.get(case.division_id).code):
            raise NotFound(f"no task {task_id}")
        meta = check_upload(field, filename, content)
        stored = uow.cases.add_file(id=str(uuid.uuid4()), case_id=case.id, task_id=row.id, field=field,
                                    filename=meta["filename"], content_type=meta["content_type"], size=meta["size"],
                                    sha256=meta["sha256"], content=content, uploaded_by=actor.username,
                                    uploaded_at=now)
        uow.events.append(case.id, "file_attached", actor.username, now, element=row.spec_name,
                          version_id=case.version_id, data={"file_id": stored.id, "filename": meta["filename"],
                                                            "field": field})
        uow.commit()
        return {"file_id": stored.id, **meta}


def check_upload(field: str, filename: str, content: bytes) -> dict:
    """Refuse empty, oversized or unlisted files with a message against the field."""
    if not content:
        raise InvalidInput("the file is empty", {field: ["The selected file is empty"]})
    if len(content) > MAX_BYTES:
        raise InvalidInput("the file is too large",
                           {field: [f"The file must be smaller than {MAX_BYTES // 1024 // 1024} MB"]})
    kind = sniff(content, filename)
    if kind is None:
        raise InvalidInput("the file type is not accepted",
                           {field: ["The file must be a " + ", ".join(ALLOWED.values())]})
    return {"filename": safe_filename(filename), "content_type": kind, "size": len(content),
            "sha256": hashlib.sha256(content).hexdigest()}


def load_attachment(uow, file_id: str, actor: Actor):
    """An attached file's metadata and bytes, if the actor may see its case."""
    with uow:
        stored = uow.cases.get_file(file_id)
        case = uow.cases.get(stored.case_id) if stored else None
        if stored is None or not actor.can_see(uow.divisions.get(case.division_id).code):
            raise NotFound("no such file")
        return {"filename": stored.filename, "content_type": stored.content_type, "size": stored.size,
                "content": stored.content}
