"""Case pages: the list, and one case with its deadlines, diagram, timeline, letters and staff actions."""
from __future__ import annotations

from datetime import date
from urllib.parse import quote

from flask import Blueprint, Response, flash, g, redirect, render_template, request, url_for

from processes.attachments import load_attachment
from processes.calendar import received_instant
from processes.case_view import STAFF_MESSAGES, case_view
from processes.classification import classify_case, list_categories, outcomes_for
from processes.errors import Conflict, InvalidInput
from processes.intake import STAFF_CHANNELS, record_message
from processes.lifecycle import KINDS, message_words
from processes.read_models import CaseFilter, Page, case_list

from ..security import container, login_required

FILTER_FIELDS = {"received_from": "from", "received_to": "to"}  # the domain's names -> the list's query names
bp = Blueprint("cases", __name__, template_folder="templates")


@bp.route("/cases")
@login_required
def index():
    """List the cases of the user's divisions, newest received first."""
    args = request.args
    filters = CaseFilter(division=args.get("division") or None, status=args.get("status") or None,
                         stage=args.get("stage") or None, kind=args.get("kind") if args.get("kind") in KINDS else None,
                         reference=(args.get("q") or "").strip()[:40] or None,
                         received_from=parse_date(args.get("from")), received_to=parse_date(args.get("to")),
                         page=_page_number(args.get("page")))
    errors, status = {}, 200
    try:
        page = case_list(container().uow(), g.actor, filters)
    except InvalidInput as exc:  # shown at the filter it concerns, with nothing listed
        errors, status = {FILTER_FIELDS.get(k, k): v for k, v in exc.fields.items()}, 400
        page = Page([], 0, 1, filters.per_page)
    keep = {k: v for k, v in args.items() if k != "page" and v}
    divisions = sorted(g.actor.divisions)
    return render_template("cases/index.html", page=page, filters=filters, args=keep, divisions=divisions,
                           kinds=KINDS, errors=errors), status


@bp.route("/cases/<reference>")
@login_required
def show(reference: str):
    """Show one case with everything that has happened to it."""
    return _page(reference)


@bp.route("/cases/<reference>/classification", methods=["POST"])
@login_required
def classify(reference: str):
    """Record a closed case's outcome, themes or root causes, and team, for the reports."""
    data = {"outcome": request.form.get("outcome"), "themes": request.form.getlist("themes"),
            "team": request.form.get("team", "")}
    try:
        classify_case(container().uow(), reference, data, g.actor)
    except InvalidInput as exc:
        return _page(reference, class_errors=exc.fields, class_form=data), 400
    flash("The classification is recorded.", "success")
    return redirect(url_for("cases.show", reference=reference))


def _page(reference: str, **extra):
    view = case_view(container().uow(), container().runtime, reference, g.actor)
    categories = [(c.code, c.label) for c in list_categories(container().uow()) if c.active]
    outcomes = [(o, o.replace("_", " ").capitalize()) for o in outcomes_for(view.case.kind)]
    latest = {**view.classification, "outcome": view.case.outcome or view.classification.get("outcome"),
              "team": view.classification.get("team") or ""}  # a correction starts from what is recorded
    return render_template("cases/show.html", view=view, errors={}, form={}, messages=STAFF_MESSAGES,
                           channels=STAFF_CHANNELS, categories=categories, outcomes=outcomes,
                           **{"class_errors": {}, "class_form": latest, **extra})


@bp.route("/cases/<reference>/messages", methods=["POST"])
@login_required
def message(reference: str):
    """Record an escalation or appeal request, a withdrawal or consent received, on the case's behalf."""
    form = request.form
    received = parse_date(form.get("received_on"))
    received_at = received_instant(received, None, container().clock.now()) if received else None
    try:
        record_message(container().uow(), container().runtime, g.actor, reference, form.get("message", ""),
                       form.get("reasons", ""), received_at, form.get("channel", ""))
    except InvalidInput as exc:
        view = case_view(container().uow(), container().runtime, reference, g.actor)
        errors = {("received_on" if k == "received_at" else k): v for k, v in exc.fields.items()}
        return render_template("cases/show.html", view=view, errors=errors, form=form, messages=STAFF_MESSAGES,
                               channels=STAFF_CHANNELS), 400
    except Conflict as exc:
        view = case_view(container().uow(), container().runtime, reference, g.actor)
        waiting = ", ".join(message_words(m) for m in view.waiting_messages) or "nothing from the complainant"
        notice = (f"This could not be recorded: {exc.message}. Right now the case is waiting for {waiting}.")
        return render_template("cases/show.html", view=view, errors={}, form=form, messages=STAFF_MESSAGES,
                               channels=STAFF_CHANNELS, conflict=notice), 409
    flash("Recorded. The case has moved on.", "success")
    return redirect(url_for("cases.show", reference=reference))


@bp.route("/cases/<reference>/files/<file_id>")
@login_required
def file(reference: str, file_id: str):
    """Download an attached file (always as an attachment, never shown inline)."""
    found = load_attachment(container().uow(), file_id, g.actor)
    response = Response(found["content"], mimetype=found["content_type"])
    fallback = found["filename"].encode("ascii", "replace").decode().replace("?", "_")
    response.headers["Content-Disposition"] = (f"attachment; filename=\"{fallback}\"; "
                                               f"filename*=UTF-8''{quote(found['filename'])}")
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def parse_date(value: str | None) -> date | None:
    """An ISO date from a form or query string, or None."""
    try:
        return date.fromisoformat((value or "").strip()) if value else None
    except ValueError:
        return None


def _page_number(value) -> int:
    try:
        return max(1, int(value or 1))
    except ValueError:
        return 1
