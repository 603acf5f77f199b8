"""Our reviews as the public reads them: the text an editor publishes for a decided claim."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from schemas.common import StrictSchema, no_nul


class ReviewOut(Schema):
    claim_id = fields.Integer()
    headline = fields.String()
    body = fields.String(metadata={"description": "the review text (reviewBody)"})
    published = fields.Boolean()
    published_at = fields.DateTime(allow_none=True)
    url = fields.String(metadata={"description": "the public page (answers once published)"})
    version = fields.Integer(metadata={"description": "0 for a draft never saved"})


class ReviewSave(StrictSchema):
    headline = fields.String(validate=[validate.Length(min=1, max=300), no_nul])
    body = fields.String(validate=[validate.Length(min=1, max=20_000), no_nul])
    published = fields.Boolean(
        metadata={
            "description": "true publishes (the public page and the feed show it); "
            "false withdraws it"
        }
    )
    version = fields.Integer(
        required=True,
        validate=validate.Range(min=0, max=2**31 - 1),
        metadata={
            "description": "the review's `version` this edit was made on, as GET gave it (0 "
            "for a draft not saved yet): another save since is a 409 instead of being "
            "overwritten. Required: a save that says not which version it edits could "
            "overwrite another editor's unseen"
        },
    )
