"""fact_checks.body: the review article's opening, matched against claims

Revision ID: c7e9a1b3d5f8
Revises: b5d7f9a1c3e6
Create Date: 2026-12-06 07:00:00

A fact-check imported from its page keeps the opening of the page's article (the claim, who
made it, where); the match model ranks it by the claim's words (evals/README.md: on the
CLEF 2021 debates dev queries, MAP@5 0.520 -> 0.544) and the best fact-checks by it join a
claim's candidates, through `body_tsv` and its GIN index (no pending list, as the others).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import TSVECTOR

revision: str = "c7e9a1b3d5f8"
down_revision: str | None = "b5d7f9a1c3e6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("fact_checks", sa.Column("body", sa.Text(), nullable=True))
    op.add_column(
        "fact_checks",
        sa.Column(
            "body_tsv",
            TSVECTOR(),
            sa.Computed(
                "to_tsvector('english'::regconfig,"
                " claim_reviewed || ' ' || coalesce(headline, '') || ' ' || body)",
                persisted=True,
            ),
            nullable=True,
        ),
    )
    op.create_index(
        "ix_fact_checks_body_tsv",
        "fact_checks",
        ["body_tsv"],
        postgresql_using="gin",
        postgresql_with={"fastupdate": "off"},
    )


def downgrade() -> None:
    op.drop_index("ix_fact_checks_body_tsv", table_name="fact_checks")
    op.drop_column("fact_checks", "body_tsv")
    op.drop_column("fact_checks", "body")
