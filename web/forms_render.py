"""Server-side task forms: JSON Schema plus UI hints rendered as accessible HTML, every value escaped.

`render(schema, ui, data, errors)` returns Markup. Field names are dotted paths (`actions.0.owner`) matching the
paths jsonschema errors carry; `web.form_data.parse` reads them back. UI hints follow react-jsonschema-form:
`ui:order`, `ui:widget` (textarea, radio, select, checkboxes, date, hidden, file), `ui:help`, `ui:title`,
`ui:placeholder`, `ui:options` (`rows`, `addLabel`). `x-attachment: true` (or `ui:widget: file`) marks a file field.
"""
from __future__ import annotations

import json

from markupsafe import Markup, escape

ATTACHMENT = "x-attachment"


def render(schema: dict | None, ui: dict | None = None, data: dict | None = None,
           errors: dict[str, list[str]] | None = None) -> Markup:
    """The whole form body: an error summary (when there are errors) and one field per property."""
    schema, ui, data, errors = schema or {}, ui or {}, data or {}, errors or {}
    parts = [_summary(errors, schema, ui)] if errors else []
    parts.append(_properties(schema, ui, data, errors, ""))
    return Markup("".join(str(p) for p in parts))


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


def _summary(errors: dict[str, list[str]], schema: dict, ui: dict) -> Markup:
    items = "".join(f'<li><a href="#{field_id(path)}">{escape(_title_of(schema, ui, path))}: {escape(msg)}</a></li>'
                    for path, messages in errors.items() for msg in messages)
    return Markup('<div class="error-summary" role="alert" tabindex="-1" aria-labelledby="error-summary-title">'
                  '<h2 id="error-summary-title">There is a problem</h2>'
                  f'<ul class="error-summary-list">{items}</ul></div>')


def _title_of(schema: dict, ui: dict, path: str) -> str:
    """The label a person sees for a dotted path, e.g. 'Action plan 2: Who'."""
    words, spec, hints = [], schema, ui
    for part in [p for p in path.split(".") if p]:
        if part.isdigit():
            words[-1:] = [f"{words[-1] if words else 'Item'} {int(part) + 1}"]
            spec, hints = spec.get("items") or {}, hints.get("items") or {}
            continue
        spec, hints = (spec.get("properties") or {}).get(part) or {}, hints.get(part) or {}
        words.append(hints.get("ui:title") or spec.get("title") or _humanise(part))
    return ": ".join(words) or "Form"


def _ordered(schema: dict, ui: dict) -> list[str]:
    names = list((schema.get("properties") or {}).keys())
    order = ui.get("ui:order") or []
    if not order:
        return names
    rest = [n for n in names if n not in order]
    listed = [n for n in order if n in names]
    if "*" in order:
        star = order.index("*")
        return [n for n in order[:star] if n in names] + rest + [n for n in order[star + 1:] if n in names]
    return listed + rest


def _properties(schema: dict, ui: dict, data: dict, errors: dict, prefix: str) -> Markup:
    required = set(schema.get("required") or [])
    props = schema.get("properties") or {}
    out = []
    for name in _ordered(schema, ui):
        path = f"{prefix}.{name}" if prefix else name
        value = data.get(name, (props[name] or {}).get("default")) if isinstance(data, dict) else None
        out.append(_field(props[name] or {}, ui.get(name) or {}, path, value, errors, name in required))
    return Markup("".join(str(p) for p in out))


