"""The learning register: every action-plan item across cases, with status and best practice to share."""
from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for

from processes.calendar import LONDON
from processes.learning import STATUSES, RegisterFilter, learning_register, update_learning_action

from ..security import container, roles_required
from . import REPORT_ROLES, bp


@bp.route("/learning")
@roles_required(*REPORT_ROLES)
def learning():
    """List learning actions in the user's divisions, filtered by status, overdue or best practice."""
    c = container()
    wanted = RegisterFilter(status=request.args.get("status") or None,
                            overdue_only=request.args.get("overdue") == "1",
                            best_practice_only=request.args.get("best_practice") == "1")
    now = c.clock.now()
    items = learning_register(c.reporting_uow(), g.actor, wanted, now)
    return render_template("reports/learning.html", items=items, wanted=wanted, statuses=STATUSES,
                           today=now.astimezone(LONDON).date())


@bp.route("/learning/<int:action_id>", methods=["POST"])
@roles_required(*REPORT_ROLES)
def update_learning(action_id: int):
    """Change an action's status or mark it as best practice to share."""
    best = request.form.get("best_practice")
    update_learning_action(container().reporting_uow(), action_id, g.actor,
                           status=request.form.get("status") or None,
                           best_practice=None if best is None else best == "1")
    flash("The learning action was updated.", "success")
    return redirect(url_for("reports.learning", **request.args))
