"""Sending one delivery: signed, retried with backoff for more than a day, in event order per
(subscription, entity), and a subscription that has failed for a day is disabled.

No transaction is held across the HTTP call: the attempt reads what to send and commits, posts,
then records the outcome. A worker killed between the post and the record leaves the job
without a heartbeat; another worker runs it again, and the receiver gets the same
`webhook-id` twice (Standard Webhooks receivers deduplicate on it)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import urllib3
from procrastinate import BaseRetryStrategy, RetryDecision
from procrastinate.jobs import Job
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from service.domain.enums import DeliveryStatus, Role
from service.models import Event, WebhookDelivery, WebhookSubscription
from service.operations.actors import Actor
from service.operations.events import record_event
from service.operations.webhooks import public_snapshot
from service.webhooks import signing
from service.webhooks.events import payload
from service.webhooks.targets import UnsafeTarget, check_target, pinned_pool

#: Waits before each retry (Standard Webhooks' recommended schedule): 5 s, 5 min, 30 min,
#: 2 h, 5 h, 10 h, 10 h — the last attempt comes 27 h 35 min after the first.
#: CLAIMDESK_WEBHOOK_RETRY_SCHEDULE="1,1,2" (seconds, comma-separated) replaces it for tests.
SCHEDULE = (5, 300, 1800, 7200, 18000, 36000, 36000)
#: A subscription whose deliveries have failed without a success for this long is disabled.
DISABLE_AFTER = timedelta(hours=24)
#: Connecting, then each read; at most ERROR_CHARS of the answer are read.
TIMEOUT = urllib3.Timeout(connect=5.0, read=10.0, total=15.0)
#: What is kept of a receiver's answer for the delivery log.
ERROR_CHARS = 500
WEBHOOKS = Actor(key_id=None, name="webhooks", role=Role.ADMIN)


def schedule() -> tuple[int, ...]:
    raw = os.environ.get("CLAIMDESK_WEBHOOK_RETRY_SCHEDULE", "").strip()
    if not raw:
        return SCHEDULE
    return tuple(int(part) for part in raw.split(","))


def disable_after() -> timedelta:
    raw = os.environ.get("CLAIMDESK_WEBHOOK_DISABLE_AFTER_SECONDS", "").strip()
    return timedelta(seconds=float(raw)) if raw else DISABLE_AFTER


class DeliveryFailed(Exception):
    """The receiver did not acknowledge (no answer, or not 2xx): try again later."""


class WebhookRetry(BaseRetryStrategy):
    """Retry on the schedule; a delivery that ended (delivered, failed, skipped) returns
    instead of raising, so it is not retried."""

    def get_retry_decision(self, *, exception: BaseException, job: Job) -> RetryDecision | None:
        # Any failure is retried on the schedule, a database hiccup in preparing or
        # recording the attempt as much as a receiver's refusal: a job that failed for good
        # would leave its delivery pending and let later ones about the entity overtake it.
        waits = schedule()
        if job.attempts >= len(waits):
            return None
        return RetryDecision(retry_in={"seconds": waits[job.attempts]})


@dataclass(frozen=True)
class Attempt:
    url: str
    secret: str
    message_id: str
    body: bytes


def _prepare(engine: Engine, delivery_id: int) -> Attempt | None:
    """What to send, or None when there is nothing to (delivered, or the subscription is
    inactive: the delivery is marked skipped and can be replayed)."""
    with Session(engine) as session:
        delivery = session.get(
            WebhookDelivery, delivery_id, with_for_update={"of": WebhookDelivery}
        )
        if delivery is None or delivery.status == DeliveryStatus.DELIVERED:
            return None
        sub = delivery.subscription
        if not sub.active:
            delivery.status = DeliveryStatus.SKIPPED
            delivery.last_error = sub.disabled_reason or "the subscription is inactive"
            session.commit()
            return None
        ev = session.get(Event, delivery.event_id)
        assert ev is not None  # events are never deleted
        body = payload(
            event_type=delivery.event_type,
            event_id=ev.id,
            action=ev.action,
            entity_type=ev.entity_type,
            entity_id=ev.entity_id,
            actor=ev.actor,
            occurred_at=ev.occurred_at,
            before=ev.before,
            after=ev.after,
            reason=ev.reason,
        )
        attempt = Attempt(
            url=sub.url,
            secret=sub.secret,
            message_id=f"msg_{delivery.id}",
            body=json.dumps(body, separators=(",", ":"), sort_keys=True).encode("utf-8"),
        )
        session.commit()
        return attempt


def _post(attempt: Attempt) -> tuple[int | None, str | None]:
    """(status code, error) of one POST; the code is None when nothing answered.

    The name is resolved and vetted once, and the connection goes to that address (with the
    name as Host and for TLS), so DNS rebinding cannot point the POST elsewhere; redirects
    are not followed; at most ERROR_CHARS of the answer are read."""
    try:
        addresses = check_target(attempt.url)
    except UnsafeTarget as exc:
        return None, f"refused: {exc}"
    timestamp = int(datetime.now(UTC).timestamp())
    headers = signing.headers(attempt.secret, attempt.message_id, timestamp, attempt.body)
    pool, path, headers["host"] = pinned_pool(attempt.url, addresses[0], TIMEOUT)
    try:
        with pool:
            response = pool.urlopen(
                "POST",
                path,
                body=attempt.body,
                headers=headers,
                redirect=False,
                preload_content=False,
            )
            try:
                answer = response.read(ERROR_CHARS)
            finally:
                response.release_conn()
    except urllib3.exceptions.HTTPError as exc:
        return None, f"{type(exc).__name__}: {exc}"[:ERROR_CHARS]
    if 200 <= response.status < 300:
        return response.status, None
    return response.status, f"HTTP {response.status}: {answer.decode('utf-8', 'replace')}"


def _record(
    engine: Engine, delivery_id: int, code: int | None, error: str | None, *, last: bool
) -> str:
    """Write the attempt's outcome; returns the delivery's status after it."""
    now = datetime.now(UTC)
    with Session(engine) as session:
        delivery = session.get(
            WebhookDelivery, delivery_id, with_for_update={"of": WebhookDelivery}
        )
        if delivery is None:
            return DeliveryStatus.SKIPPED
        sub = session.get(WebhookSubscription, delivery.subscription_id, with_for_update=True)
        assert sub is not None
        delivery.attempts += 1
        delivery.last_attempt_at = now
        delivery.last_status_code = code
        delivery.last_error = error
        if error is None:
            delivery.status = DeliveryStatus.DELIVERED
            delivery.delivered_at = now
            delivery.next_attempt_at = None
            sub.failing_since = None
            sub.last_success_at = now
        else:
            sub.failing_since = sub.failing_since or now
            if sub.active and now - sub.failing_since >= disable_after():
                before = public_snapshot(sub)
                sub.active = False
                sub.disabled_at = now
                sub.disabled_reason = (
                    f"disabled after failing since {sub.failing_since.isoformat()} "
                    f"(last error: {error[:200]})"
                )
                record_event(
                    session,
                    WEBHOOKS,
                    "webhook.disabled",
                    sub,
                    before=before,
                    after=public_snapshot(sub),
                    reason="deliveries failed for a day with no success; see the delivery log",
                )
            if last or not sub.active:
                delivery.status = DeliveryStatus.FAILED
                delivery.next_attempt_at = None
            else:
                delivery.status = DeliveryStatus.RETRYING
                waits = schedule()
                wait = waits[min(delivery.attempts - 1, len(waits) - 1)]
                delivery.next_attempt_at = now + timedelta(seconds=wait)
        status = delivery.status
        session.commit()
        return status


def deliver(engine: Engine, delivery_id: int, *, attempt_number: int) -> str:
    """One attempt at one delivery; raises DeliveryFailed for the queue to retry it."""
    attempt = _prepare(engine, delivery_id)
    if attempt is None:
        return "skipped"
    code, error = _post(attempt)
    # attempt_number counts from 1; the schedule holds the waits between attempts.
    last = attempt_number > len(schedule())
    status = _record(engine, delivery_id, code, error, last=last)
    if status == DeliveryStatus.RETRYING:
        raise DeliveryFailed(error)
    return status
