"""fact-check full-text index without a pending list

Revision ID: d4b6f8a0c2e3
Revises: c9a3e5f7b1d2
Create Date: 2026-12-05 20:50:00

Every new claim is matched against the fact-checks by full-text search. With GIN's
`fastupdate` (the default) rows inserted since the last vacuum wait in a pending list that
every search reads whole: after a 100k-item feed import a rare-words query spent 18 ms of its
23 ms there. Fact-checks are written in imports and read for every claim, so the index is
kept without one (Postgres's advice where response time matters more than insert speed).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "d4b6f8a0c2e3"
down_revision: str | None = "c9a3e5f7b1d2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("ALTER INDEX ix_fact_checks_tsv SET (fastupdate = off)")
    # Turning it off keeps what is already pending; move that into the index now.
    op.execute("SELECT gin_clean_pending_list('ix_fact_checks_tsv')")


def downgrade() -> None:
    op.execute("ALTER INDEX ix_fact_checks_tsv RESET (fastupdate)")
