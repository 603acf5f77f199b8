"""claims.txid: the inserting transaction, so the NDJSON export's `since` skips no claim

Revision ID: d9f1b3c5e7a9
Revises: c7e9a1b3d5f8
Create Date: 2026-12-07 01:00:00

The export paged by claim id, and an id is drawn when a row is written, not when it commits:
a claim written by a long transaction (a worker extracting a long document) under a smaller
id than one a reviewer's request committed first was behind a consumer's cursor by the time
it committed, and never exported. Like the event feed (events.txid), the export now pages by
(txid, id) and hands out only claims of transactions older than every one still running.

The column is added with the constant default 0, which Postgres records once for the
existing rows instead of rewriting the table (they are all committed, and sort first); only
then does the default become the writing transaction's id, for new rows.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d9f1b3c5e7a9"
down_revision: str | None = "c7e9a1b3d5f8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("claims", sa.Column("txid", sa.BigInteger(), server_default="0", nullable=False))
    op.alter_column(
        "claims",
        "txid",
        server_default=sa.text("(pg_current_xact_id()::text)::bigint"),
    )
    op.create_index("ix_claims_txid_id", "claims", ["txid", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_claims_txid_id", table_name="claims")
    op.drop_column("claims", "txid")
