"""People who sign in to the workspace: argon2id password hashes, roles, lock-out.

API keys stay for tools (operations/auth.py); a person signs in with a name and a password.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.domain.enums import Role
from service.domain.errors import Conflict, InvalidInput
from service.models import User
from service.operations.actors import Actor
from service.operations.events import record_event

#: argon2id with the library's defaults (RFC 9106's second recommended option).
_HASHER = PasswordHasher()
#: Verified when the name is unknown, so that a wrong name costs what a wrong password does.
#: A hash made once with the hasher's parameters, kept as text: hashing it at import cost every
#: process start 0.14 s (a test checks that its parameters are still the hasher's).
_DUMMY_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$9Sw2DxnqobE/TXZreRt8Mg"
    "$dl0CR1DdUtrToUSSXU341wwGLiSSEElXUmuZRbvp634"
)
MIN_PASSWORD_LENGTH = 12
#: This many failed sign-ins in a row lock the account for LOCK_FOR.
MAX_FAILURES = 5
LOCK_FOR = timedelta(minutes=15)


@dataclass(frozen=True)
class SignIn:
    user: User | None
    #: "ok", "wrong" (unknown name or wrong password: the same answer) or "locked".
    outcome: str
    locked_until: datetime | None = None


def _now() -> datetime:
    return datetime.now(UTC)


def create_person(session: Session, actor: Actor, *, name: str, role: Role, password: str) -> User:
    """A person who can sign in; an existing user without a password (an API key's owner)
    gets one. A name that can already sign in is a conflict."""
    name = " ".join(name.split())
    if not name:
        raise InvalidInput("name", "a person needs a name")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput("password", f"needs at least {MIN_PASSWORD_LENGTH} characters")
    user = session.scalar(select(User).where(User.name == name).with_for_update())
    if user is not None and user.password_hash is not None:
        raise Conflict(f"{name!r} can already sign in")
    if user is None:
        user = User(name=name)
        session.add(user)
    user.password_hash = _HASHER.hash(password)
    user.role = role.value
    user.failed_sign_ins = 0
    user.locked_until = None
    session.flush()
    record_event(session, actor, "user.created", user, after={"name": user.name, "role": user.role})
    return user


def sign_in(session: Session, name: str, password: str) -> SignIn:
    """Check a name and password. Failures count; MAX_FAILURES in a row lock the account for
    LOCK_FOR (a locked account is refused even with the right password)."""
    now = _now()
    user = session.scalar(select(User).where(User.name == " ".join(name.split())).with_for_update())
    if user is None or user.password_hash is None:
        _verify(_DUMMY_HASH, password)
        return SignIn(None, "wrong")
    if user.locked_until is not None and user.locked_until > now:
        # The hash is checked all the same: a locked name answering faster than an unknown
        # one (which checks a dummy hash) would tell which names exist.
        _verify(user.password_hash, password)
        return SignIn(None, "locked", user.locked_until)
    if not _verify(user.password_hash, password):
        user.failed_sign_ins += 1
        if user.failed_sign_ins >= MAX_FAILURES:
            user.failed_sign_ins = 0
            user.locked_until = now + LOCK_FOR
            record_event(
                session,
                Actor(key_id=None, name=user.name, role=Role(user.role or Role.VIEWER)),
                "user.locked",
                user,
                after={"locked_until": user.locked_until.isoformat()},
                reason=f"{MAX_FAILURES} failed sign-ins in a row",
            )
            return SignIn(None, "locked", user.locked_until)
        return SignIn(None, "wrong")
    if _HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = _HASHER.hash(password)
    user.failed_sign_ins = 0
    user.locked_until = None
    user.last_sign_in_at = now
    return SignIn(user, "ok")


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def person_actor(user: User) -> Actor:
    """The actor a signed-in person writes as (their role, no API key)."""
    return Actor(key_id=None, name=user.name, role=Role(user.role or Role.VIEWER))


def list_people(session: Session) -> list[User]:
    return list(session.scalars(select(User).where(User.role.is_not(None)).order_by(User.name)))
