"""Staff accounts: password checks and the actor a signed-in user acts as."""
from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from .access import Actor

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    """An argon2id hash of a password."""
    return _hasher.hash(password)


def authenticate(uow, username: str, password: str) -> Actor | None:
    """The actor for valid credentials, or None; takes the same time whether or not the user exists."""
    with uow:
        user = uow.users.by_username(username)
        stored = user.password_hash if user is not None and user.is_active and user.password_hash else _DUMMY_HASH
        try:
            _hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return None
        if user is None or stored is _DUMMY_HASH:
            return None
        if _hasher.check_needs_rehash(stored):
            user.password_hash = hash_password(password)
            uow.commit()
        return actor_for(uow, user)


def load_actor(uow, user_id: int) -> Actor | None:
    """The actor for a signed-in user id, or None if the account is gone or disabled."""
    with uow:
        user, memberships = uow.users.with_memberships(user_id)
        return _actor(user, memberships) if user is not None and user.is_active else None


def actor_for(uow, user) -> Actor:
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
    return hashlib.sha256(token.encode()).hexdigest()


def actor_for_token(uow, token: str) -> Actor | None:
    """The actor an API token belongs to, or None."""
    with uow:
        user, memberships = uow.users.with_memberships(token_hash=token_hash(token))
        return _actor(user, memberships) if user is not None and user.is_active else None
