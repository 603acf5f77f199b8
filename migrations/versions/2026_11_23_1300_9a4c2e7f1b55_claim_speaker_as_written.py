"""claims keep the speaker's name as the text gave it, so a fuzzy speaker match can be undone

Revision ID: 9a4c2e7f1b55
Revises: 7d2e9b41c0aa
Create Date: 2026-11-23 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9a4c2e7f1b55"
down_revision: str | None = "7d2e9b41c0aa"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable, no default: adding it rewrites nothing. Claims extracted before this revision
    # do not know their written name; their speaker's fuzzy aliases cannot be undone.
    op.add_column("claims", sa.Column("speaker_as_written", sa.String(length=300), nullable=True))


def downgrade() -> None:
    op.drop_column("claims", "speaker_as_written")
