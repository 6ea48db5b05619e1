"""Server-side task forms: JSON Schema plus UI hints drawn as accessible HTML by Jinja macros, every value escaped.

`render(schema, ui, data, errors)` returns Markup. This module turns the schema into plain field descriptions;
`templates/partials/form_fields.html` draws them with autoescape on, so labels, values, ids, names and links are
all escaped. Field names are dotted paths (`actions.0.owner`) matching the paths jsonschema errors carry;
`web.form_data.parse` reads them back. UI hints follow react-jsonschema-form: `ui:order`, `ui:widget` (textarea,
radio, select, checkboxes, date, hidden, file), `ui:help`, `ui:title`, `ui:placeholder`, `ui:options` (`rows`,
`addLabel`). `x-attachment: true` (or `ui:widget: file`) marks a file field.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template
from markupsafe import Markup

ATTACHMENT = "x-attachment"
ACCEPT = ".pdf,.png,.jpg,.jpeg,.txt,.docx,application/pdf,image/png,image/jpeg,text/plain"
MAX_ROWS = 50  # repeating rows or textarea lines a UI hint may ask for


@lru_cache(maxsize=1)
def _macros() -> Template:
    env = Environment(loader=FileSystemLoader(str(Path(__file__).parent / "templates")), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    return env.get_template("partials/form_fields.html")


def render(schema: dict | None, ui: dict | None = None, data: dict | None = None,
           errors: dict[str, list[str]] | None = None) -> Markup:
    """The whole form body: an error summary (when there are errors) and one field per property."""
    schema, ui = _mapping(schema), _mapping(ui)
    data, errors = data or {}, errors or {}
    summary = [{"target": field_id(path), "title": _title_of(schema, ui, path), "message": message}
               for path, messages in errors.items() for message in messages]
    return Markup(_macros().module.form(summary, _properties(schema, ui, data, errors, "")))


def field_id(path: str) -> str:
    """The HTML id of the input for a dotted path."""
    return "f-" + (path.replace(".", "-") or "form")


def is_attachment(spec: dict, hints: dict) -> bool:
    return bool(spec.get(ATTACHMENT)) or hints.get("ui:widget") == "file"


def choices(spec: dict) -> list[tuple[object, str]]:
    """(value, label) pairs from `enum` (+ `enumNames`) or `oneOf`/`anyOf` of `const` with `title`."""
    if "enum" in spec:
        names = spec.get("enumNames") or []
        return [(v, names[i] if i < len(names) else _humanise(str(v))) for i, v in enumerate(spec["enum"])]
    options = spec.get("oneOf") or spec.get("anyOf") or []
    return [(o["const"], o.get("title", str(o["const"]))) for o in options if isinstance(o, dict) and "const" in o]


def _title_of(schema: dict, ui: dict, path: str) -> str:
    """The label a person sees for a dotted path, e.g. 'Action plan 2: Who'."""
    words, spec, hints = [], schema, ui
    for part in [p for p in path.split(".") if p]:
        if part.isdigit():
            words[-1:] = [f"{words[-1] if words else 'Item'} {int(part) + 1}"]
            spec, hints = _mapping(spec.get("items")), _mapping(hints.get("items"))
            continue
        spec, hints = _mapping(_mapping(spec.get("properties")).get(part)), _mapping(hints.get(part))
        words.append(hints.get("ui:title") or spec.get("title") or _humanise(part))
    return ": ".join(str(w) for w in words) or "Form"


def _ordered(schema: dict, ui: dict) -> list[str]:
    names = list(_mapping(schema.get("properties")).keys())
    order = ui.get("ui:order") if isinstance(ui.get("ui:order"), list) else []
    if not order:
        return names
    rest = [n for n in names if n not in order]
    listed = [n for n in order if n in names]
    if "*" in order:
        star = order.index("*")
        return [n for n in order[:star] if n in names] + rest + [n for n in order[star + 1:] if n in names]
    return listed + rest


def _properties(schema: dict, ui: dict, data, errors: dict, prefix: str) -> list[dict]:
    required = set(schema.get("required") or [])
    props = _mapping(schema.get("properties"))
    out = []
    for name in _ordered(schema, ui):
        path = f"{prefix}.{name}" if prefix else name
        spec = _mapping(props[name])
        value = data.get(name, spec.get("default")) if isinstance(data, dict) else None
        out.append(_field(spec, _mapping(ui.get(name)), path, value, errors, name in required))
    return out


def _field(spec: dict, hints: dict, path: str, value, errors: dict, required: bool) -> dict:
    widget = hints.get("ui:widget")
    kind = spec.get("type")
    if widget == "hidden":
        return {"kind": "hidden", "name": path, "value": _text(value)}
    if spec.get("readOnly"):
        return _wrap(spec, hints, path, errors, required,
                     {"kind": "readonly", "id": field_id(path), "text": _text(value)})
    if is_attachment(spec, hints) or (kind == "array" and is_attachment(_mapping(spec.get("items")),
                                                                        _mapping(hints.get("items")))):
        return _wrap(spec, hints, path, errors, required, _file(spec, path, value))
    if kind == "boolean":
        options = [(True, _options(hints).get("yesLabel", "Yes")), (False, "No")]
        return _group(spec, hints, path, errors, required, _choice_list("radio", path, options, [value]))
    if kind == "object":
        fields = _properties(spec, hints, value if isinstance(value, dict) else {}, errors, path)
        return _group(spec, hints, path, errors, required, {"kind": "fields", "fields": fields}, anchor=True)
    if kind == "array":
        items = _mapping(spec.get("items"))
        if choices(items):
            selected = value if isinstance(value, list) else []
            return _group(spec, hints, path, errors, required, _choice_list("checkbox", path, choices(items), selected))
        return _rows(spec, hints, path, value if isinstance(value, list) else [], errors, required)
    options = choices(spec)
    if options:
        if widget == "select" or (len(options) > 6 and widget != "radio"):
            return _wrap(spec, hints, path, errors, required, _select(path, options, value, errors))
        return _group(spec, hints, path, errors, required, _choice_list("radio", path, options, [value]))
    return _wrap(spec, hints, path, errors, required, _input(spec, hints, path, value, errors))


def _labelled(spec: dict, hints: dict, path: str, errors: dict, required: bool) -> dict:
    """What a field and a fieldset share: the title, (optional), the hint and the error messages with their ids."""
    hint = hints.get("ui:help") or spec.get("description")
    return {"title": hints.get("ui:title") or spec.get("title") or _humanise(path.rsplit(".", 1)[-1]),
            "optional": not required, "css": "field field-error" if path in errors else "field",
            "hint": {"id": field_id(path) + "-hint", "text": hint} if hint else None,
            "errors": [{"id": field_id(path) + "-error", "text": message} for message in errors.get(path, [])]}


def _wrap(spec, hints, path, errors, required, control: dict) -> dict:
    return {"kind": "field", "id": field_id(path), "control": control,
            **_labelled(spec, hints, path, errors, required)}


def _group(spec, hints, path, errors, required, body: dict, anchor: bool = False) -> dict:
    # Choices carry the field's id on their first input; any other fieldset carries it itself, for error links.
    labelled = _labelled(spec, hints, path, errors, required)
    described = ([labelled["hint"]["id"]] if labelled["hint"] else []) + [e["id"] for e in labelled["errors"]]
    return {"kind": "group", "anchor": field_id(path) if anchor or not body.get("options") else None,
            "described": described, "body": body, **labelled}


def _described(path: str, spec: dict, hints: dict, errors: dict) -> list[str]:
    return ([field_id(path) + "-hint"] if hints.get("ui:help") or spec.get("description") else []) + \
           ([field_id(path) + "-error"] if path in errors else [])


def _input(spec, hints, path, value, errors) -> dict:
    fmt, kind = spec.get("format"), spec.get("type")
    widget = hints.get("ui:widget")
    control = {"id": field_id(path), "name": path, "described": _described(path, spec, hints, errors),
               "invalid": path in errors, "placeholder": hints.get("ui:placeholder"), "value": _text(value),
               "inputmode": None}
    if widget == "textarea" or (kind == "string" and _number(spec.get("maxLength")) > 300 and not fmt):
        return {**control, "kind": "textarea", "rows": _bounded_int(_options(hints).get("rows"), 6)}
    if fmt == "date" or widget == "date":
        return {**control, "kind": "input", "type": "date", "value": _text(value)[:10]}
    if fmt == "date-time":
        return {**control, "kind": "input", "type": "datetime-local", "value": _text(value)[:16]}
    if kind in ("integer", "number"):
        return {**control, "kind": "input", "type": "text", "inputmode": "numeric" if kind == "integer" else "decimal"}
    return {**control, "kind": "input", "type": "email" if fmt == "email" else "text"}


def _choice_list(kind: str, path: str, options, selected: list) -> dict:
    """Radios or checkboxes; the first carries the field's own id, so error links land on it."""
    return {"kind": kind, "name": path, "options": [
        {"id": f"{field_id(path)}-{i}" if i else field_id(path), "value": _token(option), "label": label,
         "checked": any(s is not None and _same(s, option) for s in selected)}
        for i, (option, label) in enumerate(options)]}


