"""Sign in and out."""
from __future__ import annotations

from urllib.parse import urlparse

from flask import Blueprint, g, redirect, render_template, request, session, url_for

from processes.accounts import authenticate

from ..extensions import limiter
from ..security import container

bp = Blueprint("auth", __name__, template_folder="templates")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute; 50 per hour", methods=["POST"])
def login():
    """Show the sign-in form and sign the user in."""
    error = None
    if request.method == "POST":
        actor = authenticate(container().uow(), request.form.get("username", "").strip(),
                             request.form.get("password", ""))
        if actor is not None:
            session.clear()
            session["user_id"] = actor.user_id
            session.permanent = True
            return redirect(_safe_next(request.args.get("next")))
        error = "The username or password is not right."
    return render_template("auth/login.html", error=error), 200 if error is None else 401


@bp.route("/logout", methods=["POST"])
def logout():
    """Sign out."""
    session.clear()
    return redirect(url_for("auth.login"))


def _safe_next(target: str | None) -> str:
    if target:
        parts = urlparse(target)
        if not parts.scheme and not parts.netloc and target.startswith("/"):
            return target
    return url_for("home") if "home" in _endpoints() else "/"


def _endpoints():
    from flask import current_app
    return current_app.view_functions


@bp.app_context_processor
def inject_actor():
    return {"actor": g.get("actor")}
