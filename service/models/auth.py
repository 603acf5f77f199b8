"""People and the API keys they call with. A key is stored as prefix + sha256, never in clear."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.db import Base, CreatedAtMixin
from service.domain.enums import Role, check_in


class User(CreatedAtMixin, Base):
    """A person (or a tool's owner). People who sign in to the workspace have a password
    (argon2id hash, never the password) and a role; repeated failures lock the account."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(f"role IS NULL OR {check_in('role', Role)}", name="role"),
        CheckConstraint("(password_hash IS NULL) = (role IS NULL)", name="password_has_role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(200), default=None)
    role: Mapped[str | None] = mapped_column(String(20), default=None)
    failed_sign_ins: Mapped[int] = mapped_column(default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(default=None)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(default=None)
    #: Moved on at sign-out: a session cookie made in an earlier epoch no longer signs in.
    session_epoch: Mapped[int] = mapped_column(default=0, server_default="0")


class ApiKey(CreatedAtMixin, Base):
    __tablename__ = "api_keys"
    __table_args__ = (
        CheckConstraint(check_in("role", Role), name="role"),
        CheckConstraint("secret_sha256 ~ '^[0-9a-f]{64}$'", name="secret_sha256_hex"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    secret_sha256: Mapped[str] = mapped_column(String(64))
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())

    user: Mapped[User] = relationship(lazy="joined", innerjoin=True)
