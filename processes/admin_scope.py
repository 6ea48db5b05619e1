"""Whom an administrator may manage, and the audit record of every administrative action, refused ones too.

A division administrator manages an account only when every one of its roles lies in divisions they administer
and it is not group-wide. A group-wide administrator manages every account and every division. An account with
no roles belongs to no division, so only a group-wide administrator manages it.
"""
from __future__ import annotations

from dataclasses import dataclass

from .access import Actor
from .errors import Forbidden
from .vocabulary import Role

ADMIN_EVENTS = ("user_created", "memberships_changed", "user_enabled", "user_disabled", "password_set",
                "api_token_issued", "api_token_revoked", "group_wide_changed", "closure_added", "closure_removed",
                "admin_refused")


@dataclass(frozen=True)
class AdminScope:
    """The divisions an actor administers (code -> division), and whether they administer the whole group."""

    actor: Actor
    divisions: dict
    group: bool


def is_group_admin(actor: Actor) -> bool:
    """A group-wide account holding the administrator role administers every division and every account."""
    return actor.group_wide and actor.has_any_role(Role.ADMINISTRATOR)


def admin_scope(uow, actor: Actor) -> AdminScope:
    """What the actor administers; refused unless they are an administrator somewhere."""
    everything = {d.code: d for d in uow.divisions.all()}
    group = is_group_admin(actor)
    divisions = everything if group else {c: d for c, d in everything.items() if actor.has_role(c, Role.ADMINISTRATOR)}
    if not divisions:
        raise Forbidden("only an administrator can do this")
    return AdminScope(actor, divisions, group)


def management_refusal(scope: AdminScope, user, memberships: list[tuple[str, str]]) -> str | None:
    """Why the actor may not manage this account; None when they may."""
    if scope.group:
        return None
    codes = {code for code, _ in memberships}
    if not codes & set(scope.divisions):
        return "This account is not in a division you administer: only a group-wide administrator can change it."
    if user.is_group_wide:
        return (f"{user.username} is a group-wide account: only a group-wide administrator can change it, "
                "its roles, its password or its API token.")
    outside = sorted(codes - set(scope.divisions))
    if outside:
        return (f"{user.username} also holds roles in {', '.join(outside)}, which you do not administer: only a "
                "group-wide administrator can change this account.")
    return None


def audit(uow, actor: Actor, kind: str, user=None, divisions=(), **data) -> None:
    """Record an administrative action with its actor, the account it was done to and the divisions involved."""
    if user is not None:
        data = {"username": user.username, "user_id": user.id, **data}
    uow.events.append(None, kind, actor.username, uow.clock_now(),
                      data={"actor_id": actor.user_id, "divisions": sorted(set(divisions)), **data})


def refuse(uow, actor: Actor, action: str, reason: str, user=None, divisions=()) -> None:
    """Undo anything begun, record the refusal, and raise it as a 403 with its reason."""
    uow.rollback()
    audit(uow, actor, "admin_refused", user, divisions, action=action, reason=reason)
    uow.commit()
    raise Forbidden(reason)


def visible_in_log(scope: AdminScope, event) -> bool:
    """Whether an administration log entry concerns the actor's divisions (a group-wide administrator sees all)."""
    return scope.group or bool(set((event.data or {}).get("divisions") or []) & set(scope.divisions))
