"""people sign in to the workspace: password hash, role, lock-out; documents of kind interview

Revision ID: 7d2e9b41c0aa
Revises: 5c1e0a7d2b3f
Create Date: 2026-11-23 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7d2e9b41c0aa"
down_revision: str | None = "5c1e0a7d2b3f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


_KINDS = "'news', 'op_ed', 'transcript', 'blog', 'notes', 'press_release', 'other'"


def upgrade() -> None:
    op.drop_constraint(op.f("ck_documents_kind"), "documents", type_="check")
    op.create_check_constraint(
        op.f("ck_documents_kind"),
        "documents",
        "kind IN ('news', 'op_ed', 'transcript', 'blog', 'notes', 'press_release', 'interview', "
        "'other')",
    )
    # Nullable or with a default: existing users (owners of API keys) are unchanged and
    # cannot sign in until someone gives them a password and a role.
    op.add_column("users", sa.Column("password_hash", sa.String(length=200), nullable=True))
    op.add_column("users", sa.Column("role", sa.String(length=20), nullable=True))
    op.add_column(
        "users",
        sa.Column("failed_sign_ins", sa.Integer(), server_default="0", nullable=False),
    )
    op.add_column("users", sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True))
    op.add_column("users", sa.Column("last_sign_in_at", sa.DateTime(timezone=True), nullable=True))
    op.create_check_constraint(
        op.f("ck_users_role"),
        "users",
        "role IS NULL OR role IN ('viewer', 'reviewer', 'editor', 'admin')",
    )
    op.create_check_constraint(
        op.f("ck_users_password_has_role"),
        "users",
        "(password_hash IS NULL) = (role IS NULL)",
    )


def downgrade() -> None:
    # The old schema has no interview kind: such documents become "other".
    op.execute("UPDATE documents SET kind = 'other' WHERE kind = 'interview'")
    op.drop_constraint(op.f("ck_documents_kind"), "documents", type_="check")
    op.create_check_constraint(op.f("ck_documents_kind"), "documents", f"kind IN ({_KINDS})")
    op.drop_constraint(op.f("ck_users_password_has_role"), "users", type_="check")
    op.drop_constraint(op.f("ck_users_role"), "users", type_="check")
    for column in ("last_sign_in_at", "locked_until", "failed_sign_ins", "role", "password_hash"):
        op.drop_column("users", column)
