"""Claims anchored to a span of a document's body, and the evidence attached to them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Computed,
    Float,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.db import Base, CreatedAtMixin
from service.domain.enums import (
    AnchorState,
    Attribution,
    ClaimOrigin,
    ClaimStatus,
    DatePrecision,
    check_in,
)
from service.models.document import Document
from service.models.speaker import Speaker

#: The writing transaction's id (the class's own `text` column hides sqlalchemy.text there).
_CURRENT_TXID = text("(pg_current_xact_id()::text)::bigint")


class Claim(CreatedAtMixin, Base):
    __tablename__ = "claims"
    __table_args__ = (
        CheckConstraint(check_in("attribution", Attribution), name="attribution"),
        CheckConstraint(check_in("status", ClaimStatus), name="status"),
        CheckConstraint(check_in("origin", ClaimOrigin), name="origin"),
        CheckConstraint(
            f"date_precision IS NULL OR {check_in('date_precision', DatePrecision)}",
            name="date_precision",
        ),
        CheckConstraint(
            "(claim_date IS NULL) = (date_precision IS NULL)", name="date_has_precision"
        ),
        CheckConstraint("span_start >= 0 AND span_end > span_start", name="span_order"),
        CheckConstraint("checkworthiness >= 0 AND checkworthiness <= 1", name="checkworthiness"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint(
            f"anchor_state IS NULL OR {check_in('anchor_state', AnchorState)}",
            name="anchor_state",
        ),
        Index("ix_claims_document_id_span_start", "document_id", "span_start"),
        # No pending list: every new claim's suggestions search this index (migration
        # b5d7f9a1c3e6).
        Index(
            "ix_claims_tsv", "tsv", postgresql_using="gin", postgresql_with={"fastupdate": "off"}
        ),
        # The review queue: a status's claims, most check-worthy first (operations/queue.py).
        Index("ix_claims_queue", "status", text("checkworthiness DESC"), text("id DESC")),
        # The NDJSON export pages by (txid, id) (reports/exports.py).
        Index("ix_claims_txid_id", "txid", "id"),
        # GET /claims?needs_review=true scans only the claims a review flag can be shown on
        # (operations/claims.py, _may_need_review).
        Index(
            "ix_claims_may_need_review",
            "id",
            postgresql_where=text(
                "review_flag IS NOT NULL OR status IN ('verified', 'disputed', 'false')"
            ),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    speaker_id: Mapped[int | None] = mapped_column(ForeignKey("speakers.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    span_start: Mapped[int]
    span_end: Mapped[int]
    #: ~32 characters either side (W3C TextQuoteSelector) for re-anchoring after revisions.
    prefix: Mapped[str] = mapped_column(Text, default="")
    suffix: Mapped[str] = mapped_column(Text, default="")
    attribution: Mapped[str] = mapped_column(String(20), default=Attribution.AUTHOR)
    cue: Mapped[str | None] = mapped_column(String(200))
    claim_date: Mapped[date | None] = mapped_column(index=True)
    date_precision: Mapped[str | None] = mapped_column(String(10))
    checkworthiness: Mapped[float] = mapped_column(Float, default=0.5)
    reasons: Mapped[list[Any]] = mapped_column(JSONB, default=list)
    status: Mapped[str] = mapped_column(String(20), default=ClaimStatus.UNREVIEWED, index=True)
    version: Mapped[int] = mapped_column(default=1)
    origin: Mapped[str] = mapped_column(String(20), default=ClaimOrigin.MANUAL)
    extractor_version: Mapped[str | None] = mapped_column(String(40))
    #: The speaker's name as the text gave it, before it was matched to a speaker entity:
    #: what lets a person undo a fuzzy match.
    speaker_as_written: Mapped[str | None] = mapped_column(String(300), default=None)
    #: The document revision the span refers to (an orphaned claim keeps the one it was last
    #: found in), and where re-anchoring left it (NULL: its document was never revised).
    revision: Mapped[int] = mapped_column(default=1, server_default="1")
    anchor_state: Mapped[str | None] = mapped_column(String(10), default=None)
    #: A moved claim's text before the revision changed it.
    previous_text: Mapped[str | None] = mapped_column(Text, default=None)
    #: Why a decided claim needs another look (its text changed after the verdict); cleared
    #: by the next decision.
    review_flag: Mapped[str | None] = mapped_column(Text, default=None)
    #: When a revision or a person last changed the words under the claim (None: never since
    #: it was made): a link confirmed before then was confirmed on other words.
    text_changed_at: Mapped[datetime | None] = mapped_column(default=None)
    #: The person this claim is assigned to ("my work" in the workspace), if anyone.
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None, index=True
    )
    #: Updates made by the service, not a person (re-anchoring): each bumps `version` too,
    #: so a claim no person touched has version == 1 + machine_edits.
    machine_edits: Mapped[int] = mapped_column(default=0, server_default="0")
    #: Only ever used in WHERE clauses: deferred so loading a claim never ships it.
    tsv: Mapped[str] = mapped_column(
        TSVECTOR,
        Computed("to_tsvector('english'::regconfig, text)", persisted=True),
        deferred=True,
    )
    #: The claim's sentence embedding (service/linking/semantic.py) as float16 bytes; set for
    #: check-worthy claims, the ones link suggestions are made between. Deferred like tsv.
    embedding: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())
    #: The inserting transaction's id (0 for claims stored before it was kept): the export
    #: pages by (txid, id) and hands out only claims of transactions older than every one
    #: still running, so none is skipped when transactions commit out of id order.
    txid: Mapped[int] = mapped_column(BigInteger, server_default=_CURRENT_TXID)

    document: Mapped[Document] = relationship()
    speaker: Mapped[Speaker | None] = relationship()
    evidence: Mapped[list[Evidence]] = relationship(back_populates="claim", order_by="Evidence.id")

    __mapper_args__ = {"version_id_col": version, "eager_defaults": True}

    @property
    def span(self) -> dict[str, int]:
        """W3C TextPositionSelector: 0-based code point offsets, end exclusive."""
        return {"start": self.span_start, "end": self.span_end}


class Evidence(CreatedAtMixin, Base):
    __tablename__ = "evidence"
    __table_args__ = (
        CheckConstraint("url IS NOT NULL OR document_id IS NOT NULL", name="points_somewhere"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    url: Mapped[str | None] = mapped_column(String(2000))
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))

    claim: Mapped[Claim] = relationship(back_populates="evidence")
