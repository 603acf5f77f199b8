"""A partial index for GET /claims?needs_review=true

Revision ID: e1a3c5d7f9b2
Revises: d9f1b3c5e7a9
Create Date: 2026-12-07 06:00:00

The list of claims that need another look judges only decided claims and those a revision
flagged; without this index it walked the primary key over every claim to find them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e1a3c5d7f9b2"
down_revision: str | None = "d9f1b3c5e7a9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_claims_may_need_review",
        "claims",
        ["id"],
        unique=False,
        postgresql_where=sa.text(
            "review_flag IS NOT NULL OR status IN ('verified', 'disputed', 'false')"
        ),
    )


def downgrade() -> None:
    op.drop_index("ix_claims_may_need_review", table_name="claims")
