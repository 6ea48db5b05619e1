"""The plain-language change list between two versions of a bundle, one line per behavioural change."""
from __future__ import annotations

import json
from dataclasses import dataclass

from .bundle import MANIFEST, Bundle
from .change_list_bpmn import bpmn_changes, describe_elements
from .change_list_forms import dmn_changes, form_changes


@dataclass(frozen=True)
class Change:
    """One line of the change list: what changed, in words, and the element or file it concerns."""

    text: str
    file: str
    element: str | None = None
    kind: str = "changed"  # added | removed | changed | moved


def change_list(old: Bundle | None, new: Bundle) -> list[Change]:
    """Every behavioural change from `old` to `new`, grouped by file in file-name order."""
    if old is None:
        return [Change("First version: there is no earlier version to compare with", MANIFEST, kind="added")]
    changes = _manifest_changes(old, new)
    old_elements, new_elements = describe_elements(old), describe_elements(new)
    bpmn_lines = bpmn_changes(old_elements, new_elements)
    for name in sorted(set(old.files) | set(new.files)):
        if name == MANIFEST:
            continue
        before, after = old.files.get(name), new.files.get(name)
        if before == after:
            continue
        if before is None or after is None:
            verb = "added" if before is None else "removed"
            changes.append(Change(f"File '{name}' {verb}", name, kind=verb))
            if name.endswith(".bpmn"):
                changes += [Change(text, name, element, kind)
                            for file, element, kind, text in bpmn_lines if file == name]
        elif name.endswith(".bpmn"):
            lines = [Change(text, name, element, kind) for file, element, kind, text in bpmn_lines if file == name]
            changes += lines or [Change(f"{name}: only the layout or documentation changed", name, kind="layout")]
        elif name.endswith(".dmn"):
            lines = dmn_changes(name, before, after)
            changes += [Change(text, name, element, kind) for element, kind, text in lines] or [
                Change(f"{name}: only the layout changed", name, kind="layout")]
        elif name.endswith(".json"):
            lines = form_changes(before, after)
            changes += [Change(text, name, None, kind) for kind, text in lines] or [
                Change(f"File '{name}' changed", name)]
        else:
            changes.append(Change(f"File '{name}' changed", name))
    return changes


def _manifest_changes(old: Bundle, new: Bundle) -> list[Change]:
    before, after = _json(old.files.get(MANIFEST)), _json(new.files.get(MANIFEST))
    lines = []
    labels = {"title": "Title", "entry_process": "Entry process", "include": "Included shared files"}
    for key, label in labels.items():
        if before.get(key) != after.get(key):
            lines.append(Change(f"{label} changed from {_show(before.get(key))} to {_show(after.get(key))}", MANIFEST))
    return lines


def _json(content: bytes | None) -> dict:
    try:
        value = json.loads(content or b"{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _show(value) -> str:
    if value is None or value == "" or value == []:
        return "nothing"
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)
