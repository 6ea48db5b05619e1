"""The emailed-intake triage queue: a division's complaints team reads each email and says what it is."""
from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, flash, g, redirect, render_template, request, url_for

from processes.mail_triage import DECISIONS, dismiss_note, mail_attachment, mail_item, triage_mail, triage_queue

from ..security import container, roles_required

bp = Blueprint("mail", __name__, template_folder="templates")


@bp.route("/emails")
@roles_required("complaints_team")
def queue():
    """List the emails waiting for triage in the actor's divisions, oldest first, and the mailboxes' state."""
    return render_template("mail/queue.html", queue=triage_queue(container().uow(), g.actor))


@bp.route("/emails/<int:item_id>")
@roles_required("complaints_team")
def show(item_id: int):
    """One email, its attachments, and the triage choices."""
    return render_template("mail/show.html", view=mail_item(container().uow(), g.actor, item_id),
                           decisions=DECISIONS, errors={})


@bp.route("/emails/<int:item_id>/triage", methods=["POST"])
@roles_required("complaints_team")
def triage(item_id: int):
    """Make the email a complaint, concern or compliment (a new case from its received time), or not a complaint."""
    decision = request.form.get("decision", "")
    reference = triage_mail(container().uow(), container().runtime, g.actor, item_id, decision,
                            request.form.get("name", ""))
    if reference is None:
        flash("Recorded as not a complaint.", "success")
        return redirect(url_for("mail.queue"))
    flash(f"Case {reference} opened from the email as a {DECISIONS[decision].lower()}.", "success")
    return redirect(url_for("cases.show", reference=reference))


@bp.route("/emails/<int:item_id>/dismiss", methods=["POST"])
@roles_required("complaints_team")
def dismiss(item_id: int):
    """Take a refusal note off the queue once someone has read it."""
    dismiss_note(container().uow(), g.actor, item_id, container().clock.now())
    flash("Note dismissed.", "success")
    return redirect(url_for("mail.queue"))


@bp.route("/emails/<int:item_id>/files/<file_id>")
@roles_required("complaints_team")
def file(item_id: int, file_id: str):
    """Download an emailed attachment (always as an attachment, never shown inline)."""
    found = mail_attachment(container().uow(), g.actor, item_id, file_id)
    response = Response(found["content"], mimetype=found["content_type"])
    fallback = found["filename"].encode("ascii", "replace").decode().replace("?", "_")
    response.headers["Content-Disposition"] = (f"attachment; filename=\"{fallback}\"; "
                                               f"filename*=UTF-8''{quote(found['filename'])}")
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
