"""Sourcing reports, ClaimReview and exports: what tools read (JSON shapes)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from schemas.common import MAX_ID, MAX_QUERY_CHARS, StrictSchema

REPORT_FORMATS = ("json", "html", "md", "csv")


class ReportQuery(StrictSchema):
    format = fields.String(
        validate=validate.OneOf(REPORT_FORMATS),
        metadata={
            "description": "json, html, md or csv; without it the Accept header decides "
            "(application/json, text/html, text/markdown, text/csv)"
        },
    )


class _StoryScope(StrictSchema):
    """Which claims a story holds: words they contain, or a document and the documents
    linked to it, or both."""

    q = fields.String(
        validate=validate.Length(min=1, max=MAX_QUERY_CHARS),
        metadata={"description": "words the story's claims contain (web search syntax)"},
    )
    document_id = fields.Integer(
        validate=validate.Range(min=1, max=MAX_ID),
        metadata={
            "description": "the story of this document: its claims and those of every "
            "document a link (not rejected) ties to it, whatever words they use"
        },
    )

    @validates_schema
    def _scope(self, data: dict[str, Any], **_: Any) -> None:
        if "q" not in data and "document_id" not in data:
            raise ValidationError("send q (search words), document_id, or both", "q")


class StoryQuery(ReportQuery, _StoryScope):
    pass


class StoryTextQuery(_StoryScope):
    pass


class ReportSpeakerOut(Schema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.String()


class ReportDocumentRefOut(Schema):
    id = fields.Integer()
    title = fields.String(allow_none=True)
    outlet = fields.String(allow_none=True)
    published_on = fields.Date(allow_none=True)
    url = fields.String(allow_none=True)


class OtherClaimOut(Schema):
    claim_id = fields.Integer()
    text = fields.String()
    status = fields.String()
    document_id = fields.Integer()
    document_title = fields.String(allow_none=True)
    outlet = fields.String(allow_none=True)
    published_on = fields.Date(allow_none=True)
    speaker = fields.String(allow_none=True)
    relation = fields.String()
    state = fields.String()
    link_id = fields.Integer()
    opinion = fields.Boolean(
        metadata={
            "description": "the other claim is in an opinion piece (an op-ed): it is listed, "
            "and counts as no independent origin"
        }
    )
    words_changed = fields.Boolean(
        metadata={
            "description": "a confirmed link reviewed before the words under either claim "
            "last changed (a revision, an edit): to check again; confirming it again clears it"
        }
    )
    settled = fields.Boolean(
        metadata={
            "description": "a conflict verdicts have settled (either claim false, or one "
            "verified and the other disputed): listed, no longer counted as open"
        }
    )


class CheckedElsewhereOut(Schema):
    publisher = fields.String(allow_none=True)
    rating = fields.String(allow_none=True)
    status = fields.String(allow_none=True)
    # A date, as every other date here (a plain dict gave Flask's HTTP date).
    review_date = fields.Date(allow_none=True)
    url = fields.String()
    state = fields.String(metadata={"description": "confirmed, or suggested (strongly)"})
    confidence = fields.Float(allow_none=True)


class DecisionOut(Schema):
    from_ = fields.String(data_key="from", allow_none=True, attribute="from")
    to = fields.String()
    by = fields.String()
    at = fields.DateTime()
    rationale = fields.String(allow_none=True)


class EvidenceRefOut(Schema):
    url = fields.String(allow_none=True)
    document_id = fields.Integer(allow_none=True)
    note = fields.String(allow_none=True)


class ReportClaimOut(Schema):
    id = fields.Integer()
    text = fields.String()
    span = fields.Dict(keys=fields.String(), values=fields.Integer())
    speaker = fields.Nested(ReportSpeakerOut, allow_none=True)
    attribution = fields.String()
    claim_date = fields.Date(
        allow_none=True,
        metadata={"description": "the first day of the period date_precision names"},
    )
    date_precision = fields.String(
        allow_none=True, metadata={"description": "day, week, month or year"}
    )
    claim_date_shown = fields.String(
        allow_none=True,
        metadata={"description": 'the date as precise as it is known: "2006", "2007-04", …'},
    )
    status = fields.String()
    checkworthiness = fields.Float()
    anchor_state = fields.String(
        allow_none=True,
        metadata={
            "description": "orphaned: not in the current text (its span is an earlier "
            "revision's); see the claim's anchor_state"
        },
    )
    review_flag = fields.String(
        allow_none=True,
        metadata={
            "description": "to look at again: the verdict no longer has what it needed (a "
            "link or fact-check taken back, a copy confirmed) or a revision changed the text "
            "under the claim; null otherwise (as GET /claims/{id} says it)"
        },
    )
    checked_elsewhere = fields.List(
        fields.Nested(CheckedElsewhereOut),
        metadata={
            "description": "already checked by: fact-checks published elsewhere that a "
            "reviewer confirmed or that are strongly suggested"
        },
    )
    decision = fields.Nested(
        DecisionOut,
        allow_none=True,
        metadata={"description": "the last status decision; null while none was made"},
    )
    evidence = fields.List(fields.Nested(EvidenceRefOut))
    document = fields.Nested(ReportDocumentRefOut)
    independent_origins = fields.Integer(
        metadata={
            "description": "distinct outlets (derivations joined; opinion pieces not counted) "
            "confirmed as backing it"
        }
    )
    possible_copies = fields.Integer(
        metadata={
            "description": "how many of those origins would merge if the syndicated copies "
            "suggested among their documents (not yet reviewed) were confirmed"
        }
    )
    anonymous_backing = fields.Boolean(
        metadata={
            "description": "every claim backing it from another origin is attributed to an "
            "anonymous source"
        }
    )
    corroborating = fields.List(fields.Nested(OtherClaimOut))
    conflicting = fields.List(
        fields.Nested(OtherClaimOut),
        metadata={"description": "conflicts links, confirmed or still suggested"},
    )
    open_conflicts = fields.Integer(
        metadata={
            "description": "conflicts links not rejected (confirmed or still suggested) that "
            "no verdict has settled"
        }
    )
    confirmed_conflicts = fields.Integer(
        metadata={"description": "of open_conflicts, those a person confirmed"}
    )
    suggested_links = fields.Integer()


class TotalsOut(Schema):
    claims = fields.Integer()
    checkworthy = fields.Integer()
    by_attribution = fields.Dict(keys=fields.String(), values=fields.Integer())
    share_anonymous = fields.Float()
    share_author_alone = fields.Float()
    share_named = fields.Float()
    independently_corroborated = fields.Integer()
    share_independently_corroborated = fields.Float()
    by_status = fields.Dict(keys=fields.String(), values=fields.Integer())
    verified = fields.Integer()
    disputed = fields.Integer()
    claims_with_open_conflicts = fields.Integer()
    open_conflicts = fields.Integer(
        metadata={
            "description": "conflicts links not rejected (confirmed or still suggested) that "
            "no verdict has settled"
        }
    )
    confirmed_conflicts = fields.Integer(
        metadata={"description": "open conflicts links a person confirmed"}
    )
    suggested_conflicts = fields.Integer(
        metadata={"description": "conflicts links the service suggested, not yet reviewed"}
    )
    settled_conflicts = fields.Integer(
        metadata={
            "description": "conflicts verdicts have settled (either claim false, or one verified "
            "and the other disputed)"
        }
    )
    unreviewed_checkworthy = fields.Integer()
    to_review_again = fields.Integer(
        metadata={"description": "claims whose review_flag is set: verdicts to look at again"}
    )


class AttentionOut(Schema):
    claim_id = fields.Integer()
    reason = fields.String()
    text = fields.String()
    status = fields.String()


class ReportHeaderOut(ReportDocumentRefOut):
    """The reported document: its reference fields and what a reader needs about it."""

    author = fields.String(allow_none=True)
    kind = fields.String()
    derived_from_id = fields.Integer(allow_none=True)
    derived_from_title = fields.String(allow_none=True)


class DocumentReportOut(Schema):
    document = fields.Nested(ReportHeaderOut)
    totals = fields.Nested(TotalsOut)
    attention = fields.List(fields.Nested(AttentionOut))
    claims = fields.List(fields.Nested(ReportClaimOut))


class SpeakerHeaderOut(Schema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.String()
    role = fields.String(allow_none=True)
    description = fields.String(allow_none=True)
    aliases = fields.List(fields.String())


class SpeakerReportOut(Schema):
    speaker = fields.Nested(SpeakerHeaderOut)
    totals = fields.Nested(TotalsOut)
    claims = fields.List(fields.Nested(ReportClaimOut))


class StoryClusterOut(Schema):
    first_appearance = fields.Nested(ReportClaimOut)
    appearances = fields.List(fields.Nested(ReportClaimOut))
    independent_origins = fields.Integer()
    open_conflicts = fields.Integer(
        metadata={
            "description": "conflicts links not rejected (confirmed or still suggested) that "
            "no verdict has settled"
        }
    )
    confirmed_conflicts = fields.Integer(
        metadata={"description": "of open_conflicts, those a person confirmed"}
    )


class StoryReportOut(Schema):
    query = fields.String()
    truncated = fields.Boolean()
    totals = fields.Nested(TotalsOut)
    clusters = fields.List(fields.Nested(StoryClusterOut))


class ExportQuery(StrictSchema):
    since = fields.String(
        validate=validate.Length(max=100),
        metadata={"description": "cursor of the last row read: resume after it"},
    )
