"""Staff accounts: password checks, the lockout after repeated failures, and the actor a signed-in user acts as."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from .access import Actor

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    """An argon2id hash of a password."""
    return _hasher.hash(password)


LOCK_AFTER = 5  # unsuccessful sign-ins in a row before a username is locked
FIRST_LOCK = timedelta(minutes=1)  # doubled for each further failure, up to MAX_LOCK
MAX_LOCK = timedelta(hours=1)
FORGET_AFTER = timedelta(days=1)  # failures not repeated for this long are forgotten


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in: the actor, or nobody and (when locked) the time to try again from."""

    actor: Actor | None
    locked_until: datetime | None = None


def sign_in(uow, username: str, password: str) -> SignIn:
    """Check credentials, counting failures per username tried (whether or not it is an account, so the
    answer never tells which) and locking it with a growing wait after LOCK_AFTER failures in a row."""
    key = (username or "").replace("\x00", "").strip().lower()[:80]
    with uow:
        now = uow.clock_now()
        state = uow.sign_ins.get(key) if key else None
        if state is not None and state.locked_until is not None and state.locked_until > now:
            return SignIn(None, state.locked_until)
        actor = _check_password(uow, username, password)
        if actor is not None:
            if state is not None:
                uow.sign_ins.clear(key)
            uow.commit()
            return SignIn(actor)
        if not key:
            return SignIn(None)
        failures = uow.sign_ins.record_failure(key, now)
        until = None
        if failures >= LOCK_AFTER:
            until = now + min(FIRST_LOCK * 2 ** (failures - LOCK_AFTER), MAX_LOCK)
            uow.sign_ins.lock(key, until)
        uow.sign_ins.prune(now - FORGET_AFTER)
        uow.commit()
        return SignIn(None, until)


def authenticate(uow, username: str, password: str) -> Actor | None:
    """The actor for valid credentials, or None (also while the username is locked)."""
    return sign_in(uow, username, password).actor


def clear_sign_in_failures(uow, username: str) -> None:
    """Lift a username's lockout (a new password was set); the caller commits."""
    uow.sign_ins.clear(username.replace("\x00", "").strip().lower()[:80])


def _check_password(uow, username: str, password: str) -> Actor | None:
    """The actor for valid credentials, or None; takes the same time whether or not the user exists."""
    user = uow.users.by_username(username) if "\x00" not in username else None  # no account has such a name
    stored = user.password_hash if user is not None and user.is_active and user.password_hash else _DUMMY_HASH
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or stored is _DUMMY_HASH:
        return None
    if _hasher.check_needs_rehash(stored):
        user.password_hash = hash_password(password)
    return actor_for(uow, user)


def load_actor(uow, user_id: int) -> Actor | None:
    """The actor for a signed-in user id, or None if the account is gone or disabled."""
    with uow:
        user, memberships = uow.users.with_memberships(user_id)
        return _actor(user, memberships) if user is not None and user.is_active else None


def actor_for(uow, user) -> Actor:
    """The actor a stored user acts as, with their roles in each division."""
    return _actor(user, uow.users.memberships(user.id))


def _actor(user, memberships: list[tuple[str, str]]) -> Actor:
    roles: dict[str, set[str]] = {}
    for code, role in memberships:
        roles.setdefault(code, set()).add(role)
    return Actor(user.username, user.id, {k: frozenset(v) for k, v in roles.items()}, user.is_group_wide)


def new_api_token() -> tuple[str, str]:
    """A fresh API token and the hash that is stored for it."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    """The stored form of an API token."""
    return hashlib.sha256(token.encode()).hexdigest()


def actor_for_token(uow, token: str) -> Actor | None:
    """The actor an API token belongs to, or None."""
    with uow:
        user, memberships = uow.users.with_memberships(token_hash=token_hash(token))
        return _actor(user, memberships) if user is not None and user.is_active else None
