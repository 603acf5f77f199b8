"""Who is acting: passed into operations explicitly, never read from a request."""

from __future__ import annotations

from dataclasses import dataclass

from service.domain.enums import Role


@dataclass(frozen=True)
class Actor:
    key_id: int | None
    name: str
    role: Role


#: Changes made by the service itself (seeding, CLI maintenance).
SYSTEM = Actor(key_id=None, name="system", role=Role.ADMIN)
