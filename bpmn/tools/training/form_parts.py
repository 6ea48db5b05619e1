"""Building blocks for JSON-Schema task forms shared by the Training and compliment bundles."""
from __future__ import annotations

OUTCOMES = ["upheld", "partly_upheld", "not_upheld"]


def text(title: str, long: bool = True, **extra) -> dict:
    return {"type": "string", "title": title, "maxLength": 10000 if long else 200, **extra}


def flag(title: str) -> dict:
    return {"type": "boolean", "title": title}


def day(title: str) -> dict:
    return {"type": "string", "format": "date", "title": title}


def choice(title: str, options: list[str]) -> dict:
    return {"type": "string", "title": title, "enum": options}


def email(title: str) -> dict:
    return {"type": "string", "format": "email", "title": title, "maxLength": 254}


def username(title: str, role: str, independent: bool = False) -> dict:
    """A field naming a member of staff who holds `role` (or "casework": any role that works case tasks); the
    task page offers exactly the eligible people as choices."""
    field = {"type": "string", "title": title, "minLength": 1, "maxLength": 80, "x-staff-role": role}
    if independent:
        field["x-independent"] = True
    return field


def form(title: str, properties: dict, required: list[str], *rules: dict, description: str = "") -> dict:
    """A form: an object of the given fields, with `if`/`then` rules for fields needed only sometimes."""
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object", "title": title,
              "properties": properties, "required": required}
    if description:
        schema["description"] = description
    if rules:
        schema["allOf"] = list(rules)
    return schema


def when(field: str, value, required: list[str]) -> dict:
    """Rule: when `field` has `value`, the listed fields are required."""
    return {"if": {"properties": {field: {"const": value}}, "required": [field]}, "then": {"required": required}}


def learning() -> dict:
    """Learning at a stage: considered, summarised, and an action plan whose rows have owners and review dates."""
    action = {"type": "object", "required": ["description", "owner", "review_on"], "properties": {
        "description": text("Action"), "owner": username("Owner", "casework"), "review_on": day("Review date"),
        "best_practice": flag("Best practice to share across the organisation")}}
    return {"learning_considered": {"type": "boolean", "const": True, "title": "Learning has been considered"},
            "learning_summary": text("What we learned"),
            "learning_actions": {"type": "array", "title": "Action plan", "items": action, "maxItems": 50}}


def response(outcomes: list[str]) -> dict:
    """The written response: outcome, the response itself and the improvement actions it tells the complainant."""
    return {"outcome": choice("Outcome", outcomes), "response_text": text("Written response", minLength=1),
            "improvement_actions": text("Improvement actions to tell the complainant about")}


def misconduct() -> dict:
    return {"misconduct_suspected": flag("Possible misconduct that HR should consider"),
            "misconduct_concern": text("The misconduct concern")}


MISCONDUCT_RULE = when("misconduct_suspected", True, ["misconduct_concern"])
RESPONSE_FIELDS = ["outcome", "response_text", "learning_considered"]
