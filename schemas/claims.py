"""Claims and editorial decisions."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from schemas.common import MAX_ID, PageQuery, SpanSchema, SpeakerRefSchema, StrictSchema, text_query
from service.domain.enums import (
    AnchorState,
    Attribution,
    ClaimOrigin,
    ClaimStatus,
    DatePrecision,
)

ATTRIBUTIONS = [a.value for a in Attribution]
PRECISIONS = [p.value for p in DatePrecision]
STATUSES = [s.value for s in ClaimStatus]


def _speaker_fields_exclusive(data: dict[str, Any]) -> None:
    if data.get("speaker_id") is not None and data.get("speaker_name") is not None:
        raise ValidationError("give speaker_id or speaker_name, not both", "speaker_name")


#: Why the check-worthiness is what it is: short lines of text, as the extractor writes them
#: ("number or amount", "attributed to a source"). A claim took any JSON of any size here
#: (4 MB in one field), which bloated it, its history and the event feed.
MAX_REASONS = 50
REASON = fields.String(validate=validate.Length(max=500))


class ClaimCreate(StrictSchema):
    document_id = fields.Integer(required=True, validate=validate.Range(min=1, max=MAX_ID))
    span = fields.Nested(SpanSchema, required=True)
    text = fields.String(metadata={"description": "optional; must equal body[start:end]"})
    speaker_id = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=MAX_ID))
    speaker_name = fields.String(
        allow_none=True,
        validate=validate.Length(min=1, max=300),
        metadata={"description": "resolved to an existing speaker by name or alias, else created"},
    )
    attribution = fields.String(load_default="author", validate=validate.OneOf(ATTRIBUTIONS))
    cue = fields.String(allow_none=True, validate=validate.Length(max=200))
    claim_date = fields.Date(allow_none=True)
    date_precision = fields.String(allow_none=True, validate=validate.OneOf(PRECISIONS))
    checkworthiness = fields.Float(load_default=0.5, validate=validate.Range(min=0, max=1))
    reasons = fields.List(REASON, load_default=list, validate=validate.Length(max=MAX_REASONS))

    @validates_schema
    def _one_speaker(self, data: dict[str, Any], **_: Any) -> None:
        _speaker_fields_exclusive(data)


class ClaimPatch(StrictSchema):
    span = fields.Nested(SpanSchema)
    text = fields.String()
    speaker_id = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=MAX_ID))
    speaker_name = fields.String(allow_none=True, validate=validate.Length(min=1, max=300))
    attribution = fields.String(validate=validate.OneOf(ATTRIBUTIONS))
    cue = fields.String(allow_none=True, validate=validate.Length(max=200))
    claim_date = fields.Date(allow_none=True)
    date_precision = fields.String(allow_none=True, validate=validate.OneOf(PRECISIONS))
    checkworthiness = fields.Float(validate=validate.Range(min=0, max=1))
    reasons = fields.List(REASON, validate=validate.Length(max=MAX_REASONS))
    reason = fields.String(
        validate=validate.Length(max=2000), metadata={"description": "why, kept in the history"}
    )

    @validates_schema
    def _one_speaker(self, data: dict[str, Any], **_: Any) -> None:
        _speaker_fields_exclusive(data)
        if not set(data) - {"reason"}:
            raise ValidationError("send at least one field to change", "_schema")


class EvidenceIn(StrictSchema):
    url = fields.Url(allow_none=True, validate=validate.Length(max=2000))
    document_id = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=MAX_ID))
    note = fields.String(allow_none=True, validate=validate.Length(max=2000))

    @validates_schema
    def _points_somewhere(self, data: dict[str, Any], **_: Any) -> None:
        if not data.get("url") and not data.get("document_id"):
            raise ValidationError("evidence needs a url or a document_id", "url")


class EvidenceOut(Schema):
    id = fields.Integer()
    url = fields.String(allow_none=True)
    document_id = fields.Integer(allow_none=True)
    note = fields.String(allow_none=True)
    created_at = fields.DateTime()


class StatusChange(StrictSchema):
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    rationale = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    evidence = fields.List(fields.Nested(EvidenceIn), load_default=list)


class ClaimOut(Schema):
    id = fields.Integer()
    document_id = fields.Integer()
    text = fields.String()
    span = fields.Nested(SpanSchema)
    prefix = fields.String()
    suffix = fields.String()
    speaker = fields.Nested(SpeakerRefSchema, allow_none=True)
    # The vocabularies are declared on output too (documentation only: dumping validates
    # nothing), so a generated client types them as its enums, as it does the inputs.
    attribution = fields.String(validate=validate.OneOf(ATTRIBUTIONS))
    cue = fields.String(allow_none=True)
    claim_date = fields.Date(allow_none=True)
    date_precision = fields.String(allow_none=True)
    checkworthiness = fields.Float()
    reasons = fields.List(fields.Raw())
    status = fields.String(validate=validate.OneOf(STATUSES))
    origin = fields.String(validate=validate.OneOf([o.value for o in ClaimOrigin]))
    extractor_version = fields.String(allow_none=True)
    revision = fields.Integer(metadata={"description": "the document revision the span refers to"})
    anchor_state = fields.String(
        allow_none=True,
        validate=validate.OneOf([a.value for a in AnchorState]),
        metadata={
            "description": "where the last revision of its document left it: anchored (same "
            "text), moved (text changed: see previous_text), orphaned (not found: the span "
            "refers to `revision`); null if the document was never revised"
        },
    )
    previous_text = fields.String(
        allow_none=True, metadata={"description": "a moved claim's text before the revision"}
    )
    review_flag = fields.String(
        allow_none=True,
        metadata={"description": "why a decided claim needs another look; cleared by a decision"},
    )
    version = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class CorroborationOut(Schema):
    independent_origins = fields.Integer(
        metadata={
            "description": "origins (outlets; a document and what derives from it count "
            "once; an opinion piece counts as none) backing the claim through confirmed "
            "corroborates/same_claim links"
        }
    )
    possible_copies = fields.Integer(
        metadata={
            "description": "how many of those origins would merge if the syndicated copies "
            "suggested among their documents (and not yet reviewed) were confirmed"
        }
    )
    confirmed_links = fields.Integer()
    open_conflicts = fields.Integer(
        metadata={"description": "conflicts links not rejected (confirmed or suggested)"}
    )
    suggested_links = fields.Integer()


class ClaimDetailOut(ClaimOut):
    evidence = fields.List(fields.Nested(EvidenceOut))
    corroboration = fields.Nested(CorroborationOut)


class SuggestionOut(Schema):
    claim = fields.Nested(ClaimOut, metadata={"description": "the suggested claim"})
    relation = fields.String(metadata={"description": "same_claim, corroborates or conflicts"})
    score = fields.Float()
    possible_conflict = fields.Boolean()
    reasons = fields.Dict(
        metadata={
            "description": "shared words, entities and numbers; the shared words few stored "
            "claims hold (rare_words, rarest first); conflict signals; different_figures: "
            "figures of one kind the two give differently, when not flagged as a conflict"
        }
    )
    link_id = fields.Integer(
        allow_none=True,
        metadata={
            "description": "the stored suggestion of this pair, if ingest stored one: review "
            "it with PATCH /links/{link_id} (creating the pair again is a 409)"
        },
    )


class ClusterMemberOut(Schema):
    claim_id = fields.Integer()
    text = fields.String()
    document_id = fields.Integer()
    document_title = fields.String(allow_none=True)
    outlet = fields.String(allow_none=True)
    published_on = fields.Date(allow_none=True)
    speaker = fields.Nested(SpeakerRefSchema, allow_none=True)
    claim_date = fields.Date(allow_none=True)


class ClaimQuery(PageQuery):
    document_id = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))
    outlet_id = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))
    speaker_id = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))
    status = fields.String(validate=validate.OneOf(STATUSES))
    attribution = fields.String(validate=validate.OneOf(ATTRIBUTIONS))
    date_from = fields.Date(metadata={"description": "claim_date on or after"})
    date_to = fields.Date(metadata={"description": "claim_date on or before"})
    q = text_query("full-text search over the claim text (web search syntax)")
    needs_review = fields.Boolean(
        metadata={
            "description": "true: only the claims that need another look, each with its "
            "review_flag: flagged by a revision of their document, or decided and no longer "
            "holding what the verdict needed (a confirmed link taken back, the claim at its "
            "other end rejected, a copy confirmed, a fact-check match rejected). A request "
            "judges a bounded number of candidates, so a page may come back short, even "
            "empty, with a next link: follow it until there is none"
        }
    )

    @validates_schema
    def _range(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise ValidationError("date_from is after date_to", "date_from")


class ClaimHistoryQuery(StrictSchema):
    links = fields.Boolean(
        load_default=False,
        metadata={
            "description": "true: also the events of the claim's links (entity_type "
            "claim_links: suggested, reviewed, deleted), in the same order by id"
        },
    )


class DocumentClaimsQuery(PageQuery):
    status = fields.String(validate=validate.OneOf(STATUSES))
