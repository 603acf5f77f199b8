"""External fact-checks (ClaimReview), their matches with our claims, and the label map."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from schemas.common import PageQuery, StrictSchema, no_nul
from service.domain.enums import LinkState
from service.models.factcheck import VERDICTS

#: A feed or page sent in one request (the request body cap is larger: this is the text).
MAX_IMPORT_CHARS = 4_000_000


class FactCheckImport(StrictSchema):
    html = fields.String(
        validate=[validate.Length(min=1, max=MAX_IMPORT_CHARS), no_nul],
        metadata={"description": "a fact-check page: its ClaimReview JSON-LD is imported"},
    )
    url = fields.Url(
        allow_none=True,
        validate=validate.Length(max=2000),
        metadata={"description": "the page's address (resolves relative URLs in its JSON-LD)"},
    )
    feed = fields.Raw(
        metadata={
            "description": "ClaimReview items: a DataCommons feed object, a Google Fact Check "
            "Tools claims object, a list of items, one item, or NDJSON text"
        }
    )

    @validates_schema
    def _one_source(self, data: dict[str, Any], **_: Any) -> None:
        if ("html" in data) == ("feed" in data):
            raise ValidationError("send exactly one of html (a page) or feed (items)", "feed")


class ClaimMatchesQuery(StrictSchema):
    rejected = fields.Boolean(
        load_default=False,
        metadata={"description": "list the rejected matches too (last), to take one back"},
    )


class FactCheckOut(Schema):
    id = fields.Integer()
    url = fields.String()
    claim_reviewed = fields.String()
    headline = fields.String(allow_none=True)
    claimant = fields.String(allow_none=True)
    claim_date = fields.Date(allow_none=True)
    review_date = fields.Date(allow_none=True)
    publisher = fields.String()
    publisher_url = fields.String(allow_none=True)
    rating_name = fields.String(allow_none=True)
    rating_value = fields.Float(allow_none=True)
    best_rating = fields.Float(allow_none=True)
    worst_rating = fields.Float(allow_none=True)
    language = fields.String(allow_none=True)
    status = fields.String(
        allow_none=True,
        metadata={"description": "the rating in our vocabulary (label map, else its scale)"},
    )
    source = fields.String()
    created_at = fields.DateTime()


class FactCheckFullOut(FactCheckOut):
    raw = fields.Dict(metadata={"description": "the ClaimReview JSON-LD, verbatim"})


class ImportOut(Schema):
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    matches = fields.Integer(metadata={"description": "claims newly matched to these reviews"})
    fact_checks = fields.List(fields.Nested(FactCheckOut))


class FactCheckQuery(PageQuery):
    publisher = fields.String(validate=[validate.Length(min=1, max=300), no_nul])


class MatchOut(Schema):
    id = fields.Integer()
    claim_id = fields.Integer()
    score = fields.Float(metadata={"description": "probability the review checks this claim"})
    strength = fields.String(
        validate=validate.OneOf(["show", "strong"]),
        metadata={"description": "strong: strongly suggested; show: worth a look"},
    )
    reasons = fields.Dict()
    state = fields.String(validate=validate.OneOf([s.value for s in LinkState]))
    rationale = fields.String(allow_none=True)
    reviewed_at = fields.DateTime(allow_none=True)
    version = fields.Integer()
    fact_check = fields.Nested(FactCheckOut)


class MatchReview(StrictSchema):
    state = fields.String(required=True, validate=validate.OneOf(["confirmed", "rejected"]))
    rationale = fields.String(required=True, validate=[validate.Length(min=1, max=2000), no_nul])


class LabelOut(Schema):
    label = fields.String()
    status = fields.String()


class LabelSet(StrictSchema):
    status = fields.String(required=True, validate=validate.OneOf(VERDICTS))
