"""Governance: review versions against the one in force, approve or reject, publish, migrate running cases."""
from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)

from processes.errors import BundleInvalid, Conflict, Forbidden, InvalidInput
from processes.governance import approve_version, export_bundle, publish_version, reject_version
from processes.governance_reads import (
    diagram_pair,
    governance_log,
    processes_overview,
    publish_forecast,
    review,
    version_detail,
)
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


@bp.route("/versions/<int:version_id>/publish", methods=["GET", "POST"])
@roles_required("governance")
def publish(version_id: int):
    """Publish an approved version once confirmed: new cases start on it and the version it replaces is retired.

    The confirmation step says how many new cases a week it will govern; only its own button publishes."""
    if request.method == "GET" or request.form.get("confirm") != "publish":
        return _publish_confirmation(version_id)
    return _decide(version_id, lambda: publish_version(container().uow(), container().runtime, version_id, g.actor),
                   "Published. New cases start on this version; running cases stay where they are until migrated.")


@bp.route("/versions/<int:version_id>/replay", methods=["POST"])
@roles_required(*READERS)
def replay(version_id: int):
    """Queue a replay of a proposed version against the last N months of cases; the worker makes the report."""
    months = request.form.get("months", "")
    return _decide(version_id, lambda: request_replay(container().uow(), container().runtime, version_id, g.actor,
                                                      months),
                   "Replay queued. The worker makes the report shortly; reload this page to see its progress.")


def _publish_confirmation(version_id: int):
    target, _ = version_detail(container().uow(), version_id, actor=g.actor, roles=GOVERNANCE)
    if not target.approved:
        flash(f"Version {target.number} is {target.state_label.lower()}; only an approved version can be published.",
              "warning")
        return redirect(url_for("governance.version", version_id=version_id))
    with container().uow() as uow:
        current = uow.versions.published(target.process_key)
        replaces = current.number if current else None
    forecast = publish_forecast(container().uow(), version_id, container().runtime.clock.now())
    return render_template("governance/publish.html", target=target, forecast=forecast, replaces=replaces)


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
    """Preview which running cases can move to this published version (none ticked); confirm; move the chosen ones.

    A POST without `confirmed` (or whose count does not match the cases sent) only shows the confirmation step."""
    if request.method == "POST":
        chosen = list(dict.fromkeys(r for r in request.form.getlist("reference") if r))
        if not chosen:
            flash("Choose at least one case to migrate.", "warning")
            return redirect(url_for("governance.migration", version_id=version_id))
        if request.form.get("confirmed") != str(len(chosen)):
            return _migration_confirmation(version_id, chosen)
        try:
            result = migrate_cases(container().uow(), container().runtime, version_id, chosen, g.actor)
        except Conflict as exc:
            return render_template("error.html", status=409, message=exc.message, fields={}), 409
        flash(_migration_summary(result), "success" if not result.refused else "warning")
        return redirect(url_for("governance.migration", version_id=version_id))
    try:
        previews = preview_migration(container().uow(), container().runtime, version_id, g.actor)
    except Conflict as exc:
        return render_template("error.html", status=409, message=exc.message, fields={}), 409
    target, _ = version_detail(container().uow(), version_id, actor=g.actor, roles=GOVERNANCE)
    return render_template("governance/migration.html", target=target, previews=previews,
                           select_movable=request.args.get("select") == "movable",
                           case_pages="cases.show" in current_app.view_functions)


def _migration_summary(result) -> str:
    moved = len(result.migrated)
    text = f"Moved {moved} case{'' if moved == 1 else 's'}" + (f": {', '.join(result.migrated)}." if moved else ".")
    if result.refused:
        text += (f" {len(result.refused)} could not move and stay on their version: "
                 + "; ".join(f"{ref} ({', '.join(why)})" for ref, why in result.refused.items()) + ".")
    return text + " The audit log names each case."


def _migration_confirmation(version_id: int, chosen: list[str]):
    """The confirmation step: how many of the chosen cases will move, each with its deadlines, and any that cannot."""
    try:
        previews = preview_migration(container().uow(), container().runtime, version_id, g.actor, only=chosen)
    except Conflict as exc:
        return render_template("error.html", status=409, message=exc.message, fields={}), 409
    found = {p.reference for p in previews}
    movable = [p for p in previews if p.can_migrate]
    if not movable:
        flash("None of the chosen cases can move now; nothing was changed.", "warning")
        return redirect(url_for("governance.migration", version_id=version_id))
    target, _ = version_detail(container().uow(), version_id, actor=g.actor, roles=GOVERNANCE)
    return render_template("governance/migration_confirm.html", target=target, movable=movable,
                           blocked=[p for p in previews if not p.can_migrate],
                           unknown=[r for r in chosen if r not in found],
                           case_pages="cases.show" in current_app.view_functions)


@bp.route("/versions/<int:version_id>/diagrams/<int:index>")
@roles_required(*READERS)
def diagram(version_id: int, index: int):
    """One diagram file of the review, proposed and in force, fetched when its tab opens."""
    pair = diagram_pair(container().uow(), version_id, index, actor=g.actor)
    if pair is None:
        abort(404)
    return jsonify(pair)


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
    first = next((i for i, pair in enumerate(shown.diagrams) if pair["changed"]), 0)
    pair_url = url_for("governance.diagram", version_id=version_id, index=0).rsplit("/", 1)[0] + "/"
    data = {"files": shown.diagrams, "first": first, "pairUrl": pair_url,
            "changed": sorted({c.element for c in shown.changes if c.element}),
            "problems": sorted({p["element"] for p in shown.problems if p.get("element")})}
    return render_template("governance/review.html", review=shown, data=data, first=first,
                           decision_error=decision_error, errors=errors or {}, can_decide=shown.may_review,
                           is_contributor=is_contributor, replay=latest_replay(container().uow(), version_id),
                           replayable=shown.proposed.state in REPLAYABLE), status
