"""Documents: an article, transcript or post as ingested, body verbatim."""

from __future__ import annotations

import re
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from schemas.common import MAX_ID, PageQuery, StrictSchema, text_query
from service.domain.enums import DocumentKind, DocumentState

STATES = [s.value for s in DocumentState]
KINDS = [k.value for k in DocumentKind]


#: The longest body taken, in characters: spaCy's own limit, and several books' worth (the
#: longest seed transcript is under 40,000). Longer text is split by the sender.
MAX_BODY_CHARS = 1_000_000
_LETTER = re.compile(r"[^\W\d_]")


def _text_not_binary(value: str) -> None:
    """Postgres text cannot hold NUL; a NUL means the client sent binary data as text."""
    if "\x00" in value:
        raise ValidationError("the body contains NUL characters: send text, not binary data")


def _has_words(value: str) -> None:
    """A body without a single letter (only quote marks, digits, punctuation) holds nothing
    to check."""
    if not _LETTER.search(value):
        raise ValidationError("the body has no words: nothing in it could be a claim")


class DocumentCreate(StrictSchema):
    body = fields.String(
        validate=[
            # No minimum here: an empty body is told it has no words, not that it is long.
            validate.Length(
                max=MAX_BODY_CHARS, error="the body is longer than {max} characters: split it"
            ),
            _text_not_binary,
            _has_words,
        ]
    )
    html = fields.String(
        validate=[validate.Length(min=1), _text_not_binary],
        metadata={
            "description": "an HTML page instead of `body`: its article text becomes the body, "
            "and its title, author, site, date and canonical URL fill the fields not given"
        },
    )
    outlet = fields.String(allow_none=True, validate=validate.Length(min=1, max=200))
    title = fields.String(allow_none=True, validate=validate.Length(max=500))
    author = fields.String(allow_none=True, validate=validate.Length(max=300))
    url = fields.Url(allow_none=True, validate=validate.Length(max=2000))
    published_on = fields.Date(allow_none=True)
    kind = fields.String(load_default="news", validate=validate.OneOf(KINDS))
    language = fields.String(load_default="en", validate=validate.Length(min=2, max=16))
    derived_from_id = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=MAX_ID))
    revision_of = fields.Integer(
        allow_none=True,
        validate=validate.Range(min=1, max=MAX_ID),
        metadata={
            "description": "this body is a new version of that document (without it, a stored "
            "document with the same canonical `url` is revised)"
        },
    )
    archive_url = fields.Url(
        allow_none=True,
        validate=validate.Length(max=2000),
        metadata={"description": "where a copy of this version is archived, for a revision"},
    )
    extract = fields.Boolean(
        load_default=True,
        metadata={
            "description": "extract candidate claims (by a worker, or in this request with "
            "?wait=true); false stores the document only (state `stored`)"
        },
    )

    @validates_schema
    def _body_or_html(self, data: dict[str, Any], **_: Any) -> None:
        if ("body" in data) == ("html" in data):
            raise ValidationError("send exactly one of body (text) or html (a page)", "body")


class OutletOut(Schema):
    id = fields.Integer()
    name = fields.String()


class DocumentOut(Schema):
    id = fields.Integer()
    outlet = fields.Nested(OutletOut, allow_none=True)
    title = fields.String(allow_none=True)
    author = fields.String(allow_none=True)
    url = fields.String(allow_none=True)
    published_on = fields.Date(allow_none=True)
    kind = fields.String()
    language = fields.String()
    body_sha256 = fields.String()
    derived_from_id = fields.Integer(allow_none=True)
    state = fields.String(
        validate=validate.OneOf(STATES),
        metadata={
            "description": "queued -> extracting -> ready | failed; stored when extraction "
            "was not asked for"
        },
    )
    error = fields.String(
        allow_none=True,
        metadata={"description": "why the last attempt failed (kept while a retry waits)"},
    )
    attempts = fields.Integer(metadata={"description": "extraction attempts made by workers"})
    revision = fields.Integer(
        metadata={"description": "the revision the body is: 1 until it is posted again changed"}
    )
    created_at = fields.DateTime()


class DocumentCreateQuery(StrictSchema):
    wait = fields.Boolean(
        load_default=False,
        metadata={
            "description": "extract in this request and answer 201 with the document ready; "
            "without it the answer is 202 and a worker extracts (poll the document's state)"
        },
    )


class DocumentFullOut(DocumentOut):
    body = fields.String()


class DocumentQuery(PageQuery):
    outlet_id = fields.Integer()
    outlet = fields.String(validate=validate.Length(min=1, max=200))
    kind = fields.String(validate=validate.OneOf(KINDS))
    published_from = fields.Date()
    published_to = fields.Date()
    q = text_query("words in the title")


class ExtractionOut(Schema):
    extractor_version = fields.String()
    created = fields.Integer(metadata={"description": "new candidate claims"})
    replaced = fields.Integer(metadata={"description": "untouched candidates replaced"})
    kept = fields.Integer(metadata={"description": "claims a person touched, kept as they are"})
    suggested = fields.Integer(metadata={"description": "link suggestions stored for new claims"})


class RevisionOut(Schema):
    number = fields.Integer()
    body_sha256 = fields.String()
    html_sha256 = fields.String(allow_none=True)
    title = fields.String(allow_none=True)
    url = fields.String(allow_none=True)
    archive_url = fields.String(allow_none=True)
    fetched_at = fields.DateTime(allow_none=True)
    anchored = fields.Integer(
        allow_none=True, metadata={"description": "claims found unchanged (null for revision 1)"}
    )
    moved = fields.Integer(allow_none=True, metadata={"description": "claims whose text changed"})
    orphaned = fields.Integer(
        allow_none=True, metadata={"description": "claims not found in this revision"}
    )
    created_at = fields.DateTime()


class RevisionFullOut(RevisionOut):
    body = fields.String()
    diff = fields.String(
        allow_none=True,
        metadata={
            "description": "unified diff of the text against the previous revision, by "
            "paragraph (null for revision 1)"
        },
    )
