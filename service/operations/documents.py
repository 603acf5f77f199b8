"""Documents: verbatim bodies, idempotent by sha256, with their outlet and lineage."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from typing import Protocol

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service.domain.enums import DocumentKind, DocumentState
from service.domain.errors import Conflict, InvalidInput, NotFound
from service.domain.text import tidy_name
from service.domain.urls import web_url_problem
from service.ingest.html import from_html
from service.linking.scoring import SUGGEST_MIN
from service.models import Document, DocumentRevision, Outlet
from service.operations.actors import Actor
from service.operations.copies import lock_band_keys, suggest_copies
from service.operations.events import record_event, snapshot
from service.operations.extraction import ExtractionResult, extract_claims, mark_ready
from service.operations.pagination import keyset_page, like_contains
from service.operations.revisions import RevisionResult, canonical_url, find_by_url, revise_document


@dataclass(frozen=True)
class NewDocument:
    body: str
    outlet: str | None = None
    title: str | None = None
    author: str | None = None
    url: str | None = None
    published_on: date | None = None
    kind: DocumentKind = DocumentKind.NEWS
    language: str = "en"
    derived_from_id: int | None = None
    html_sha256: str | None = None


def document_from_html(html: str, base: NewDocument) -> NewDocument:
    """A document whose body is the article text of an HTML page; what the caller set wins
    over the page's own metadata (title, author, site as outlet, date, canonical URL)."""
    article = from_html(html, base.url)
    if article is None:
        raise InvalidInput("html", "no article text could be found in this page")
    return replace(
        base,
        body=article.body,
        title=base.title or article.title,
        author=base.author or article.author,
        outlet=base.outlet or article.site,
        published_on=base.published_on or article.published_on,
        # A page's own canonical address is taken only if it is a web address: a page that
        # names a javascript: one is still a page to ingest.
        url=base.url
        or (article.url if article.url and web_url_problem(article.url) is None else None),
        html_sha256=article.html_sha256,
    )


@dataclass(frozen=True)
class DocumentFilters:
    outlet_id: int | None = None
    outlet: str | None = None
    kind: str | None = None
    published_from: date | None = None
    published_to: date | None = None
    q: str | None = None


