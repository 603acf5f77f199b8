"""Syndicated copies: near-duplicate documents proposed as derived from an earlier one."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from schemas.common import StrictSchema, no_nul
from service.domain.enums import LinkState


class CopyOut(Schema):
    id = fields.Integer()
    document_id = fields.Integer(metadata={"description": "the later document: the copy"})
    source_id = fields.Integer(metadata={"description": "the earlier document it copies"})
    similarity = fields.Float(
        metadata={"description": "Jaccard resemblance of the bodies' word 5-grams, 0 to 1"}
    )
    containment = fields.Float(
        metadata={"description": "shared 5-grams over the shorter body's: 1 = wholly inside"}
    )
    state = fields.String(validate=validate.OneOf([s.value for s in LinkState]))
    rationale = fields.String(allow_none=True)
    reviewed_at = fields.DateTime(allow_none=True)
    version = fields.Integer()
    created_at = fields.DateTime()


class CopyReview(StrictSchema):
    state = fields.String(
        required=True,
        validate=validate.OneOf(["confirmed", "rejected"]),
        metadata={
            "description": "confirmed: the copy derives from the source (one origin); "
            "rejected: independent, never proposed again"
        },
    )
    rationale = fields.String(required=True, validate=[validate.Length(min=1, max=2000), no_nul])
