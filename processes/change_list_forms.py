"""Change-list lines for task forms (JSON Schema) and decision tables (DMN)."""
from __future__ import annotations

import json
import re

from .bundle import parse_xml_safely
from .errors import BundleInvalid

ATTRIBUTE_WORDS = {"title": "label", "description": "hint", "enum": "choices", "oneOf": "choices",
                   "anyOf": "choices", "const": "value", "format": "format", "default": "default value",
                   "minLength": "limits", "maxLength": "limits", "minimum": "limits", "maximum": "limits",
                   "minItems": "limits", "maxItems": "limits", "pattern": "pattern", "items": "items",
                   "x-independent": "independence rule"}


def form_changes(before: bytes, after: bytes) -> list[tuple[str, str]]:
    """(kind, text) lines for fields added, removed, made (not) required or otherwise changed."""
    old, new = _load(before), _load(after)
    if not _is_schema(old) or not _is_schema(new):
        return [("changed", "Form layout changed")] if old != new and old is not None and new is not None else []
    lines = []
    if old.get("title") != new.get("title"):
        lines.append(("changed", f"Form title changed from '{old.get('title') or ''}' to '{new.get('title') or ''}'"))
    old_fields, new_fields = _fields(old), _fields(new)
    for path, (spec, required) in new_fields.items():
        if path not in old_fields:
            lines.append(("added", f"Form field '{_human(path)}' added" + (" (required)" if required else "")))
            continue
        old_spec, was_required = old_fields[path]
        if required != was_required:
            lines.append(("changed", f"Form field '{_human(path)}' is {'now' if required else 'no longer'} required"))
        if old_spec.get("type") != spec.get("type"):
            lines.append(("changed", f"Form field '{_human(path)}' type changed from {old_spec.get('type')} "
                                     f"to {spec.get('type')}"))
        changed = sorted({ATTRIBUTE_WORDS.get(k, k) for k in set(old_spec) | set(spec)
                          if k not in ("type", "properties", "required") and old_spec.get(k) != spec.get(k)})
        if changed:
            lines.append(("changed", f"Form field '{_human(path)}' changed ({', '.join(changed)})"))
    for path in old_fields:
        if path not in new_fields:
            lines.append(("removed", f"Form field '{_human(path)}' removed"))
    return lines


def dmn_changes(file: str, before: bytes, after: bytes) -> list[tuple[str | None, str, str]]:
    """(decision id, kind, text) lines for decisions, their inputs and outputs, hit policy and rules."""
    old, new = _decisions(file, before), _decisions(file, after)
    lines = []
    for decision_id, b in new.items():
        a = old.get(decision_id)
        label = f"Decision '{b['name']}'"
        if a is None:
            lines.append((decision_id, "added", f"{label} added"))
            continue
        for key, what in (("inputs", "inputs"), ("outputs", "outputs"), ("hit_policy", "hit policy")):
            if a[key] != b[key]:
                lines.append((decision_id, "changed",
                              f"{label}: {what} changed from {_list(a[key])} to {_list(b[key])}"))
        old_rules = {rule_id: (n, rule) for n, (rule_id, rule) in enumerate(a["rules"], 1)}
        for n, (rule_id, rule) in enumerate(b["rules"], 1):
            if rule_id not in old_rules:
                lines.append((decision_id, "added", f"{label}: rule {n} added ({_rule(rule)})"))
            elif old_rules[rule_id][1] != rule:
                lines.append((decision_id, "changed",
                              f"{label}: rule {n} changed from ({_rule(old_rules[rule_id][1])}) to ({_rule(rule)})"))
        new_ids = {rule_id for rule_id, _ in b["rules"]}
        for rule_id, (n, rule) in old_rules.items():
            if rule_id not in new_ids:
                lines.append((decision_id, "removed", f"{label}: rule {n} removed ({_rule(rule)})"))
    for decision_id, a in old.items():
        if decision_id not in new:
            lines.append((decision_id, "removed", f"Decision '{a['name']}' removed"))
    return lines


def _load(content: bytes):
    try:
        return json.loads(content)
    except (ValueError, RecursionError):
        return None


def _is_schema(value) -> bool:
    return isinstance(value, dict) and ("properties" in value or "type" in value)


def _fields(schema: dict, prefix: str = "") -> dict[str, tuple[dict, bool]]:
    fields = {}
    properties = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
    required = set(schema.get("required") or []) if isinstance(schema.get("required"), list) else set()
    for key, spec in properties.items():
        spec = spec if isinstance(spec, dict) else {}
        fields[prefix + key] = (spec, key in required)
        if isinstance(spec.get("properties"), dict):
            fields.update(_fields(spec, f"{prefix}{key}."))
    return fields


def _human(path: str) -> str:
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", path.replace(".", " / ")).replace("_", " ")
    return words.lower()


def _decisions(file: str, content: bytes) -> dict[str, dict]:
    try:
        root = parse_xml_safely(file, content)
    except BundleInvalid:
        return {}
    found = {}
    for decision in (e for e in root.iter() if _local(e) == "decision"):
        table = next((e for e in decision.iter() if _local(e) == "decisionTable"), None)
        if table is None:
            continue
        inputs = [c.get("label") or _text(c) for c in table if _local(c) == "input"]
        outputs = [c.get("label") or c.get("name") or "" for c in table if _local(c) == "output"]
        rules = [(rule.get("id"), ([_text(c) for c in rule if _local(c) == "inputEntry"],
                                   [_text(c) for c in rule if _local(c) == "outputEntry"]))
                 for rule in table if _local(rule) == "rule"]
        found[decision.get("id")] = {"name": decision.get("name") or decision.get("id"), "inputs": inputs,
                                     "outputs": outputs, "hit_policy": table.get("hitPolicy", "UNIQUE"),
                                     "rules": rules}
    return found


def _local(element) -> str:
    return element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""


def _text(element) -> str:
    return " ".join("".join(element.itertext()).split())


def _list(values) -> str:
    return "[" + ", ".join(values) + "]" if isinstance(values, list) else str(values)


def _rule(rule) -> str:
    when, then = rule
    return f"when {', '.join(w or '-' for w in when)} then {', '.join(t or '-' for t in then)}"
