"""Who is acting, and what their divisions and roles let them see and do."""
from __future__ import annotations

from dataclasses import dataclass, field

from .vocabulary import Role

ROLES: dict[str, str] = {
    Role.COMPLAINTS_TEAM: "Complaints team",
    Role.LINE_MANAGER: "Line manager",
    Role.INVESTIGATING_OFFICER: "Investigating officer",
    Role.APPEAL_PANEL: "Appeal panel member",
    Role.PSRD_DIRECTOR: "PSRD director",
    Role.HR: "HR",
    Role.PROCESS_ANALYST: "Process analyst",
    Role.GOVERNANCE: "Governance",
    Role.ADMINISTRATOR: "Administrator",
}
LANE_ROLES = {label.lower(): key for key, label in ROLES.items()} | {
    "appeal panel": Role.APPEAL_PANEL, "psrd director": Role.PSRD_DIRECTOR,
    "professional standards director": Role.PSRD_DIRECTOR}


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
