"""Index a link's events by its two claims

Revision ID: f3b5d7e9a1c4
Revises: e1a3c5d7f9b2
Create Date: 2026-12-07 13:00:00

A claim's history can show the events of its links (suggested, confirmed, rejected, deleted),
found by the claims a link's snapshot names: two partial expression indexes, one a side.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f3b5d7e9a1c4"
down_revision: str | None = "e1a3c5d7f9b2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SIDES = ("claim_a", "claim_b")


def upgrade() -> None:
    for side in SIDES:
        op.create_index(
            f"ix_events_link_{side}",
            "events",
            [sa.text(f"((coalesce(after, before) ->> '{side}_id')::bigint)")],
            unique=False,
            postgresql_where=sa.text("entity_type = 'claim_links'"),
        )


def downgrade() -> None:
    for side in SIDES:
        op.drop_index(f"ix_events_link_{side}", table_name="events")
