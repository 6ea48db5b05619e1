"""Who may act on which process: a process belongs to the divisions that run it, and only their people change it.

A process is owned by every division whose configuration (`divisions.json`, `processes`) runs it. Someone may act
on it in a role (process analyst: edit, import, submit; governance: review, approve, publish, migrate) when they
hold that role in every division that owns it, or hold it group-wide. So Interventions Alliance governance governs
`ia_complaint` and nothing else; the compliment process, which all four divisions run, takes group-wide governance
(or the role in all four divisions); a process no division runs (the shared base `group_complaint`, a new process
being prepared) only group-wide staff may touch. This is the one home of the rule: the governance, migration and
read use cases all ask it, and the web pages only show what it allows.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .access import Actor
from .errors import Forbidden


@dataclass(frozen=True)
class ProcessOwners:
    """The divisions (code to name) that run each process, as their configuration says now."""

    owners: dict[str, dict[str, str]]

    def of(self, process_key: str) -> dict[str, str]:
        return self.owners.get(process_key, {})

    def codes(self, process_key: str) -> list[str]:
        return sorted(self.of(process_key))

    def may(self, actor: Actor, roles: str | Iterable[str], process_key: str) -> bool:
        return may_act(actor, roles, self.of(process_key))

    def require(self, actor: Actor, roles: str | Iterable[str], process_key: str, doing: str) -> list[str]:
        """The owning division codes, or Forbidden saying whose role it takes."""
        owners = self.of(process_key)
        if not may_act(actor, roles, owners):
            wanted = " or ".join(r.replace("_", " ") for r in _tuple(roles))
            if owners:
                names = " and ".join(sorted(owners.values()))
                raise Forbidden(f"{process_key} is run by {names}; only {wanted} staff of "
                                f"{'that division' if len(owners) == 1 else 'each of those divisions'} "
                                f"(or group-wide) may {doing}")
            raise Forbidden(f"no division runs {process_key}; only group-wide {wanted} staff may {doing}")
        return sorted(owners)


def process_owners(uow) -> ProcessOwners:
    """Read every division's process map (inside the caller's unit of work)."""
    owners: dict[str, dict[str, str]] = {}
    for division in uow.divisions.all():
        for key in set(((division.config or {}).get("processes") or {}).values()):
            owners.setdefault(key, {})[division.code] = division.name
    return ProcessOwners(owners)


def may_act(actor: Actor, roles: str | Iterable[str], owners: dict[str, str] | Iterable[str]) -> bool:
    """True when the actor holds one of the roles group-wide, or holds it in every owning division."""
    if actor.is_system:
        return True
    codes = list(owners)
    for role in _tuple(roles):
        if actor.group_wide and actor.has_any_role(role):
            return True
        if codes and all(actor.has_role(code, role) for code in codes):
            return True
    return False


def _tuple(roles: str | Iterable[str]) -> tuple[str, ...]:
    return (roles,) if isinstance(roles, str) else tuple(roles)
