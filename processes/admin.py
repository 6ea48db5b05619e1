"""Administration: staff accounts, their roles in each division, passwords, API tokens, and the closure calendar.

Every action is limited to the accounts the actor may manage (see `admin_scope`), recorded in the audit log
with its actor, and, when refused, recorded as refused and answered with a 403 that says why.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from .access import ROLES, Actor
from .accounts import clear_sign_in_failures, hash_password, new_api_token
from .admin_scope import ADMIN_EVENTS, AdminScope, admin_scope, audit, management_refusal, refuse, visible_in_log
from .errors import Forbidden, InvalidInput, NotFound
from .read_models import plain_all

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,79}$")
MIN_PASSWORD = 12
MAX_PASSWORD = 1000


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
    is_group_wide: bool = False


@dataclass
class AdminPage:
    """What the administration pages may show and offer the actor."""

    users: list[UserLine]
    divisions: list
    group: bool


def admin_divisions(uow, actor: Actor) -> dict[str, object]:
    """Divisions whose memberships and closures the actor administers (every one for a group administrator)."""
    return admin_scope(uow, actor).divisions


def _line(user, memberships) -> UserLine:
    return UserLine(user.id, user.username, user.display_name, user.email, user.is_active, sorted(memberships),
                    bool(user.api_token_hash), bool(user.is_group_wide))


def list_users(uow, actor: Actor) -> AdminPage:
    """The accounts the actor may manage, and the divisions whose roles they may give."""
    with uow:
        scope = admin_scope(uow, actor)
        lines = []
        for user in uow.users.all():
            memberships = uow.users.memberships(user.id)
            if management_refusal(scope, user, memberships) is None:
                lines.append(_line(user, memberships))
        return AdminPage(lines, plain_all(scope.divisions.values()), scope.group)


def show_user(uow, actor: Actor, user_id: int) -> AdminPage:
    """One account the actor may manage (403 with the reason when they may not)."""
    with uow:
        scope = admin_scope(uow, actor)
        user, memberships = _managed(uow, scope, user_id, "view")
        return AdminPage([_line(user, memberships)], plain_all(scope.divisions.values()), scope.group)


def _managed(uow, scope: AdminScope, user_id: int, action: str):
    """The account and its memberships, once the actor is known to manage it; refusals are recorded."""
    user = uow.users.get(user_id)
    if user is None:
        raise NotFound(f"no account {user_id}")
    memberships = uow.users.memberships(user.id)
    reason = management_refusal(scope, user, memberships)
    if reason:
        if action == "view":  # looking is not an action: refused, but not worth an audit line
            raise Forbidden(reason)
        refuse(uow, scope.actor, action, reason, user, [c for c, _ in memberships])
    return user, memberships


def _check_wanted(scope: AdminScope, wanted: set[tuple[str, str]], field: str) -> None:
    unknown = sorted(r for _, r in wanted if r not in ROLES)
    if unknown:
        raise InvalidInput("unknown role", {field: [f"There is no role {unknown[0]!r}"]})
    if not scope.group and not wanted:
        raise InvalidInput("an account needs a role", {field: [
            "Choose at least one role. To stop someone signing in, disable the account instead."]})


def _outside(scope: AdminScope, wanted: set[tuple[str, str]]) -> list[str]:
    return sorted({code for code, _ in wanted if code not in scope.divisions})


def create_user(uow, actor: Actor, username: str, display_name: str, email: str, password: str,
                memberships: set[tuple[str, str]] | None = None) -> int:
    """Add a staff account with an argon2-hashed password and its first roles, in the actor's divisions."""
    wanted = set(memberships or set())
    problems = {}
    username = (username or "").strip().lower()
    if not USERNAME.match(username):
        problems["username"] = ["Use 2 to 80 lower-case letters, digits, dots, dashes or underscores"]
    if not (display_name or "").strip() or len(display_name) > 120:
        problems["display_name"] = ["Enter the person's name (at most 120 characters)"]
    if "@" not in (email or "") or len(email) > 254:
        problems["email"] = ["Enter an email address"]
    problems.update(_password_problems(password))
    with uow:
        scope = admin_scope(uow, actor)
        outside = _outside(scope, wanted)
        if outside:
            refuse(uow, actor, "user_created", f"You do not administer {', '.join(outside)}: you can give roles "
                   "only in your own divisions.", divisions=outside)
        try:
            _check_wanted(scope, wanted, "membership")
        except InvalidInput as exc:
            problems.update(exc.fields)
        if not problems and uow.users.by_username(username) is not None:
            problems["username"] = ["That username is taken"]
        if problems:
            raise InvalidInput("the form has errors", problems)
        user = uow.users.add(username=username, display_name=display_name.strip(), email=email.strip(),
                             password_hash=hash_password(password), is_active=True)
        for code, role in sorted(wanted):
            uow.users.add_membership(user.id, scope.divisions[code].id, role)
        audit(uow, actor, "user_created", user, [c for c, _ in wanted], roles=sorted(map(list, wanted)))
        uow.commit()
        return user.id


