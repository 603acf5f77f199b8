"""Revisions: a document posted again, changed, under its canonical URL (or `revision_of`).

The new text becomes the document's current body; every claim that was on the old text is
re-anchored on the new one (service/revisions/anchoring.py) and ends `anchored`, `moved`
(its old text kept) or `orphaned` — never silently moved. Decisions, links, evidence and
edits stay with their claim (its id does not change). A decided claim whose text changed is
flagged for another look; its status stays, and an event says why. Sentences that are new
are extracted (now or by a worker); claims already on the text are not extracted again."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service.domain.enums import AnchorState, ClaimOrigin, ClaimStatus
from service.domain.errors import Conflict, InvalidInput, NotFound
from service.extraction.dates import resolve_date
from service.extraction.model import ResolvedDate
from service.linking import semantic
from service.linking import vectors as vector_index
from service.models import Claim, Document, DocumentRevision
from service.operations.actors import Actor
from service.operations.claims import CONTEXT_CHARS
from service.operations.events import record_event, snapshot
from service.revisions.anchoring import Reanchored, Selector, reanchor

#: Query parameters that say where a reader came from, not which page it is: these names,
#: and any starting with "utm_".
_TRACKING = frozenset({"fbclid", "gclid", "dclid", "mc_cid", "mc_eid", "ref", "cmpid", "ocid"})


def canonical_url(url: str | None) -> str | None:
    """The URL a revision is matched on: scheme and host in lower case, no fragment, no
    tracking parameters, no trailing slash on the path."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    query = urlencode(
        [
            (k, v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if not (k.lower().startswith("utm_") or k.lower() in _TRACKING)
        ]
    )
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, query, ""))


def find_by_url(session: Session, url: str | None) -> Document | None:
    """The newest document stored under this canonical URL."""
    canonical = canonical_url(url)
    if canonical is None:
        return None
    # Documents stored before URLs were kept canonical match as they were given.
    return session.scalar(
        select(Document)
        .where(Document.url.in_({canonical, url}))
        .order_by(Document.id.desc())
        .limit(1)
    )


@dataclass(frozen=True)
class RevisionResult:
    revision: DocumentRevision
    anchored: list[Claim]
    moved: list[Claim]
    orphaned: list[Claim]
    flagged: list[Claim]


def _revision_one(doc: Document) -> DocumentRevision:
    return DocumentRevision(
        document_id=doc.id,
        number=doc.revision,
        body=doc.body,
        body_sha256=doc.body_sha256,
        html_sha256=doc.html_sha256,
        title=doc.title,
        url=doc.url,
        created_at=doc.created_at,
    )


def _context(body: str, start: int, end: int) -> tuple[str, str]:
    return body[max(0, start - CONTEXT_CHARS) : start], body[end : end + CONTEXT_CHARS]


def revise_document(
    session: Session,
    actor: Actor,
    doc: Document,
    *,
    body: str,
    body_sha256: str,
    html_sha256: str | None = None,
    title: str | None = None,
    url: str | None = None,
    archive_url: str | None = None,
    fetched_at: datetime | None = None,
) -> RevisionResult:
    """Make `body` the document's next revision and re-anchor its claims, in the caller's
    transaction (the caller holds the document's row lock). Extraction of the new sentences
    is the caller's next step (extract_claims with keep_existing)."""
    if body_sha256 == doc.body_sha256:
        raise InvalidInput("body", "the body is the document's current text: nothing to revise")
    stored = session.scalar(
        select(func.count())
        .select_from(DocumentRevision)
        .where(DocumentRevision.document_id == doc.id)
    )
    if not stored:
        session.add(_revision_one(doc))
    old_body, number = doc.body, doc.revision + 1
    # Locked in id order, as every other writer locks claims (a speaker merge locks the
    # claims it moves in id order: locked by span, a later-added claim with an earlier span
    # made the two wait for each other), then read in text order.
    claims = sorted(
        session.scalars(
            select(Claim)
            .where(
                Claim.document_id == doc.id,
                Claim.anchor_state.is_distinct_from(AnchorState.ORPHANED),
            )
            .order_by(Claim.id)
            .with_for_update(of=Claim)
        ),
        key=lambda c: (c.span_start, c.id),
    )
    results = reanchor(
        old_body,
        body,
        [Selector(c.text, c.prefix, c.suffix, c.span_start, c.span_end) for c in claims],
    )
    before_doc = snapshot(doc)
    doc.body = body
    doc.body_sha256 = body_sha256
    doc.html_sha256 = html_sha256
    doc.revision = number
    if title:
        doc.title = title
    if url:
        doc.url = canonical_url(url)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        if "uq_documents_body_sha256" not in str(exc.orig):
            raise
        raise Conflict("another document already has exactly this body") from None
    anchored, moved, orphaned, flagged = _apply(session, actor, doc, claims, results, number)
    revision = DocumentRevision(
        document_id=doc.id,
        number=number,
        body=body,
        body_sha256=body_sha256,
        html_sha256=html_sha256,
        title=doc.title,
        url=doc.url,
        archive_url=archive_url,
        fetched_at=fetched_at,
        anchored=len(anchored),
        moved=len(moved),
        orphaned=len(orphaned),
    )
    session.add(revision)
    session.flush()
    record_event(
        session,
        actor,
        "document.revised",
        doc,
        before=before_doc,
        after=snapshot(doc)
        | {"anchored": len(anchored), "moved": len(moved), "orphaned": len(orphaned)},
        reason=f"revision {number}: {len(anchored)} claims anchored, {len(moved)} moved, "
        f"{len(orphaned)} orphaned",
    )
    return RevisionResult(revision, anchored, moved, orphaned, flagged)


