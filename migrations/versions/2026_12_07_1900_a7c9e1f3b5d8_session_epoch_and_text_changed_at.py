"""A person's session epoch, when a claim's words last changed, what a review was written for

Revision ID: a7c9e1f3b5d8
Revises: f3b5d7e9a1c4
Create Date: 2026-12-07 19:00:00

users.session_epoch: signing out moves it on, and a session cookie carries the epoch it was
made in, so a copied cookie stops working at sign-out (Flask-Login's cookie sessions cannot
be ended otherwise). claims.text_changed_at: when a revision or a person last changed the
words under a claim; a link confirmed before it was confirmed on other words.
published_reviews.written_for: the claim's status when the review's words were saved; the
published ones are filled with their claim's status (what they were published under; a
verdict change withdraws them), the others stay NULL and their withdrawal events say it.
Each column is added without a rewrite (a constant default, or none).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a7c9e1f3b5d8"
down_revision: str | None = "f3b5d7e9a1c4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "users", sa.Column("session_epoch", sa.Integer(), server_default="0", nullable=False)
    )
    op.add_column("claims", sa.Column("text_changed_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("published_reviews", sa.Column("written_for", sa.String(20), nullable=True))
    op.execute(
        "UPDATE published_reviews r SET written_for = c.status FROM claims c "
        "WHERE c.id = r.claim_id AND r.published_at IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_column("published_reviews", "written_for")
    op.drop_column("claims", "text_changed_at")
    op.drop_column("users", "session_epoch")