def _password_problems(password: str) -> dict[str, list[str]]:
    if not (MIN_PASSWORD <= len(password or "") <= MAX_PASSWORD):
        return {"password": [f"Use at least {MIN_PASSWORD} characters"]}
    return {}


def set_memberships(uow, actor: Actor, user_id: int, wanted: set[tuple[str, str]]) -> None:
    """Make the user's roles exactly `wanted`; only in divisions the actor administers, for an account they manage."""
    with uow:
        scope = admin_scope(uow, actor)
        user, memberships = _managed(uow, scope, user_id, "memberships_changed")
        outside = _outside(scope, wanted)
        if outside:
            refuse(uow, actor, "memberships_changed", f"You do not administer {', '.join(outside)}: you can give "
                   "roles only in your own divisions.", user, [c for c, _ in memberships] + outside)
        _check_wanted(scope, wanted, "memberships")
        current = set(memberships)
        for code, role in sorted(current - wanted):
            uow.users.remove_membership(user.id, scope.divisions[code].id, role)
        for code, role in sorted(wanted - current):
            uow.users.add_membership(user.id, scope.divisions[code].id, role)
        audit(uow, actor, "memberships_changed", user, [c for c, _ in current | wanted],
              added=sorted(map(list, wanted - current)), removed=sorted(map(list, current - wanted)))
        uow.commit()


def set_group_wide(uow, actor: Actor, user_id: int, group_wide: bool) -> None:
    """Make an account group-wide (it sees every division's cases and reports) or not; group administrators only."""
    with uow:
        scope = admin_scope(uow, actor)
        user, memberships = _managed(uow, scope, user_id, "group_wide_changed")
        if not scope.group:
            refuse(uow, actor, "group_wide_changed", "Only a group-wide administrator can make an account "
                   "group-wide or local.", user, [c for c, _ in memberships])
        if user.id == actor.user_id and not group_wide:
            raise InvalidInput("you cannot do this to yourself", {"group_wide": [
                "You cannot remove your own group-wide access; ask another group-wide administrator"]})
        user.is_group_wide = group_wide
        audit(uow, actor, "group_wide_changed", user, [c for c, _ in memberships], group_wide=group_wide)
        uow.commit()


def set_active(uow, actor: Actor, user_id: int, active: bool) -> None:
    """Enable or disable an account; a disabled account cannot sign in or use its API token."""
    kind = "user_enabled" if active else "user_disabled"
    with uow:
        scope = admin_scope(uow, actor)
        user, memberships = _managed(uow, scope, user_id, kind)
        if user.id == actor.user_id and not active:
            raise InvalidInput("you cannot disable yourself", {"active": ["You cannot disable your own account"]})
        user.is_active = active
        audit(uow, actor, kind, user, [c for c, _ in memberships])
        uow.commit()


def set_password(uow, actor: Actor, user_id: int, password: str) -> None:
    """Give an account a new password (and lift any sign-in lockout on it)."""
    with uow:
        scope = admin_scope(uow, actor)
        user, memberships = _managed(uow, scope, user_id, "password_set")
        problems = _password_problems(password)
        if problems:
            raise InvalidInput("the form has errors", problems)
        user.password_hash = hash_password(password)
        clear_sign_in_failures(uow, user.username)
        audit(uow, actor, "password_set", user, [c for c, _ in memberships])
        uow.commit()


