"""What a task page shows beside its form, and what it fills in: the case's own earlier answers, never retyped.

A form may say, at its top level, `"x-show": [{"title": "...", "from": ["path", ...]}, ...]`: earlier answers shown
read-only above the form (what a reviewer judges: the draft response, the findings, the earlier outcome). A
property may say `"x-prefill": ["path", ...]`: its first answer found in the case's data fills the field until the
person changes it. Paths are dotted (`escalation_request.reasons`); a path starting with `@` names a value put
together here (`@support_text`, `@support_needs`, `@earlier_outcomes`).
"""
from __future__ import annotations

import re

SHOW = "x-show"
PREFILL = "x-prefill"
CODE = re.compile(r"^[a-z][a-z0-9_]*$")
FORMAT_WORDS = {"large_print": "large print", "easy_read": "easy read", "braille": "Braille", "audio": "audio",
                "translation": "translation", "british_sign_language": "British Sign Language"}


def shown_answers(schema: dict | None, data: dict, outcomes: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(title, text) of every earlier answer the form asks to show that the case has."""
    shown = []
    for item in (schema or {}).get(SHOW) or []:
        if not isinstance(item, dict):
            continue
        value = _first(item.get("from"), data, outcomes)
        if value not in (None, "", [], {}) and value is not False:  # a "no" is shown by leaving the line out
            shown.append((str(item.get("title") or ""), as_text(value)))
    return shown


def prefilled(schema: dict | None, data: dict, draft: dict, outcomes: list[tuple[str, str]]) -> dict:
    """The draft with every empty prefilled field given the case's earlier answer."""
    filled = dict(draft)
    for name, spec in ((schema or {}).get("properties") or {}).items():
        if name in filled or not isinstance(spec, dict) or PREFILL not in spec:
            continue
        value = _first(spec[PREFILL], data, outcomes)
        if value not in (None, "", [], {}) and _fits(spec, value):
            filled[name] = value
    return filled


def as_text(value) -> str:
    """An answer as a person reads it: Yes/No, codes in words, lists joined."""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return "; ".join(as_text(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k.replace('_', ' ')}: {as_text(v)}" for k, v in value.items() if v not in (None, ""))
    text = str(value)
    return text.replace("_", " ").capitalize() if CODE.match(text) else text


def _first(paths, data: dict, outcomes):
    for path in ([paths] if isinstance(paths, str) else paths or []):
        value = _derived(path, data, outcomes) if str(path).startswith("@") else _at(data, str(path))
        if value not in (None, "", [], {}):
            return value
    return None


def _at(data: dict, path: str):
    value = data
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _derived(name: str, data: dict, outcomes):
    needs = data.get("support_needs") or (data.get("complainant") or {}).get("support_needs") or {}
    if name == "@support_text":
        return support_text(needs)
    if name == "@support_needs":  # the public form's answers in the shape of the Training triage's support fields
        found = {"language": needs.get("language") or None, "scribe": bool(needs.get("scribe")) or None,
                 "large_print": "large_print" in (needs.get("formats") or []) or None,
                 "preferred_format": ", ".join(FORMAT_WORDS.get(f, f) for f in needs.get("formats") or []) or None,
                 "other": needs.get("other") or None}
        return {k: v for k, v in found.items() if v is not None}
    if name == "@earlier_outcomes":
        return "; ".join(f"{stage.replace('_', ' ').capitalize()} stage: {as_text(outcome)}"
                         for stage, outcome in outcomes)
    return None


def support_text(needs: dict) -> str:
    """The support a complainant asked for, in one line ('' when none)."""
    if not isinstance(needs, dict):
        return ""
    parts = []
    if needs.get("language"):
        parts.append(f"Language: {needs['language']}")
    if needs.get("formats"):
        parts.append("Formats: " + ", ".join(FORMAT_WORDS.get(f, f) for f in needs["formats"]))
    if needs.get("scribe"):
        parts.append("Scribing support")
    if needs.get("advocate"):
        parts.append("An advocate")
    if needs.get("other"):
        parts.append(str(needs["other"]))
    return "; ".join(parts)


def _fits(spec: dict, value) -> bool:
    kind = spec.get("type")
    return {"string": isinstance(value, str), "boolean": isinstance(value, bool),
            "object": isinstance(value, dict), "array": isinstance(value, list)}.get(kind, True)
