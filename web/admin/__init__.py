"""Administration: staff accounts, roles per division, passwords, API tokens, the log and the closure calendar.

Every rule about whom an administrator may manage lives in processes.admin; a refusal arrives here as Forbidden
and is shown as a 403 page with its reason.
"""
from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, g, redirect, render_template, request, url_for

from processes.access import ROLES
from processes.admin import (
    add_closure,
    admin_log,
    create_user,
    issue_api_token,
    list_closures,
    list_users,
    remove_closure,
    revoke_api_token,
    set_active,
    set_group_wide,
    set_memberships,
    set_password,
    show_user,
)
from processes.admin_scope import is_group_admin
from processes.errors import InvalidInput

from ..security import container, roles_required

bp = Blueprint("admin", __name__, template_folder="templates")


def _wanted(name: str) -> set[tuple[str, str]]:
    """(division, role) pairs from ticked `DIVISION:role` boxes."""
    return {tuple(v.split(":", 1)) for v in request.form.getlist(name) if ":" in v}


@bp.route("/admin/users", methods=["GET", "POST"])
@roles_required("administrator")
def users():
    """List the staff accounts the administrator manages, and add a new one with its first roles."""
    errors, form = {}, request.form
    if request.method == "POST":
        try:
            user_id = create_user(container().uow(), g.actor, form.get("username", ""), form.get("display_name", ""),
                                  form.get("email", ""), form.get("password", ""), _wanted("membership"))
            flash("Account created.", "success")
            return redirect(url_for("admin.user", user_id=user_id))
        except InvalidInput as exc:
            errors = exc.fields
    page = list_users(container().uow(), g.actor)
    return render_template("admin/users.html", page=page, errors=errors, form=form, roles=ROLES,
                           chosen=_wanted("membership")), 400 if errors else 200


def _user_page(user_id: int, token: str | None = None, errors: dict | None = None, status: int = 200):
    page = show_user(container().uow(), g.actor, user_id)
    return render_template("admin/user.html", user=page.users[0], divisions=page.divisions, group=page.group,
                           roles=ROLES, token=token, errors=errors or {}), status


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@roles_required("administrator")
def user(user_id: int):
    """Show one account's roles in each division, and change them."""
    if request.method == "POST":
        try:
            set_memberships(container().uow(), g.actor, user_id, _wanted("membership"))
        except InvalidInput as exc:
            return _user_page(user_id, errors=exc.fields, status=400)
        flash("Roles saved.", "success")
        return redirect(url_for("admin.user", user_id=user_id))
    return _user_page(user_id)


@bp.route("/admin/users/<int:user_id>/active", methods=["POST"])
@roles_required("administrator")
def active(user_id: int):
    """Enable or disable an account."""
    try:
        set_active(container().uow(), g.actor, user_id, request.form.get("active") == "yes")
    except InvalidInput as exc:
        return _user_page(user_id, errors=exc.fields, status=400)
    flash("Account updated.", "success")
    return redirect(url_for("admin.user", user_id=user_id))


@bp.route("/admin/users/<int:user_id>/group-wide", methods=["POST"])
@roles_required("administrator")
def group_wide(user_id: int):
    """Make an account group-wide or local (group-wide administrators only)."""
    try:
        set_group_wide(container().uow(), g.actor, user_id, request.form.get("group_wide") == "yes")
    except InvalidInput as exc:
        return _user_page(user_id, errors=exc.fields, status=400)
    flash("Account updated.", "success")
    return redirect(url_for("admin.user", user_id=user_id))


@bp.route("/admin/users/<int:user_id>/password", methods=["POST"])
@roles_required("administrator")
def password(user_id: int):
    """Give an account a new password."""
    try:
        set_password(container().uow(), g.actor, user_id, request.form.get("password", ""))
    except InvalidInput as exc:
        return _user_page(user_id, errors=exc.fields, status=400)
    flash("Password set. Tell the person through a channel other than email.", "success")
    return redirect(url_for("admin.user", user_id=user_id))


@bp.route("/admin/users/<int:user_id>/token", methods=["POST"])
@roles_required("administrator")
def token(user_id: int):
    """Issue a new API token and show it once."""
    new = issue_api_token(container().uow(), g.actor, user_id)
    return _user_page(user_id, token=new)


@bp.route("/admin/users/<int:user_id>/token/revoke", methods=["POST"])
@roles_required("administrator")
def revoke_token(user_id: int):
    """Withdraw an account's API token."""
    revoke_api_token(container().uow(), g.actor, user_id)
    flash("API token revoked.", "success")
    return redirect(url_for("admin.user", user_id=user_id))


@bp.route("/admin/log")
@roles_required("administrator")
def log():
    """The newest administrative actions in the administrator's divisions, refusals included."""
    return render_template("admin/log.html", events=admin_log(container().uow(), g.actor))


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
                           group_wide=is_group_admin(g.actor)), 400 if errors else 200


@bp.route("/admin/closures/<int:closure_id>/delete", methods=["POST"])
@roles_required("administrator")
def delete_closure(closure_id: int):
    """Remove a closure day."""
    remove_closure(container().uow(), g.actor, closure_id)
    flash("Closure day removed.", "success")
    return redirect(url_for("admin.closures"))
