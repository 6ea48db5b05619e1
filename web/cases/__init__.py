"""Case pages: the list, and one case with its deadlines, diagram, timeline, letters and staff actions."""
from __future__ import annotations

from datetime import date
from urllib.parse import quote

from flask import Blueprint, Response, flash, g, redirect, render_template, request, url_for

from processes.attachments import DOCUMENT_KINDS, load_attachment
from processes.calendar import received_instant
from processes.case_documents import attach_document
from processes.case_notes import MAX_NOTE, add_note
from processes.case_view import STAFF_MESSAGES, case_diagram_xml, case_view
from processes.classification import classify_case, list_categories, outcomes_for
from processes.errors import Conflict, InvalidInput
from processes.evidence_archive import pack_filename, pack_zip
from processes.evidence_pack import evidence_pack
from processes.intake import STAFF_CHANNELS, record_message
from processes.late_requests import RequestOutOfTime
from processes.lifecycle import KINDS, message_words
from processes.partner_copies import PARTNER_STAGES, record_partner_copy
from processes.read_models import CaseFilter, Page, case_list

from ..security import container, login_required
from .pdf import PdfFailed, page_pdf

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
        return _page(reference, 400, class_errors=exc.fields, class_form=data)
    flash("The classification is recorded.", "success")
    return redirect(url_for("cases.show", reference=reference))


@bp.route("/cases/<reference>/evidence-pack")
@login_required
def evidence(reference: str):
    """The closed case's evidence pack as one printable page (staff of its division only)."""
    pack = evidence_pack(container().uow(), reference, g.actor)
    return render_template("cases/evidence_pack.html", pack=pack, offline=False)


