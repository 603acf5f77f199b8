"""API keys: created once in clear, stored as prefix + sha256, looked up by prefix."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.domain.enums import Role
from service.domain.errors import Conflict, NotFound
from service.models import ApiKey, User
from service.operations.actors import Actor
from service.operations.events import record_event, snapshot

KEY_MARK = "cdk"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_key(session: Session, actor: Actor, *, name: str, role: Role) -> tuple[ApiKey, str]:
    """Create a key for user `name` (created if new); returns the key and its one-time secret."""
    user = session.scalar(select(User).where(User.name == name))
    if user is None:
        user = User(name=name)
        session.add(user)
    prefix = secrets.token_hex(6)
    token = f"{KEY_MARK}_{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey(user=user, name=name, role=role.value, prefix=prefix, secret_sha256=_digest(token))
    session.add(key)
    session.flush()
    record_event(session, actor, "api_key.created", key, after=snapshot(key))
    return key, token


def authenticate(session: Session, token: str) -> Actor | None:
    """The actor behind a bearer token, or None if it is unknown, malformed or revoked."""
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_MARK:
        return None
    key = session.scalar(select(ApiKey).where(ApiKey.prefix == parts[1]))
    if key is None or key.revoked_at is not None:
        return None
    if not hmac.compare_digest(key.secret_sha256, _digest(token)):
        return None
    return Actor(key_id=key.id, name=key.user.name, role=Role(key.role))


def list_api_keys(session: Session) -> list[ApiKey]:
    return list(session.scalars(select(ApiKey).order_by(ApiKey.id)))


def revoke_api_key(session: Session, actor: Actor, key_id: int) -> ApiKey:
    """Revoke a key; it stays in the table (and the history) but no longer authenticates."""
    key = session.get(ApiKey, key_id, with_for_update=True)
    if key is None:
        raise NotFound(f"no API key {key_id}")
    if key.revoked_at is not None:
        raise Conflict(f"API key {key_id} is already revoked")
    before = snapshot(key)
    key.revoked_at = datetime.now(UTC)
    session.flush()
    record_event(session, actor, "api_key.revoked", key, before=before, after=snapshot(key))
    return key
