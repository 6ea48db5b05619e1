"""Domain errors become clear pages (or JSON under /api)."""
from __future__ import annotations

from flask import jsonify, render_template, request

from processes.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound

STATUS = {NotFound: 404, Forbidden: 403, Conflict: 409, InvalidInput: 400}


def status_for(exc: DomainError) -> int:
    for kind, status in STATUS.items():
        if isinstance(exc, kind):
            return status
    return 400


def register_error_handlers(app) -> None:
    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        status = status_for(exc)
        if request.path.startswith("/api/"):
            body = {"error": {"code": exc.code, "message": str(exc)}}
            if isinstance(exc, InvalidInput):
                body["error"]["fields"] = exc.fields
            return jsonify(body), status
        return render_template("error.html", status=status, message=str(exc),
                               fields=getattr(exc, "fields", {})), status

    for status, title in ((400, "Bad request"), (403, "Forbidden"), (404, "Not found"), (405, "Not allowed"),
                          (409, "Conflict"), (413, "Too large"), (429, "Too many requests")):
        app.register_error_handler(status, _http_error(status, title))


def _http_error(status: int, title: str):
    def handler(exc):
        message = getattr(exc, "description", title)
        if request.path.startswith("/api/"):
            code = title.lower().replace(" ", "_")
            return jsonify({"error": {"code": code, "message": message}}), status
        return render_template("error.html", status=status, message=message, fields={}), status
    return handler