def body_sha256(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def get_or_create_outlet(session: Session, actor: Actor, name: str) -> Outlet:
    """The outlet of that name (case-insensitive), created on first mention.

    Case is folded by Postgres on both sides, as the unique index `lower(name)` folds it
    (Python's lower() differs for a final sigma or a dotted capital I, and then missed a
    stored outlet). Two requests naming a new outlet at once: the second INSERT waits for
    the first and does nothing, and both get the one row."""
    name = tidy_name(name)
    created = session.scalar(
        pg_insert(Outlet)
        .values(name=name)
        .on_conflict_do_nothing(index_elements=[func.lower(Outlet.name)])
        .returning(Outlet.id)
    )
    outlet = session.scalar(select(Outlet).where(func.lower(Outlet.name) == func.lower(name)))
    assert outlet is not None
    if created is not None:
        record_event(session, actor, "outlet.created", outlet, after=snapshot(outlet))
    return outlet


def find_document_by_body(session: Session, body: str) -> Document | None:
    """The document whose current text, or one of whose earlier revisions, is this body."""
    sha = body_sha256(body)
    found = session.scalar(select(Document).where(Document.body_sha256 == sha))
    if found is None:
        found = session.scalar(
            select(Document)
            .join(DocumentRevision, DocumentRevision.document_id == Document.id)
            .where(DocumentRevision.body_sha256 == sha)
            .order_by(Document.id)
            .limit(1)
        )
    return found


def _check_urls(url: str | None, archive_url: str | None = None) -> None:
    for field, value in (("url", url), ("archive_url", archive_url)):
        problem = web_url_problem(value) if value is not None else None
        if problem:
            raise InvalidInput(field, f"the address is {problem}")


def create_document(session: Session, actor: Actor, new: NewDocument) -> tuple[Document, bool]:
    """Store a document; the same body again returns the existing one. Returns (doc, created)."""
    if not new.body.strip():
        raise InvalidInput("body", "the body is empty or only white space")
    _check_urls(new.url)
    existing = find_document_by_body(session, new.body)
    if existing is not None:
        return existing, False
    if new.derived_from_id is not None and session.get(Document, new.derived_from_id) is None:
        raise InvalidInput("derived_from_id", f"no document {new.derived_from_id}")
    outlet = get_or_create_outlet(session, actor, new.outlet) if new.outlet else None
    doc = Document(
        outlet=outlet,
        title=new.title,
        author=new.author,
        url=canonical_url(new.url),
        published_on=new.published_on,
        kind=new.kind.value,
        language=new.language,
        body=new.body,
        body_sha256=body_sha256(new.body),
        derived_from_id=new.derived_from_id,
        html_sha256=new.html_sha256,
    )
    # Band keys before any document row (the insert's foreign-key check on its source takes
    # one): a revision of that source takes the keys first too, and then its row.
    lock_band_keys(session, new.body)
    try:
        # A concurrent request may store the same body between our check and this insert;
        # the unique key decides, and the loser returns the winner's document.
        with session.begin_nested():
            session.add(doc)
            session.flush()
    except IntegrityError as exc:
        if "uq_documents_body_sha256" not in str(exc.orig):
            raise
        winner = find_document_by_body(session, new.body)
        if winner is None:  # pragma: no cover - the row we collided with was rolled back
            raise
        return winner, False
    record_event(session, actor, "document.created", doc, after=snapshot(doc))
    suggest_copies(session, actor, doc)
    return doc, True


class Enqueue(Protocol):
    """Queues a document for a worker in the caller's transaction (`service.jobs` has the one
    the app uses). Passed in by the caller: operations do not reach up to the job layer."""

    def __call__(
        self, session: Session, document: Document, *, keep_existing: bool = False
    ) -> None: ...


def ingest_document(
    session: Session,
    actor: Actor,
    new: NewDocument,
    *,
    extract: bool = True,
    queue: Enqueue | None = None,
    suggest_min: float = SUGGEST_MIN,
) -> tuple[Document, bool]:
    """Store a document, in the caller's one transaction, and extract its claims: now, or
    by a worker when `queue` is given (the job is deferred in the same transaction)."""
    doc, created = create_document(session, actor, new)
    if not created:
        return doc, False
    if not extract:
        doc.state = DocumentState.STORED
    elif queue is not None:
        queue(session, doc)
    else:
        extract_now(session, actor, doc, suggest_min)
    return doc, True


class Outcome(StrEnum):
    CREATED = "created"
    #: The body is stored already (as a document's text now or in an earlier revision).
    EXISTING = "existing"
    #: A changed body for a stored document (its canonical URL, or `revision_of`).
    REVISED = "revised"


def _locked(session: Session, document_id: int) -> Document | None:
    """The document, row-locked for a revision and read after the lock was granted (a
    revision that committed while this one waited is seen, not the copy the session held).

    The caller takes the new text's band-key locks first (lock_band_keys): an ingest
    proposing a copy of this document holds those keys while it checks the document's key,
    and a revision that locked the document first and the keys after waited for it while it
    waited for the revision. FOR NO KEY UPDATE keeps out every other writer of the document
    (claims are created under a share lock on it); the revision's UPDATE of the unique
    body_sha256 takes the full lock anyway."""
    return session.get(
        Document,
        document_id,
        with_for_update={"of": Document, "key_share": True},
        populate_existing=True,
    )


def _same_outlet(doc: Document, outlet: str | None) -> bool:
    if not outlet or doc.outlet is None:
        return True
    return " ".join(outlet.split()).lower() == doc.outlet.name.lower()


def submit_document(
    session: Session,
    actor: Actor,
    new: NewDocument,
    *,
    revision_of: int | None = None,
    archive_url: str | None = None,
    extract: bool = True,
    queue: Enqueue | None = None,
    suggest_min: float = SUGGEST_MIN,
) -> tuple[Document, Outcome, RevisionResult | None]:
    """Store a posted document: new, already stored, or a new revision of a stored one
    (`revision_of`, else a stored document with the same canonical URL). A revision
    re-anchors the claims and extracts only the sentences no claim covers."""
    if not new.body.strip():
        raise InvalidInput("body", "the body is empty or only white space")
    _check_urls(new.url, archive_url)
    existing = find_document_by_body(session, new.body)
    if existing is not None and revision_of is not None and existing.id != revision_of:
        # Asked for a revision, the caller must not get another document back as if that
        # were done (200 with document 9 for a revision of document 8 revised nothing).
        raise Conflict(
            f"this text is already stored as document {existing.id}, so it cannot also become "
            f"a revision of document {revision_of}: a document's text belongs to one document"
        )
    if existing is not None:
        return existing, Outcome.EXISTING, None
    if revision_of is not None:
        lock_band_keys(session, new.body)
        target = _locked(session, revision_of)
        if target is None:
            raise InvalidInput("revision_of", f"no document {revision_of}")
    else:
        found = find_by_url(session, new.url)
        if found is not None and not _same_outlet(found, new.outlet):
            found = None  # another outlet's page at this URL is not this document
        if found is not None:
            lock_band_keys(session, new.body)
        target = _locked(session, found.id) if found else None
    if target is None:
        doc, created = ingest_document(
            session, actor, new, extract=extract, queue=queue, suggest_min=suggest_min
        )
        return doc, Outcome.CREATED if created else Outcome.EXISTING, None
    result = revise_document(
        session,
        actor,
        target,
        body=new.body,
        body_sha256=body_sha256(new.body),
        html_sha256=new.html_sha256,
        title=new.title,
        url=new.url,
        archive_url=archive_url,
    )
    suggest_copies(session, actor, target)
    if extract and queue is not None:
        queue(session, target, keep_existing=True)
    elif extract:
        extract_now(session, actor, target, suggest_min, keep_existing=True)
    return target, Outcome.REVISED, result


def extract_now(
    session: Session,
    actor: Actor,
    doc: Document,
    suggest_min: float = SUGGEST_MIN,
    *,
    keep_existing: bool = False,
) -> ExtractionResult:
    """(Re-)extract in this transaction, whatever state the document was in: a failed or
    still queued document becomes ready (its job, if any, then finds nothing to do)."""
    before = snapshot(doc)
    result = extract_claims(session, actor, doc, suggest_min, keep_existing=keep_existing)
    mark_ready(session, actor, doc, result, before)
    return result


def get_document(session: Session, document_id: int, *, for_update: bool = False) -> Document:
    """One document; for_update locks it (two re-extractions must not interleave)."""
    doc = session.get(
        Document, document_id, with_for_update={"of": Document} if for_update else None
    )
    if doc is None:
        raise NotFound(f"no document {document_id}")
    return doc


def list_documents(
    session: Session, filters: DocumentFilters, *, after: str | None, limit: int
) -> tuple[list[Document], str | None]:
    stmt = select(Document)
    if filters.outlet_id is not None:
        stmt = stmt.where(Document.outlet_id == filters.outlet_id)
    if filters.outlet:
        stmt = stmt.join(Outlet).where(func.lower(Outlet.name) == func.lower(filters.outlet))
    if filters.kind:
        stmt = stmt.where(Document.kind == filters.kind)
    if filters.published_from:
        stmt = stmt.where(Document.published_on >= filters.published_from)
    if filters.published_to:
        stmt = stmt.where(Document.published_on <= filters.published_to)
    if filters.q:
        stmt = stmt.where(Document.title.ilike(like_contains(filters.q)))
    return keyset_page(session, stmt, [Document.id], after=after, limit=limit)
