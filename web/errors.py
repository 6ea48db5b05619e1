"""Domain errors become clear pages (or JSON under /api); an unexpected error still gets the product's error page."""
from __future__ import annotations

from flask import jsonify, render_template, request
from werkzeug.exceptions import InternalServerError, RequestEntityTooLarge

from processes.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound

STATUS = {NotFound: 404, Forbidden: 403, Conflict: 409, InvalidInput: 400}
CODES = {400: "validation_error", 413: "too_large", 500: "server_error"}


def status_for(exc: DomainError) -> int:
    for kind, status in STATUS.items():
        if isinstance(exc, kind):
            return status
    return 400


def field_error(status: int, message: str, fields: dict[str, list[str]] | None = None):
    """An error answer in the form the caller reads: JSON with field messages under /api, the error page elsewhere."""
    if request.path.startswith("/api/"):
        body = {"error": {"code": CODES.get(status, "error"), "message": message}}
        if fields is not None:
            body["error"]["fields"] = fields
        return jsonify(body), status
    return render_template("error.html", status=status, message=message, fields=fields or {}), status


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
                          (409, "Conflict"), (429, "Too many requests")):
        app.register_error_handler(status, _http_error(status, title))

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(exc: RequestEntityTooLarge):
        limit = request.max_content_length
        size = f"{limit / 1024 / 1024:.0f} MB" if limit else "the limit"
        return field_error(413, f"The request is larger than {size}, the most this page or API call accepts. "
                                "Send less, or attach large files one at a time.")

    @app.errorhandler(InternalServerError)
    def server_error(exc: InternalServerError):
        # the cause is logged by Flask with its traceback; the person sees the product's page, not a stack
        return field_error(500, "Something went wrong on our side and your request was not completed. "
                                "Please try again; if it keeps happening, tell the support team.")


def _http_error(status: int, title: str):
    def handler(exc):
        message = getattr(exc, "description", title)
        if request.path.startswith("/api/"):
            code = title.lower().replace(" ", "_")
            return jsonify({"error": {"code": code, "message": message}}), status
        return render_template("error.html", status=status, message=message, fields={}), status
    return handler
