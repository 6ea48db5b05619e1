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
    """Validate submitted data; return it, or raise with one message list per field."""
    if not isinstance(data, dict):
        raise InvalidInput("the submitted data must be an object", {"": ["expected an object"]})
    if not schema:
        return data
    validator = Draft202012Validator(schema, format_checker=FORMATS)
    fields: dict[str, list[str]] = {}
    for error in sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path)):
        path = ".".join(str(p) for p in error.absolute_path)
        if error.validator == "required":
            missing = error.message.split("'")[1] if "'" in error.message else ""
            path = ".".join(filter(None, [path, missing]))
            message = "This field is required"
        elif error.validator == "enum" and error.absolute_path and isinstance(error.absolute_path[-1], int):
            # a ticked box that is not (or no longer) offered: name the field, not the box
            path = ".".join(str(p) for p in list(error.absolute_path)[:-1])
            message = f"{error.instance!r} is not one of the choices offered"
        elif error.validator == "format" and error.validator_value == "date":
            message = DATE_MESSAGE
        elif error.validator == "minItems" and not error.instance:
            count = error.validator_value
            message = "Choose at least one" if count == 1 else f"Choose at least {count}"
        else:
            message = error.message
        fields.setdefault(path, []).append(message)
    if fields:
        raise InvalidInput("the form has errors", fields, case_reference=case_reference)
    return data


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
