"""Outlets and the documents they publish."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.db import Base, CreatedAtMixin
from service.domain.enums import DocumentKind, DocumentState, check_in


class Outlet(CreatedAtMixin, Base):
    __tablename__ = "outlets"
    __table_args__ = (Index("uq_outlets_name_lower", text("lower(name)"), unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(String(2000))


class Document(CreatedAtMixin, Base):
    __tablename__ = "documents"
    __table_args__ = (
        CheckConstraint(check_in("kind", DocumentKind), name="kind"),
        CheckConstraint("char_length(body) > 0", name="body_not_empty"),
        CheckConstraint("body_sha256 ~ '^[0-9a-f]{64}$'", name="body_sha256_hex"),
        CheckConstraint(
            "html_sha256 IS NULL OR html_sha256 ~ '^[0-9a-f]{64}$'", name="html_sha256_hex"
        ),
        CheckConstraint("derived_from_id IS NULL OR derived_from_id <> id", name="not_own_source"),
        CheckConstraint(check_in("state", DocumentState), name="state"),
        # The queue is read by state: a partial index stays as small as the backlog.
        Index(
            "ix_documents_pending",
            "id",
            postgresql_where=text("state IN ('queued', 'extracting', 'failed')"),
        ),
        # A document posted again under its canonical URL is a revision of it.
        Index("ix_documents_url", "url"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    outlet_id: Mapped[int | None] = mapped_column(ForeignKey("outlets.id"), index=True)
    title: Mapped[str | None] = mapped_column(String(500))
    author: Mapped[str | None] = mapped_column(String(300))
    url: Mapped[str | None] = mapped_column(String(2000))
    published_on: Mapped[date | None] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(20), default=DocumentKind.NEWS)
    language: Mapped[str] = mapped_column(String(16), default="en")
    body: Mapped[str] = mapped_column(Text)
    body_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    #: For a document ingested as HTML: the sha256 of the page it was extracted from.
    html_sha256: Mapped[str | None] = mapped_column(String(64), default=None)
    derived_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("documents.id", ondelete="SET NULL"), index=True
    )
    #: Processing: queued -> extracting -> ready | failed (service/jobs.py).
    state: Mapped[str] = mapped_column(
        String(12), default=DocumentState.READY, server_default=DocumentState.READY.value
    )
    #: The last failure's message, kept while a retry is pending and when every attempt failed.
    error: Mapped[str | None] = mapped_column(Text, default=None)
    #: Extraction attempts made by workers.
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: The number of the revision `body` is (1 until the document is posted again changed).
    revision: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    #: The person this document is assigned to ("my work" in the workspace), if anyone.
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None, index=True
    )

    outlet: Mapped[Outlet | None] = relationship(lazy="joined")


class DocumentRevision(CreatedAtMixin, Base):
    """One version of a document's text. Written from the first revision on: revision 1 (the
    text as first stored) when the document is first posted again changed, then each new one;
    a document never revised has none and is its own revision 1."""

    __tablename__ = "document_revisions"
    __table_args__ = (
        UniqueConstraint("document_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint("body_sha256 ~ '^[0-9a-f]{64}$'", name="body_sha256_hex"),
        Index("ix_document_revisions_body_sha256", "body_sha256"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    body_sha256: Mapped[str] = mapped_column(String(64))
    html_sha256: Mapped[str | None] = mapped_column(String(64), default=None)
    title: Mapped[str | None] = mapped_column(String(500), default=None)
    url: Mapped[str | None] = mapped_column(String(2000), default=None)
    #: A copy of this version kept elsewhere (the Wayback Machine, the newsroom's archive).
    archive_url: Mapped[str | None] = mapped_column(String(2000), default=None)
    #: When the newsroom fetched this version, if it says.
    fetched_at: Mapped[datetime | None] = mapped_column(default=None)
    #: How this revision's claims came out of re-anchoring (NULL for revision 1).
    anchored: Mapped[int | None] = mapped_column(Integer, default=None)
    moved: Mapped[int | None] = mapped_column(Integer, default=None)
    orphaned: Mapped[int | None] = mapped_column(Integer, default=None)
