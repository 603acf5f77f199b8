"""Links between claims of different documents: one per unordered pair."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from service.db import Base, CreatedAtMixin
from service.domain.enums import LinkRelation, LinkState, check_in


class ClaimLink(CreatedAtMixin, Base):
    __tablename__ = "claim_links"
    __table_args__ = (
        CheckConstraint(check_in("relation", LinkRelation), name="relation"),
        CheckConstraint(check_in("state", LinkState), name="state"),
        # Storing the pair ordered makes "one link per unordered pair" a plain unique key.
        CheckConstraint("claim_a_id < claim_b_id", name="ordered_pair"),
        CheckConstraint("score IS NULL OR (score >= 0 AND score <= 1)", name="score"),
        UniqueConstraint("claim_a_id", "claim_b_id"),
        # The review queue: suggested links, most confident first (operations/queue.py).
        Index(
            "ix_claim_links_queue",
            text("coalesce(score, 0.0) DESC"),
            text("id DESC"),
            postgresql_where=text("state = 'suggested'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_a_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"))
    claim_b_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    relation: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(20), default=LinkState.SUGGESTED, index=True)
    score: Mapped[float | None] = mapped_column(Float)
    reasons: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    rationale: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    reviewed_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())

    __mapper_args__ = {"version_id_col": version, "eager_defaults": True}
