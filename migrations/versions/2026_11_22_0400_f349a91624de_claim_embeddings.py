"""claim embeddings for link suggestions

Revision ID: f349a91624de
Revises: 98a8726fdfbe
Create Date: 2026-11-22 04:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f349a91624de"
down_revision: str | None = "98a8726fdfbe"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable and without a default: adding it rewrites nothing. Claims stored before this
    # revision get their vectors from `claimdesk embed`.
    op.add_column("claims", sa.Column("embedding", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    op.drop_column("claims", "embedding")
