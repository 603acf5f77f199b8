"""Documents: ingest (idempotent), list, get, and the claims of one document."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from schemas.claims import ClaimOut, DocumentClaimsQuery
from schemas.common import NoArguments
from schemas.copies import CopyOut
from schemas.documents import (
    DocumentCreate,
    DocumentCreateQuery,
    DocumentFullOut,
    DocumentOut,
    DocumentQuery,
    ExtractionOut,
    RevisionFullOut,
    RevisionOut,
)
from service.api.blueprint import Blueprint
from service.api.context import current_actor, db_session, next_link, readable, requires, settings
from service.domain.enums import DocumentKind, DocumentState, Role
from service.extraction import extractor_version
from service.jobs import enqueue_extraction
from service.operations.claims import ClaimFilters, flagged, list_claims
from service.operations.copies import copies_of
from service.operations.documents import (
    DocumentFilters,
    NewDocument,
    Outcome,
    document_from_html,
    extract_now,
    get_document,
    list_documents,
    submit_document,
)
from service.operations.revisions import get_revision, list_revisions, orphans, revision_diff

blp = Blueprint(
    "documents",
    __name__,
    url_prefix="/api/v1/documents",
    description="Articles, transcripts and posts, stored verbatim.",
)


@blp.route("")
class Documents(MethodView):
    @readable
    @blp.arguments(DocumentQuery, location="query")
    @blp.response(200, DocumentOut(many=True))
    def get(self, query: dict[str, Any]) -> Any:
        """List documents, oldest first, with keyset pagination."""
        limit, after = query.pop("limit"), query.pop("after", None)
        docs, cursor = list_documents(
            db_session(), DocumentFilters(**query), after=after, limit=limit
        )
        return docs, 200, next_link(cursor)

    @requires(Role.REVIEWER)
    @blp.arguments(DocumentCreateQuery, location="query", as_kwargs=True)
    @blp.arguments(DocumentCreate)
    @blp.response(202, DocumentFullOut, description="Stored and queued for a worker.")
    @blp.alt_response(
        201,
        schema=DocumentFullOut,
        description="Stored, and extracted in the request (?wait=true or extract: false).",
    )
    @blp.alt_response(
        200,
        schema=DocumentFullOut,
        description="The same body was already stored (the existing document), or the "
        "document was revised and its new sentences extracted in the request.",
    )
    def post(self, data: dict[str, Any], wait: bool) -> Any:
        """Ingest a document (text, or an HTML page whose article text becomes the body).
        A worker extracts its claims (202, state `queued`; follow the Location); with
        ?wait=true the request does it (201, state `ready`). Posting a body already stored
        (now or as an earlier revision) returns that document with 200. A changed body for a
        stored document (`revision_of`, or the same canonical `url`) becomes its next
        revision: its claims are re-anchored at once and only new sentences are extracted
        (200 with `revision` the new number, or 202 while a worker extracts them)."""
        session = db_session()
        data["kind"] = DocumentKind(data.get("kind", "news"))
        extract = data.pop("extract")
        html = data.pop("html", None)
        revision_of = data.pop("revision_of", None)
        archive_url = data.pop("archive_url", None)
        new = (
            NewDocument(**data)
            if html is None
            else document_from_html(html, NewDocument(body="", **data))
        )
        doc, outcome, _ = submit_document(
            session,
            current_actor(),
            new,
            revision_of=revision_of,
            archive_url=archive_url,
            extract=extract,
            queue=None if wait else enqueue_extraction,
            suggest_min=settings().suggest_min,
        )
        session.commit()
        headers = {"Location": f"/api/v1/documents/{doc.id}"}
        queued = 202 if doc.state == DocumentState.QUEUED else None
        if outcome == Outcome.EXISTING:
            return doc, 200, headers
        if outcome == Outcome.REVISED:
            return doc, queued or 200, headers
        return doc, queued or 201, headers


@blp.route("/<int:document_id>")
class DocumentById(MethodView):
    @readable
    @blp.etag
    @blp.response(200, DocumentFullOut)
    def get(self, document_id: int) -> Any:
        """One document with its body."""
        doc = get_document(db_session(), document_id)
        blp.set_etag(
            {"id": doc.id, "sha": doc.body_sha256, "derived": doc.derived_from_id}
            | {"state": doc.state, "attempts": doc.attempts, "error": doc.error}
        )
        return doc


@blp.route("/<int:document_id>/extract")
class DocumentExtract(MethodView):
    @requires(Role.REVIEWER)
    @blp.arguments(NoArguments, location="query", as_kwargs=True)
    @blp.arguments(NoArguments, required=False, as_kwargs=True)
    @blp.response(200, ExtractionOut)
    def post(self, document_id: int) -> Any:
        """Re-run the extractor in this request: claims a person touched stay, untouched
        candidates are replaced. A failed (or still queued) document ends ready."""
        session = db_session()
        document = get_document(session, document_id, for_update=True)
        result = extract_now(session, current_actor(), document, settings().suggest_min)
        session.commit()
        return {
            "extractor_version": extractor_version(),
            "created": len(result.created),
            "replaced": result.replaced,
            "kept": result.kept,
            "suggested": result.suggested,
        }


@blp.route("/<int:document_id>/claims")
class DocumentClaims(MethodView):
    @readable
    @blp.arguments(DocumentClaimsQuery, location="query")
    @blp.response(200, ClaimOut(many=True))
    def get(self, query: dict[str, Any], document_id: int) -> Any:
        """The claims of a document, in reading order."""
        session = db_session()
        get_document(session, document_id)
        claims, cursor = list_claims(
            session,
            ClaimFilters(document_id=document_id, status=query.get("status")),
            after=query.get("after"),
            limit=query["limit"],
            reading_order=True,
        )
        return claims, 200, next_link(cursor)


@blp.route("/<int:document_id>/copies")
class DocumentCopies(MethodView):
    @readable
    @blp.response(200, CopyOut(many=True))
    def get(self, document_id: int) -> Any:
        """Near-duplicates of this document (as copy or as source), suggested, confirmed or
        rejected, with their resemblance."""
        session = db_session()
        get_document(session, document_id)
        return copies_of(session, document_id)


@blp.route("/<int:document_id>/revisions")
class DocumentRevisions(MethodView):
    @readable
    @blp.response(200, RevisionOut(many=True))
    def get(self, document_id: int) -> Any:
        """Every version of the text, oldest first, with how its claims were re-anchored; a
        document never revised is its own revision 1."""
        return list_revisions(db_session(), document_id)


@blp.route("/<int:document_id>/revisions/<int:number>")
class DocumentRevisionByNumber(MethodView):
    @readable
    @blp.response(200, RevisionFullOut)
    def get(self, document_id: int, number: int) -> Any:
        """One version's text and its diff against the version before."""
        session = db_session()
        revision = get_revision(session, document_id, number)
        previous = get_revision(session, document_id, number - 1).body if number > 1 else None
        return {name: getattr(revision, name) for name in RevisionOut().fields} | {
            "body": revision.body,
            "diff": revision_diff(previous, revision.body, number),
        }


@blp.route("/<int:document_id>/orphans")
class DocumentOrphans(MethodView):
    @readable
    @blp.response(200, ClaimOut(many=True))
    def get(self, document_id: int) -> Any:
        """Claims a revision could not place on the current text (their span refers to the
        revision they were last found in); PATCH a claim's span to place it by hand."""
        session = db_session()
        return flagged(session, orphans(session, document_id))
