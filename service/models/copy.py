"""Syndicated copies: each document's MinHash LSH band keys (the index that finds candidate
copies in a lookup whose cost does not grow with the number of documents), and the copies a
reviewer is asked to confirm."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from service.db import Base, CreatedAtMixin
from service.domain.enums import LinkState, check_in


class DocumentBand(Base):
    """One band of a document's MinHash signature (service/copies/shingles.py)."""

    __tablename__ = "document_bands"
    __table_args__ = (Index("ix_document_bands_band_key", "band", "key"),)

    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    band: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    key: Mapped[int] = mapped_column(BigInteger)


class DocumentCopy(CreatedAtMixin, Base):
    """`document_id` looks like a copy of `source_id` (the earlier of the two). Suggested by
    the service at ingest with its resemblance; a reviewer confirms it (the document then
    derives from the source: one origin) or rejects it (never suggested again)."""

    __tablename__ = "document_copies"
    __table_args__ = (
        CheckConstraint(check_in("state", LinkState), name="state"),
        CheckConstraint("document_id <> source_id", name="not_own_copy"),
        UniqueConstraint("document_id", "source_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    source_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    #: Jaccard resemblance of the two bodies' word 5-gram sets.
    similarity: Mapped[float] = mapped_column(Float)
    #: Shared 5-grams over the smaller body's: 1.0 when one is wholly inside the other.
    containment: Mapped[float] = mapped_column(Float)
    state: Mapped[str] = mapped_column(String(20), default=LinkState.SUGGESTED)
    rationale: Mapped[str | None] = mapped_column(Text, default=None)
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"), default=None)
    reviewed_at: Mapped[datetime | None] = mapped_column(default=None)
    version: Mapped[int] = mapped_column(default=1)