def _field(spec: dict, hints: dict, path: str, value, errors: dict, required: bool) -> Markup:
    widget = hints.get("ui:widget")
    kind = spec.get("type")
    if widget == "hidden":
        return Markup(f'<input type="hidden" name="{escape(path)}" value="{escape(_text(value))}">')
    if spec.get("readOnly"):
        return _wrap(spec, hints, path, errors, required,
                     Markup(f'<p class="readonly" id="{field_id(path)}">{escape(_text(value)) or "–"}</p>'))
    if is_attachment(spec, hints) or (kind == "array" and is_attachment(spec.get("items") or {}, hints.get("items") or {})):
        return _wrap(spec, hints, path, errors, required, _file(spec, path, value))
    if kind == "boolean":
        options = [(True, hints.get("ui:options", {}).get("yesLabel", "Yes")), (False, "No")]
        return _group(spec, hints, path, errors, required, _radios(path, options, value))
    if kind == "object":
        body = _properties(spec, hints, value if isinstance(value, dict) else {}, errors, path)
        return _group(spec, hints, path, errors, required, body)
    if kind == "array":
        items = spec.get("items") or {}
        if choices(items):
            selected = value if isinstance(value, list) else []
            return _group(spec, hints, path, errors, required, _checkboxes(path, choices(items), selected))
        return _rows(spec, hints, path, value if isinstance(value, list) else [], errors, required)
    options = choices(spec)
    if options:
        if widget == "select" or (len(options) > 6 and widget != "radio"):
            return _wrap(spec, hints, path, errors, required, _select(path, options, value, errors))
        return _group(spec, hints, path, errors, required, _radios(path, options, value))
    return _wrap(spec, hints, path, errors, required, _input(spec, hints, path, value, errors, required))


def _label_text(spec: dict, hints: dict, path: str, required: bool) -> Markup:
    title = hints.get("ui:title") or spec.get("title") or _humanise(path.rsplit(".", 1)[-1])
    optional = "" if required else ' <span class="optional">(optional)</span>'
    return Markup(f"{escape(title)}{optional}")


def _hint_and_error(spec: dict, hints: dict, path: str, errors: dict) -> tuple[Markup, list[str]]:
    ids, out = [], []
    hint = hints.get("ui:help") or spec.get("description")
    if hint:
        ids.append(field_id(path) + "-hint")
        out.append(f'<span class="hint" id="{ids[-1]}">{escape(hint)}</span>')
    for message in errors.get(path, []):
        ids.append(field_id(path) + "-error")
        out.append(f'<span class="error-message" id="{ids[-1]}"><span class="visually-hidden">Error:</span> '
                   f'{escape(message)}</span>')
    return Markup("".join(out)), ids


def _wrap(spec, hints, path, errors, required, control: Markup) -> Markup:
    extra, _ = _hint_and_error(spec, hints, path, errors)
    css = "field field-error" if path in errors else "field"
    return Markup(f'<div class="{css}"><label for="{field_id(path)}">{_label_text(spec, hints, path, required)}'
                  f'</label>{extra}{control}</div>')


def _group(spec, hints, path, errors, required, body: Markup) -> Markup:
    extra, ids = _hint_and_error(spec, hints, path, errors)
    css = "field field-error" if path in errors else "field"
    described = f' aria-describedby="{" ".join(ids)}"' if ids else ""
    anchor = "" if f'id="{field_id(path)}"' in str(body) else f' id="{field_id(path)}"'
    return Markup(f'<div class="{css}"><fieldset{anchor}{described}>'
                  f'<legend>{_label_text(spec, hints, path, required)}</legend>{extra}{body}</fieldset></div>')


def _described(path: str, spec: dict, hints: dict, errors: dict) -> str:
    ids = ([field_id(path) + "-hint"] if hints.get("ui:help") or spec.get("description") else []) + \
          ([field_id(path) + "-error"] if path in errors else [])
    return f' aria-describedby="{" ".join(ids)}"' if ids else ""


def _input(spec, hints, path, value, errors, required) -> Markup:
    fmt, kind = spec.get("format"), spec.get("type")
    widget = hints.get("ui:widget")
    attrs = f' id="{field_id(path)}" name="{escape(path)}"{_described(path, spec, hints, errors)}'
    if path in errors:
        attrs += ' aria-invalid="true"'
    if hints.get("ui:placeholder"):
        attrs += f' placeholder="{escape(hints["ui:placeholder"])}"'
    if widget == "textarea" or (kind == "string" and (spec.get("maxLength") or 0) > 300 and not fmt):
        rows = int(hints.get("ui:options", {}).get("rows", 6))
        return Markup(f'<textarea{attrs} rows="{rows}">{escape(_text(value))}</textarea>')
    if fmt == "date" or widget == "date":
        return Markup(f'<input type="date"{attrs} value="{escape(_text(value)[:10])}">')
    if fmt == "date-time":
        return Markup(f'<input type="datetime-local"{attrs} value="{escape(_text(value)[:16])}">')
    if kind in ("integer", "number"):
        mode = "numeric" if kind == "integer" else "decimal"
        return Markup(f'<input type="text" inputmode="{mode}"{attrs} value="{escape(_text(value))}">')
    input_type = "email" if fmt == "email" else "text"
    return Markup(f'<input type="{input_type}"{attrs} value="{escape(_text(value))}">')


