"""API keys (admins only)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from schemas.common import StrictSchema
from service.domain.enums import Role

ROLES = [r.value for r in Role]


class KeyCreate(StrictSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    role = fields.String(required=True, validate=validate.OneOf(ROLES))


class KeyOut(Schema):
    id = fields.Integer()
    name = fields.String()
    role = fields.String()
    prefix = fields.String()
    created_at = fields.DateTime()
    revoked_at = fields.DateTime(allow_none=True)


class KeyCreatedOut(KeyOut):
    key = fields.String(metadata={"description": "the secret, shown this once only"})
