"""The modeler: process analysts edit a bundle's diagrams, decision tables and forms, save drafts and submit them."""
from __future__ import annotations

import json

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from markupsafe import Markup, escape

from processes.bundle import MAX_BUNDLE_BYTES, MAX_FILE_BYTES
from processes.errors import BundleInvalid, Conflict, InvalidInput
from processes.governance import import_bundle, propose_change_to, save_version_draft, submit_version
from processes.governance_reads import (
    element_choices,
    element_names,
    form_files,
    modeler_hints,
    processes_overview,
    sibling_processes,
    version_detail,
)
from processes.policy_review import JUSTIFICATION, blocking, breaches_in

from ..security import container, roles_required

bp = Blueprint("modeler", __name__, template_folder="templates", url_prefix="/modeler")
ANALYST = "process_analyst"
MAX_UPLOAD = MAX_BUNDLE_BYTES + 1024 * 1024  # zip overhead on top of the bundle limit


@bp.route("/")
@roles_required(ANALYST)
def index():
    """List the processes with their versions, and offer a bundle import."""
    return render_template("modeler/index.html", processes=_my_processes())


@bp.route("/versions/<int:version_id>")
@roles_required(ANALYST)
def edit(version_id: int):
    """Open one file of a version in its editor, with the version's validation report."""
    return _edit_page(version_id, request.args.get("file"))


@bp.route("/versions/<int:version_id>/save", methods=["POST"])
@roles_required(ANALYST)
def save(version_id: int):
    """Save an edited file as a draft (a new draft unless this version is a draft already)."""
    name = request.form.get("file", "")
    upload = request.files.get("content_file")
    content = upload.read(MAX_FILE_BYTES + 1).decode("utf-8", "replace") if upload else request.form.get("content")
    line, files = version_detail(container().uow(), version_id, actor=g.actor, roles=ANALYST)
    if name not in files or content is None:
        abort(400, "Choose a file of this version to save.")
    note = request.form.get("change_note")
    try:
        saved = save_version_draft(container().uow(), container().runtime, line.process_key, {name: content}, g.actor,
                           base_version_id=version_id, change_note=note if note is not None else None,
                           expected_sha256=request.form.get("base_sha256") or None)
    except BundleInvalid as exc:
        return _edit_page(version_id, name, content=content, refused=exc.problems, status=400)
    except Conflict as exc:
        return _edit_page(version_id, name, content=content, status=409, message=exc.message)
    found = f"validation found {len(saved.problems)} problem{'s' if len(saved.problems) != 1 else ''}" \
        if saved.problems else "validation found no problems"
    verb = "created" if saved.created else "saved"
    flash(f"Draft version {saved.number} {verb}; {found}.", "warning" if saved.problems else "success")
    return redirect(url_for("modeler.edit", version_id=saved.version_id, file=name))


@bp.route("/versions/<int:version_id>/submit", methods=["POST"])
@roles_required(ANALYST)
def submit(version_id: int):
    """Submit a draft for governance review; refused while validation finds problems."""
    try:
        submit_version(container().uow(), container().runtime, version_id, g.actor, request.form.get("change_note"),
                       justifications={name[len(JUSTIFICATION):]: text for name, text in request.form.items()
                                       if name.startswith(JUSTIFICATION)})
    except BundleInvalid as exc:
        return _edit_page(version_id, request.form.get("file"), refused=exc.problems, status=400,
                          message="This version cannot be submitted until these problems are fixed.")
    except (InvalidInput, Conflict) as exc:
        return _edit_page(version_id, request.form.get("file"), status=400 if isinstance(exc, InvalidInput) else 409,
                          message=exc.message, errors=getattr(exc, "fields", {}))
    flash("Submitted for review. The version can no longer be changed; governance will review it.", "success")
    return redirect(url_for("governance.version", version_id=version_id))


@bp.route("/versions/<int:version_id>/propose", methods=["POST"])
@roles_required(ANALYST)
def propose(version_id: int):
    """Carry this version's change to other divisions' processes, as a new draft of each for their governance."""
    chosen = request.form.getlist("process")
    if not chosen:
        return _edit_page(version_id, request.form.get("file"), status=400,
                          message="Choose at least one process to propose the change to.",
                          errors={"process": ["Choose at least one process"]})
    try:
        done = propose_change_to(container().uow(), container().runtime, version_id, chosen, g.actor,
                                 request.form.get("change_note", ""))
    except InvalidInput as exc:
        return _edit_page(version_id, request.form.get("file"), status=400, message=exc.message,
                          errors=exc.fields)
    except BundleInvalid as exc:
        return _edit_page(version_id, request.form.get("file"), refused=exc.problems, status=400,
                          message="The change does not validate in the other process.")
    made = ", ".join(f"{key} v{draft.number}" for key, draft in done.drafts.items())
    if made:
        flash(f"Drafts created: {made}. Submit each for its division's governance to review.", "success")
    for key, why in done.refused.items():
        flash(f"Not proposed to {key}: {why}", "warning")
    return redirect(url_for("modeler.index"))


