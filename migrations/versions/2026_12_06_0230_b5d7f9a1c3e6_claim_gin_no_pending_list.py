"""claims' full-text index without a pending list

Revision ID: b5d7f9a1c3e6
Revises: a3c5e7f9b1d4
Create Date: 2026-12-06 02:30:00

Every new claim's link suggestions search the claims by their rarest words. With GIN's
`fastupdate` (the default) the rows inserted since the last vacuum wait in a pending list
that every search reads whole: on the million-claim bench, after a few dozen articles had
been ingested, the words statement for an article's claims took 640 ms, of which the
pending list (1 MB) was most; with it moved into the index, 172 ms. Claims are written by
ingest and searched by the very same ingest, so the index is kept without one, as the
fact-checks' is (d4b6f8a0c2e3).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "b5d7f9a1c3e6"
down_revision: str | None = "a3c5e7f9b1d4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("ALTER INDEX ix_claims_tsv SET (fastupdate = off)")
    # Turning it off keeps what is already pending; move that into the index now.
    op.execute("SELECT gin_clean_pending_list('ix_claims_tsv')")


def downgrade() -> None:
    op.execute("ALTER INDEX ix_claims_tsv RESET (fastupdate)")
