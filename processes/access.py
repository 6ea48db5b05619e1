"""Who is acting, and what their divisions and roles let them see and do."""
from __future__ import annotations

from dataclasses import dataclass, field

ROLES = {
    "complaints_team": "Complaints team",
    "line_manager": "Line manager",
    "investigating_officer": "Investigating officer",
    "appeal_panel": "Appeal panel member",
    "psrd_director": "PSRD director",
    "hr": "HR",
    "process_analyst": "Process analyst",
    "governance": "Governance",
    "administrator": "Administrator",
}
LANE_ROLES = {label.lower(): key for key, label in ROLES.items()} | {
    "appeal panel": "appeal_panel", "psrd director": "psrd_director",
    "professional standards director": "psrd_director"}


def role_for_lane(lane: str | None) -> str | None:
    """The role key a lane name stands for, e.g. 'Line manager' -> 'line_manager'."""
    if not lane:
        return None
    text = lane.strip().lower().replace("_", " ")
    return LANE_ROLES.get(text)


@dataclass(frozen=True)
class Actor:
    """A person (or the system) acting on cases; roles are held per division code."""

    username: str
    user_id: int | None = None
    roles: dict[str, frozenset[str]] = field(default_factory=dict)
    group_wide: bool = False

    @property
    def is_system(self) -> bool:
        return self.user_id is None

    @property
    def divisions(self) -> frozenset[str]:
        return frozenset(self.roles)

    def can_see(self, division_code: str) -> bool:
        return self.is_system or division_code in self.roles

    def has_role(self, division_code: str, role: str | None) -> bool:
        return self.is_system or (role is not None and role in self.roles.get(division_code, ()))

    def has_any_role(self, *roles: str) -> bool:
        return self.is_system or any(set(roles) & set(r) for r in self.roles.values())


SYSTEM = Actor("system")
