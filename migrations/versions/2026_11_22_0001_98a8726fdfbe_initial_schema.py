"""initial schema

Revision ID: 98a8726fdfbe
Revises:
Create Date: 2026-11-22 01:49:11.590090
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "98a8726fdfbe"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Rules that involve more than one row live in triggers, so they hold for every writer,
# not only for this service: events are append-only, a claim's span lies in its document's
# body and its text is exactly that slice, and links join claims of different documents.
TRIGGERS = [
    """
    CREATE FUNCTION events_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'events are append-only: % is not allowed', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END $$
    """,
    """
    CREATE TRIGGER events_no_update_delete BEFORE UPDATE OR DELETE ON events
        FOR EACH ROW EXECUTE FUNCTION events_are_append_only()
    """,
    """
    CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
        FOR EACH STATEMENT EXECUTE FUNCTION events_are_append_only()
    """,
    """
    CREATE FUNCTION claims_span_in_body() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        doc_body text;
    BEGIN
        SELECT body INTO doc_body FROM documents WHERE id = NEW.document_id;
        IF NEW.span_end > char_length(doc_body) THEN
            RAISE EXCEPTION 'claim span [%, %) lies outside the body (% characters)',
                NEW.span_start, NEW.span_end, char_length(doc_body)
                USING ERRCODE = 'check_violation', CONSTRAINT = 'ck_claims_span_in_body';
        END IF;
        IF substr(doc_body, NEW.span_start + 1, NEW.span_end - NEW.span_start) <> NEW.text THEN
            RAISE EXCEPTION 'claim text differs from the body at [%, %)',
                NEW.span_start, NEW.span_end
                USING ERRCODE = 'check_violation', CONSTRAINT = 'ck_claims_text_matches_span';
        END IF;
        RETURN NEW;
    END $$
    """,
    """
    CREATE TRIGGER claims_span_in_body BEFORE INSERT OR UPDATE OF document_id, text, span_start,
        span_end ON claims FOR EACH ROW EXECUTE FUNCTION claims_span_in_body()
    """,
    """
    CREATE FUNCTION claim_links_across_documents() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF (SELECT document_id FROM claims WHERE id = NEW.claim_a_id)
           = (SELECT document_id FROM claims WHERE id = NEW.claim_b_id) THEN
            RAISE EXCEPTION 'a link joins claims of two different documents'
                USING ERRCODE = 'check_violation', CONSTRAINT = 'ck_claim_links_across_documents';
        END IF;
        RETURN NEW;
    END $$
    """,
    """
    CREATE TRIGGER claim_links_across_documents BEFORE INSERT OR UPDATE OF claim_a_id, claim_b_id
        ON claim_links FOR EACH ROW EXECUTE FUNCTION claim_links_across_documents()
    """,
]

DROP_TRIGGERS = [
    "DROP TRIGGER claim_links_across_documents ON claim_links",
    "DROP FUNCTION claim_links_across_documents()",
    "DROP TRIGGER claims_span_in_body ON claims",
    "DROP FUNCTION claims_span_in_body()",
    "DROP TRIGGER events_no_truncate ON events",
    "DROP TRIGGER events_no_update_delete ON events",
    "DROP FUNCTION events_are_append_only()",
]


def upgrade() -> None:
    op.create_table(
        "outlets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outlets")),
    )
    op.create_index("uq_outlets_name_lower", "outlets", [sa.text("lower(name)")], unique=True)
    op.create_table(
        "speakers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("role", sa.String(length=300), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("merged_into_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "kind IN ('person', 'organisation', 'unknown')", name=op.f("ck_speakers_kind")
        ),
        sa.CheckConstraint(
            "merged_into_id IS NULL OR merged_into_id <> id",
            name=op.f("ck_speakers_not_merged_self"),
        ),
        sa.ForeignKeyConstraint(
            ["merged_into_id"], ["speakers.id"], name=op.f("fk_speakers_merged_into_id_speakers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_speakers")),
    )
    op.create_index(
        op.f("ix_speakers_merged_into_id"), "speakers", ["merged_into_id"], unique=False
    )
    op.create_index(op.f("ix_speakers_name"), "speakers", ["name"], unique=False)
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("name", name=op.f("uq_users_name")),
    )
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("secret_sha256", sa.String(length=64), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "role IN ('viewer', 'reviewer', 'editor', 'admin')", name=op.f("ck_api_keys_role")
        ),
        sa.CheckConstraint(
            "secret_sha256 ~ '^[0-9a-f]{64}$'", name=op.f("ck_api_keys_secret_sha256_hex")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_api_keys_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("prefix", name=op.f("uq_api_keys_prefix")),
    )
    op.create_index(op.f("ix_api_keys_user_id"), "api_keys", ["user_id"], unique=False)
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("outlet_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=500), nullable=True),
        sa.Column("author", sa.String(length=300), nullable=True),
        sa.Column("url", sa.String(length=2000), nullable=True),
        sa.Column("published_on", sa.Date(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("body_sha256", sa.String(length=64), nullable=False),
        sa.Column("derived_from_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "body_sha256 ~ '^[0-9a-f]{64}$'", name=op.f("ck_documents_body_sha256_hex")
        ),
        sa.CheckConstraint(
            "kind IN ('news', 'op_ed', 'transcript', 'blog', 'notes', 'press_release', 'other')",
            name=op.f("ck_documents_kind"),
        ),
        sa.CheckConstraint("char_length(body) > 0", name=op.f("ck_documents_body_not_empty")),
        sa.CheckConstraint(
            "derived_from_id IS NULL OR derived_from_id <> id",
            name=op.f("ck_documents_not_own_source"),
        ),
        sa.ForeignKeyConstraint(
            ["derived_from_id"],
            ["documents.id"],
            name=op.f("fk_documents_derived_from_id_documents"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["outlet_id"], ["outlets.id"], name=op.f("fk_documents_outlet_id_outlets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
        sa.UniqueConstraint("body_sha256", name=op.f("uq_documents_body_sha256")),
    )
    op.create_index(
        op.f("ix_documents_derived_from_id"), "documents", ["derived_from_id"], unique=False
    )
    op.create_index(op.f("ix_documents_outlet_id"), "documents", ["outlet_id"], unique=False)
    op.create_index(op.f("ix_documents_published_on"), "documents", ["published_on"], unique=False)
    op.create_table(
        "speaker_aliases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("speaker_id", sa.Integer(), nullable=False),
        sa.Column("alias", sa.String(length=300), nullable=False),
        sa.Column("normalized", sa.String(length=300), nullable=False),
        sa.Column("match_score", sa.Double(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["speaker_id"],
            ["speakers.id"],
            name=op.f("fk_speaker_aliases_speaker_id_speakers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_speaker_aliases")),
        sa.UniqueConstraint(
            "speaker_id", "normalized", name=op.f("uq_speaker_aliases_speaker_id_normalized")
        ),
    )
    op.create_index(
        op.f("ix_speaker_aliases_normalized"), "speaker_aliases", ["normalized"], unique=False
    )
    op.create_table(
        "claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("speaker_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("span_start", sa.Integer(), nullable=False),
        sa.Column("span_end", sa.Integer(), nullable=False),
        sa.Column("prefix", sa.Text(), nullable=False),
        sa.Column("suffix", sa.Text(), nullable=False),
        sa.Column("attribution", sa.String(length=20), nullable=False),
        sa.Column("cue", sa.String(length=200), nullable=True),
        sa.Column("claim_date", sa.Date(), nullable=True),
        sa.Column("date_precision", sa.String(length=10), nullable=True),
        sa.Column("checkworthiness", sa.Float(), nullable=False),
        sa.Column("reasons", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=20), nullable=False),
        sa.Column("extractor_version", sa.String(length=40), nullable=True),
        sa.Column(
            "tsv",
            postgresql.TSVECTOR(),
            sa.Computed("to_tsvector('english'::regconfig, text)", persisted=True),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "attribution IN ('direct_quote', 'indirect', 'anonymous', 'document', 'author', 'transcript_turn')",
            name=op.f("ck_claims_attribution"),
        ),
        sa.CheckConstraint(
            "date_precision IS NULL OR date_precision IN ('day', 'month', 'year')",
            name=op.f("ck_claims_date_precision"),
        ),
        sa.CheckConstraint("origin IN ('extracted', 'manual')", name=op.f("ck_claims_origin")),
        sa.CheckConstraint(
            "status IN ('unreviewed', 'verified', 'disputed', 'false', 'unverifiable', 'rejected')",
            name=op.f("ck_claims_status"),
        ),
        sa.CheckConstraint(
            "(claim_date IS NULL) = (date_precision IS NULL)",
            name=op.f("ck_claims_date_has_precision"),
        ),
        sa.CheckConstraint(
            "checkworthiness >= 0 AND checkworthiness <= 1", name=op.f("ck_claims_checkworthiness")
        ),
        sa.CheckConstraint(
            "span_start >= 0 AND span_end > span_start", name=op.f("ck_claims_span_order")
        ),
        sa.CheckConstraint("version >= 1", name=op.f("ck_claims_version_positive")),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_claims_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["speaker_id"], ["speakers.id"], name=op.f("fk_claims_speaker_id_speakers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claims")),
    )
    op.create_index(op.f("ix_claims_claim_date"), "claims", ["claim_date"], unique=False)
    op.create_index(
        "ix_claims_document_id_span_start", "claims", ["document_id", "span_start"], unique=False
    )
    op.create_index(op.f("ix_claims_speaker_id"), "claims", ["speaker_id"], unique=False)
    op.create_index(op.f("ix_claims_status"), "claims", ["status"], unique=False)
    op.create_index("ix_claims_tsv", "claims", ["tsv"], unique=False, postgresql_using="gin")
    op.create_table(
        "events",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column(
            "txid",
            sa.BigInteger(),
            server_default=sa.text("(pg_current_xact_id()::text)::bigint"),
            nullable=False,
        ),
        sa.Column(
            "occurred_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("actor_key_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("entity_type", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("before", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("after", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_key_id"], ["api_keys.id"], name=op.f("fk_events_actor_key_id_api_keys")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
    )
    op.create_index(
        "ix_events_entity_type_entity_id", "events", ["entity_type", "entity_id"], unique=False
    )
    op.create_index("ix_events_txid_id", "events", ["txid", "id"], unique=False)
    op.create_table(
        "claim_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_a_id", sa.Integer(), nullable=False),
        sa.Column("claim_b_id", sa.Integer(), nullable=False),
        sa.Column("relation", sa.String(length=20), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("reasons", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("reviewed_by", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "relation IN ('corroborates', 'conflicts', 'same_claim')",
            name=op.f("ck_claim_links_relation"),
        ),
        sa.CheckConstraint(
            "state IN ('suggested', 'confirmed', 'rejected')", name=op.f("ck_claim_links_state")
        ),
        sa.CheckConstraint("claim_a_id < claim_b_id", name=op.f("ck_claim_links_ordered_pair")),
        sa.CheckConstraint(
            "score IS NULL OR (score >= 0 AND score <= 1)", name=op.f("ck_claim_links_score")
        ),
        sa.ForeignKeyConstraint(
            ["claim_a_id"],
            ["claims.id"],
            name=op.f("fk_claim_links_claim_a_id_claims"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["claim_b_id"],
            ["claims.id"],
            name=op.f("fk_claim_links_claim_b_id_claims"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["api_keys.id"], name=op.f("fk_claim_links_created_by_api_keys")
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by"], ["api_keys.id"], name=op.f("fk_claim_links_reviewed_by_api_keys")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_links")),
        sa.UniqueConstraint(
            "claim_a_id", "claim_b_id", name=op.f("uq_claim_links_claim_a_id_claim_b_id")
        ),
    )
    op.create_index(op.f("ix_claim_links_claim_b_id"), "claim_links", ["claim_b_id"], unique=False)
    op.create_index(op.f("ix_claim_links_state"), "claim_links", ["state"], unique=False)
    op.create_table(
        "evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=True),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "url IS NOT NULL OR document_id IS NOT NULL", name=op.f("ck_evidence_points_somewhere")
        ),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claims.id"],
            name=op.f("fk_evidence_claim_id_claims"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["api_keys.id"], name=op.f("fk_evidence_created_by_api_keys")
        ),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_evidence_document_id_documents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence")),
    )
    op.create_index(op.f("ix_evidence_claim_id"), "evidence", ["claim_id"], unique=False)
    for statement in TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    for statement in DROP_TRIGGERS:
        op.execute(statement)
    op.drop_index(op.f("ix_evidence_claim_id"), table_name="evidence")
    op.drop_table("evidence")
    op.drop_index(op.f("ix_claim_links_state"), table_name="claim_links")
    op.drop_index(op.f("ix_claim_links_claim_b_id"), table_name="claim_links")
    op.drop_table("claim_links")
    op.drop_index("ix_events_txid_id", table_name="events")
    op.drop_index("ix_events_entity_type_entity_id", table_name="events")
    op.drop_table("events")
    op.drop_index("ix_claims_tsv", table_name="claims", postgresql_using="gin")
    op.drop_index(op.f("ix_claims_status"), table_name="claims")
    op.drop_index(op.f("ix_claims_speaker_id"), table_name="claims")
    op.drop_index("ix_claims_document_id_span_start", table_name="claims")
    op.drop_index(op.f("ix_claims_claim_date"), table_name="claims")
    op.drop_table("claims")
    op.drop_index(op.f("ix_speaker_aliases_normalized"), table_name="speaker_aliases")
    op.drop_table("speaker_aliases")
    op.drop_index(op.f("ix_documents_published_on"), table_name="documents")
    op.drop_index(op.f("ix_documents_outlet_id"), table_name="documents")
    op.drop_index(op.f("ix_documents_derived_from_id"), table_name="documents")
    op.drop_table("documents")
    op.drop_index(op.f("ix_api_keys_user_id"), table_name="api_keys")
    op.drop_table("api_keys")
    op.drop_table("users")
    op.drop_index(op.f("ix_speakers_name"), table_name="speakers")
    op.drop_index(op.f("ix_speakers_merged_into_id"), table_name="speakers")
    op.drop_table("speakers")
    op.drop_index("uq_outlets_name_lower", table_name="outlets")
    op.drop_table("outlets")
