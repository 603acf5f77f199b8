"""Speaker entities and their aliases."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from schemas.common import MAX_ID, PageQuery, StrictSchema, text_query
from service.domain.enums import SpeakerKind

SPEAKER_KINDS = [k.value for k in SpeakerKind]


class AliasOut(Schema):
    alias = fields.String()
    match_score = fields.Float(allow_none=True)


class SpeakerOut(Schema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.String()
    role = fields.String(allow_none=True)
    description = fields.String(allow_none=True)
    aliases = fields.List(fields.Nested(AliasOut))
    merged_into_id = fields.Integer(allow_none=True)
    version = fields.Integer()


class SpeakerCreate(StrictSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=300))
    kind = fields.String(load_default="person", validate=validate.OneOf(SPEAKER_KINDS))
    role = fields.String(allow_none=True, validate=validate.Length(max=300))
    description = fields.String(allow_none=True, validate=validate.Length(max=5000))


class SpeakerPatch(StrictSchema):
    name = fields.String(validate=validate.Length(min=1, max=300))
    kind = fields.String(validate=validate.OneOf(SPEAKER_KINDS))
    role = fields.String(allow_none=True, validate=validate.Length(max=300))
    description = fields.String(allow_none=True, validate=validate.Length(max=5000))


class AliasCreate(StrictSchema):
    alias = fields.String(required=True, validate=validate.Length(min=1, max=300))


class SpeakerMerge(StrictSchema):
    into = fields.Integer(
        required=True,
        validate=validate.Range(min=1, max=MAX_ID),
        metadata={"description": "id of the speaker that absorbs this one"},
    )


class SpeakerQuery(PageQuery):
    q = text_query("part of a name or alias")
