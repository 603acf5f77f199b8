"""Our own reviews, as the public reads them: one per decided claim an editor publishes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from service.db import Base


class PublishedReview(Base):
    """The review text an editor wrote for a decided claim, and whether it is public. The
    public page (/reviews/{claim_id}) and the ClaimReview feed show only published ones."""

    __tablename__ = "published_reviews"

    claim_id: Mapped[int] = mapped_column(
        ForeignKey("claims.id", ondelete="CASCADE"), primary_key=True
    )
    headline: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    #: NULL while it is a draft (or after it was withdrawn).
    published_at: Mapped[datetime | None] = mapped_column(default=None)
    #: The claim's status when these words were written (saved): words written for another
    #: verdict are not served or published under the claim's verdict now. NULL for reviews
    #: saved before this was kept (their withdrawal events say it).
    written_for: Mapped[str | None] = mapped_column(String(20), default=None)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())
    version: Mapped[int] = mapped_column(default=1)

    @property
    def id(self) -> int:
        """The claim's id: what the history files the review's events under."""
        return self.claim_id
