"""Security headers (no caching of anything but static assets) and the signed-in actor on every request."""
from __future__ import annotations

from functools import wraps

from flask import abort, current_app, g, redirect, request, session, url_for

from processes.accounts import load_actor

CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
       "font-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'self'")


def container():
    return current_app.extensions["complaints"]


def register_security(app) -> None:
    @app.before_request
    def load_signed_in_actor():
        g.actor = None
        user_id = session.get("user_id")
        if user_id is not None:
            g.actor = load_actor(container().uow(), user_id)
            if g.actor is None:
                session.clear()

    @app.after_request
    def add_security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if request.endpoint != "static":
            # Pages, answers to forms, API replies and downloads may all carry personal data (a status link's
            # page, the echo of a public form, a staff page); no browser or proxy may keep a copy of any of them.
            response.headers["Cache-Control"] = "no-store"
        return response


def login_required(view):
    """Send anonymous visitors to the sign-in page."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        if g.get("actor") is None:
            return redirect(url_for("auth.login", next=request.full_path))
        return view(*args, **kwargs)
    return wrapped


def roles_required(*roles):
    """Allow only actors holding one of the roles in some division (403 otherwise)."""
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not g.actor.has_any_role(*roles):
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorator
