"""Speaker entities (who asserted a claim) and the name variants that point at them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.db import Base, CreatedAtMixin
from service.domain.enums import SpeakerKind, check_in


class Speaker(CreatedAtMixin, Base):
    __tablename__ = "speakers"
    __table_args__ = (
        CheckConstraint(check_in("kind", SpeakerKind), name="kind"),
        CheckConstraint("merged_into_id IS NULL OR merged_into_id <> id", name="not_merged_self"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300), index=True)
    kind: Mapped[str] = mapped_column(String(20), default=SpeakerKind.PERSON)
    role: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    #: Set when a reviewer merged this entity into another; kept so old ids still resolve.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("speakers.id"), index=True)
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())

    aliases: Mapped[list[SpeakerAlias]] = relationship(
        back_populates="speaker", order_by="SpeakerAlias.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version, "eager_defaults": True}


class SpeakerAlias(CreatedAtMixin, Base):
    __tablename__ = "speaker_aliases"
    __table_args__ = (UniqueConstraint("speaker_id", "normalized"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    speaker_id: Mapped[int] = mapped_column(ForeignKey("speakers.id", ondelete="CASCADE"))
    alias: Mapped[str] = mapped_column(String(300))
    #: Lower-cased, whitespace-folded form used for lookups.
    normalized: Mapped[str] = mapped_column(String(300), index=True)
    #: How sure the matcher was when it attached this alias (1.0 for a person's edit).
    match_score: Mapped[float | None]

    speaker: Mapped[Speaker] = relationship(back_populates="aliases")
