"""Administration: staff accounts, their roles in each division, API tokens, and the closure calendar."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from .access import ROLES, Actor
from .accounts import hash_password, new_api_token
from .errors import Forbidden, InvalidInput, NotFound
from .read_models import plain_all

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,79}$")
MIN_PASSWORD = 12


@dataclass
class UserLine:
    """A staff account as the administration page lists it."""

    id: int
    username: str
    display_name: str
    email: str
    is_active: bool
    memberships: list[tuple[str, str]]
    has_api_token: bool


def admin_divisions(uow, actor: Actor) -> dict[str, object]:
    """Divisions whose memberships and closures the actor administers."""
    return {d.code: d for d in uow.divisions.all() if actor.has_role(d.code, "administrator")}


def _require_admin(uow, actor: Actor) -> dict:
    divisions = admin_divisions(uow, actor)
    if not divisions:
        raise Forbidden("only an administrator can do this")
    return divisions


def list_users(uow, actor: Actor) -> tuple[list[UserLine], list]:
    """Accounts that belong to the actor's administered divisions (or to none yet), and those divisions."""
    with uow:
        divisions = _require_admin(uow, actor)
        lines = []
        for user in uow.users.all():
            memberships = sorted(uow.users.memberships(user.id))
            if memberships and not any(code in divisions for code, _ in memberships) and not actor.group_wide:
                continue
            lines.append(UserLine(user.id, user.username, user.display_name, user.email, user.is_active,
                                  [(c, r) for c, r in memberships if c in divisions or actor.group_wide],
                                  bool(user.api_token_hash)))
        return lines, plain_all(divisions.values())


def create_user(uow, actor: Actor, username: str, display_name: str, email: str, password: str) -> int:
    """Add a staff account with an argon2-hashed password and no roles yet."""
    problems = {}
    username = (username or "").strip().lower()
    if not USERNAME.match(username):
        problems["username"] = ["Use 2 to 80 lower-case letters, digits, dots, dashes or underscores"]
    if not (display_name or "").strip():
        problems["display_name"] = ["Enter the person's name"]
    if "@" not in (email or ""):
        problems["email"] = ["Enter an email address"]
    if len(password or "") < MIN_PASSWORD:
        problems["password"] = [f"Use at least {MIN_PASSWORD} characters"]
    with uow:
        _require_admin(uow, actor)
        if not problems and uow.users.by_username(username) is not None:
            problems["username"] = ["That username is taken"]
        if problems:
            raise InvalidInput("the form has errors", problems)
        user = uow.users.add(username=username, display_name=display_name.strip(), email=email.strip(),
                             password_hash=hash_password(password), is_active=True)
        _audit(uow, actor, "user_created", username=username)
        uow.commit()
        return user.id


def set_memberships(uow, actor: Actor, user_id: int, wanted: set[tuple[str, str]]) -> None:
    """Make the user's roles in the actor's administered divisions exactly `wanted`; other divisions stay."""
    with uow:
        divisions = _require_admin(uow, actor)
        user = uow.users.get(user_id)
        if user is None:
            raise NotFound(f"no user {user_id}")
        unknown = [r for _, r in wanted if r not in ROLES]
        if unknown or any(code not in divisions for code, _ in wanted):
            raise InvalidInput("unknown role or division", {"memberships": ["Choose roles in your divisions only"]})
        current = {(c, r) for c, r in uow.users.memberships(user.id) if c in divisions}
        for code, role in current - wanted:
            uow.users.remove_membership(user.id, divisions[code].id, role)
        for code, role in sorted(wanted - current):
            uow.users.add_membership(user.id, divisions[code].id, role)
        _audit(uow, actor, "memberships_changed", username=user.username,
               added=sorted(map(list, wanted - current)), removed=sorted(map(list, current - wanted)))
        uow.commit()


def set_active(uow, actor: Actor, user_id: int, active: bool) -> None:
    """Enable or disable an account; a disabled account cannot sign in or use its API token."""
    with uow:
        _require_admin(uow, actor)
        user = uow.users.get(user_id)
        if user is None:
            raise NotFound(f"no user {user_id}")
        if user.id == actor.user_id and not active:
            raise InvalidInput("you cannot disable yourself", {"active": ["You cannot disable your own account"]})
        user.is_active = active
        _audit(uow, actor, "user_enabled" if active else "user_disabled", username=user.username)
        uow.commit()


def issue_api_token(uow, actor: Actor, user_id: int) -> str:
    """A new API token for a user (shown once); it replaces any earlier one."""
    with uow:
        if actor.user_id != user_id:
            _require_admin(uow, actor)
        user = uow.users.get(user_id)
        if user is None:
            raise NotFound(f"no user {user_id}")
        token, digest = new_api_token()
        user.api_token_hash = digest
        _audit(uow, actor, "api_token_issued", username=user.username)
        uow.commit()
        return token


def list_closures(uow, actor: Actor) -> tuple[list[dict], list]:
    """Closure days of the administered divisions and group-wide ones."""
    with uow:
        divisions = _require_admin(uow, actor)
        names = {d.id: d.code for d in divisions.values()}
        rows = uow.closures.listed(list(names))
        return ([{"id": r.id, "day": r.day, "reason": r.reason, "division": names.get(r.division_id, "All")}
                 for r in rows], plain_all(divisions.values()))


def add_closure(uow, actor: Actor, division: str | None, day: date | None, reason: str) -> None:
    """Add an organisation closure day; deadlines counted after this skip it."""
    with uow:
        divisions = _require_admin(uow, actor)
        problems = {}
        if day is None:
            problems["day"] = ["Enter a real date"]
        if not (reason or "").strip():
            problems["reason"] = ["Say why the organisation is closed"]
        if division and division not in divisions:
            problems["division"] = ["Choose one of your divisions"]
        if not division and not actor.group_wide:
            problems["division"] = ["Only a group-wide administrator can close every division"]
        if problems:
            raise InvalidInput("the form has errors", problems)
        uow.closures.add(divisions[division].id if division else None, day, reason.strip()[:200])
        _audit(uow, actor, "closure_added", day=day.isoformat(), division=division or "all", reason=reason)
        uow.commit()


def remove_closure(uow, actor: Actor, closure_id: int) -> None:
    """Remove a closure day from the calendar."""
    with uow:
        divisions = _require_admin(uow, actor)
        row = uow.closures.get(closure_id)
        ids = {d.id for d in divisions.values()}
        if row is None or (row.division_id not in ids and not (row.division_id is None and actor.group_wide)):
            raise NotFound(f"no closure day {closure_id}")
        uow.closures.remove(row)
        _audit(uow, actor, "closure_removed", day=row.day.isoformat())
        uow.commit()


def _audit(uow, actor: Actor, kind: str, **data) -> None:
    uow.events.append(None, kind, actor.username, uow.clock_now(), data=data)
