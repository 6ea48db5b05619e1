"""Task forms: JSON Schema validation with messages a person can act on."""
from __future__ import annotations

import re
from datetime import date

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import SchemaError

from .errors import BundleInvalid, InvalidInput
from .input_bounds import day_in_window

INDEPENDENT = "x-independent"
# A property name becomes a form field's name, its HTML id and the target of error links: plain names only.
PROPERTY_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
DATA_KEYWORDS = ("enum", "const", "default", "examples")  # values, not schemas
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DATE_MESSAGE = "Enter a real date between 1 January 2000 and 31 December 2099, like 2026-12-01"


def _day_in_window(instance: object) -> bool:
    # a form's date must also be one the calendar and the deadlines can work with
    if not isinstance(instance, str):
        return True
    return bool(ISO_DAY.match(instance)) and day_in_window(date.fromisoformat(instance))


FORMATS = FormatChecker()
FORMATS.checks("date", raises=ValueError)(_day_in_window)


def check_schema(name: str, schema: dict) -> None:
    """Refuse a form whose JSON Schema is itself invalid or names a property with anything but a plain name."""
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        raise BundleInvalid([{"file": name,
                              "message": f"form {name} is not valid JSON Schema: {exc.message}"}]) from None
    problems = [{"file": name, "property": path,
                 "message": f"form {name} names property {path!r}; a property name may hold only letters, digits "
                            "and _, and may not start with a digit"}
                for path in unplain_property_names(schema)]
    if problems:
        raise BundleInvalid(problems)


def unplain_property_names(schema, path: str = "") -> list[str]:
    """Where a schema (at any depth, rules and definitions included) declares a property that is not a plain name."""
    found = []
    if isinstance(schema, dict):
        for key, value in schema.items():
            if key in DATA_KEYWORDS:
                continue
            if key == "properties" and isinstance(value, dict):
                for prop, spec in value.items():
                    where = f"{path}.{prop}" if path else str(prop)
                    if not PROPERTY_NAME.fullmatch(str(prop)):
                        found.append(where)
                    found += unplain_property_names(spec, where)
            else:
                found += unplain_property_names(value, path)
    elif isinstance(schema, list):
        for item in schema:
            found += unplain_property_names(item, path)
    return found


def validate_form(schema: dict | None, data: dict, *, case_reference: str | None = None) -> dict:
    """Validate submitted data; return it, or raise with every problem at once, one message list per field, each
    in words written for the field (never the schema's own text, never the answer echoed back)."""
    if not isinstance(data, dict):
        raise InvalidInput("the submitted data must be an object", {"": ["expected an object"]})
    if not schema:
        return data
    validator = Draft202012Validator(schema, format_checker=FORMATS)
    fields: dict[str, list[str]] = {}
    for error in sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path]):
        path, message = _path_and_message(schema, error)
        if message not in fields.setdefault(path, []):
            fields[path].append(message)
    if fields:
        raise InvalidInput("the form has errors", fields, case_reference=case_reference)
    return data


def _path_and_message(schema: dict, error) -> tuple[str, str]:
    """Where an error belongs and what to tell the person, from the failing keyword and the field's schema."""
    where = [str(p) for p in error.absolute_path]
    spec = error.schema if isinstance(error.schema, dict) else {}
    kind, value, instance = error.validator, error.validator_value, error.instance
    if kind == "required":
        missing = error.message.split("'")[1] if "'" in error.message else ""
        path = where + [missing] if missing else where
        return ".".join(path), _missing(spec_at(schema, path))
    if kind == "enum" and error.absolute_path and isinstance(error.absolute_path[-1], int):
        # a ticked box that is not (or no longer) offered: name the field, not the box
        return ".".join(where[:-1]), "Choose only from the options offered"
    return ".".join(where), _message(kind, value, instance, spec)


def spec_at(schema: dict, path: list[str]) -> dict:
    """The property schema a dotted path points to (row indexes step into `items`), or {} when there is none."""
    spec = schema
    for part in path:
        if not isinstance(spec, dict):
            return {}
        spec = spec.get("items") if part.isdigit() else (spec.get("properties") or {}).get(part)
    return spec if isinstance(spec, dict) else {}


def _missing(spec: dict) -> str:
    kind = spec.get("type")
    if kind == "boolean":
        return "Choose yes or no"
    if kind == "array":
        return "Choose at least one" if (spec.get("items") or {}).get("enum") else "Add at least one"
    if spec.get("format") == "date":
        return "Enter a date"
    if "enum" in spec or "oneOf" in spec or "anyOf" in spec:
        return "Choose one of the options"
    return "Enter an answer"


def _message(kind: str, value, instance, spec: dict) -> str:
    if kind == "format" and value == "date":
        return DATE_MESSAGE
    if kind == "const":
        return "Confirm this to continue" if value is True else "This answer cannot be given here"
    if kind in ("enum",):
        return "Choose one of the options offered"
    if kind == "type":
        wanted = value if isinstance(value, str) else next((t for t in value if t != "null"), "")
        return {"boolean": "Choose yes or no", "integer": "Enter a whole number", "number": "Enter a number",
                "array": "Choose from the options", "object": "Answer the questions in this part",
                "string": "Enter text"}.get(wanted, "This answer is not in the expected form")
    if kind == "maxLength":
        return f"Use {value:,} characters or fewer (this has {len(instance):,})"
    if kind == "minLength":
        return "Enter an answer" if value <= 1 else f"Use at least {value:,} characters (this has {len(instance):,})"
    if kind == "minItems":
        if value == 1:
            return "Choose at least one" if (spec.get("items") or {}).get("enum") else "Add at least one"
        return f"Choose at least {value} (you chose {len(instance)})"
    if kind == "maxItems":
        return f"Choose or add no more than {value} (there are {len(instance)})"
    if kind == "uniqueItems":
        return "Each one may be chosen only once"
    if kind in ("minimum", "exclusiveMinimum"):
        return f"Enter a number {'of at least' if kind == 'minimum' else 'greater than'} {value}"
    if kind in ("maximum", "exclusiveMaximum"):
        return f"Enter a number {'no more than' if kind == 'maximum' else 'less than'} {value}"
    if kind == "pattern":
        return "This is not in the expected form" + (f": {spec['description']}" if spec.get("description") else "")
    if kind == "format":
        return {"email": "Enter an email address, like name@example.org",
                "date-time": "Enter a real date and time"}.get(value, "This is not in the expected form")
    return "This answer cannot be accepted"


def rule_nodes(schema: dict):
    """A schema and every rule inside it (`allOf`/`anyOf`/`oneOf` members, `then`, `else`), depth first."""
    yield schema
    for key in ("allOf", "anyOf", "oneOf"):
        for rule in schema.get(key) or []:
            if isinstance(rule, dict):
                yield from rule_nodes(rule)
    for key in ("then", "else"):
        if isinstance(schema.get(key), dict):
            yield from rule_nodes(schema[key])


def independent_fields(schema: dict | None) -> list[str]:
    """Fields naming people who must have had no earlier part in the case."""
    props = (schema or {}).get("properties", {})
    return [name for name, spec in props.items() if spec.get(INDEPENDENT)]
