"""Webhooks: admins subscribe URLs to events, read the delivery log and replay deliveries."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from schemas.webhooks import (
    DeliveryOut,
    DeliveryQuery,
    ReplayCreate,
    ReplayOut,
    WebhookCreate,
    WebhookCreatedOut,
    WebhookOut,
    WebhookPatch,
)
from service.api.blueprint import Blueprint
from service.api.context import current_actor, db_session, next_link, requires
from service.domain.enums import Role
from service.models import WebhookSubscription
from service.operations.webhooks import (
    SubscriptionFields,
    create_subscription,
    delete_subscription,
    get_subscription,
    list_deliveries,
    list_subscriptions,
    replay_delivery,
    replay_since,
    rotate_secret,
    update_subscription,
)

blp = Blueprint(
    "webhooks",
    __name__,
    url_prefix="/api/v1/webhooks",
    description=(
        "Signed event deliveries (Standard Webhooks: webhook-id, webhook-timestamp, "
        "webhook-signature = v1,base64(HMAC-SHA256(secret, id.timestamp.body))), admins only."
    ),
)


def _etag(sub: WebhookSubscription) -> dict[str, int]:
    return {"id": sub.id, "version": sub.version}


def _with_secret(sub: WebhookSubscription) -> dict[str, Any]:
    return {name: getattr(sub, name) for name in WebhookCreatedOut().fields}


@blp.route("")
class Webhooks(MethodView):
    @requires(Role.ADMIN)
    @blp.response(200, WebhookOut(many=True))
    def get(self) -> Any:
        """Every subscription; secrets are never shown again."""
        return list_subscriptions(db_session())

    @requires(Role.ADMIN)
    @blp.etag
    @blp.arguments(WebhookCreate)
    @blp.response(201, WebhookCreatedOut)
    def post(self, data: dict[str, Any]) -> Any:
        """Subscribe a URL; the response holds the signing secret, shown this once."""
        session = db_session()
        sub = create_subscription(session, current_actor(), SubscriptionFields(**data))
        session.commit()
        # The ETag a first PATCH needs, as a created link or claim gives it.
        blp.set_etag(_etag(sub))
        return _with_secret(sub), 201, {"Location": f"/api/v1/webhooks/{sub.id}"}


@blp.route("/<int:subscription_id>")
class WebhookById(MethodView):
    @requires(Role.ADMIN)
    @blp.etag
    @blp.response(200, WebhookOut)
    def get(self, subscription_id: int) -> Any:
        """One subscription, with its health (failing since, disabled and why)."""
        sub = get_subscription(db_session(), subscription_id)
        blp.set_etag(_etag(sub))
        return sub

    @requires(Role.ADMIN)
    @blp.etag
    @blp.arguments(WebhookPatch)
    @blp.response(200, WebhookOut)
    def patch(self, data: dict[str, Any], subscription_id: int) -> Any:
        """Change the URL, filters or active flag (If-Match); `active: true` re-enables a
        subscription the service disabled."""
        session = db_session()
        sub = get_subscription(session, subscription_id, for_update=True)
        blp.check_etag(_etag(sub))
        update_subscription(session, current_actor(), subscription_id, data)
        session.commit()
        blp.set_etag(_etag(sub))
        return sub

    @requires(Role.ADMIN)
    @blp.response(204)
    def delete(self, subscription_id: int) -> Any:
        """Delete a subscription and its delivery log; queued deliveries are dropped."""
        session = db_session()
        delete_subscription(session, current_actor(), subscription_id)
        session.commit()


@blp.route("/<int:subscription_id>/secret")
class WebhookSecret(MethodView):
    @requires(Role.ADMIN)
    @blp.response(200, WebhookCreatedOut)
    def post(self, subscription_id: int) -> Any:
        """Rotate the signing secret; the new one is shown this once."""
        session = db_session()
        sub = rotate_secret(session, current_actor(), subscription_id)
        session.commit()
        return _with_secret(sub)


@blp.route("/<int:subscription_id>/deliveries")
class WebhookDeliveries(MethodView):
    @requires(Role.ADMIN)
    @blp.arguments(DeliveryQuery, location="query")
    @blp.response(200, DeliveryOut(many=True))
    def get(self, query: dict[str, Any], subscription_id: int) -> Any:
        """The delivery log, oldest first: status, attempts, last response code and time."""
        deliveries, cursor = list_deliveries(
            db_session(),
            subscription_id,
            status=query.get("status"),
            after=query.get("after"),
            limit=query["limit"],
        )
        return deliveries, 200, next_link(cursor)


@blp.route("/<int:subscription_id>/deliveries/<int:delivery_id>/replay")
class WebhookDeliveryReplay(MethodView):
    @requires(Role.ADMIN)
    @blp.response(202, DeliveryOut)
    def post(self, subscription_id: int, delivery_id: int) -> Any:
        """Send one delivery again, with the same webhook-id."""
        session = db_session()
        delivery = replay_delivery(session, current_actor(), subscription_id, delivery_id)
        session.commit()
        return delivery


@blp.route("/<int:subscription_id>/replay")
class WebhookReplay(MethodView):
    @requires(Role.ADMIN)
    @blp.arguments(ReplayCreate)
    @blp.response(202, ReplayOut)
    def post(self, data: dict[str, Any], subscription_id: int) -> Any:
        """Send again every event after `since_event_id` that the subscription matches,
        in order (at most 10,000 a request: replay again from the last one for more)."""
        session = db_session()
        deliveries, through = replay_since(
            session, current_actor(), subscription_id, data["since_event_id"]
        )
        session.commit()
        return {
            "queued": len(deliveries),
            "delivery_ids": [d.id for d in deliveries],
            "through_event_id": through,
        }
