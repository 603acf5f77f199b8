"""Webhook subscriptions and their delivery log (the outbox: one row per event per subscription)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.db import Base, CreatedAtMixin
from service.domain.enums import DeliveryStatus, check_in


class WebhookSubscription(CreatedAtMixin, Base):
    """Where an admin asked events to be sent. The secret signs every delivery (HMAC-SHA256,
    Standard Webhooks): it has to be kept in clear to sign, and is shown once, at creation."""

    __tablename__ = "webhook_subscriptions"
    __table_args__ = (
        CheckConstraint("url ~ '^https?://'", name="url_http"),
        CheckConstraint("secret ~ '^whsec_'", name="secret_prefix"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str | None] = mapped_column(String(500), default=None)
    #: Event types sent; NULL sends every type.
    event_types: Mapped[list[str] | None] = mapped_column(ARRAY(String(60)), default=None)
    document_id: Mapped[int | None] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), default=None
    )
    outlet_id: Mapped[int | None] = mapped_column(
        ForeignKey("outlets.id", ondelete="CASCADE"), default=None
    )
    active: Mapped[bool] = mapped_column(default=True, server_default="true")
    secret: Mapped[str] = mapped_column(String(100))
    #: When deliveries started failing without a success since (NULL: healthy).
    failing_since: Mapped[datetime | None] = mapped_column(default=None)
    last_success_at: Mapped[datetime | None] = mapped_column(default=None)
    disabled_at: Mapped[datetime | None] = mapped_column(default=None)
    disabled_reason: Mapped[str | None] = mapped_column(Text, default=None)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())


class WebhookDelivery(CreatedAtMixin, Base):
    """One event for one subscription: written in the event's own transaction, with the job
    that sends it (the transactional outbox), then updated by each attempt."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        CheckConstraint(check_in("status", DeliveryStatus), name="status"),
        UniqueConstraint("subscription_id", "event_id"),
        Index("ix_webhook_deliveries_subscription_id_id", "subscription_id", "id"),
        Index(
            "ix_webhook_deliveries_pending",
            "subscription_id",
            postgresql_where=text("status IN ('pending', 'retrying')"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_subscriptions.id", ondelete="CASCADE")
    )
    #: No foreign key: events are never deleted (a trigger refuses it), and a key would make
    #: TRUNCATE fail on the key instead of on the append-only rule.
    event_id: Mapped[int] = mapped_column(BigInteger, index=True)
    event_type: Mapped[str] = mapped_column(String(60))
    #: What the event is about ("claims:42"): deliveries of one subscription about one entity
    #: are sent one at a time, in event order (the job's procrastinate lock).
    entity_key: Mapped[str] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(
        String(12), default=DeliveryStatus.PENDING, server_default=DeliveryStatus.PENDING.value
    )
    attempts: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")
    last_attempt_at: Mapped[datetime | None] = mapped_column(default=None)
    last_status_code: Mapped[int | None] = mapped_column(SmallInteger, default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    next_attempt_at: Mapped[datetime | None] = mapped_column(default=None)
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)

    subscription: Mapped[WebhookSubscription] = relationship(lazy="joined", innerjoin=True)
