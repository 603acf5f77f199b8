"""The transactional outbox: a transaction that wrote events writes, before it commits, one
delivery row and one queued job per (event, matching active subscription). Both commit or
roll back with the events, so a delivery is never lost to a crash between the write and the
send, nor sent for a change that was rolled back.

Every Session is watched (SQLAlchemy session events), so no write path can forget it: when a
flush inserted an Event, the commit runs one INSERT … SELECT over the events of its own
transaction (`events.txid`), then defers the jobs on the same connection."""

from __future__ import annotations

from typing import Any

import procrastinate
from sqlalchemy import TextClause, event, text
from sqlalchemy.orm import Session, SessionTransaction

from service.models import Event
from service.webhooks.events import DOCUMENTS_SQL, EVENT_TYPES, TYPE_SQL

QUEUE = "webhooks"
TASK = "claimdesk.deliver_webhook"
_FLAG = "claimdesk.outbox"


def insert_deliveries(events: str, subscriptions: str) -> TextClause:
    """INSERT … SELECT of the deliveries owed for the events `events` selects (a WHERE over
    `events AS e`) to the subscriptions `subscriptions` selects (over `webhook_subscriptions
    AS s`), by type and document/outlet filter; existing ones are left as they are. Returns
    (id, subscription_id, event_id, entity_key) of the new rows."""
    return text(
        f"""
        WITH ev AS (
          SELECT e.id, e.entity_type || ':' || e.entity_id AS entity_key,
                 {TYPE_SQL} AS type, {DOCUMENTS_SQL} AS document_ids
          FROM events e WHERE {events}
        )
        INSERT INTO webhook_deliveries (subscription_id, event_id, event_type, entity_key)
        SELECT s.id, ev.id, ev.type, ev.entity_key
        FROM ev JOIN webhook_subscriptions s
          ON {subscriptions}
         AND ev.type = ANY(CAST(:deliverable AS varchar[]))
         AND (s.event_types IS NULL OR ev.type = ANY(s.event_types))
         AND (s.document_id IS NULL OR s.document_id = ANY(ev.document_ids))
         AND (s.outlet_id IS NULL OR EXISTS (
               SELECT 1 FROM documents d
               WHERE d.id = ANY(ev.document_ids) AND d.outlet_id = s.outlet_id))
        ORDER BY ev.id, s.id
        ON CONFLICT (subscription_id, event_id) DO NOTHING
        RETURNING id, subscription_id, event_id, entity_key
        """
    )


#: This transaction's events, for every active subscription.
_OUTBOX = insert_deliveries("e.txid = (pg_current_xact_id_if_assigned()::text)::bigint", "s.active")

_deferrer = procrastinate.App(connector=procrastinate.SyncPsycopgConnector())


def lock_for(subscription_id: int, entity_key: str) -> str:
    """One subscription's deliveries about one entity go one at a time, oldest first."""
    return f"webhook:{subscription_id}:{entity_key}"


def defer_delivery(
    session: Session, delivery_id: int, subscription_id: int, entity_key: str
) -> None:
    """Queue the job that sends one delivery, in the caller's transaction."""
    connection = session.connection().connection.driver_connection
    _deferrer.configure_task(
        TASK, queue=QUEUE, lock=lock_for(subscription_id, entity_key), connection=connection
    ).defer(delivery_id=delivery_id)


def write_outbox(session: Session) -> int:
    """Deliveries and jobs for this transaction's events; returns how many were queued."""
    rows = session.execute(_OUTBOX, {"deliverable": list(EVENT_TYPES)}).all()
    for delivery_id, subscription_id, _event_id, entity_key in sorted(rows, key=lambda r: r[2]):
        defer_delivery(session, delivery_id, subscription_id, entity_key)
    return len(rows)


@event.listens_for(Session, "after_flush")
def _note_events(session: Session, _: Any) -> None:
    if not session.info.get(_FLAG) and any(isinstance(obj, Event) for obj in session.new):
        session.info[_FLAG] = True


@event.listens_for(Session, "before_commit")
def _flush_outbox(session: Session) -> None:
    session.flush()
    if session.info.pop(_FLAG, False):
        write_outbox(session)


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction: SessionTransaction) -> None:
    # Only when the session's outermost transaction ends (committed or rolled back): a
    # savepoint rolled back inside it leaves the events written before it to be delivered.
    if transaction.parent is None:
        session.info.pop(_FLAG, None)
