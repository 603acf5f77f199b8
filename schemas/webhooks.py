"""Webhook subscriptions and their delivery log (admins only)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from schemas.common import MAX_ID, PageQuery, StrictSchema, no_nul
from service.domain.enums import DeliveryStatus
from service.webhooks.events import EVENT_TYPES


def _url(*, required: bool) -> fields.String:
    return fields.String(
        required=required,
        validate=[validate.Length(min=1, max=2000), no_nul],
        metadata={
            "description": "http(s) URL that receives POSTs; loopback and private addresses "
            "are refused unless the server sets CLAIMDESK_WEBHOOK_ALLOW_PRIVATE=1",
            "example": "https://tools.example.org/claimdesk-hook",
        },
    )


def _types() -> fields.List[Any]:
    return fields.List(
        fields.String(validate=validate.OneOf(EVENT_TYPES)),
        allow_none=True,
        validate=validate.Length(min=1, max=len(EVENT_TYPES)),
        metadata={"description": "event types to receive; null receives every type"},
    )


def _id(description: str) -> fields.Integer:
    return fields.Integer(
        allow_none=True,
        validate=validate.Range(min=1, max=MAX_ID),
        metadata={"description": description},
    )


class WebhookCreate(StrictSchema):
    url = _url(required=True)
    description = fields.String(
        allow_none=True, validate=[validate.Length(max=500), no_nul], load_default=None
    )
    event_types = _types()
    document_id = _id("only events about this document")
    outlet_id = _id("only events about this outlet's documents")
    active = fields.Boolean(load_default=True)


class WebhookPatch(StrictSchema):
    url = _url(required=False)
    description = fields.String(allow_none=True, validate=[validate.Length(max=500), no_nul])
    event_types = _types()
    document_id = _id("only events about this document")
    outlet_id = _id("only events about this outlet's documents")
    active = fields.Boolean(
        metadata={"description": "false pauses deliveries; true re-enables a disabled one"}
    )


class WebhookOut(Schema):
    id = fields.Integer()
    url = fields.String()
    description = fields.String(allow_none=True)
    event_types = fields.List(fields.String(), allow_none=True)
    document_id = fields.Integer(allow_none=True)
    outlet_id = fields.Integer(allow_none=True)
    active = fields.Boolean()
    failing_since = fields.DateTime(allow_none=True)
    last_success_at = fields.DateTime(allow_none=True)
    disabled_at = fields.DateTime(allow_none=True)
    disabled_reason = fields.String(
        allow_none=True, metadata={"description": "why the service disabled it, if it did"}
    )
    version = fields.Integer()
    created_at = fields.DateTime()


class WebhookCreatedOut(WebhookOut):
    secret = fields.String(
        metadata={
            "description": "the whsec_ signing secret (Standard Webhooks), shown this once",
            "example": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        }
    )


class DeliveryOut(Schema):
    id = fields.Integer(metadata={"description": "also the webhook-id header: msg_<id>"})
    event_id = fields.Integer()
    event_type = fields.String()
    entity_key = fields.String()
    status = fields.String(validate=validate.OneOf([s.value for s in DeliveryStatus]))
    attempts = fields.Integer()
    last_attempt_at = fields.DateTime(allow_none=True)
    last_status_code = fields.Integer(allow_none=True)
    last_error = fields.String(allow_none=True)
    next_attempt_at = fields.DateTime(allow_none=True)
    delivered_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()


class DeliveryQuery(PageQuery):
    status = fields.String(validate=validate.OneOf([s.value for s in DeliveryStatus]))


class ReplayCreate(StrictSchema):
    since_event_id = fields.Integer(
        required=True,
        validate=validate.Range(min=0, max=MAX_ID),
        metadata={"description": "send again every matching event after this one (0: all)"},
    )


class ReplayOut(Schema):
    queued = fields.Integer(metadata={"description": "deliveries queued again"})
    delivery_ids = fields.List(fields.Integer())
    through_event_id = fields.Integer(
        metadata={
            "description": "the last event this replay covered (10,000 at most): replay "
            "again from it for what came after"
        }
    )
