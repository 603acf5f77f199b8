"""The change feed: every event, in an order that never skips one."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from schemas.common import EventPageSchema, EventQuery
from service.api.blueprint import Blueprint
from service.api.context import bearer_actor, db_session, readable
from service.domain.enums import Role
from service.operations.events import list_events

blp = Blueprint(
    "events",
    __name__,
    url_prefix="/api/v1/events",
    description="Append-only history of every change.",
)


@blp.route("")
class Events(MethodView):
    @readable
    @blp.arguments(EventQuery, location="query")
    @blp.response(200, EventPageSchema)
    def get(self, query: dict[str, Any]) -> Any:
        """Events after `since`; poll again with the returned `cursor` to follow the feed.
        Events about people, API keys and webhooks (`users`, `api_keys`,
        `webhook_subscriptions`) are listed to an admin key only: reading may be open to
        anyone, and an account list is an attacker's start. Review texts' events
        (`published_reviews`: drafts) need a key."""
        actor = bearer_actor()
        events, cursor = list_events(
            db_session(),
            since=query.get("since"),
            limit=query["limit"],
            entity_type=query.get("entity_type"),
            entity_id=query.get("entity_id"),
            accounts=actor is not None and actor.role.allows(Role.ADMIN),
            reviews=actor is not None,
        )
        return {"events": events, "cursor": cursor}
