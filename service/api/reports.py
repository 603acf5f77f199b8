"""Sourcing reports (JSON, HTML, Markdown, CSV), ClaimReview, Web Annotation and exports."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlencode

from flask import Response, request, stream_with_context, url_for
from flask.views import MethodView
from werkzeug.exceptions import NotAcceptable

from schemas.common import NoArguments, ProblemSchema
from schemas.reports import (
    DocumentReportOut,
    ExportQuery,
    ReportQuery,
    SpeakerReportOut,
    StoryQuery,
    StoryReportOut,
    StoryTextQuery,
)
from service.api.blueprint import Blueprint
from service.api.context import check_role, db_session, readable, report_session, settings
from service.domain.enums import Role
from service.reports import render
from service.reports.exports import all_claim_reviews, annotation, claim_review, export_claims
from service.reports.query import document_report, speaker_report, story_report

blp = Blueprint(
    "reports",
    __name__,
    url_prefix="/api/v1",
    description="Sourcing reports: how well a story, a speaker or a search is sourced.",
)

_ACCEPTED = {
    "application/json": "json",
    "text/html": "html",
    "text/markdown": "md",
    "text/csv": "csv",
}


def _alternatives(schema: str) -> dict[str, Any]:
    """The report's 200 in each format it comes in (JSON first)."""
    return {
        "200": {
            "description": "the report as JSON; also text/html (printable page), "
            "text/markdown and text/csv (one row per claim), chosen by `format` or the "
            "Accept header",
            "content": {
                "application/json": {"schema": {"$ref": f"#/components/schemas/{schema}Out"}},
                "text/html": {"schema": {"type": "string"}},
                "text/markdown": {"schema": {"type": "string"}},
                "text/csv": {"schema": {"type": "string"}},
            },
        }
    }


def _texts() -> dict[str, Any]:
    """A report's 200 at a text path: one format each, chosen by the path's extension."""
    return {
        "200": {
            "description": "the report as text: .html a printable page, .md Markdown, .csv "
            "one row per claim",
            "content": {
                "text/html": {"schema": {"type": "string"}},
                "text/markdown": {"schema": {"type": "string"}},
                "text/csv": {"schema": {"type": "string"}},
            },
        }
    }


def chosen_format(query: dict[str, Any]) -> str:
    """`?format=` wins; otherwise the best match of Accept (JSON when it says nothing)."""
    if "format" in query:
        return str(query["format"])
    if not request.headers.get("Accept"):
        return "json"
    best = request.accept_mimetypes.best_match(list(_ACCEPTED))
    if best is None:
        raise NotAcceptable(
            "reports are available as " + ", ".join(_ACCEPTED) + " (or pass ?format=)"
        )
    return _ACCEPTED[best]


def _text(fmt: str, body: str, filename: str) -> Response:
    response = Response(body, content_type=render.FORMATS[fmt])
    if fmt == "csv":
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    response.headers["Vary"] = "Accept"
    return response


def other_formats() -> dict[str, str]:
    """The same report in the other formats (the HTML links them: a reader should not have
    to know the API to download the CSV)."""
    kept = [(k, v) for k, v in request.args.items(multi=True) if k != "format"]
    path = re.sub(r"\.(?:html|md|csv)$", "", request.path)  # the text paths' own report
    return {
        label: f"{path}?{urlencode([*kept, ('format', fmt)])}"
        for label, fmt in (("JSON", "json"), ("Markdown", "md"), ("CSV", "csv"))
    }


def _respond(
    fmt: str, report: dict[str, Any], renderers: dict[str, Callable[[], str]], name: str
) -> Any:
    if fmt == "json":
        return report
    return _text(fmt, renderers[fmt](), name)


def _document(fmt: str, document_id: int) -> Any:
    report = document_report(report_session(), document_id)
    return _respond(
        fmt,
        report,
        {
            "html": lambda: render.document_html(
                report,
                other_formats(),
                url_for("web.document_page", document_id=document_id),
            ),
            "md": lambda: render.document_markdown(report),
            "csv": lambda: render.claims_csv(report["claims"]),
        },
        f"document-{document_id}-report",
    )


def _claims_report(
    fmt: str,
    report: dict[str, Any],
    title: str,
    groups: list[dict[str, Any]],
    back: str,
    name: str,
    cluster_of: dict[int, int] | None = None,
) -> Any:
    """A report of claims from many documents (a speaker's, a story's) in the format asked."""
    claims = [c for group in groups for c in group["claims"]]
    return _respond(
        fmt,
        report,
        {
            "html": lambda: render.claims_html(title, report, groups, other_formats(), back),
            "md": lambda: render.claims_markdown(title, report, claims),
            "csv": lambda: render.claims_csv(claims, cluster_of),
        },
        name,
    )


