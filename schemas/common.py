"""Pieces shared by several resources."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import INCLUDE, RAISE, Schema, ValidationError, fields, pre_load, validate
from webargs.multidictproxy import MultiDictProxy

import service.models  # noqa: F401  (registers every table on Base's metadata)
from service.db import Base

MAX_QUERY_CHARS = 500
#: Ids and character offsets are Postgres integers (int4): a larger number names nothing, and
#: is refused as such (422 in a body or query, 404 in a path) instead of reaching the
#: database, which would refuse it as out of range. (Found by schemathesis once the
#: document had no catch-all response: an id of 2306871128 in a path was a 422.)
MAX_ID = 2**31 - 1


class StrictSchema(Schema):
    """Unknown fields are an error, in bodies and query strings alike; in a JSON body, a
    value of the wrong JSON type is one too."""

    class Meta:
        unknown = RAISE

    def on_bind_field(self, field_name: str, field_obj: fields.Field[Any]) -> None:
        """Every text field refuses a NUL, which Postgres text cannot hold: named as its
        field's error, not as a database refusal after the fact."""
        if isinstance(field_obj, fields.String) and not any(
            getattr(v, "__name__", "") in ("no_nul", "_text_not_binary")
            for v in field_obj.validators
        ):
            field_obj.validators = [*field_obj.validators, no_nul]

    @pre_load
    def _json_types(self, data: Any, **_: Any) -> Any:
        """A JSON body says what type each value is: 351.9 or "346" is no id (marshmallow
        would read 351 and 346, and a link would join the wrong claims), "yes" is no
        boolean. Such a value is handed to its field as one it refuses, so the 422 names it
        beside every other field's error. A query string is all text, and its fields
        convert as they always have."""
        if not isinstance(data, Mapping) or isinstance(data, MultiDictProxy):
            return data
        out = dict(data)
        for name, field in self.load_fields.items():
            key = field.data_key or name
            if key in out and out[key] is not None:
                out[key] = _typed(field, out[key])
        return out


#: What a field is given in place of a value of the wrong JSON type: every field refuses it.
_WRONG_TYPE = object()


def _typed(field: fields.Field[Any], value: Any) -> Any:
    if isinstance(field, fields.List) and isinstance(value, list):
        return [_typed(field.inner, item) for item in value]
    if isinstance(field, fields.Boolean):
        return value if isinstance(value, bool) else _WRONG_TYPE
    if isinstance(field, fields.Number) and isinstance(value, bool):
        return _WRONG_TYPE
    if isinstance(field, fields.Integer):
        return value if isinstance(value, int) else _WRONG_TYPE
    if isinstance(field, fields.Number):
        return value if isinstance(value, int | float) else _WRONG_TYPE
    return value


class NoArguments(StrictSchema):
    """For an action that takes none: anything sent (a body field, a query parameter) is an
    unknown field, refused, not silently ignored."""


class SpanSchema(StrictSchema):
    start = fields.Integer(required=True, validate=validate.Range(min=0))
    end = fields.Integer(required=True, validate=validate.Range(min=1, max=MAX_ID))


class SpeakerRefSchema(Schema):
    id = fields.Integer()
    name = fields.String()


class PageQuery(StrictSchema):
    """Keyset pagination: follow the `Link: rel="next"` header, or pass its `after`."""

    limit = fields.Integer(
        load_default=50,
        validate=validate.Range(min=1, max=200),
        metadata={"description": "page size, 1 to 200"},
    )
    after = fields.String(
        validate=validate.Length(max=100), metadata={"description": "cursor from the next link"}
    )


def no_nul(value: str) -> None:
    """Postgres text cannot hold NUL: a NUL means binary data sent as text."""
    if "\x00" in value:
        raise ValidationError("contains a NUL character: send text, not binary data")


def text_query(description: str) -> fields.String:
    return fields.String(
        validate=[validate.Length(min=1, max=MAX_QUERY_CHARS), no_nul],
        metadata={"description": description},
    )


class ProblemSchema(Schema):
    """RFC 9457 problem details (application/problem+json). Other members may appear
    (RFC 9457 §3.2 extension members), so clients must ignore the ones they do not know."""

    class Meta:
        unknown = INCLUDE

    type = fields.String(metadata={"description": "URI naming the kind of problem"})
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    errors = fields.Dict(metadata={"description": "validation messages by location and field"})
    rule = fields.String(
        metadata={"description": "the editorial rule that refused a status change, by name"}
    )


class EventSchema(Schema):
    id = fields.Integer()
    occurred_at = fields.DateTime()
    actor = fields.String()
    action = fields.String()
    entity_type = fields.String()
    entity_id = fields.Integer()
    before = fields.Function(
        lambda e: _redacted(e.before), allow_none=True, metadata={"type": "object"}
    )
    after = fields.Function(
        lambda e: _redacted(e.after), allow_none=True, metadata={"type": "object"}
    )
    reason = fields.String(allow_none=True)


#: Values no event shows, whatever it stored: an API key's hash (events of keys made before
#: snapshots left it out carry it).
_NEVER_SHOWN = frozenset({"secret_sha256"})


def _redacted(values: dict[str, Any] | None) -> dict[str, Any] | None:
    if values is None:
        return None
    return {k: v for k, v in values.items() if k not in _NEVER_SHOWN}


class EventQuery(StrictSchema):
    since = fields.String(
        validate=validate.Length(max=100),
        metadata={
            "description": "cursor returned by the previous call; omit to start at the beginning"
        },
    )
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))
    entity_type = fields.String(
        # Every table an event can be about: the model tables, so a new one is accepted the
        # day it starts writing events.
        validate=validate.OneOf(sorted(Base.metadata.tables))
    )
    entity_id = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))


class EventPageSchema(Schema):
    events = fields.List(fields.Nested(EventSchema))
    cursor = fields.String(
        allow_none=True, metadata={"description": "pass as `since` to get what happened next"}
    )
