"""assignments

Revision ID: f1b3d5e7a9c2
Revises: e7a9c1b3d5f6
Create Date: 2026-12-05 21:17:10.865348
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f1b3d5e7a9c2"
down_revision: str | None = "e7a9c1b3d5f6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Who a claim or a document is assigned to: "my work" in the workspace. A nullable column
    # with no default: adding it rewrites nothing.
    op.add_column("claims", sa.Column("assignee_id", sa.Integer(), nullable=True))
    op.create_index(op.f("ix_claims_assignee_id"), "claims", ["assignee_id"], unique=False)
    op.create_foreign_key(
        op.f("fk_claims_assignee_id_users"),
        "claims",
        "users",
        ["assignee_id"],
        ["id"],
        ondelete="SET NULL",
    )
    op.add_column("documents", sa.Column("assignee_id", sa.Integer(), nullable=True))
    op.create_index(op.f("ix_documents_assignee_id"), "documents", ["assignee_id"], unique=False)
    op.create_foreign_key(
        op.f("fk_documents_assignee_id_users"),
        "documents",
        "users",
        ["assignee_id"],
        ["id"],
        ondelete="SET NULL",
    )


def downgrade() -> None:
    op.drop_constraint(op.f("fk_documents_assignee_id_users"), "documents", type_="foreignkey")
    op.drop_index(op.f("ix_documents_assignee_id"), table_name="documents")
    op.drop_column("documents", "assignee_id")
    op.drop_constraint(op.f("fk_claims_assignee_id_users"), "claims", type_="foreignkey")
    op.drop_index(op.f("ix_claims_assignee_id"), table_name="claims")
    op.drop_column("claims", "assignee_id")