def _radios(path: str, options, value) -> Markup:
    out = []
    for i, (option, label) in enumerate(options):
        rid = f"{field_id(path)}-{i}" if i else field_id(path)
        checked = " checked" if value is not None and _same(value, option) else ""
        out.append(f'<div class="choice"><input type="radio" id="{rid}" name="{escape(path)}" '
                   f'value="{escape(_token(option))}"{checked}><label for="{rid}">{escape(label)}</label></div>')
    return Markup('<div class="choices">' + "".join(out) + "</div>")


def _checkboxes(path: str, options, selected: list) -> Markup:
    out = []
    for i, (option, label) in enumerate(options):
        cid = f"{field_id(path)}-{i}" if i else field_id(path)
        checked = " checked" if any(_same(s, option) for s in selected) else ""
        out.append(f'<div class="choice"><input type="checkbox" id="{cid}" name="{escape(path)}" '
                   f'value="{escape(_token(option))}"{checked}><label for="{cid}">{escape(label)}</label></div>')
    return Markup('<div class="choices">' + "".join(out) + "</div>")


def _select(path: str, options, value, errors) -> Markup:
    opts = ['<option value="">Choose…</option>'] + [
        f'<option value="{escape(_token(o))}"{" selected" if value is not None and _same(value, o) else ""}>'
        f"{escape(label)}</option>" for o, label in options]
    invalid = ' aria-invalid="true"' if path in errors else ""
    return Markup(f'<select id="{field_id(path)}" name="{escape(path)}"{invalid}>{"".join(opts)}</select>')


def _file(spec: dict, path: str, value) -> Markup:
    many = spec.get("type") == "array"
    kept = value if isinstance(value, list) else ([value] if isinstance(value, dict) else [])
    out = []
    for item in kept:
        if isinstance(item, dict) and item.get("file_id"):
            out.append(f'<p class="attached">Attached: {escape(item.get("filename", "file"))} '
                       f'({escape(str(item.get("size", "?")))} bytes)'
                       f'<input type="hidden" name="{escape(path)}.__file" value="{escape(item["file_id"])}"></p>')
    multiple = " multiple" if many else ""
    out.append(f'<input type="file" id="{field_id(path)}" name="{escape(path)}"{multiple} '
               'accept=".pdf,.png,.jpg,.jpeg,.txt,.docx,application/pdf,image/png,image/jpeg,text/plain">')
    return Markup("".join(out))


def _rows(spec, hints, path, items: list, errors, required) -> Markup:
    """Repeating items (for example action-plan rows): the existing rows plus one blank row to fill in."""
    item_spec, item_hints = spec.get("items") or {}, hints.get("items") or {}
    count = max(len(items) + 1, int(hints.get("ui:options", {}).get("rows", 1)))
    rows = []
    for i in range(count):
        value = items[i] if i < len(items) else {}
        inner = _properties(item_spec, item_hints, value, errors, f"{path}.{i}") if item_spec.get("type") == "object" \
            else _field(item_spec, {**item_hints, "ui:title": f"{item_spec.get('title') or 'Item'} {i + 1}"},
                        f"{path}.{i}", value or None, errors, False)
        rows.append(f'<fieldset class="row-item"><legend>{escape(item_spec.get("title") or "Item")} {i + 1}</legend>'
                    f"{inner}</fieldset>")
    add = hints.get("ui:options", {}).get("addLabel", "Add another")
    button = (f'<button type="submit" class="button-secondary" name="_action" value="add_row:{escape(path)}">'
              f"{escape(add)}</button>")
    return _group(spec, hints, path, errors, required, Markup("".join(rows) + button))


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
