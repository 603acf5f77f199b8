"""claim dates may have week precision ("last week")

Revision ID: 5c1e0a7d2b3f
Revises: f349a91624de
Create Date: 2026-11-23 10:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "5c1e0a7d2b3f"
down_revision: str | None = "f349a91624de"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_constraint(op.f("ck_claims_date_precision"), "claims", type_="check")
    op.create_check_constraint(
        op.f("ck_claims_date_precision"),
        "claims",
        "date_precision IS NULL OR date_precision IN ('day', 'week', 'month', 'year')",
    )


def downgrade() -> None:
    # The old schema has no week: a week-precision date keeps its Monday at month precision.
    op.execute("UPDATE claims SET date_precision = 'month' WHERE date_precision = 'week'")
    op.drop_constraint(op.f("ck_claims_date_precision"), "claims", type_="check")
    op.create_check_constraint(
        op.f("ck_claims_date_precision"),
        "claims",
        "date_precision IS NULL OR date_precision IN ('day', 'month', 'year')",
    )