@bp.route("/import", methods=["POST"])
@roles_required(ANALYST)
def import_zip():
    """Create a draft from an exported bundle zip; anything unsafe or invalid is refused whole."""
    if (request.content_length or 0) > MAX_UPLOAD:
        size = request.content_length / 1024 / 1024
        return _index_error(f"The upload is {size:.1f} MB; a bundle archive may be at most "
                            f"{MAX_BUNDLE_BYTES // 1024 // 1024} MB.", 413)
    upload = request.files.get("bundle")
    if upload is None or not upload.filename:
        return _index_error("Choose a bundle zip file to import.", 400)
    data = upload.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        return _index_error(f"The archive is larger than {MAX_BUNDLE_BYTES // 1024 // 1024} MB.", 413)
    try:
        saved = import_bundle(container().uow(), container().runtime, data, g.actor,
                              request.form.get("change_note", ""))
    except BundleInvalid as exc:
        return _index_error("The bundle was not imported.", 400, exc.problems)
    flash(f"Imported as draft version {saved.number}.", "success")
    return redirect(url_for("modeler.edit", version_id=saved.version_id))


@bp.route("/form-preview", methods=["POST"])
@roles_required(ANALYST)
def form_preview():
    """Render a JSON Schema form (and its UI hints) as the inbox would show it."""
    payload = request.get_json(silent=True) or {}
    return Response(str(preview_html(payload.get("schema", ""), payload.get("ui", ""))), mimetype="text/html")


def preview_html(schema_text: str, ui_text: str = "") -> Markup:
    """The form as staff will see it, or a plain message saying why it cannot be shown."""
    try:
        schema = json.loads(schema_text or "{}")
        ui = json.loads(ui_text) if ui_text else {}
    except (ValueError, RecursionError) as exc:
        return Markup('<p class="error-message">The form is not valid JSON: {}</p>').format(str(exc))
    if not isinstance(schema, dict) or not isinstance(ui, dict):
        return Markup('<p class="error-message">A form and its UI hints must each be a JSON object.</p>')
    try:
        from web.forms_render import render
    except ImportError:  # the shared renderer is not installed: list the fields plainly
        fields = schema.get("properties") or {}
        items = Markup("").join(Markup("<li>{} <span class='muted'>({})</span></li>").format(
            (spec or {}).get("title", name), (spec or {}).get("type", "any")) for name, spec in fields.items())
        return Markup("<ul>{}</ul>").format(items)
    try:
        return render(schema, ui, {}, {})
    except Exception as exc:  # a half-typed schema must not break the editor page
        return Markup('<p class="error-message">The preview cannot be drawn yet: {}</p>').format(escape(str(exc)))


def _edit_page(version_id: int, name: str | None, *, content: str | None = None, refused: list | None = None,
               status: int = 200, message: str | None = None, errors: dict | None = None):
    line, files = version_detail(container().uow(), version_id, actor=g.actor, roles=ANALYST)
    editable = [n for n in sorted(files) if n != "bundle.json"] + ["bundle.json"]
    name = name if name in files else _first_diagram(files, editable)
    text = files[name] if content is None else content
    kind = "bpmn" if name.endswith(".bpmn") else "dmn" if name.endswith(".dmn") else \
        "json" if name.endswith(".json") else "text"
    problems = refused if refused is not None else _stored_problems(version_id)
    names = element_names(files)
    ui_name = name[:-5] + ".ui.json" if kind == "json" and not name.endswith(".ui.json") else None
    preview = preview_html(text, files.get(ui_name, "")) if kind == "json" and name != "bundle.json" else None
    data = {"file": name, "kind": kind, "problems": problems, "previewUrl": url_for("modeler.form_preview"),
            "editable": line.state == "draft", "forms": form_files(files), **modeler_hints(files)}
    choices = element_choices(files) if kind == "bpmn" else []
    siblings = sibling_processes(container().uow(), version_id, actor=g.actor) if line.number > 1 else []
    return render_template("modeler/edit.html", version=line, files=editable, name=name, text=text, kind=kind,
                           problems=problems, refused=refused is not None, names=names, preview=preview,
                           data=data, message=message, errors=errors or {}, choices=choices,
                           blocking=blocking(problems), breaches=breaches_in(problems), siblings=siblings), status


def _my_processes():
    """The processes the signed-in analyst may edit: those of the divisions where they are an analyst."""
    return processes_overview(container().uow(), actor=g.actor, roles=ANALYST)


def _stored_problems(version_id: int) -> list[dict]:
    with container().uow() as uow:
        return list(uow.versions.get(version_id).validation or [])


def _first_diagram(files: dict, ordered: list[str]) -> str:
    return next((n for n in ordered if n.endswith(".bpmn")), ordered[0])


def _index_error(message: str, status: int, problems: list | None = None):
    return render_template("modeler/index.html", processes=_my_processes(),
                           import_error=message, import_problems=problems or []), status
