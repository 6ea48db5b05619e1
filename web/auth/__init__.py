"""Sign in and out."""
from __future__ import annotations

import math
from datetime import datetime
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

from flask import Blueprint, g, redirect, render_template, request, session, url_for

from processes.accounts import sign_in

from ..extensions import limiter
from ..security import container

bp = Blueprint("auth", __name__, template_folder="templates")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute; 50 per hour", methods=["POST"])
def login():
    """Show the sign-in form and sign the user in; repeated failures lock the username for a while."""
    error, status, headers = None, 200, {}
    if request.method == "POST":
        result = sign_in(container().uow(), request.form.get("username", "").strip(), request.form.get("password", ""))
        if result.actor is not None:
            session.clear()
            session["user_id"] = result.actor.user_id
            session.permanent = True
            return redirect(_safe_next(request.args.get("next")))
        if result.locked_until is not None:
            # the same words whether or not the username is an account
            error, status = f"Too many unsuccessful sign-ins with this username. {_try_again(result.locked_until)}", 429
            wait = (result.locked_until - container().clock.now()).total_seconds()
            headers["Retry-After"] = str(max(1, math.ceil(wait)))
        else:
            error, status = "The username or password is not right.", 401
    return render_template("auth/login.html", error=error), status, headers


def _try_again(until: datetime) -> str:
    local = until.astimezone(ZoneInfo("Europe/London"))
    today = container().clock.now().astimezone(ZoneInfo("Europe/London")).date()
    day = "today" if local.date() == today else f"on {local.day} {local:%B}"
    return f"Try again after {local:%H:%M} {day} (UK time)."


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