def issue_api_token(uow, actor: Actor, user_id: int) -> str:
    """A new API token for a user (shown once); it replaces any earlier one."""
    with uow:
        user, memberships = _token_holder(uow, actor, user_id, "api_token_issued")
        token, digest = new_api_token()
        user.api_token_hash = digest
        audit(uow, actor, "api_token_issued", user, [c for c, _ in memberships])
        uow.commit()
        return token


def revoke_api_token(uow, actor: Actor, user_id: int) -> None:
    """Withdraw a user's API token; requests with it are refused from now on."""
    with uow:
        user, memberships = _token_holder(uow, actor, user_id, "api_token_revoked")
        user.api_token_hash = None
        audit(uow, actor, "api_token_revoked", user, [c for c, _ in memberships])
        uow.commit()


def _token_holder(uow, actor: Actor, user_id: int, action: str):
    if actor.user_id is not None and actor.user_id == user_id:  # your own token: you hold its account already
        user = uow.users.get(user_id)
        if user is None:
            raise NotFound(f"no account {user_id}")
        return user, uow.users.memberships(user.id)
    return _managed(uow, admin_scope(uow, actor), user_id, action)


def admin_log(uow, actor: Actor, limit: int = 200) -> list:
    """The newest administrative actions about the actor's divisions, refusals included, newest first."""
    with uow:
        scope = admin_scope(uow, actor)
        return plain_all([e for e in uow.events.admin_log(ADMIN_EVENTS, limit * 4) if visible_in_log(scope, e)]
                         [:limit])


def list_closures(uow, actor: Actor) -> tuple[list[dict], list]:
    """Closure days of the administered divisions and group-wide ones."""
    with uow:
        divisions = admin_scope(uow, actor).divisions
        names = {d.id: d.code for d in divisions.values()}
        rows = uow.closures.listed(list(names))
        return ([{"id": r.id, "day": r.day, "reason": r.reason, "division": names.get(r.division_id, "All")}
                 for r in rows], plain_all(divisions.values()))


def add_closure(uow, actor: Actor, division: str | None, day: date | None, reason: str) -> None:
    """Add an organisation closure day; deadlines counted after this skip it."""
    with uow:
        scope = admin_scope(uow, actor)
        divisions = scope.divisions
        problems = {}
        if day is None:
            problems["day"] = ["Enter a real date"]
        if not (reason or "").strip():
            problems["reason"] = ["Say why the organisation is closed"]
        if division and division not in divisions:
            problems["division"] = ["Choose one of your divisions"]
        if not division and not scope.group:
            problems["division"] = ["Only a group-wide administrator can close every division"]
        division_id = divisions[division].id if division in divisions else None
        if "day" not in problems and "division" not in problems:
            existing = uow.closures.find(division_id, day)
            if existing is not None:  # one closure a day per division (and one group-wide): say which is there
                where = divisions[division].name if division else "every division"
                problems["day"] = [f"{day:%A %-d %B %Y} is already a closure day for {where} "
                                   f"(“{existing.reason}”)"]
        if problems:
            raise InvalidInput("the form has errors", problems)
        uow.closures.add(division_id, day, reason.strip()[:200])
        audit(uow, actor, "closure_added", None, [division] if division else list(divisions),
              day=day.isoformat(), division=division or "all", reason=reason)
        uow.commit()


def remove_closure(uow, actor: Actor, closure_id: int) -> None:
    """Remove a closure day from the calendar."""
    with uow:
        scope = admin_scope(uow, actor)
        row = uow.closures.get(closure_id)
        codes = {d.id: code for code, d in scope.divisions.items()}
        if row is None or (row.division_id not in codes and not (row.division_id is None and scope.group)):
            raise NotFound(f"no closure day {closure_id}")
        uow.closures.remove(row)
        audit(uow, actor, "closure_removed", None, [codes[row.division_id]] if row.division_id else list(codes),
              day=row.day.isoformat(), division=codes.get(row.division_id, "all"))
        uow.commit()
