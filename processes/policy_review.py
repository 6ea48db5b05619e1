"""Policy breaches in governance: a breach blocks submission until the analyst justifies it, and travels with the
version so governance sees each breach and its justification."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .bundle import Bundle
from .errors import InvalidInput
from .policy_checks import POLICY, policy_breaches
from .policy_rules import RulesFileInvalid, policy_of, rule_set_for

JUSTIFICATION = "justification-"  # form field prefix: one field per breach, named by the breach's key
MAX_JUSTIFICATION = 2000
SHOWN = ("key", "rule", "clause", "text", "message", "file", "element", "name")


def policy_problems(bundle: Bundle, problems: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The breaches of the bundle's policy rules, leaving out elements that already have an ordinary problem."""
    try:
        rules = rule_set_for(bundle)
    except (RulesFileInvalid, OSError) as exc:
        return [{"file": "bundle.json", "message": f"the policy rules cannot be read: {exc}"}]
    if rules is None:
        return []
    broken = {p.get("element") for p in problems if p.get("element")}
    return [b for b in policy_breaches(bundle, rules) if b.get("element") not in broken]


def blocking(problems: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The problems that must be fixed: everything but policy breaches."""
    return [p for p in problems if p.get("kind") != POLICY]


def breaches_in(problems: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The policy breaches among a validation's problems."""
    return [p for p in problems if p.get("kind") == POLICY]


def policy_record(bundle: Bundle, problems: list[dict[str, Any]],
                  justifications: Mapping[str, str] | None = None) -> dict[str, Any] | None:
    """What a version keeps about its policy check: the rules file and its hash, each breach and its justification."""
    try:
        rules = rule_set_for(bundle)
    except (RulesFileInvalid, OSError):
        return None
    if rules is None:
        return None
    given = justifications or {}
    breaches = [{**{k: b[k] for k in SHOWN if k in b}, "justification": (given.get(b["key"]) or "").strip()}
                for b in breaches_in(problems)]
    return {**rules.stamp(), "breaches": breaches}


def require_justified(record: dict[str, Any] | None) -> None:
    """Every breach needs a justification before the version goes to review; otherwise say which, by field."""
    missing = {JUSTIFICATION + b["key"]: [f"Say why {b['clause']} may be breached: {b['message']}"]
               for b in (record or {}).get("breaches", []) if not b["justification"]}
    too_long = {JUSTIFICATION + b["key"]: [f"Keep the justification under {MAX_JUSTIFICATION} characters"]
                for b in (record or {}).get("breaches", []) if len(b["justification"]) > MAX_JUSTIFICATION}
    if missing or too_long:
        count = len(missing) + len(too_long)
        raise InvalidInput(f"{count} policy breach{'es' if count != 1 else ''} need{'' if count != 1 else 's'} a "
                           "justification before this version can be submitted", {**missing, **too_long})


def unjustified(record: dict[str, Any] | None, problems: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Breaches found now that were not justified when the version was submitted (the rules may have changed)."""
    justified = {b["key"] for b in (record or {}).get("breaches", []) if b.get("justification")}
    return [{**b, "message": f"{b['message']} (not justified when the version was submitted)"}
            for b in breaches_in(problems) if b["key"] not in justified]


def policy_view(bundle: Bundle, record: dict[str, Any] | None, problems: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The review page's policy section: the rules in force, each breach with its justification, and anything new."""
    now = policy_record(bundle, problems)
    if now is None and record is None:
        return None
    shown = record if record and record.get("breaches") is not None and record.get("sha256") else now
    assert shown is not None
    justified = {b["key"]: b.get("justification", "") for b in (record or {}).get("breaches", [])}
    breaches = [{**b, "justification": justified.get(b["key"], "")} for b in (now or shown)["breaches"]]
    return {"policy": shown["policy"], "file": shown["file"], "sha256": shown["sha256"],
            "current_sha256": (now or {}).get("sha256"), "breaches": breaches,
            "unjustified": [b for b in breaches if not b["justification"]]}


def division_policy_problems(bundle: Bundle, divisions: list[Any]) -> list[dict[str, Any]]:
    """A bundle.json that names a policy must name the one of every division that runs the process, so no bundle
    can pick laxer rules than its divisions answer to."""
    if bundle.manifest.get("policy") is None:
        return []  # read from the process key, which the bundle cannot change
    named = policy_of(bundle)
    problems = []
    for division in divisions:
        config = division.config or {}
        runs = bundle.process_key in (config.get("processes") or {}).values()
        if runs and config.get("policy") and config["policy"] != named:
            problems.append({"file": "bundle.json", "message": (
                f"{division.name} answers to the {config['policy']} policy, but bundle.json names the {named} "
                f"policy; set bundle.json's policy to {config['policy']!r}")})
    return problems
