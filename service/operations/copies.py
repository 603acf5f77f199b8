"""Syndicated copies: found at ingest, confirmed or rejected by a reviewer.

A document's MinHash band keys go into `document_bands`; the documents sharing any key with
it are its candidates (one indexed lookup, whatever the number of documents), each judged
exactly on the two bodies' shingle sets (service/copies/shingles.py). A copy is proposed as
derived from the earlier document, with its resemblance; until a reviewer confirms it,
independence counts the two as separate origins and shows them as a possible copy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from sqlalchemy import Integer, bindparam, delete, insert, or_, select, text
from sqlalchemy.dialects.postgresql import ARRAY, BIGINT
from sqlalchemy.orm import Session

from service.copies.shingles import band_keys, compare, shingles
from service.domain.enums import LinkState
from service.domain.errors import Conflict, InvalidInput, NotFound
from service.models import Document, DocumentBand, DocumentCopy
from service.operations.actors import Actor
from service.operations.events import record_event, record_review, snapshot

#: Candidates judged per document, most shared bands first: a body that shares boilerplate
#: with thousands of pages still costs a bounded number of exact comparisons.
MAX_CANDIDATES = 50

_CANDIDATES = text(
    """
    SELECT b.document_id, count(*) AS shared
      FROM document_bands b
      JOIN unnest(:bands, :keys) AS k(band, key) ON b.band = k.band AND b.key = k.key
     WHERE b.document_id <> :document_id
     GROUP BY b.document_id
     ORDER BY shared DESC, b.document_id
     LIMIT :cap
    """
).bindparams(
    bindparam("bands", type_=ARRAY(Integer)),
    bindparam("keys", type_=ARRAY(BIGINT)),
)


@dataclass(frozen=True)
class CopyFound:
    other_id: int
    similarity: float
    containment: float


def _earlier(a: Document, b: Document) -> tuple[Document, Document]:
    """(copy, source): the source is the one published first (else stored first)."""
    far = date.max
    if (a.published_on or far, a.id) < (b.published_on or far, b.id):
        return b, a
    return a, b


#: One transaction-level advisory lock per band key (the two-int form: its own namespace),
#: taken in order, so two documents sharing keys are indexed and compared one after the
#: other: the second waits for the first to commit and then sees its keys. Without it, two
#: reprints ingested at once each looked for the other's uncommitted keys, found nothing,
#: and were never proposed (a later ingest only compares a new document).
_LOCK_KEYS = text(
    "SELECT pg_advisory_xact_lock(k.band, k.folded) "
    "FROM unnest(:bands, :folded) AS k(band, folded) ORDER BY k.band, k.folded"
).bindparams(
    bindparam("bands", type_=ARRAY(Integer)),
    bindparam("folded", type_=ARRAY(Integer)),
)


def _lock_keys(session: Session, keys: list[tuple[int, int]]) -> None:
    unique = sorted({(band, (key ^ (key >> 32)) & 0x7FFFFFFF) for band, key in keys})
    session.execute(
        _LOCK_KEYS, {"bands": [b for b, _ in unique], "folded": [f for _, f in unique]}
    ).all()


@lru_cache(maxsize=2)
def _keys_of(body: str) -> tuple[tuple[int, int], ...]:
    """A text's band keys, kept for the text last asked about: a request locks them before
    it writes the document and indexes them after, and shingling is the costly part."""
    return tuple(band_keys(shingles(body)))


def lock_band_keys(session: Session, body: str) -> None:
    """Take the band-key locks a text's indexing will take (index_document takes them again,
    which a transaction may), before any document row lock: every writer then takes band
    keys before document rows, and none waits for a row while holding keys another needs."""
    keys = list(_keys_of(body))
    if keys:
        _lock_keys(session, keys)


def index_document(session: Session, doc: Document) -> list[tuple[int, int]]:
    """Store the document's band keys (replacing older ones); returns them. Holds the
    keys' advisory locks until the transaction ends (see _LOCK_KEYS)."""
    keys = list(_keys_of(doc.body))
    if keys:
        _lock_keys(session, keys)
    session.execute(delete(DocumentBand).where(DocumentBand.document_id == doc.id))
    if keys:
        session.execute(
            insert(DocumentBand),
            [{"document_id": doc.id, "band": band, "key": key} for band, key in keys],
        )
    return keys


