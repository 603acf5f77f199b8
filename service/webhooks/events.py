"""Which events a subscription can receive, and how an event row becomes a delivery's payload.

A delivery's type is the event's action, except where a newsroom tool wants the outcome
rather than the mechanics: a link created already confirmed is `link.confirmed`, and a
document whose extraction finished is `document.ready`. People, keys and subscriptions are
never delivered (their events hold account details)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

#: Every type a subscription may ask for; the first six are the ones newsroom tools asked for.
EVENT_TYPES: tuple[str, ...] = (
    "claim.created",
    "claim.status_changed",
    "link.confirmed",
    "link.rejected",
    "document.ready",
    "document.revised",
    "document.failed",
    "document.created",
    "document.copy_suggested",
    "document.copy_confirmed",
    "document.copy_rejected",
    "claim.edited",
    "claim.replaced",
    "claim.reanchored",
    "evidence.added",
    "link.created",
    "link.deleted",
    "speaker.created",
    "speaker.edited",
    "speaker.merged",
    "outlet.created",
)

#: The delivery type of an event, in SQL over `events AS e` (the outbox computes it there).
TYPE_SQL = """
    CASE
      WHEN e.action = 'link.created' AND e.after->>'state' = 'confirmed' THEN 'link.confirmed'
      WHEN e.action = 'link.created' AND e.after->>'state' = 'rejected' THEN 'link.rejected'
      WHEN e.action = 'document.extracted' THEN 'document.ready'
      ELSE e.action
    END
"""

#: The documents an event is about (a link is about both of its claims' documents), from the
#: snapshots first (a claim replaced in the same transaction is gone from its table; for a
#: link's claim gone so, the document its own first event recorded).
DOCUMENTS_SQL = """
    CASE e.entity_type
      WHEN 'documents' THEN ARRAY[e.entity_id]
      WHEN 'claims' THEN ARRAY[COALESCE(
        (e.after->>'document_id')::int, (e.before->>'document_id')::int,
        (SELECT c.document_id FROM claims c WHERE c.id = e.entity_id))]
      WHEN 'evidence' THEN ARRAY(
        SELECT c.document_id FROM claims c
        WHERE c.id = COALESCE((e.after->>'claim_id')::int, (e.before->>'claim_id')::int))
      WHEN 'claim_links' THEN ARRAY(
        SELECT COALESCE(c.document_id, (
          SELECT COALESCE((x.after->>'document_id')::int, (x.before->>'document_id')::int)
            FROM events x
           WHERE x.entity_type = 'claims' AND x.entity_id = ends.id
           ORDER BY x.id LIMIT 1))
        FROM (VALUES
          (COALESCE((e.after->>'claim_a_id')::int, (e.before->>'claim_a_id')::int)),
          (COALESCE((e.after->>'claim_b_id')::int, (e.before->>'claim_b_id')::int))
        ) AS ends(id)
        LEFT JOIN claims c ON c.id = ends.id)
      WHEN 'document_copies' THEN ARRAY[
        COALESCE((e.after->>'document_id')::int, (e.before->>'document_id')::int),
        COALESCE((e.after->>'source_id')::int, (e.before->>'source_id')::int)]
      ELSE ARRAY[]::int[]
    END
"""


def payload(
    *,
    event_type: str,
    event_id: int,
    action: str,
    entity_type: str,
    entity_id: int,
    actor: str,
    occurred_at: datetime,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    reason: str | None,
) -> dict[str, Any]:
    """The Standard Webhooks body: `type`, `timestamp` and the event as `data`."""
    return {
        "type": event_type,
        "timestamp": occurred_at.isoformat(),
        "data": {
            "event_id": event_id,
            "action": action,
            "entity_type": entity_type,
            "entity_id": entity_id,
            "actor": actor,
            "occurred_at": occurred_at.isoformat(),
            "before": before,
            "after": after,
            "reason": reason,
        },
    }