@bp.route("/cases/<reference>/evidence-pack.zip")
@login_required
def evidence_zip(reference: str):
    """The closed case's evidence pack as a zip: the page, the facts as JSON, the letters, the process and rules."""
    pack = evidence_pack(container().uow(), reference, g.actor)
    page = render_template("cases/evidence_pack.html", pack=pack, offline=True)
    try:
        pdf: bytes | None = page_pdf(page)
    except PdfFailed:  # the zip still holds the printable page
        pdf = None
    data = pack_zip(pack, page, pdf=pdf)
    return Response(data, mimetype="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="{pack_filename(pack)}"'})


@bp.route("/cases/<reference>/evidence-pack.pdf")
@login_required
def evidence_pdf(reference: str):
    """The closed case's evidence pack as a printable PDF (the same page as the zip holds)."""
    pack = evidence_pack(container().uow(), reference, g.actor)
    try:
        data = page_pdf(render_template("cases/evidence_pack.html", pack=pack, offline=True))
    except PdfFailed:
        flash("The PDF could not be made. This printable page holds the same evidence.", "error")
        return redirect(url_for("cases.evidence", reference=reference))
    name = pack_filename(pack).removesuffix(".zip") + ".pdf"
    return Response(data, mimetype="application/pdf", headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _page(reference: str, status: int = 200, **extra):
    view = case_view(container().uow(), container().runtime, reference, g.actor)
    categories = [(c.code, c.label) for c in list_categories(container().uow()) if c.active]
    outcomes = [(o, o.replace("_", " ").capitalize()) for o in outcomes_for(view.case.kind)]
    latest = {**view.classification, "outcome": view.case.outcome or view.classification.get("outcome"),
              "team": view.classification.get("team") or ""}  # a correction starts from what is recorded
    defaults = {"errors": {}, "form": {}, "class_errors": {}, "class_form": latest, "note_errors": {}, "note_text": "",
                "document_errors": {}, "document_form": {}, "conflict": None,
                "partner_errors": {}, "partner_form": {}, "partner_stages": list(PARTNER_STAGES.items())}
    return render_template("cases/show.html", view=view, messages=STAFF_MESSAGES, channels=STAFF_CHANNELS,
                           categories=categories, outcomes=outcomes, document_kinds=list(DOCUMENT_KINDS.items()),
                           max_note=MAX_NOTE, **{**defaults, **extra}), status


@bp.route("/cases/<reference>/notes", methods=["POST"])
@login_required
def note(reference: str):
    """Add a note to the case (notes are kept as written: never edited or deleted)."""
    text = request.form.get("note", "")
    try:
        add_note(container().uow(), reference, text, g.actor, container().clock.now())
    except InvalidInput as exc:
        return _page(reference, 400, note_errors=exc.fields, note_text=text[:MAX_NOTE * 2])
    flash("The note is added to the case.", "success")
    return redirect(url_for("cases.show", reference=reference, _anchor="notes-title"))


@bp.route("/cases/<reference>/documents", methods=["POST"])
@login_required
def document(reference: str):
    """Attach a document to the case; written permission the case waits for also moves the case on."""
    upload = request.files.get("document")
    kind = request.form.get("kind", "")
    content = upload.read() if upload else b""
    try:
        attach_document(container().uow(), reference, kind, upload.filename if upload else "", content, g.actor,
                        container().clock.now())
    except InvalidInput as exc:
        return _page(reference, 400, document_errors=exc.fields, document_form={"kind": kind})
    if kind == "written_permission" and "consent_received" in _waiting(reference):
        now = container().clock.now()
        try:
            record_message(container().uow(), container().runtime, g.actor, reference, "consent_received", "", now,
                           "email" if request.form.get("channel") not in STAFF_CHANNELS else request.form["channel"])
            flash("The written permission is attached and recorded as received. The case has moved on.", "success")
        except RequestOutOfTime as exc:
            flash(f"The written permission is attached, and recorded as out of time. {exc.message}.", "warning")
    else:
        flash("The document is attached to the case.", "success")
    return redirect(url_for("cases.show", reference=reference, _anchor="documents-title"))


@bp.route("/cases/<reference>/partner-copies", methods=["POST"])
@login_required
def partner_copy(reference: str):
    """Record a Delivery Partner's copy of a stage of its own procedure, which the case waits for."""
    form = request.form
    try:
        record_partner_copy(container().uow(), container().runtime, g.actor, reference,
                            form.get("partner_stage", ""), form.get("partner_summary", ""),
                            parse_date(form.get("partner_dated")))
    except InvalidInput as exc:
        return _page(reference, 400, partner_errors=exc.fields, partner_form=form)
    except Conflict as exc:
        return _page(reference, 409, conflict=f"This could not be recorded: {exc.message}.")
    flash("The partner's copy is recorded. The case has moved on.", "success")
    return redirect(url_for("cases.show", reference=reference))


def _waiting(reference: str) -> list[str]:
    return case_view(container().uow(), container().runtime, reference, g.actor).waiting_messages


@bp.route("/cases/<reference>/diagrams/<process_id>")
@login_required
def diagram(reference: str, process_id: str):
    """The BPMN XML of one process of the case's version, for opening a call activity on the case page."""
    xml = case_diagram_xml(container().uow(), reference, process_id[:200], g.actor)
    return Response(xml, mimetype="application/xml")


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
        errors = {("received_on" if k == "received_at" else k): v for k, v in exc.fields.items()}
        return _page(reference, 400, errors=errors, form=form)
    except RequestOutOfTime as exc:  # recorded as out of time and answered in writing; the case carried on
        flash(f"Recorded as out of time. {exc.message}.", "warning")
        return redirect(url_for("cases.show", reference=reference))
    except Conflict as exc:
        waiting = ", ".join(message_words(m) for m in _waiting(reference)) or "nothing from the complainant"
        notice = (f"This could not be recorded: {exc.message}. Right now the case is waiting for {waiting}.")
        return _page(reference, 409, form=form, conflict=notice)
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
    response.headers["Cache-Control"] = "no-store"
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
