"""The Flask app factory."""
from __future__ import annotations

from flask import Flask

from .errors import register_error_handlers
from .extensions import csrf, limiter
from .navigation import register_navigation
from .request_bounds import MAX_PLAIN_BODY, MAX_UPLOAD_BODY, register_request_bounds
from .security import register_security

BLUEPRINTS = [
    "web.auth:bp",
    "web.display:bp",
    "web.inbox:bp",
    "web.mail:bp",
    "web.cases:bp",
    "web.tasks:bp",
    "web.intake:bp",
    "web.admin:bp",
    "web.api:bp",
    "web.reports:bp",
    "web.ops:bp",
    "web.modeler:bp",
    "web.governance:bp",
]


def create_app(container=None, **config) -> Flask:
    """Build the web app around a container (built from the environment when not given)."""
    if container is None:
        import bootstrap
        container = bootstrap.build()
    app = Flask(__name__)
    settings = container.settings
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        PERMANENT_SESSION_LIFETIME=8 * 3600,
        WTF_CSRF_TIME_LIMIT=None,
        MAX_CONTENT_LENGTH=MAX_UPLOAD_BODY,  # multipart uploads; JSON and plain forms get MAX_PLAIN_BODY
        MAX_PLAIN_BODY=MAX_PLAIN_BODY,
        RATELIMIT_STORAGE_URI=settings.ratelimit_storage_url,
        RATELIMIT_KEY_PREFIX="complaints",
        # said for every app: the limiter is one object, and without this an app inherits the last app's choice
        RATELIMIT_ENABLED=True,
    )
    app.config.update(config)
    app.extensions["complaints"] = container
    register_request_bounds(app)  # first: its body limits must be set before CSRF reads a form
    csrf.init_app(app)
    limiter.init_app(app)
    register_security(app)
    register_error_handlers(app)
    register_navigation(app)
    @app.route("/")
    def home():
        """Send staff to their inbox and visitors to the public pages."""
        from flask import g, redirect, url_for
        target = "inbox.index" if g.get("actor") else "intake.index"
        return redirect(url_for(target)) if target in app.view_functions else redirect(url_for("auth.login"))

    for path in BLUEPRINTS:
        module, name = path.split(":")
        blueprint = getattr(__import__(module, fromlist=[name]), name)
        app.register_blueprint(blueprint)
    return app
