"""The append-only history of every change. Postgres refuses UPDATE/DELETE/TRUNCATE on it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from service.db import Base


class Event(Base):
    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_txid_id", "txid", "id"),
        Index("ix_events_entity_type_entity_id", "entity_type", "entity_id"),
        # A claim's history with its links' (operations/claims.claim_history): the events of
        # every link either side of which is the claim, a deleted link's included.
        *(
            Index(
                f"ix_events_link_{side}",
                text(f"((coalesce(after, before) ->> '{side}_id')::bigint)"),
                postgresql_where=text("entity_type = 'claim_links'"),
            )
            for side in ("claim_a", "claim_b")
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    #: The writing transaction's id: the change feed pages by (txid, id) and only hands out
    #: events of transactions older than every one still running, so no event is skipped
    #: when transactions commit out of id order.
    txid: Mapped[int] = mapped_column(
        BigInteger, server_default=text("(pg_current_xact_id()::text)::bigint")
    )
    occurred_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    actor_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(60))
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int]
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    reason: Mapped[str | None] = mapped_column(Text)
