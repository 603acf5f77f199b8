"""fact_check_terms: document frequencies for the match model's BM25

Revision ID: a3c5e7f9b1d4
Revises: f1b3d5e7a9c2
Create Date: 2026-12-06 02:05:00
"""

import re
from collections import Counter
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a3c5e7f9b1d4"
down_revision: str | None = "f1b3d5e7a9c2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: service.factchecks.matching.tokens as of this revision (a migration does not import the
#: code it migrates for).
_TOKEN = re.compile(r"\w+")


def upgrade() -> None:
    op.create_table(
        "fact_check_terms",
        sa.Column("term", sa.Text(), nullable=False),
        sa.Column("documents", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("term", name=op.f("pk_fact_check_terms")),
    )
    # Count the fact-checks already stored, streamed: one pass, one insert.
    bind = op.get_bind()
    holding: Counter[str] = Counter()
    total = 0
    rows = bind.execute(
        sa.text(
            "SELECT claim_reviewed || ' ' || coalesce(headline, '') FROM fact_checks"
        ).execution_options(yield_per=2000)
    )
    for (body,) in rows:
        total += 1
        holding.update(set(_TOKEN.findall(body.lower())))
    if total:
        holding[""] = total
        bind.execute(
            sa.text(
                "INSERT INTO fact_check_terms (term, documents)"
                " SELECT * FROM unnest(CAST(:terms AS text[]), CAST(:counts AS int[]))"
            ),
            {"terms": list(holding), "counts": list(holding.values())},
        )


def downgrade() -> None:
    op.drop_table("fact_check_terms")
