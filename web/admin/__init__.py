"""Administration: staff accounts, roles per division, API tokens and the closure calendar."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from processes.access import ROLES
from processes.admin import (add_closure, create_user, issue_api_token, list_closures, list_users, remove_closure,
                             set_active, set_memberships)
from processes.errors import InvalidInput

from ..security import container, roles_required

bp = Blueprint("admin", __name__, template_folder="templates")


@bp.route("/admin/users", methods=["GET", "POST"])
@roles_required("administrator")
def users():
    """List staff accounts and add a new one."""
    errors, form = {}, request.form
    if request.method == "POST":
        try:
            user_id = create_user(container().uow(), g.actor, form.get("username", ""), form.get("display_name", ""),
                                  form.get("email", ""), form.get("password", ""))
            flash("Account created. Now give it roles.", "success")
            return redirect(url_for("admin.user", user_id=user_id))
        except InvalidInput as exc:
            errors = exc.fields
    lines, divisions = list_users(container().uow(), g.actor)
    return render_template("admin/users.html", users=lines, divisions=divisions, errors=errors, form=form,
                           roles=ROLES), 400 if errors else 200


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@roles_required("administrator")
def user(user_id: int):
    """Show one account's roles in each division, and change them."""
    if request.method == "POST":
        wanted = {tuple(v.split(":", 1)) for v in request.form.getlist("membership") if ":" in v}
        set_memberships(container().uow(), g.actor, user_id, wanted)
        flash("Roles saved.", "success")
        return redirect(url_for("admin.user", user_id=user_id))
    lines, divisions = list_users(container().uow(), g.actor)
    found = next((u for u in lines if u.id == user_id), None)
    if found is None:
        abort(404)
    return render_template("admin/user.html", user=found, divisions=divisions, roles=ROLES, token=None)


@bp.route("/admin/users/<int:user_id>/active", methods=["POST"])
@roles_required("administrator")
def active(user_id: int):
    """Enable or disable an account."""
    set_active(container().uow(), g.actor, user_id, request.form.get("active") == "yes")
    flash("Account updated.", "success")
    return redirect(url_for("admin.user", user_id=user_id))


@bp.route("/admin/users/<int:user_id>/token", methods=["POST"])
@roles_required("administrator")
def token(user_id: int):
    """Issue a new API token and show it once."""
    lines, divisions = list_users(container().uow(), g.actor)
    found = next((u for u in lines if u.id == user_id), None)
    if found is None:
        abort(404)
    new = issue_api_token(container().uow(), g.actor, user_id)
    return render_template("admin/user.html", user=found, divisions=divisions, roles=ROLES, token=new)


@bp.route("/admin/closures", methods=["GET", "POST"])
@roles_required("administrator")
def closures():
    """List organisation closure days and add one."""
    errors, form = {}, request.form
    if request.method == "POST":
        try:
            day = date.fromisoformat(form.get("day", "")) if form.get("day") else None
        except ValueError:
            day = None
        try:
            add_closure(container().uow(), g.actor, form.get("division") or None, day, form.get("reason", ""))
            flash("Closure day added.", "success")
            return redirect(url_for("admin.closures"))
        except InvalidInput as exc:
            errors = exc.fields
    rows, divisions = list_closures(container().uow(), g.actor)
    return render_template("admin/closures.html", closures=rows, errors=errors, form=form,
                           division_options=[(d.code, d.name) for d in divisions],
                           group_wide=g.actor.group_wide), 400 if errors else 200


@bp.route("/admin/closures/<int:closure_id>/delete", methods=["POST"])
@roles_required("administrator")
def delete_closure(closure_id: int):
    """Remove a closure day."""
    remove_closure(container().uow(), g.actor, closure_id)
    flash("Closure day removed.", "success")
    return redirect(url_for("admin.closures"))
