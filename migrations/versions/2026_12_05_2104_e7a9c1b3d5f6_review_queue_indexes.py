"""review queue indexes

Revision ID: e7a9c1b3d5f6
Revises: d4b6f8a0c2e3
Create Date: 2026-12-05 21:04:48.424806
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e7a9c1b3d5f6"
down_revision: str | None = "d4b6f8a0c2e3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The review queue pages through a status's claims by check-worthiness, and through
    # suggested links by confidence (service/operations/queue.py).
    op.create_index(
        "ix_claim_links_queue",
        "claim_links",
        [sa.literal_column("coalesce(score, 0.0) DESC"), sa.literal_column("id DESC")],
        unique=False,
        postgresql_where=sa.text("state = 'suggested'"),
    )
    op.create_index(
        "ix_claims_queue",
        "claims",
        ["status", sa.literal_column("checkworthiness DESC"), sa.literal_column("id DESC")],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_claims_queue", table_name="claims")
    op.drop_index(
        "ix_claim_links_queue",
        table_name="claim_links",
        postgresql_where=sa.text("state = 'suggested'"),
    )