def _speaker(fmt: str, speaker_id: int) -> Any:
    report = speaker_report(report_session(), speaker_id)
    return _claims_report(
        fmt,
        report,
        f"Claims by {report['speaker']['name']}",
        [{"heading": None, "claims": report["claims"]}],
        url_for("web.speakers_list", q=report["speaker"]["name"]),
        f"speaker-{speaker_id}-report",
    )


def _story(fmt: str, query: dict[str, Any]) -> Any:
    q = query.get("q")
    report = story_report(report_session(), q, query.get("document_id"))
    groups = [
        {
            "heading": f"{len(c['appearances'])} appearance(s) · "
            f"{c['independent_origins']} independent origin(s) · "
            f"{c['confirmed_conflicts']} confirmed conflict(s)"
            + (
                f", {c['open_conflicts'] - c['confirmed_conflicts']} suggested"
                if c["open_conflicts"] > c["confirmed_conflicts"]
                else ""
            ),
            "claims": c["appearances"],
        }
        for c in report["clusters"]
    ]
    back = (
        url_for("web.inbox_page", q=q)
        if q
        else url_for("web.document_page", document_id=query["document_id"])
    )
    cluster_of = {
        m["id"]: c["first_appearance"]["id"] for c in report["clusters"] for m in c["appearances"]
    }
    return _claims_report(
        fmt, report, f"Story: {report['query']}", groups, back, "story-report", cluster_of
    )


@blp.route("/documents/<int:document_id>/report")
class DocumentReport(MethodView):
    @readable
    @blp.arguments(ReportQuery, location="query")
    @blp.response(200, DocumentReportOut)
    @blp.doc(responses=_alternatives("DocumentReport"))
    def get(self, query: dict[str, Any], document_id: int) -> Any:
        """How well the document is sourced: each claim in reading order with whom it rests
        on, its status and its independent backing elsewhere; the story's totals; and what an
        editor should look at first; each claim's last decision and evidence. Seven SQL
        statements whatever the document's size, and at most three more when verdicts rest
        on links alone (whether each still holds: its review_flag)."""
        return _document(chosen_format(query), document_id)


@blp.route("/documents/<int:document_id>/report.<any(html,md,csv):text_format>")
class DocumentReportText(MethodView):
    @readable
    @blp.arguments(NoArguments, location="query", as_kwargs=True)
    @blp.doc(responses=_texts())
    def get(self, document_id: int, text_format: str) -> Any:
        """The document's report as a printable page (html), Markdown (md) or CSV (csv):
        what getDocumentReport gives with ?format=, at a path of its own, so that a client
        generated from this document reads it as text."""
        return _document(text_format, document_id)


@blp.route("/speakers/<int:speaker_id>/report")
class SpeakerReport(MethodView):
    @readable
    @blp.arguments(ReportQuery, location="query")
    @blp.response(200, SpeakerReportOut)
    @blp.doc(responses=_alternatives("SpeakerReport"))
    def get(self, query: dict[str, Any], speaker_id: int) -> Any:
        """What the speaker claimed (names merged into them included), where, when and with
        what status and backing; their aliases. Newest documents first."""
        return _speaker(chosen_format(query), speaker_id)


@blp.route("/speakers/<int:speaker_id>/report.<any(html,md,csv):text_format>")
class SpeakerReportText(MethodView):
    @readable
    @blp.arguments(NoArguments, location="query", as_kwargs=True)
    @blp.doc(responses=_texts())
    def get(self, speaker_id: int, text_format: str) -> Any:
        """The speaker's report as html, md or csv, at a path of its own (see
        getDocumentReportText)."""
        return _speaker(text_format, speaker_id)


@blp.route("/reports/story")
class StoryReport(MethodView):
    @readable
    @blp.arguments(StoryQuery, location="query")
    @blp.response(200, StoryReportOut)
    @blp.doc(responses=_alternatives("StoryReport"))
    def get(self, query: dict[str, Any]) -> Any:
        """A story across documents: the claims matching `q`, or those of `document_id` and
        of every document a link ties to it (whatever words they use), grouped by same-claim
        cluster (first appearance first), each cluster with its independent origins and
        conflicts."""
        return _story(chosen_format(query), query)


