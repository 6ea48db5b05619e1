"""The JSON API under /api/v1: bearer-token auth, marshmallow in and out, errors with stable codes."""
from __future__ import annotations

from flask import Blueprint, g, jsonify, request
from marshmallow import ValidationError

from processes.accounts import actor_for_token

from ..extensions import csrf
from ..security import container

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)
PUBLIC = {"api.openapi"}


def error(status: int, code: str, message: str, fields: dict | None = None):
    """A JSON error body with a stable code."""
    body = {"error": {"code": code, "message": message}}
    if fields is not None:
        body["error"]["fields"] = fields
    return jsonify(body), status


@bp.before_request
def authenticate():
    # the API never trusts the session cookie: only a bearer token identifies the caller
    g.actor = None
    if request.endpoint in PUBLIC:
        return None
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header[:7].lower() == "bearer " else ""
    actor = actor_for_token(container().uow(), token) if 0 < len(token) < 200 else None
    if actor is None:
        response, status = error(401, "unauthorized", "a valid API token is needed (Authorization: Bearer <token>)")
        response.headers["WWW-Authenticate"] = 'Bearer realm="complaints"'
        return response, status
    g.actor = actor
    return None


@bp.errorhandler(ValidationError)
def invalid(exc: ValidationError):
    messages = exc.messages if isinstance(exc.messages, dict) else {"": exc.messages}
    return error(400, "validation_error", "the request has errors", _flatten(messages))


def _flatten(messages: dict, prefix: str = "") -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, value in messages.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict):
            out.update(_flatten(value, path))
        else:
            out[path] = [str(v) for v in (value if isinstance(value, list) else [value])]
    return out


from . import views  # noqa: E402,F401  (routes register on bp)
