"""Links between claims of different documents."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from schemas.common import MAX_ID, PageQuery, StrictSchema
from service.domain.enums import LinkRelation, LinkState

RELATIONS = [r.value for r in LinkRelation]
STATES = [s.value for s in LinkState]


class LinkCreate(StrictSchema):
    claim_a_id = fields.Integer(required=True, validate=validate.Range(min=1, max=MAX_ID))
    claim_b_id = fields.Integer(required=True, validate=validate.Range(min=1, max=MAX_ID))
    relation = fields.String(required=True, validate=validate.OneOf(RELATIONS))
    state = fields.String(load_default="suggested", validate=validate.OneOf(STATES[:2]))
    rationale = fields.String(allow_none=True, validate=validate.Length(max=5000))


class LinkReview(StrictSchema):
    state = fields.String(required=True, validate=validate.OneOf(STATES[1:]))
    relation = fields.String(validate=validate.OneOf(RELATIONS))
    rationale = fields.String(required=True, validate=validate.Length(min=1, max=5000))


class LinkDelete(StrictSchema):
    """Why the link goes: required, as for every other change to what reviewers decided
    (the history keeps the link's whole life and this reason)."""

    reason = fields.String(validate=validate.Length(min=1, max=5000))
    # What reviews call it: a tool that sends a review's word is understood, not refused.
    rationale = fields.String(
        validate=validate.Length(min=1, max=5000),
        metadata={"description": "the same as reason (send one of them)"},
    )

    @validates_schema
    def _one_reason(self, data: dict[str, Any], **_: Any) -> None:
        if "reason" in data and "rationale" in data:
            raise ValidationError("send reason or rationale, not both", "rationale")
        given = data.get("reason", data.get("rationale"))
        if given is None or not given.strip():
            raise ValidationError("say why the link is deleted: send a reason", "reason")


class LinkOut(Schema):
    id = fields.Integer()
    claim_a_id = fields.Integer()
    claim_b_id = fields.Integer()
    relation = fields.String(validate=validate.OneOf(RELATIONS))
    state = fields.String(validate=validate.OneOf(STATES))
    score = fields.Float(allow_none=True)
    reasons = fields.Dict()
    rationale = fields.String(allow_none=True)
    created_at = fields.DateTime()
    reviewed_at = fields.DateTime(allow_none=True)
    version = fields.Integer()


class LinkQuery(PageQuery):
    claim_id = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))
    relation = fields.String(validate=validate.OneOf(RELATIONS))
    state = fields.String(validate=validate.OneOf(STATES))