@blp.route("/reports/story.<any(html,md,csv):text_format>")
class StoryReportText(MethodView):
    @readable
    @blp.arguments(StoryTextQuery, location="query")
    @blp.doc(responses=_texts())
    def get(self, query: dict[str, Any], text_format: str) -> Any:
        """The story report as html, md or csv, at a path of its own (see
        getDocumentReportText)."""
        return _story(text_format, query)


def _json_ld(document: dict[str, Any]) -> Response:
    return Response(
        json.dumps(document, ensure_ascii=False, default=str), content_type="application/ld+json"
    )


def _organisation() -> dict[str, str]:
    s = settings()
    return {"name": s.organisation_name, "url": s.organisation_url}


@blp.route("/claims/<int:claim_id>/claimreview")
class ClaimReviewView(MethodView):
    @readable
    @blp.response(200, description="ClaimReview JSON-LD", content_type="application/ld+json")
    @blp.alt_response(409, schema=ProblemSchema, description="the claim is not decided yet")
    @blp.alt_response(
        401, schema=ProblemSchema, description="a draft review is read with an API key"
    )
    def get(self, claim_id: int) -> Any:
        """schema.org ClaimReview for a decided claim (verified, disputed, false or
        unverifiable). Rating scale: 1 False, 2 Disputed, 4 Verified (worstRating 1,
        bestRating 4); Unverifiable, no point on a scale of truth, has no ratingValue;
        alternateName carries the verdict in words.
        itemReviewed lists every appearance of the claim (its same-claim cluster), earliest
        first as firstAppearance. A review nobody published yet (creativeWorkStatus Draft:
        no url, no datePublished; the verdict's rationale as its text) is read with a key
        even where reading is open: it is the newsroom's, not the public's."""
        review = claim_review(db_session(), claim_id, _organisation(), settings().public_url)
        if review["creativeWorkStatus"] != "Published":
            check_role(Role.VIEWER)
        return _json_ld(review)


@blp.route("/claims/<int:claim_id>/annotation")
class ClaimAnnotationView(MethodView):
    @readable
    @blp.response(200, description="Web Annotation JSON-LD", content_type="application/ld+json")
    def get(self, claim_id: int) -> Any:
        """The claim as a W3C Web Annotation on its document, with TextQuoteSelector
        (exact, prefix, suffix) and TextPositionSelector (character offsets in the body)."""
        return _json_ld(annotation(db_session(), claim_id, settings().public_url))


@blp.route("/exports/claimreview")
class ClaimReviewExport(MethodView):
    @readable
    @blp.response(
        200, description="a JSON array of ClaimReview JSON-LD", content_type="application/ld+json"
    )
    def get(self) -> Any:
        """Every published review's ClaimReview (the reviews editors made public), as one
        JSON array streamed as it is built."""
        session = report_session()
        organisation, public_url = _organisation(), settings().public_url

        def generate() -> Iterator[str]:
            yield "["
            reviews = all_claim_reviews(session, organisation, public_url, published_only=True)
            for n, review in enumerate(reviews):
                yield ("," if n else "") + json.dumps(review, ensure_ascii=False, default=str)
            yield "]\n"

        return Response(stream_with_context(generate()), content_type="application/ld+json")


@blp.route("/exports/claims.ndjson")
class ClaimsExport(MethodView):
    @readable
    @blp.arguments(ExportQuery, location="query")
    @blp.response(200, description="one JSON claim per line", content_type="application/x-ndjson")
    def get(self, query: dict[str, Any]) -> Any:
        """Every claim (with speaker, document, links, status and the review_flag GET
        /claims/{id} gives a verdict that no longer holds) as newline-delimited JSON,
        in the order they were stored, streamed without a row cap. Each line carries a
        `cursor`: pass the last one read as `since` to resume after it. Every committed
        claim is listed; one written after a transaction still running carries the cursor
        of the point before that transaction, so resuming lists it again with any claim
        that committed late: at least once, never skipped. Changes to claims already
        exported are in GET /events."""
        session = report_session()
        lines = export_claims(session, query.get("since"))
        first = next(lines, None)  # a bad cursor fails here, as a 422, before streaming

        def generate() -> Iterator[str]:
            if first is not None:
                yield first
                yield from lines

        plain = request.accept_mimetypes.best_match(["application/x-ndjson", "text/plain"])
        media = "text/plain; charset=utf-8" if plain == "text/plain" else "application/x-ndjson"
        return Response(stream_with_context(generate()), content_type=media)
