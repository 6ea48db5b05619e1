"""Closure classification: every case closes with an outcome and one or more theme or root-cause categories."""
from __future__ import annotations

import re
from dataclasses import dataclass

from .access import Actor
from .errors import Conflict, Forbidden, InvalidInput, NotFound
from .vocabulary import CaseStatus, Outcome, Role

OUTCOMES = (Outcome.UPHELD, Outcome.PARTLY_UPHELD, Outcome.NOT_UPHELD, Outcome.RESOLVED_INFORMALLY, Outcome.WITHDRAWN,
            Outcome.INELIGIBLE, Outcome.TRANSFERRED)
RECORDED = "recorded"  # a compliment's outcome
CATEGORY_KINDS = ("theme", "root_cause")
CLASSIFIED = "case_classified"  # the event that carries the classification; retention keeps its data
_CODE = re.compile(r"^[a-z][a-z0-9_]{1,59}$")


def closure_fragment(category_codes: list[str] | None = None) -> dict:
    """A JSON-Schema fragment for closure forms: merge its properties and `required` into the form's schema."""
    themes: dict = {"type": "array", "title": "Themes and root causes", "minItems": 1, "uniqueItems": True,
                    "items": {"type": "string"}}
    if category_codes:
        themes["items"]["enum"] = sorted(category_codes)
    return {"properties": {
        "outcome": {"type": "string", "title": "Outcome", "enum": list(OUTCOMES)},
        "themes": themes,
        "team": {"type": "string", "title": "Team, contract or service concerned", "maxLength": 120},
    }, "required": ["outcome", "themes"]}


def with_closure_fields(schema: dict, category_codes: list[str]) -> dict:
    """A copy of a form schema with the closure fields added and the live category list filled in."""
    fragment = closure_fragment(category_codes)
    merged = dict(schema)
    merged["properties"] = {**schema.get("properties", {}), **fragment["properties"]}
    merged["required"] = sorted(set(schema.get("required", [])) | set(fragment["required"]))
    return merged


def validate_closure(data: dict, active_codes: set[str], *, case_reference: str | None = None,
                     outcomes: tuple[str, ...] = OUTCOMES) -> tuple[str, list[str], str | None]:
    """Check a closure's outcome, categories and team; return them cleaned or raise with field messages."""
    fields: dict[str, list[str]] = {}
    outcome = data.get("outcome")
    if outcome not in outcomes:
        fields["outcome"] = [f"Choose one of: {', '.join(o.replace('_', ' ') for o in outcomes)}"]
    themes = data.get("themes")
    if isinstance(themes, str):
        themes = [themes]
    if not isinstance(themes, list) or not [t for t in themes if t]:
        fields["themes"] = ["Choose at least one theme or root cause"]
    else:
        unknown = sorted({t for t in themes if t not in active_codes})
        if unknown:
            fields["themes"] = [f"Unknown or retired categories: {', '.join(unknown)}"]
    team = (data.get("team") or "").strip() or None
    if team and len(team) > 120:
        fields["team"] = ["Use at most 120 characters"]
    if fields:
        raise InvalidInput("the closure classification is incomplete", fields, case_reference=case_reference)
    return outcome, sorted(set(t for t in themes if t)), team


def outcomes_for(kind: str) -> tuple[str, ...]:
    """The outcomes a case of this kind can be classified with (a compliment's is `recorded`)."""
    return OUTCOMES + ((RECORDED,) if kind == "compliment" else ())


def classify_case(uow, reference: str, data: dict, actor: Actor) -> None:
    """Record a case's outcome, categories and team as a `case_classified` event (and its outcome on the case)."""
    with uow:
        case = uow.cases.by_reference(reference)
        division = uow.divisions.get(case.division_id) if case else None
        if case is None or not actor.can_see(division.code):
            raise NotFound(f"no case {reference}")
        if not (actor.is_system or actor.has_any_role(Role.COMPLAINTS_TEAM, Role.LINE_MANAGER,
                                                       Role.INVESTIGATING_OFFICER, Role.APPEAL_PANEL,
                                                       Role.PSRD_DIRECTOR)):
            raise Forbidden("only case handlers can classify a case", case_reference=reference)
        if case.status != CaseStatus.CLOSED:  # until then, the task that decides the outcome classifies it
            raise Conflict("a case is classified here once it is closed", case_reference=reference)
        allowed = outcomes_for(case.kind)
        active = {c.code for c in uow.categories.all() if c.active}
        outcome, themes, team = validate_closure(data, active, case_reference=reference, outcomes=allowed)
        case.outcome = outcome
        uow.events.append(case.id, CLASSIFIED, actor.username, uow.clock_now(), version_id=case.version_id,
                          data={"outcome": outcome, "themes": themes, "team": team})
        uow.commit()


@dataclass(frozen=True)
class CategoryView:
    """A category as pages show it."""

    code: str
    label: str
    kind: str
    active: bool


def list_categories(uow) -> list[CategoryView]:
    """Every category, active first."""
    with uow:
        rows = [CategoryView(c.code, c.label, c.kind, c.active) for c in uow.categories.all()]
    return sorted(rows, key=lambda c: (not c.active, c.kind, c.label.lower()))


def add_category(uow, code: str, label: str, kind: str, actor: Actor) -> None:
    """Add a theme or root-cause category (administrators only)."""
    _require_category_maintainer(actor)
    code, label = (code or "").strip().lower(), (label or "").strip()
    fields = {}
    if not _CODE.match(code):
        fields["code"] = ["Use 2–60 lower-case letters, digits or underscores, starting with a letter"]
    if not label or len(label) > 200:
        fields["label"] = ["Give a label of at most 200 characters"]
    if kind not in CATEGORY_KINDS:
        fields["kind"] = ["Choose theme or root cause"]
    if fields:
        raise InvalidInput("the category is not valid", fields)
    with uow:
        if uow.categories.by_code(code) is not None:
            raise InvalidInput("the category exists", {"code": [f"{code} is already a category"]})
        uow.categories.add(code=code, label=label, kind=kind, active=True, created_at=uow.clock_now())
        uow.commit()


def set_category_active(uow, code: str, active: bool, actor: Actor) -> None:
    """Retire a category (it stays on old cases and reports) or bring it back."""
    _require_category_maintainer(actor)
    with uow:
        category = uow.categories.by_code(code)
        if category is None:
            raise NotFound(f"no category {code}")
        category.active = active
        uow.commit()


def _require_category_maintainer(actor: Actor) -> None:
    if not (actor.is_system or actor.has_any_role(Role.ADMINISTRATOR)):
        raise Forbidden("only administrators maintain the categories")
