"""Reading a rendered task form back into JSON data shaped by its schema (the inverse of forms_render)."""
from __future__ import annotations

import json
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from .forms_render import choices, is_attachment

LONDON = ZoneInfo("Europe/London")
INDEX = re.compile(r"^(\d+)(?:\.|$)")


def parse(schema: dict | None, ui: dict | None, form, attachments: dict | None = None) -> dict:
    """Form fields -> data; empty answers are left out so `required` reports them. `attachments` maps a
    field path to the file metadata already stored for it (new uploads and kept files)."""
    return _object(schema or {}, ui or {}, form, attachments or {}, "")


def attachment_paths(schema: dict | None, ui: dict | None, prefix: str = "") -> list[tuple[str, bool]]:
    """(path, many) of every top-level file field, so the view can store uploads before parsing."""
    out = []
    for name, spec in ((schema or {}).get("properties") or {}).items():
        hints = (ui or {}).get(name) or {}
        path = f"{prefix}{name}"
        if is_attachment(spec, hints):
            out.append((path, False))
        elif spec.get("type") == "array" and is_attachment(spec.get("items") or {}, hints.get("items") or {}):
            out.append((path, True))
    return out


def add_row(data: dict, path: str) -> dict:
    """Data with one more blank row shown for a repeating field (no-JavaScript 'add another')."""
    rows = data.get(path)
    data[path] = (rows if isinstance(rows, list) else []) + [{}]
    return data


def _object(schema: dict, ui: dict, form, attachments: dict, prefix: str) -> dict:
    out = {}
    required = set(schema.get("required") or [])
    for name, spec in (schema.get("properties") or {}).items():
        spec, hints, path = spec or {}, ui.get(name) or {}, f"{prefix}{name}"
        value = _value(spec, hints, form, attachments, path)
        if value is None and name in required and spec.get("type") == "array" and not is_attachment(spec, hints):
            value = []  # a required list may be empty; "nothing to list" is an answer
        if value is not None:
            out[name] = value
    return out


def _value(spec: dict, hints: dict, form, attachments: dict, path: str):
    kind = spec.get("type")
    if spec.get("readOnly"):
        return None
    if path in attachments:
        return attachments[path] or None
    if is_attachment(spec, hints):
        return None
    if kind == "object":
        value = _object(spec, hints, form, attachments, path + ".")
        return value or None
    if kind == "array":
        items = spec.get("items") or {}
        if choices(items):
            picked = [_coerce(items, raw) for raw in form.getlist(path) if raw != ""]
            return picked or None
        return _rows(items, hints.get("items") or {}, form, attachments, path) or None
    raw = form.get(path)
    if raw is None:
        return None
    raw = raw.strip() if isinstance(raw, str) else raw
    if raw == "":
        return None
    return _coerce(spec, raw)


def _rows(items: dict, hints: dict, form, attachments: dict, path: str) -> list:
    indexes = set()
    for key in form.keys():
        if key.startswith(path + "."):
            match = INDEX.match(key[len(path) + 1:])
            if match:
                indexes.add(int(match.group(1)))
    rows = []
    for i in sorted(indexes)[:200]:
        value = _value(items, hints, form, attachments, f"{path}.{i}")
        if value not in (None, {}, []):
            rows.append(value)
    return rows


def _coerce(spec: dict, raw: str):
    """Text from the form as the schema's type; text that will not convert is kept so validation names it."""
    options = choices(spec)
    if options:
        for option, _ in options:
            token = ("yes" if option else "no") if isinstance(option, bool) else \
                option if isinstance(option, str) else json.dumps(option)
            if token == raw:
                return option
        return raw
    kind = spec.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    try:
        if kind == "boolean":
            return {"yes": True, "no": False, "true": True, "false": False}.get(raw.lower(), raw)
        if kind == "integer":
            return int(raw)
        if kind == "number":
            return float(raw)
    except ValueError:
        return raw
    if spec.get("format") == "date-time" and len(raw) in (16, 19) and "T" in raw:
        try:
            return datetime.fromisoformat(raw).replace(tzinfo=LONDON).isoformat()
        except ValueError:
            return raw
    return raw
