"""Closing forms: a task whose completion decides a case's outcome also asks for its themes and team.

A diagram marks such a user task with the `spiffworkflow:properties` entry `classifyCase`:
- `true`: the form keeps its own `outcome` (its choices are what the gateways understand; OUTCOMES when it has
  none) and gains `themes` (the active categories, at least one, required wherever `outcome` is) and `team`.
- `team`: compliments; the outcome is `recorded` and only the team is recorded, from the form field named by
  `classifyTeamField` (or an added optional `team` field).
Completing the task records a `case_classified` event like the case page's, so reports see it; the latest wins.
"""
from __future__ import annotations

import copy

from .classification import CLASSIFIED, OUTCOMES, RECORDED, closure_fragment
from .engine import task_properties
from .forms import rule_nodes

CLASSIFY = "classifyCase"
TEAM_FIELD = "classifyTeamField"
MODES = ("true", "team")


def classify_mode(task_spec) -> str | None:
    """How a task classifies its case: 'true' (outcome, themes, team), 'team' (compliments) or None."""
    mode = str(task_properties(task_spec).get(CLASSIFY) or "").strip().lower()
    return mode if mode in MODES else None


def effective_form(uow, definition, task_spec) -> dict | None:
    """The task's form as people fill it in: the diagram's form, plus the closure fields on a closing task."""
    schema = definition.form_for(task_spec)
    mode = classify_mode(task_spec)
    if mode is None:
        return schema
    if mode == "team":
        return with_team_field(schema or {}, task_properties(task_spec).get(TEAM_FIELD))
    categories = [(c.code, c.label) for c in uow.categories.all() if c.active]
    return with_themes(schema or {}, categories)


def with_themes(schema: dict, categories: list[tuple[str, str]]) -> dict:
    """A copy of a form with the live categories as `themes`, required wherever the form requires `outcome`."""
    fields = closure_fragment([code for code, _ in categories])["properties"]
    labels = dict(categories)
    themes = fields["themes"]
    themes["items"]["enum"] = themes["items"].get("enum", [])  # no active category: nothing can be chosen
    themes["items"]["enumNames"] = [labels[code] for code in themes["items"]["enum"]]
    themes["description"] = "Choose every theme or root cause that applies; administrators keep the list."
    merged = copy.deepcopy(schema)
    props = merged.setdefault("properties", {})
    if "outcome" not in props:
        props["outcome"] = fields["outcome"]
        merged["required"] = [*merged.get("required", []), "outcome"]
    props["themes"] = themes
    props.setdefault("team", fields["team"])
    _require_themes_with_outcome(merged)
    return merged


def with_team_field(schema: dict, team_field: str | None) -> dict:
    """A compliment's form: unchanged when it names its team field, else with the optional `team` field."""
    if team_field and team_field in schema.get("properties", {}):
        return schema
    merged = copy.deepcopy(schema)
    merged.setdefault("properties", {})["team"] = closure_fragment()["properties"]["team"]
    return merged


def classification_of(task_spec, data: dict) -> dict | None:
    """The `case_classified` event data a completed closing task gives, or None when it gives none.

    A form whose outcome is needed only on some answers (e.g. an interim reply) classifies only when answered."""
    mode = classify_mode(task_spec)
    if mode == "team":
        field = task_properties(task_spec).get(TEAM_FIELD) or "team"
        return {"outcome": RECORDED, "themes": [], "team": _team(data.get(field))}
    if mode == "true" and data.get("outcome") in OUTCOMES and data.get("themes"):
        return {"outcome": data["outcome"], "themes": sorted(set(data["themes"])), "team": _team(data.get("team"))}
    return None


def record_classification(run, task_spec, element: str, data: dict) -> None:
    """Add the classification a closing task gives to the run's events (saved in the same transaction)."""
    found = classification_of(task_spec, data)
    if found is not None:
        run.note(CLASSIFIED, element, **found)


def _team(value) -> str | None:
    return (value.strip() or None) if isinstance(value, str) else None


def _require_themes_with_outcome(schema: dict) -> None:
    """Add `themes` to every `required` list (top level, or a rule's `then`/`else`) that holds `outcome`."""
    for node in rule_nodes(schema):
        required = node.get("required")
        if isinstance(required, list) and "outcome" in required and "themes" not in required:
            node["required"] = [*required, "themes"]
