"""Task pages: the task's form rendered from its JSON Schema, validated on the server, saved or completed."""
from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for

from processes.attachments import store_attachment
from processes.errors import Conflict, InvalidInput
from processes.letter_preview import preview_task_letters
from processes.lifecycle import complete_task, save_task_draft
from processes.task_view import task_view

from ..form_data import add_row, attachment_paths, parse
from ..forms_render import render
from ..security import container, login_required

bp = Blueprint("tasks", __name__, template_folder="templates")


@bp.route("/tasks/<int:task_id>")
@login_required
def show(task_id: int):
    """Show a task's form beside its case."""
    return _page(task_view(container().uow(), container().runtime, task_id, g.actor))


@bp.route("/tasks/<int:task_id>", methods=["POST"])
@login_required
def submit(task_id: int):
    """Complete the task, save a draft, or add a repeating row, depending on the button pressed."""
    c = container()
    view = task_view(c.uow(), c.runtime, task_id, g.actor)
    action = request.form.get("_action", "complete")
    attachments, errors = _attachments(view)
    data = parse(view.schema, view.ui, request.form, attachments)
    if action.startswith("add_row:"):
        save_task_draft(c.uow(), task_id, data, g.actor)
        view.data = add_row(dict(data), action.split(":", 1)[1])
        return _page(view)
    if action == "save" or errors:
        save_task_draft(c.uow(), task_id, data, g.actor)
        if errors:
            view.data = data
            return _page(view, errors, 400)
        flash("Your answers are saved as a draft. The task is still open.", "success")
        return redirect(url_for("tasks.show", task_id=task_id))
    if action == "preview":
        return _preview(c, view, task_id, data)
    try:
        reference = complete_task(c.uow(), c.runtime, task_id, data, g.actor).reference
    except InvalidInput as exc:
        view.data = data
        return _page(view, exc.fields, 400)
    except Conflict as exc:
        return render_template("tasks/conflict.html", view=view, message=exc.message), 409
    flash(f"‘{view.task.title}’ is complete.", "success")
    return redirect(url_for("cases.show", reference=reference))


def _preview(c, view, task_id: int, data: dict):
    """Show the letters completing the task would send, from the answers typed so far; nothing is completed."""
    save_task_draft(c.uow(), task_id, data, g.actor)
    view.data = data
    try:
        letters = preview_task_letters(c.uow(), c.runtime, task_id, data, g.actor)
    except InvalidInput as exc:
        return _page(view, exc.fields, 400)
    except Conflict as exc:
        return render_template("tasks/conflict.html", view=view, message=exc.message), 409
    return _page(view, previews=[letter for letter in letters if letter.addressee in ("complainant", "advocate")],
                 previewed=True)


def _attachments(view) -> tuple[dict, dict]:
    """Store new uploads and keep earlier ones; returns field -> metadata, and upload errors by field."""
    known = {f.id: f for f in view.files}
    found, errors = {}, {}
    for path, many in attachment_paths(view.schema, view.ui):
        kept = [_meta(known[i]) for i in request.form.getlist(path + ".__file") if i in known]
        uploads = [f for f in request.files.getlist(path) if f and f.filename]
        for upload in uploads:
            try:
                kept.append(store_attachment(container().uow(), view.task.id, path, upload.filename,
                                             upload.read(), g.actor, container().clock.now()))
            except InvalidInput as exc:
                errors.update(exc.fields)
        if not many:
            kept = kept[-1:]
        found[path] = (kept if many else (kept[0] if kept else None))
    return found, errors


def _meta(stored) -> dict:
    return {"file_id": stored.id, "filename": stored.filename, "content_type": stored.content_type,
            "size": stored.size, "sha256": stored.sha256}


def _page(view, errors=None, status=200, previews=(), previewed=False):
    # view.schema is the task's effective form (staff choices included), the same one `submit` parses with
    form_html = render(view.schema, view.ui, view.data, errors or {})
    return render_template("tasks/show.html", view=view, form_html=form_html, errors=errors or {},
                           previews=previews, previewed=previewed), status
