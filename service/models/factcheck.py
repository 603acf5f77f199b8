"""Fact-checks published elsewhere (ClaimReview), the label map that reads their ratings, and
their matches with our claims."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Computed,
    Float,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB, TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.db import Base, CreatedAtMixin
from service.domain.enums import LinkState, check_in

#: Statuses a rating maps to (our vocabulary's verdicts).
VERDICTS = ("verified", "disputed", "false", "unverifiable")
_VERDICTS_SQL = ", ".join(f"'{v}'" for v in VERDICTS)


class FactCheck(CreatedAtMixin, Base):
    """One ClaimReview: a claim another fact-checker reviewed, its rating and publisher. The
    JSON-LD is kept verbatim in `raw`; one row per (review URL, claim reviewed)."""

    __tablename__ = "fact_checks"
    __table_args__ = (
        UniqueConstraint("url", "claim_sha256"),
        CheckConstraint(f"status IS NULL OR status IN ({_VERDICTS_SQL})", name="status"),
        # No pending list: every claim's match reads this index (see migration d4b6f8a0c2e3).
        Index(
            "ix_fact_checks_tsv",
            "tsv",
            postgresql_using="gin",
            postgresql_with={"fastupdate": "off"},
        ),
        Index(
            "ix_fact_checks_body_tsv",
            "body_tsv",
            postgresql_using="gin",
            postgresql_with={"fastupdate": "off"},
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    claim_reviewed: Mapped[str] = mapped_column(Text)
    claim_sha256: Mapped[str] = mapped_column(String(64))
    #: The review article's headline (schema.org `name`/`headline`), when it has one.
    headline: Mapped[str | None] = mapped_column(Text, default=None)
    claimant: Mapped[str | None] = mapped_column(String(500), default=None)
    claim_date: Mapped[date | None] = mapped_column(default=None)
    review_date: Mapped[date | None] = mapped_column(default=None)
    publisher: Mapped[str] = mapped_column(String(300))
    publisher_url: Mapped[str | None] = mapped_column(String(2000), default=None)
    rating_name: Mapped[str | None] = mapped_column(String(300), default=None)
    rating_value: Mapped[float | None] = mapped_column(Float, default=None)
    best_rating: Mapped[float | None] = mapped_column(Float, default=None)
    worst_rating: Mapped[float | None] = mapped_column(Float, default=None)
    language: Mapped[str | None] = mapped_column(String(16), default=None)
    #: The rating in our vocabulary (the label map, else the rating's place on its scale).
    status: Mapped[str | None] = mapped_column(String(20), default=None)
    raw: Mapped[dict[str, Any]] = mapped_column(JSONB)
    source: Mapped[str] = mapped_column(String(20))
    tsv: Mapped[str] = mapped_column(
        TSVECTOR,
        Computed(
            "to_tsvector('english'::regconfig, claim_reviewed || ' ' || coalesce(headline, ''))",
            persisted=True,
        ),
        deferred=True,
    )
    embedding: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True, default=None)
    #: The opening of the review article (matching.BODY_CHARS characters of the page's main
    #: text), where the fact-check came from a page; a feed item has none. Read by matching
    #: only, never served.
    body: Mapped[str | None] = mapped_column(Text, deferred=True, default=None)
    #: The words matched against claims where there is an article: NULL without one.
    body_tsv: Mapped[str | None] = mapped_column(
        TSVECTOR,
        Computed(
            "to_tsvector('english'::regconfig,"
            " claim_reviewed || ' ' || coalesce(headline, '') || ' ' || body)",
            persisted=True,
        ),
        deferred=True,
    )


class RatingLabel(Base):
    """How a textual rating ("Pants on Fire", "Mostly false") reads in our vocabulary.
    Defaults are installed by the migration; admins edit them through the API."""

    __tablename__ = "rating_labels"
    __table_args__ = (
        CheckConstraint(f"status IN ({_VERDICTS_SQL})", name="status"),
        UniqueConstraint("label"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Lower case, white space folded.
    label: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())


class FactCheckMatch(CreatedAtMixin, Base):
    """A stored fact-check that may check one of our claims, with the match model's
    probability and its strength (`show` or `strong`); a reviewer confirms or rejects it."""

    __tablename__ = "fact_check_matches"
    __table_args__ = (
        UniqueConstraint("claim_id", "fact_check_id"),
        CheckConstraint(check_in("state", LinkState), name="state"),
        CheckConstraint("strength IN ('show', 'strong')", name="strength"),
        CheckConstraint("score >= 0 AND score <= 1", name="score"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    fact_check_id: Mapped[int] = mapped_column(
        ForeignKey("fact_checks.id", ondelete="CASCADE"), index=True
    )
    score: Mapped[float] = mapped_column(Float)
    strength: Mapped[str] = mapped_column(String(10))
    reasons: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    state: Mapped[str] = mapped_column(String(20), default=LinkState.SUGGESTED)
    rationale: Mapped[str | None] = mapped_column(Text, default=None)
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"), default=None)
    reviewed_at: Mapped[datetime | None] = mapped_column(default=None)
    version: Mapped[int] = mapped_column(default=1)

    fact_check: Mapped[FactCheck] = relationship(lazy="joined", innerjoin=True)


class FactCheckTerm(Base):
    """How many stored fact-checks hold each token (`matching.tokens`): the document
    frequencies behind the match model's BM25. Kept by the import in the same transaction as
    the fact-checks it counts; the empty term is held by every fact-check, so its count is
    how many there are. A count is only ever moved by the change it records (no clamping, so
    that an update that takes a word off is never lost); readers clamp (TermCounts.idf)."""

    __tablename__ = "fact_check_terms"

    term: Mapped[str] = mapped_column(Text, primary_key=True)
    documents: Mapped[int] = mapped_column()