def _select(path: str, options, value, errors) -> dict:
    return {"kind": "select", "id": field_id(path), "name": path, "invalid": path in errors,
            "options": [{"value": _token(o), "label": label, "checked": value is not None and _same(value, o)}
                        for o, label in options]}


def _file(spec: dict, path: str, value) -> dict:
    kept = value if isinstance(value, list) else ([value] if isinstance(value, dict) else [])
    return {"kind": "file", "id": field_id(path), "name": path, "multiple": spec.get("type") == "array",
            "accept": ACCEPT, "kept": [{"filename": item.get("filename", "file"), "size": str(item.get("size", "?")),
                                        "file_id": item["file_id"]}
                                       for item in kept if isinstance(item, dict) and item.get("file_id")]}


def _rows(spec, hints, path, items: list, errors, required) -> dict:
    """Repeating items (for example action-plan rows): the existing rows plus one blank row to fill in."""
    item_spec, item_hints = _mapping(spec.get("items")), _mapping(hints.get("items"))
    count = max(len(items) + 1, _bounded_int(_options(hints).get("rows"), 1))
    title = item_spec.get("title") or "Item"
    rows = []
    for i in range(count):
        value = items[i] if i < len(items) else {}
        fields = _properties(item_spec, item_hints, value, errors, f"{path}.{i}") \
            if item_spec.get("type") == "object" \
            else [_field(item_spec, {**item_hints, "ui:title": f"{title} {i + 1}"}, f"{path}.{i}", value or None,
                         errors, False)]
        rows.append({"legend": f"{title} {i + 1}", "fields": fields})
    body = {"kind": "rows", "rows": rows, "action": f"add_row:{path}",
            "add_label": _options(hints).get("addLabel", "Add another")}
    return _group(spec, hints, path, errors, required, body, anchor=True)


def _mapping(value) -> dict:
    # Schemas and UI hints come from bundles: a hint that is not an object is treated as no hint.
    return value if isinstance(value, dict) else {}


def _options(hints: dict) -> dict:
    return _mapping(hints.get("ui:options"))


def _bounded_int(value, default: int) -> int:
    try:
        number = int(value) if value is not None else default
    except (TypeError, ValueError):
        number = default
    return max(1, min(number, MAX_ROWS))


def _number(value) -> float:
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else 0


def _same(value, option) -> bool:
    return value == option and type(value) is type(option) or _token(value) == _token(option)


def _token(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value if isinstance(value, str) else json.dumps(value)


def _text(value) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value) if isinstance(value, (dict, list)) else str(value)


def _humanise(name: str) -> str:
    return name.replace("_", " ").strip().capitalize()
