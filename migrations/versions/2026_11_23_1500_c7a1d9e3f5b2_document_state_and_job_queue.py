"""documents carry a processing state; procrastinate's job queue lives in the same database

Revision ID: c7a1d9e3f5b2
Revises: b3f7d1e2c8a6
Create Date: 2026-11-23 15:00:00

The queue's tables and functions are procrastinate's own schema for the pinned version
(pyproject.toml). A newer procrastinate ships migration scripts (procrastinate/sql/migrations):
they go in a new revision with the version bump.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from procrastinate.schema import SchemaManager

revision: str = "c7a1d9e3f5b2"
down_revision: str | None = "b3f7d1e2c8a6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATES = "'stored', 'queued', 'extracting', 'ready', 'failed'"


def upgrade() -> None:
    # Documents stored before this revision were extracted in their request: ready.
    op.add_column(
        "documents",
        sa.Column("state", sa.String(length=12), server_default="ready", nullable=False),
    )
    op.add_column("documents", sa.Column("error", sa.Text(), nullable=True))
    op.add_column(
        "documents", sa.Column("attempts", sa.Integer(), server_default="0", nullable=False)
    )
    op.create_check_constraint(op.f("ck_documents_state"), "documents", f"state IN ({STATES})")
    op.create_index(
        "ix_documents_pending",
        "documents",
        ["id"],
        postgresql_where=sa.text("state IN ('queued', 'extracting', 'failed')"),
    )
    op.execute(SchemaManager.get_schema())


def downgrade() -> None:
    # procrastinate has no uninstall script: drop what its schema created, by name.
    op.execute(
        """
        DO $$
        DECLARE r record;
        BEGIN
          FOR r IN SELECT oid::regprocedure AS f FROM pg_proc
                   WHERE proname LIKE 'procrastinate%' AND pronamespace = current_schema()::regnamespace
          LOOP EXECUTE 'DROP FUNCTION ' || r.f || ' CASCADE'; END LOOP;
          FOR r IN SELECT tablename FROM pg_tables
                   WHERE tablename LIKE 'procrastinate%' AND schemaname = current_schema()
          LOOP EXECUTE 'DROP TABLE IF EXISTS ' || quote_ident(r.tablename) || ' CASCADE'; END LOOP;
          FOR r IN SELECT typname FROM pg_type
                   WHERE typname LIKE 'procrastinate%' AND typtype IN ('e', 'c')
                     AND typnamespace = current_schema()::regnamespace
          LOOP EXECUTE 'DROP TYPE IF EXISTS ' || quote_ident(r.typname) || ' CASCADE'; END LOOP;
        END $$;
        """
    )
    op.drop_index("ix_documents_pending", table_name="documents")
    op.drop_constraint(op.f("ck_documents_state"), "documents", type_="check")
    op.drop_column("documents", "attempts")
    op.drop_column("documents", "error")
    op.drop_column("documents", "state")
