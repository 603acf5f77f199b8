"""rate-limit counters in the database, shared by every web process

Revision ID: d4b8e2f6a9c1
Revises: c7a1d9e3f5b2
Create Date: 2026-11-23 16:00:00

UNLOGGED: the counters are worth nothing after a crash (they start again from zero), and
skipping the WAL keeps a counted request to one cheap statement.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d4b8e2f6a9c1"
down_revision: str | None = "c7a1d9e3f5b2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rate_limit_counters",
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_rate_limit_counters")),
        prefixes=["UNLOGGED"],
    )
    op.create_index(
        op.f("ix_rate_limit_counters_expires_at"), "rate_limit_counters", ["expires_at"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_rate_limit_counters_expires_at"), table_name="rate_limit_counters")
    op.drop_table("rate_limit_counters")
