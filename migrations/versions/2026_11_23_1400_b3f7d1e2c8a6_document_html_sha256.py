"""documents ingested as HTML keep the page's sha256

Revision ID: b3f7d1e2c8a6
Revises: 9a4c2e7f1b55
Create Date: 2026-11-23 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b3f7d1e2c8a6"
down_revision: str | None = "9a4c2e7f1b55"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("documents", sa.Column("html_sha256", sa.String(length=64), nullable=True))
    op.create_check_constraint(
        op.f("ck_documents_html_sha256_hex"),
        "documents",
        "html_sha256 IS NULL OR html_sha256 ~ '^[0-9a-f]{64}$'",
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_documents_html_sha256_hex"), "documents", type_="check")
    op.drop_column("documents", "html_sha256")