def _apply(
    session: Session,
    actor: Actor,
    doc: Document,
    claims: list[Claim],
    results: list[Reanchored],
    number: int,
) -> tuple[list[Claim], list[Claim], list[Claim], list[Claim]]:
    anchored: list[Claim] = []
    moved: list[Claim] = []
    orphaned: list[Claim] = []
    flagged: list[Claim] = []
    changes: list[tuple[Claim, dict[str, Any], str]] = []
    for claim, found in zip(claims, results, strict=True):
        before = snapshot(claim)
        decided = claim.status not in (ClaimStatus.UNREVIEWED, ClaimStatus.REJECTED)
        if found.state == AnchorState.ORPHANED:
            claim.anchor_state = AnchorState.ORPHANED
            orphaned.append(claim)
            why = f"not found in revision {number}: its span refers to revision {claim.revision}"
            if decided:
                claim.review_flag = (
                    f"it is no longer in the text of revision {number}, and it was marked "
                    f"{claim.status}: check the verdict still holds"
                )
        else:
            assert found.start is not None
            assert found.end is not None
            assert found.text is not None
            claim.span_start, claim.span_end = found.start, found.end
            claim.prefix, claim.suffix = _context(doc.body, found.start, found.end)
            claim.revision = number
            if found.state == AnchorState.MOVED:
                claim.previous_text = claim.text
                claim.text = found.text
                claim.text_changed_at = datetime.now(UTC)
                _redate(claim, doc)
                claim.anchor_state = AnchorState.MOVED
                moved.append(claim)
                why = f"its text changed in revision {number} (match {found.score:.2f})"
                if decided:
                    claim.review_flag = (
                        f"its text changed in revision {number} after it was marked "
                        f"{claim.status}: check the verdict still holds"
                    )
            else:
                claim.anchor_state = AnchorState.ANCHORED
                anchored.append(claim)
                why = f"found unchanged in revision {number}"
        if claim.review_flag and claim.review_flag != before["review_flag"]:
            flagged.append(claim)
            why += f"; it was {claim.status}, so it is flagged for re-review"
        changes.append((claim, before, why))
    if moved:
        # The moved claims' vectors follow their new text (set before the one flush).
        wanted = [semantic.wanted(c.checkworthiness, c.origin) for c in moved]
        fresh = iter(
            semantic.stored_vectors([c.text for c, w in zip(moved, wanted, strict=True) if w])
        )
        for claim, want in zip(moved, wanted, strict=True):
            claim.embedding = next(fresh) if want else None
    for claim, _, _ in changes:
        if session.is_modified(claim):
            # Machine work: re-extraction still counts the claim as untouched by a person.
            claim.machine_edits += 1
    session.flush()
    vector_index.store(session, [(c.id, c.embedding) for c in moved])
    for claim, before, why in changes:
        after = snapshot(claim)
        if after != before:
            record_event(
                session, actor, "claim.reanchored", claim, before=before, after=after, reason=why
            )
    return anchored, moved, orphaned, flagged


def _redate(claim: Claim, doc: Document) -> None:
    """A moved claim's date read again from its new text ("begin in March 2027" became
    "April 2027"), where the date is still the one read from its old text: a date a person
    set stays theirs."""
    if claim.origin != ClaimOrigin.EXTRACTED or claim.previous_text is None:
        return

    def read(text: str) -> tuple[ResolvedDate | None, tuple[Any, Any]]:
        found = resolve_date(text, doc.published_on)
        return found, (found.value, found.precision) if found else (None, None)

    _, old = read(claim.previous_text)
    new, now = read(claim.text)
    if (claim.claim_date, claim.date_precision) != old or now == old:
        return
    claim.claim_date = new.value if new else None
    claim.date_precision = new.precision if new else None
    reasons = [r for r in claim.reasons if not str(r).startswith("date: ")]
    claim.reasons = reasons + ([f"date: {new.how}"] if new else [])


def list_revisions(session: Session, document_id: int) -> list[DocumentRevision]:
    """Every revision, oldest first; a document never revised is its own revision 1."""
    doc = session.get(Document, document_id)
    if doc is None:
        raise NotFound(f"no document {document_id}")
    rows = list(
        session.scalars(
            select(DocumentRevision)
            .where(DocumentRevision.document_id == document_id)
            .order_by(DocumentRevision.number)
        )
    )
    return rows or [_revision_one(doc)]


def get_revision(session: Session, document_id: int, number: int) -> DocumentRevision:
    """One revision; a document never revised is its own revision 1."""
    found = session.scalar(
        select(DocumentRevision).where(
            DocumentRevision.document_id == document_id, DocumentRevision.number == number
        )
    )
    if found is not None:
        return found
    doc = session.get(Document, document_id)
    if doc is None:
        raise NotFound(f"no document {document_id}")
    if number == 1 == doc.revision:
        return _revision_one(doc)
    raise NotFound(f"document {document_id} has no revision {number}")


def orphans(session: Session, document_id: int) -> list[Claim]:
    """Claims of the document that re-anchoring could not place on its current text."""
    if session.get(Document, document_id) is None:
        raise NotFound(f"no document {document_id}")
    return list(
        session.scalars(
            select(Claim)
            .where(Claim.document_id == document_id, Claim.anchor_state == AnchorState.ORPHANED)
            .order_by(Claim.revision, Claim.span_start, Claim.id)
        )
    )


def revision_diff(previous: str | None, body: str, number: int) -> str | None:
    """A unified diff by paragraph of one revision against the one before."""
    if previous is None:
        return None
    return "".join(
        difflib.unified_diff(
            previous.splitlines(keepends=True),
            body.splitlines(keepends=True),
            fromfile=f"revision {number - 1}",
            tofile=f"revision {number}",
            n=1,
        )
    )