def find_copies(session: Session, doc: Document, keys: list[tuple[int, int]]) -> list[CopyFound]:
    """Stored documents that are copies of this one (or it of them), best first."""
    if not keys:
        return []
    rows = session.execute(
        _CANDIDATES,
        {
            "bands": [band for band, _ in keys],
            "keys": [key for _, key in keys],
            "document_id": doc.id,
            "cap": MAX_CANDIDATES,
        },
    ).all()
    if not rows:
        return []
    bodies = dict(
        session.execute(
            select(Document.id, Document.body).where(Document.id.in_([r[0] for r in rows]))
        ).all()
    )
    mine = shingles(doc.body)
    found = []
    for other_id, _ in rows:
        score = compare(mine, shingles(bodies[other_id]))
        if score.is_copy:
            found.append(CopyFound(other_id, score.similarity, score.containment))
    return sorted(found, key=lambda f: (-f.containment, -f.similarity, f.other_id))


def suggest_copies(session: Session, actor: Actor, doc: Document) -> list[DocumentCopy]:
    """Index a new document and propose it (or the stored one) as a copy; a pair already
    reviewed, or a derivation the caller declared, is not proposed again."""
    keys = index_document(session, doc)
    made = []
    for found in find_copies(session, doc, keys):
        other = session.get(Document, found.other_id)
        assert other is not None
        copy, source = _earlier(doc, other)
        if copy.derived_from_id == source.id or source.derived_from_id == copy.id:
            continue
        known = session.scalar(
            select(DocumentCopy.id).where(
                or_(
                    (DocumentCopy.document_id == copy.id) & (DocumentCopy.source_id == source.id),
                    (DocumentCopy.document_id == source.id) & (DocumentCopy.source_id == copy.id),
                )
            )
        )
        if known is not None:
            continue
        suggestion = DocumentCopy(
            document_id=copy.id,
            source_id=source.id,
            similarity=round(found.similarity, 4),
            containment=round(found.containment, 4),
            state=LinkState.SUGGESTED,
        )
        session.add(suggestion)
        session.flush()
        record_event(
            session, actor, "document.copy_suggested", suggestion, after=snapshot(suggestion)
        )
        made.append(suggestion)
    return made


def get_copy(session: Session, copy_id: int, *, for_update: bool = False) -> DocumentCopy:
    found = session.get(DocumentCopy, copy_id, with_for_update=True if for_update else None)
    if found is None:
        raise NotFound(f"no copy suggestion {copy_id}")
    return found


def copies_of(session: Session, document_id: int) -> list[DocumentCopy]:
    """Every copy suggestion the document is part of, as copy or as source."""
    return list(
        session.scalars(
            select(DocumentCopy)
            .where(
                or_(DocumentCopy.document_id == document_id, DocumentCopy.source_id == document_id)
            )
            .order_by(DocumentCopy.id)
        )
    )


def review_copy(
    session: Session, actor: Actor, copy_id: int, state: LinkState, rationale: str
) -> DocumentCopy:
    """Confirm (the copy now derives from its source: one origin) or reject (never proposed
    again). A document that already derives from another document cannot take a second
    source: 409, saying which."""
    if not rationale.strip():
        raise InvalidInput("rationale", "say why")
    found = get_copy(session, copy_id, for_update=True)
    copy = session.get(Document, found.document_id, with_for_update={"of": Document})
    assert copy is not None
    before_copy, before_doc = snapshot(found), snapshot(copy)
    if state == LinkState.CONFIRMED:
        if copy.derived_from_id not in (None, found.source_id):
            raise Conflict(
                f"document {copy.id} already derives from document {copy.derived_from_id}; "
                "remove that first"
            )
        if copy.derived_from_id is None:
            copy.derived_from_id = found.source_id
    elif found.state == LinkState.CONFIRMED and copy.derived_from_id == found.source_id:
        copy.derived_from_id = None  # a confirmed copy rejected after all: independent again
    found.version += 1
    record_review(
        session,
        actor,
        f"document.copy_{state.value}",
        found,
        state=state,
        rationale=rationale,
        before=before_copy,
    )
    if snapshot(copy) != before_doc:
        record_event(
            session,
            actor,
            "document.derivation_changed",
            copy,
            before=before_doc,
            after=snapshot(copy),
            reason=rationale,
        )
    return found
