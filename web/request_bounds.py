"""Request-level bounds, checked once for every page and API call before any view or database sees the input:
body sizes by kind, ids that fit the integer columns, and no NUL character in any field."""
from __future__ import annotations

from flask import request
from werkzeug.routing import IntegerConverter

from processes.attachments import MAX_BYTES
from processes.input_bounds import MAX_ID, NUL, NUL_MESSAGE, nul_paths

from .errors import field_error

# uploads come only as multipart task forms and bundle archives: room for six full-size attachments at once
MAX_UPLOAD_BODY = 6 * MAX_BYTES
# JSON and plain form bodies carry typed answers only: the longest is a few hundred kilobytes
MAX_PLAIN_BODY = 1024 * 1024


def digits_up_to(limit: int) -> str:
    """A regular expression for the decimal numbers from 0 to `limit` (leading zeros allowed, as int() reads them)."""
    text = str(limit)
    choices = [rf"\d{{1,{len(text) - 1}}}"] if len(text) > 1 else []
    for at, digit in enumerate(text):  # the same digits up to here, then a smaller one, then any digits
        rest = len(text) - at - 1
        if digit != "0":
            choices.append(text[:at] + f"[0-{int(digit) - 1}]" + (rf"\d{{{rest}}}" if rest else ""))
    choices.append(text)
    return "(?:" + "|".join(choices) + ")"


class IdConverter(IntegerConverter):
    """`<int:...>` in a URL matches only numbers an integer column can hold, so a bigger one is a plain 404.

    The bound is in the pattern, not only in the conversion: Werkzeug treats a failed conversion on a path that
    another method's rule matched as 405."""

    regex = digits_up_to(MAX_ID)

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = MAX_ID,
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def register_request_bounds(app) -> None:
    """Wire the bounds into the app; call before anything that reads request bodies (CSRF) is registered."""
    app.url_map.converters["int"] = IdConverter  # every id route, whoever writes it

    @app.before_request
    def bound_the_body():
        if request.mimetype != "multipart/form-data":
            request.max_content_length = app.config.get("MAX_PLAIN_BODY", MAX_PLAIN_BODY)

    @app.before_request
    def refuse_nul_characters():
        # PostgreSQL text cannot hold NUL, and nothing a person types contains one: refuse it at the door
        try:
            body = request.get_json(silent=True) if request.is_json else None
        except RecursionError:  # nested past the parser's depth: no view could read it either
            return field_error(400, "the body nests too deeply to read", {"": ["Send a flatter JSON object"]})
        bad = _nul_fields(body)
        if bad:
            return field_error(400, "the request has a NUL character", {name: [NUL_MESSAGE] for name in bad})
        return None


def _nul_fields(body) -> list[str]:
    found = set(nul_paths(dict(request.view_args or {})))
    for source in (request.args, request.form):
        for name, values in source.lists():
            if NUL in name or any(NUL in value for value in values):
                found.add(name.replace(NUL, "") or "field")
    for name, uploads in request.files.lists():
        if NUL in name or any(NUL in (upload.filename or "") for upload in uploads):
            found.add(name.replace(NUL, "") or "file")
    if NUL in request.headers.get("Authorization", ""):
        found.add("Authorization")
    found.update(nul_paths(body))
    return sorted(found)
