"""Signed webhooks (Standard Webhooks) fed from the events table by a transactional outbox.

- `outbox`: when an event is written, a delivery row and a procrastinate job are written for
  each active subscription it matches, in the event's own transaction.
- `delivery`: a worker (`claimdesk worker`, the `webhooks` queue) sends each delivery,
  signed, and retries with backoff; per (subscription, entity) the deliveries go in event
  order (a procrastinate lock), and a subscription failing for a day is disabled.
- `signing` and `targets`: the signature, and which URLs may receive deliveries.
"""
