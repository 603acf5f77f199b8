"""The append-only history: every change of anything is recorded here, in the same transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import literal_column, or_, select, tuple_
from sqlalchemy.orm import Session

from service.db import Base
from service.models import Event
from service.operations.actors import Actor
from service.operations.pagination import decode_cursor, encode_cursor
from service.webhooks import outbox

#: Every committing session that wrote events also writes their webhook deliveries.
assert outbox.QUEUE

#: The oldest transaction still running, and the reader's own (if it wrote): what the change
#: feed and the NDJSON export compare a row's writing transaction (`txid`) with.
SNAPSHOT_XMIN = "(pg_snapshot_xmin(pg_current_snapshot())::text)::bigint"
OWN_TXID = "(pg_current_xact_id_if_assigned()::text)::bigint"
#: Columns left out of snapshots: derived (tsv), too large to repeat in every event (body), or
#: bookkeeping (txid). A webhook's signing secret is never copied into the history (anybody
#: may read events).
_SKIP = {
    "tsv",
    "body",
    "body_tsv",
    "created_at",
    "updated_at",
    "embedding",
    "secret",
    "secret_sha256",
    "txid",
}
#: Events about the newsroom's accounts (people, API keys, webhook receivers): the event feed
#: lists them to an admin only, since reading may be open to anyone.
ACCOUNT_ENTITIES = ("users", "api_keys", "webhook_subscriptions")
#: Events of review texts: drafts are the newsroom's (the public reads published reviews on
#: their pages), so the feed and a claim's history give them to a key holder only.
REVIEW_ENTITIES = ("published_reviews",)


def snapshot(obj: Base) -> dict[str, Any]:
    """A JSON-able dict of an entity's column values, for an event's before/after."""
    out: dict[str, Any] = {}
    for column in obj.__table__.columns:
        if column.key in _SKIP:
            continue
        value = getattr(obj, column.key)
        if isinstance(value, datetime | date):
            value = value.isoformat()
        out[column.key] = value
    return out


def record_event(
    session: Session,
    actor: Actor,
    action: str,
    entity: Base,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str | None = None,
) -> Event:
    """Append one event about `entity` (which must have been flushed, so it has an id)."""
    session.flush()
    event = Event(
        actor_key_id=actor.key_id,
        actor=actor.name,
        action=action,
        entity_type=entity.__tablename__,
        entity_id=entity.id,  # type: ignore[attr-defined]
        before=before,
        after=after,
        reason=reason,
    )
    session.add(event)
    session.flush()
    return event


def record_review(
    session: Session,
    actor: Actor,
    action: str,
    entity: Base,
    *,
    state: str,
    rationale: str,
    before: dict[str, Any],
) -> None:
    """A person's review of a suggestion (a link, a syndicated copy, a fact-check match):
    its state, why, who and when, and one event from `before` to what it is now."""
    entity.state = state  # type: ignore[attr-defined]
    entity.rationale = rationale  # type: ignore[attr-defined]
    entity.reviewed_by = actor.key_id  # type: ignore[attr-defined]
    entity.reviewed_at = datetime.now(UTC)  # type: ignore[attr-defined]
    session.flush()
    record_event(
        session, actor, action, entity, before=before, after=snapshot(entity), reason=rationale
    )


def record_created(session: Session, actor: Actor, action: str, entities: Sequence[Base]) -> None:
    """One `action` event per entity just inserted (and flushed), with its snapshot as
    `after`, written in one statement: what a batch insert records."""
    session.add_all(
        [
            Event(
                actor_key_id=actor.key_id,
                actor=actor.name,
                action=action,
                entity_type=entity.__tablename__,
                entity_id=entity.id,  # type: ignore[attr-defined]
                after=snapshot(entity),
            )
            for entity in entities
        ]
    )
    session.flush()


def list_events(
    session: Session,
    *,
    since: str | None,
    limit: int,
    entity_type: str | None = None,
    entity_id: int | None = None,
    accounts: bool = True,
    reviews: bool = True,
) -> tuple[list[Event], str | None]:
    """Events in commit-safe order, after the cursor; returns (events, cursor of the last one).
    Without `accounts`, events about people, keys and webhooks are left out; without
    `reviews`, those of review texts.

    Only events of transactions older than every transaction still running are handed out,
    ordered by (txid, id): an event that commits later can never sort before a cursor already
    given to a client, so a consumer polling with `since` never misses one.
    """
    stmt = select(Event).where(
        or_(
            Event.txid < literal_column(SNAPSHOT_XMIN),
            # A transaction sees its own events (this matters for tests nested in one).
            Event.txid == literal_column(OWN_TXID),
        )
    )
    if since:
        stmt = stmt.where(
            tuple_(Event.txid, Event.id) > tuple_(*decode_cursor(since, 2, "events", field="since"))
        )
    if entity_type:
        stmt = stmt.where(Event.entity_type == entity_type)
    if entity_id is not None:
        stmt = stmt.where(Event.entity_id == entity_id)
    hidden = (() if accounts else ACCOUNT_ENTITIES) + (() if reviews else REVIEW_ENTITIES)
    if hidden:
        stmt = stmt.where(Event.entity_type.not_in(hidden))
    events = list(session.scalars(stmt.order_by(Event.txid, Event.id).limit(limit)))
    cursor = encode_cursor([events[-1].txid, events[-1].id], "events") if events else since
    return events, cursor


def entity_history(session: Session, entity_type: str, entity_id: int) -> list[Event]:
    """Every event about one entity, oldest first (including this transaction's own)."""
    stmt = (
        select(Event)
        .where(Event.entity_type == entity_type, Event.entity_id == entity_id)
        .order_by(Event.id)
    )
    return list(session.scalars(stmt))


def last_change(session: Session, entity_type: str, entity_id: int) -> str | None:
    """The entity's last event in words (what changed, who, when): what a client whose
    If-Match is stale needs to see before it sends its change again."""
    event = session.scalars(
        select(Event)
        .where(Event.entity_type == entity_type, Event.entity_id == entity_id)
        .order_by(Event.id.desc())
        .limit(1)
    ).first()
    if event is None:
        return None
    before, after = event.before or {}, event.after or {}
    moved = sorted(
        k for k in set(before) | set(after) if before.get(k) != after.get(k) and k != "version"
    )
    fields = f" ({', '.join(moved[:6])})" if moved else ""
    return f"{event.action}{fields} by {event.actor} at {event.occurred_at:%Y-%m-%d %H:%M:%S %Z}"
