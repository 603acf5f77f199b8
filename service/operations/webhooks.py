"""Webhook subscriptions (admins), their delivery log, and replays."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.domain.enums import DeliveryStatus
from service.domain.errors import InvalidInput, NotFound
from service.models import Document, Event, Outlet, WebhookDelivery, WebhookSubscription
from service.operations.actors import Actor
from service.operations.events import record_event, snapshot
from service.operations.pagination import keyset_page
from service.webhooks import signing
from service.webhooks.events import EVENT_TYPES
from service.webhooks.outbox import defer_delivery, insert_deliveries
from service.webhooks.targets import UnsafeTarget, check_target

#: Most deliveries one replay request may queue; replay again from the last one for more.
REPLAY_MAX = 10_000


@dataclass(frozen=True)
class SubscriptionFields:
    url: str
    description: str | None = None
    event_types: list[str] | None = None
    document_id: int | None = None
    outlet_id: int | None = None
    active: bool = True


def _check(session: Session, values: dict[str, Any]) -> None:
    if "url" in values:
        try:
            check_target(values["url"])
        except UnsafeTarget as exc:
            raise InvalidInput("url", str(exc)) from None
    for name in values.get("event_types") or []:
        if name not in EVENT_TYPES:
            raise InvalidInput("event_types", f"unknown event type {name!r}")
    if values.get("document_id") is not None and not session.get(Document, values["document_id"]):
        raise InvalidInput("document_id", f"no document {values['document_id']}")
    if values.get("outlet_id") is not None and not session.get(Outlet, values["outlet_id"]):
        raise InvalidInput("outlet_id", f"no outlet {values['outlet_id']}")
    document_id, outlet_id = values.get("document_id"), values.get("outlet_id")
    if document_id is not None and outlet_id is not None:
        # Both filters hold at once: a document of another outlet would never be delivered.
        doc = session.get(Document, document_id)
        if doc is not None and doc.outlet_id != outlet_id:
            its = "it has no outlet" if doc.outlet_id is None else f"its is {doc.outlet_id}"
            raise InvalidInput(
                "outlet_id",
                f"document {document_id} is not from outlet {outlet_id} ({its}): with both "
                "filters nothing would be delivered",
            )


def public_snapshot(sub: WebhookSubscription) -> dict[str, Any]:
    """What the history keeps of a subscription: anybody may read events, and a receiver's
    URL can carry a credential in its path or query (chat services' hooks do), and a
    disabled subscription's reason quotes the receiver's answer. Scheme and host only."""
    shown = snapshot(sub)
    parts = urlsplit(sub.url)
    shown["url"] = f"{parts.scheme}://{parts.hostname}/…"
    if shown.get("disabled_reason"):
        shown["disabled_reason"] = "disabled after failing for a day"
    return shown


def create_subscription(
    session: Session, actor: Actor, new: SubscriptionFields
) -> WebhookSubscription:
    """A subscription with a fresh secret (the caller shows it once)."""
    _check(session, vars(new))
    sub = WebhookSubscription(
        url=new.url,
        description=new.description,
        event_types=sorted(set(new.event_types)) if new.event_types else None,
        document_id=new.document_id,
        outlet_id=new.outlet_id,
        active=new.active,
        secret=signing.new_secret(),
    )
    session.add(sub)
    session.flush()
    record_event(session, actor, "webhook.created", sub, after=public_snapshot(sub))
    return sub


def get_subscription(
    session: Session, subscription_id: int, *, for_update: bool = False
) -> WebhookSubscription:
    sub = session.get(
        WebhookSubscription, subscription_id, with_for_update=True if for_update else None
    )
    if sub is None:
        raise NotFound(f"no webhook subscription {subscription_id}")
    return sub


def list_subscriptions(session: Session) -> list[WebhookSubscription]:
    return list(session.scalars(select(WebhookSubscription).order_by(WebhookSubscription.id)))


def update_subscription(
    session: Session, actor: Actor, subscription_id: int, changes: dict[str, Any]
) -> WebhookSubscription:
    """Change what a subscription receives; `active: true` re-enables a disabled one (its
    skipped and failed deliveries stay in the log: replay them)."""
    sub = get_subscription(session, subscription_id, for_update=True)
    _check(
        session,
        {"document_id": sub.document_id, "outlet_id": sub.outlet_id} | changes
        if {"document_id", "outlet_id"} & changes.keys()
        else changes,
    )
    before = public_snapshot(sub)
    if changes.get("event_types"):
        changes["event_types"] = sorted(set(changes["event_types"]))
    if sub.disabled_at is None and all(
        getattr(sub, name) == value for name, value in changes.items()
    ):
        # Nothing to change: no new version, no event (a PATCH sending the same values).
        return sub
    for name, value in changes.items():
        setattr(sub, name, value)
    if changes.get("active"):
        sub.disabled_at = None
        sub.disabled_reason = None
        sub.failing_since = None
    sub.version += 1
    session.flush()
    record_event(session, actor, "webhook.edited", sub, before=before, after=public_snapshot(sub))
    return sub


def rotate_secret(session: Session, actor: Actor, subscription_id: int) -> WebhookSubscription:
    """A new signing secret, effective for the next attempt (the caller shows it once)."""
    sub = get_subscription(session, subscription_id, for_update=True)
    sub.secret = signing.new_secret()
    sub.version += 1
    session.flush()
    record_event(session, actor, "webhook.secret_rotated", sub, after=public_snapshot(sub))
    return sub


def delete_subscription(session: Session, actor: Actor, subscription_id: int) -> None:
    """Delete a subscription and its delivery log (the events themselves stay)."""
    sub = get_subscription(session, subscription_id, for_update=True)
    record_event(session, actor, "webhook.deleted", sub, before=public_snapshot(sub))
    session.delete(sub)
    session.flush()


def list_deliveries(
    session: Session,
    subscription_id: int,
    *,
    status: str | None,
    after: str | None,
    limit: int,
) -> tuple[list[WebhookDelivery], str | None]:
    get_subscription(session, subscription_id)
    stmt = select(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription_id)
    if status:
        stmt = stmt.where(WebhookDelivery.status == status)
    return keyset_page(session, stmt, [WebhookDelivery.id], after=after, limit=limit)


def _requeue(session: Session, deliveries: list[WebhookDelivery]) -> None:
    for delivery in deliveries:
        delivery.status = DeliveryStatus.PENDING
        delivery.next_attempt_at = None
        delivery.last_error = None
    session.flush()
    for delivery in sorted(deliveries, key=lambda d: d.event_id):
        defer_delivery(session, delivery.id, delivery.subscription_id, delivery.entity_key)


def replay_delivery(
    session: Session, actor: Actor, subscription_id: int, delivery_id: int
) -> WebhookDelivery:
    """Send one delivery again (same `webhook-id`), whatever its status."""
    sub = get_subscription(session, subscription_id, for_update=True)
    delivery = session.get(WebhookDelivery, delivery_id, with_for_update={"of": WebhookDelivery})
    if delivery is None or delivery.subscription_id != sub.id:
        raise NotFound(f"no delivery {delivery_id} for webhook subscription {subscription_id}")
    if not sub.active:
        raise InvalidInput("active", "the subscription is inactive: enable it first")
    _requeue(session, [delivery])
    record_event(session, actor, "webhook.replayed", sub, after={"delivery_ids": [delivery.id]})
    return delivery


#: Deliveries a subscription is owed for the events after :since, the next :limit of them.
_MISSING = insert_deliveries(
    "e.id IN (SELECT id FROM events WHERE id > :since ORDER BY id LIMIT :limit)",
    "s.id = :subscription_id",
)


def replay_since(
    session: Session, actor: Actor, subscription_id: int, since_event_id: int
) -> tuple[list[WebhookDelivery], int]:
    """Send again every event after `since_event_id` that the subscription matches (as it
    is now), among the next REPLAY_MAX events: deliveries it already had go again with their
    id, missing ones are created. Returns them and the last event id the window covered
    (replay from it for the rest)."""
    sub = get_subscription(session, subscription_id, for_update=True)
    if not sub.active:
        raise InvalidInput("active", "the subscription is inactive: enable it first")
    if since_event_id and session.get(Event, since_event_id) is None:
        raise InvalidInput("since_event_id", f"no event {since_event_id}")
    # The window: the next REPLAY_MAX events; deliveries are created for the ones missing
    # and every delivery in it goes again, so a replay continued from `through` skips none.
    through = session.scalar(
        select(func.max(Event.id)).where(
            Event.id.in_(
                select(Event.id)
                .where(Event.id > since_event_id)
                .order_by(Event.id)
                .limit(REPLAY_MAX)
            )
        )
    )
    if through is None:
        return [], since_event_id
    session.execute(
        _MISSING,
        {
            "since": since_event_id,
            "limit": REPLAY_MAX,
            "subscription_id": sub.id,
            "deliverable": list(EVENT_TYPES),
        },
    )
    deliveries = list(
        session.scalars(
            select(WebhookDelivery)
            .where(
                WebhookDelivery.subscription_id == sub.id,
                WebhookDelivery.event_id > since_event_id,
                WebhookDelivery.event_id <= through,
            )
            .order_by(WebhookDelivery.event_id)
        )
    )
    _requeue(session, deliveries)
    record_event(
        session,
        actor,
        "webhook.replayed",
        sub,
        after={
            "since_event_id": since_event_id,
            "through_event_id": through,
            "deliveries": len(deliveries),
        },
    )
    return deliveries, through
