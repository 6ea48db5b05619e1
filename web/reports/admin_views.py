"""Administration for reporting: closure categories, retention runs, legal holds and subject-access exports."""
from __future__ import annotations

from flask import Response, flash, g, redirect, render_template, request, url_for

from processes.classification import CATEGORY_KINDS, add_category, list_categories, set_category_active
from processes.retention import export_subject, retention_runs, set_legal_hold

from ..security import container, roles_required
from . import bp


@bp.route("/categories", methods=["GET", "POST"])
@roles_required("administrator")
def categories():
    """List the theme and root-cause categories and add one."""
    if request.method == "POST":
        add_category(container().reporting_uow(), request.form.get("code", ""), request.form.get("label", ""),
                     request.form.get("kind", ""), g.actor)
        flash("The category was added.", "success")
        return redirect(url_for("reports.categories"))
    return render_template("reports/categories.html", categories=list_categories(container().reporting_uow()),
                           kinds=CATEGORY_KINDS)


@bp.route("/categories/<code>", methods=["POST"])
@roles_required("administrator")
def category_state(code: str):
    """Retire a category or bring it back."""
    set_category_active(container().reporting_uow(), code, request.form.get("active") == "1", g.actor)
    return redirect(url_for("reports.categories"))


@bp.route("/retention")
@roles_required("administrator", "complaints_team")
def retention():
    """Recent retention runs, legal holds and the subject-access export."""
    return render_template("reports/retention.html", runs=retention_runs(container().reporting_uow()))


@bp.route("/retention/hold", methods=["POST"])
@roles_required("administrator")
def legal_hold():
    """Place or lift a legal hold on a case."""
    reference = request.form.get("reference", "").strip().upper()
    set_legal_hold(container().reporting_uow(), reference, request.form.get("reason"), g.actor)
    flash(f"The legal hold on {reference} was updated.", "success")
    return redirect(url_for("reports.retention"))


@bp.route("/retention/export", methods=["POST"])
@roles_required("administrator", "complaints_team")
def subject_access_export():
    """Download everything held about one complainant as a zip."""
    c = container()
    name, data = export_subject(c.reporting_uow(), request.form.get("subject", ""), g.actor, c.clock.now())
    return Response(data, mimetype="application/zip", headers={"Content-Disposition": f'attachment; filename="{name}"'})
