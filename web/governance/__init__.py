"""Governance: review versions against the one in force, approve or reject, publish, migrate running cases."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, flash, g, redirect, render_template, request, url_for

from processes.errors import BundleInvalid, Conflict, Forbidden, InvalidInput
from processes.governance import approve_version, export_bundle, publish_version, reject_version
from processes.governance_reads import governance_log, processes_overview, review, version_detail
from processes.migration import migrate_cases, preview_migration
from processes.replay import REPLAYABLE, latest_replay, request_replay

from ..security import container, roles_required

bp = Blueprint("governance", __name__, template_folder="templates", url_prefix="/governance")
READERS = ("governance", "process_analyst")
GOVERNANCE = "governance"


@bp.route("/")
@roles_required(*READERS)
def index():
    """Versions waiting for a decision or for publication, and every process with its running cases."""
    processes = processes_overview(container().uow(), actor=g.actor)
    waiting = [v for p in processes for v in p.versions if v.state == "in_review"]
    return render_template("governance/index.html", processes=processes, waiting=waiting)


@bp.route("/versions/<int:version_id>")
@roles_required(*READERS)
def version(version_id: int):
    """The review page: proposed against in force, side by side, with the change list and validation."""
    return _review_page(version_id)


@bp.route("/versions/<int:version_id>/approve", methods=["POST"])
@roles_required("governance")
def approve(version_id: int):
    """Approve a version in review (never by someone who wrote or edited it)."""
    return _decide(version_id, lambda: approve_version(container().uow(), version_id, g.actor,
                                                      request.form.get("review_note", "")),
                   "Approved. It can now be published.")


@bp.route("/versions/<int:version_id>/reject", methods=["POST"])
@roles_required("governance")
def reject(version_id: int):
    """Reject a version in review, saying why."""
    return _decide(version_id, lambda: reject_version(container().uow(), version_id, g.actor,
                                                     request.form.get("review_note", "")),
                   "Rejected. The author can start a new draft from it.")


@bp.route("/versions/<int:version_id>/publish", methods=["POST"])
@roles_required("governance")
def publish(version_id: int):
    """Publish an approved version: new cases start on it and the version it replaces is retired."""
    return _decide(version_id, lambda: publish_version(container().uow(), container().runtime, version_id, g.actor),
                   "Published. New cases start on this version; running cases stay where they are until migrated.")


@bp.route("/versions/<int:version_id>/replay", methods=["POST"])
@roles_required(*READERS)
def replay(version_id: int):
    """Queue a replay of a proposed version against the running cases; the worker makes the report."""
    return _decide(version_id, lambda: request_replay(container().uow(), container().runtime, version_id, g.actor),
                   "Replay queued. The worker makes the report shortly; reload this page to see it.")


@bp.route("/versions/<int:version_id>/export")
@roles_required(*READERS)
def export(version_id: int):
    """Download a version's bundle as a zip that records its hash."""
    name, data, sha256 = export_bundle(container().uow(), version_id, g.actor)
    return Response(data, mimetype="application/zip", headers={
        "Content-Disposition": f'attachment; filename="{name}"', "X-Bundle-SHA256": sha256})


@bp.route("/versions/<int:version_id>/migration", methods=["GET", "POST"])
@roles_required("governance")
def migration(version_id: int):
    """Preview which running cases can move to this published version; then move the chosen ones."""
    if request.method == "POST":
        chosen = request.form.getlist("reference")
        if not chosen:
            flash("Choose at least one case to migrate.", "warning")
            return redirect(url_for("governance.migration", version_id=version_id))
        result = migrate_cases(container().uow(), container().runtime, version_id, chosen, g.actor)
        flash(f"Migrated {len(result.migrated)} case{'s' if len(result.migrated) != 1 else ''}"
              + (f"; {len(result.refused)} could not move and stay on their version." if result.refused else "."),
              "success" if not result.refused else "warning")
        return redirect(url_for("governance.migration", version_id=version_id))
    try:
        previews = preview_migration(container().uow(), container().runtime, version_id, g.actor)
    except Conflict as exc:
        return render_template("error.html", status=409, message=exc.message, fields={}), 409
    target, _ = version_detail(container().uow(), version_id, actor=g.actor, roles=GOVERNANCE)
    return render_template("governance/migration.html", target=target, previews=previews,
                           case_pages="cases.show" in current_app.view_functions)


@bp.route("/audit")
@roles_required(*READERS)
def audit():
    """The append-only log of every governance action on versions, newest first."""
    entries = governance_log(container().uow(), actor=g.actor)
    return render_template("governance/audit.html", entries=entries)


def _decide(version_id: int, action, done: str):
    try:
        action()
    except (Forbidden, Conflict, InvalidInput) as exc:
        status = 403 if isinstance(exc, Forbidden) else 409 if isinstance(exc, Conflict) else 400
        problems = exc.problems if isinstance(exc, BundleInvalid) else None
        return _review_page(version_id, decision_error=exc.message, errors=getattr(exc, "fields", {}),
                            problems=problems, status=status)
    flash(done, "success")
    return redirect(url_for("governance.version", version_id=version_id))


def _review_page(version_id: int, *, decision_error: str | None = None, errors: dict | None = None,
                 problems: list | None = None, status: int = 200):
    shown = review(container().uow(), container().runtime, version_id, actor=g.actor)
    if problems is not None:
        shown.problems = problems
    is_contributor = g.actor.username in shown.contributors or shown.proposed.author == g.actor.username
    data = {"pairs": shown.diagrams, "changed": sorted({c.element for c in shown.changes if c.element}),
            "problems": sorted({p["element"] for p in shown.problems if p.get("element")})}
    return render_template("governance/review.html", review=shown, data=data, decision_error=decision_error,
                           errors=errors or {}, can_decide=shown.may_review,
                           is_contributor=is_contributor, replay=latest_replay(container().uow(), version_id),
                           replayable=shown.proposed.state in REPLAYABLE), status
