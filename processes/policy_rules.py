"""Policy rule sets: the policies' timescales and structural rules, read from the reviewed files in bpmn/policy_rules/.

The files ship in the repository and change like code; a rule set is identified by its file's sha256, which is
recorded with every version validated against it.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from .bundle import Bundle

RULES_DIR = Path(__file__).resolve().parents[1] / "bpmn" / "policy_rules"
POLICIES = ("group", "training")


@dataclass(frozen=True)
class Rule:
    """One rule: where the policy says it, its words, and what is checked."""

    id: str
    clause: str
    document: str
    text: str
    kind: str
    check: dict[str, Any]

    @property
    def cited(self) -> str:
        """The rule's clause as a breach names it, e.g. 'group policy 3.1.2'."""
        return f"{self.document} {self.clause}"


@dataclass(frozen=True)
class RuleSet:
    """The rules of one policy, as read from one file."""

    policy: str
    document: str
    file: str
    sha256: str
    rules: tuple[Rule, ...]

    def stamp(self) -> dict[str, str]:
        """What a version records about the rule set it was validated against."""
        return {"policy": self.policy, "file": self.file, "sha256": self.sha256}


class RulesFileInvalid(ValueError):
    """A policy rules file that does not follow bpmn/policy_rules/schema.json."""


def policy_of(bundle: Bundle) -> str | None:
    """The policy a bundle answers to: its manifest's `policy`, else read from its process key (None for none)."""
    named = bundle.manifest.get("policy")
    if named is not None:
        return str(named)
    key = str(bundle.manifest.get("process_key", ""))
    if key.startswith("training_"):
        return "training"
    if key.startswith("demo"):
        return None  # the demonstration process answers to no policy
    return "group" if "complaint" in key else None


def manifest_problems(bundle: Bundle) -> list[dict[str, Any]]:
    """A manifest `policy` that names no rule set is an ordinary problem, so it cannot slip past the rules."""
    named = bundle.manifest.get("policy")
    if named is None or named in POLICIES:
        return []
    return [{"file": "bundle.json", "message": f"bundle.json: policy {named!r} is not one of {', '.join(POLICIES)}"}]


def rule_set_for(bundle: Bundle, directory: Path | None = None) -> RuleSet | None:
    """The rule set that applies to a bundle, or None (compliments, demos)."""
    policy = policy_of(bundle)
    if policy not in POLICIES:
        return None
    return load_rule_set(policy, directory)


def load_rule_set(policy: str, directory: Path | None = None) -> RuleSet:
    """Read and check one policy's rules file; the result is cached by the file's content."""
    path = (directory or RULES_DIR) / f"{policy}.yaml"
    content = path.read_bytes()
    return _parse(path.name, content, hashlib.sha256(content).hexdigest(), str(directory or RULES_DIR))


@lru_cache(maxsize=16)
def _parse(name: str, content: bytes, sha256: str, directory: str) -> RuleSet:
    try:
        data = yaml.safe_load(content)
    except yaml.YAMLError as exc:
        raise RulesFileInvalid(f"{name} is not valid YAML: {exc}") from None
    schema = json.loads((Path(directory) / "schema.json").read_text(encoding="utf-8"))
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(data), key=lambda e: list(e.path))
    if errors:
        where = "/".join(str(p) for p in errors[0].absolute_path) or "(top)"
        raise RulesFileInvalid(f"{name}: {where}: {errors[0].message}")
    ids = [r["id"] for r in data["rules"]]
    if len(ids) != len(set(ids)):
        raise RulesFileInvalid(f"{name}: rule ids must be unique")
    rules = tuple(Rule(id=r["id"], clause=r["clause"], document=r.get("document", data["document"]),
                       text=" ".join(r["text"].split()), kind=next(iter(r["check"])),
                       check=next(iter(r["check"].values()))) for r in data["rules"])
    return RuleSet(policy=data["policy"], document=data["document"], file=f"bpmn/policy_rules/{name}",
                   sha256=sha256, rules=rules)
