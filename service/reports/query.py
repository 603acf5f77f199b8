"""What the sourcing reports need, read for the set and not the row.

A document report is seven statements whatever its size: the document, its claims, every
non-rejected link of those claims with the claim at the other end, the origin graph (outlets
and derivations) that decides which backing documents are independent, the fact-checks that
already checked them, their last decisions, and their evidence. The shaping that follows
(shape.py) is pure Python.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from service.db import among
from service.domain.enums import ClaimStatus, LinkState
from service.domain.errors import InvalidInput, NotFound
from service.domain.independence import Lineage
from service.models import (
    Claim,
    ClaimLink,
    Document,
    DocumentCopy,
    Event,
    Evidence,
    FactCheck,
    FactCheckMatch,
    Outlet,
    Speaker,
    SpeakerAlias,
)
from service.operations.claims import review_flags
from service.operations.links import join_ends, words_changed_sql
from service.operations.origins import lineage
from service.reports.shape import ClaimRow, LinkEnd, build_document_report, build_story

#: Claims a story report covers at most (best full-text matches first).
STORY_LIMIT = 500


def _lineage(session: Session, claims: list[ClaimRow], links: list[LinkEnd]) -> Lineage:
    """The lineage of the documents of these claims and of the claims they are linked to:
    one query, whatever the size of the documents table."""
    return lineage(session, _documents(claims, links))


def _documents(claims: list[ClaimRow], links: list[LinkEnd]) -> list[int]:
    return sorted({c.document_id for c in claims} | {x.other_document_id for x in links})


def _possible_copies(
    session: Session, claims: list[ClaimRow], links: list[LinkEnd]
) -> list[tuple[int, int]]:
    """Syndicated copies suggested (and not yet reviewed) among these documents: origins
    that would merge if a reviewer confirmed them. One query."""
    docs = _documents(claims, links)
    if not docs:
        return []
    rows = session.execute(
        select(DocumentCopy.document_id, DocumentCopy.source_id).where(
            DocumentCopy.state == "suggested",
            among(DocumentCopy.document_id, docs),
            among(DocumentCopy.source_id, docs),
        )
    )
    return [(int(a), int(b)) for a, b in rows]


def claims_in_context(*extra: Any) -> Select[*tuple[Any, ...]]:
    """Claims with their speaker, document and outlet: what every report and export shows
    of a claim (plus `extra` columns)."""
    return (
        select(
            Claim.id,
            Claim.document_id,
            Claim.text,
            Claim.span_start,
            Claim.span_end,
            Claim.attribution,
            Claim.claim_date,
            Claim.date_precision,
            Claim.status,
            Claim.checkworthiness,
            Claim.anchor_state,
            Speaker.id.label("speaker_id"),
            Speaker.name.label("speaker_name"),
            Speaker.kind.label("speaker_kind"),
            Document.title.label("document_title"),
            Document.published_on,
            Document.url.label("document_url"),
            Outlet.name.label("outlet"),
            *extra,
        )
        .join(Document, Document.id == Claim.document_id)
        .outerjoin(Outlet, Outlet.id == Document.outlet_id)
        .outerjoin(Speaker, Speaker.id == Claim.speaker_id)
    )


def _claim_rows(
    session: Session, where: Any, order: Any, limit: int | None = None
) -> list[ClaimRow]:
    stmt = (
        claims_in_context(Claim.review_flag)
        .where(where, Claim.status != ClaimStatus.REJECTED)
        .order_by(*order)
        .limit(limit)
    )
    return [ClaimRow(**row._asdict()) for row in session.execute(stmt)]


def _link_ends(session: Session, claim_filter: Any) -> list[LinkEnd]:
    """Every non-rejected link with a claim matching `claim_filter` on either side, once per
    matching side, with the claim at the other end described."""
    mine, other = aliased(Claim), aliased(Claim)
    other_doc, other_outlet, other_speaker = aliased(Document), aliased(Outlet), aliased(Speaker)
    stmt = (
        join_ends(
            select(
                ClaimLink.id.label("link_id"),
                mine.id.label("claim_id"),
                ClaimLink.relation,
                ClaimLink.state,
                ClaimLink.score,
                other.id.label("other_claim_id"),
                other.text.label("other_text"),
                other.status.label("other_status"),
                other.attribution.label("other_attribution"),
                words_changed_sql(ClaimLink, mine, other).label("words_changed"),
                other.document_id.label("other_document_id"),
                other_doc.title.label("other_document_title"),
                other_doc.published_on.label("other_published_on"),
                other_outlet.name.label("other_outlet"),
                other_speaker.name.label("other_speaker"),
            ).select_from(ClaimLink),
            mine,
            other,
        )
        .join(other_doc, other_doc.id == other.document_id)
        .outerjoin(other_outlet, other_outlet.id == other_doc.outlet_id)
        .outerjoin(other_speaker, other_speaker.id == other.speaker_id)
        .where(
            claim_filter(mine),
            ClaimLink.state != LinkState.REJECTED,
            # A rejected candidate is not a claim: it backs and contradicts nothing.
            other.status != ClaimStatus.REJECTED,
        )
        .order_by(mine.id, ClaimLink.id)
    )
    return [LinkEnd(**row._asdict()) for row in session.execute(stmt)]


def document_report(session: Session, document_id: int) -> dict[str, Any]:
    source = aliased(Document)
    found = session.execute(
        select(Document, Outlet.name, source.title)
        .outerjoin(Outlet, Outlet.id == Document.outlet_id)
        .outerjoin(source, source.id == Document.derived_from_id)
        .where(Document.id == document_id)
    ).first()
    if found is None:
        raise NotFound(f"no document {document_id}")
    document, outlet, source_title = found
    claims = _claim_rows(session, Claim.document_id == document_id, (Claim.span_start, Claim.id))
    links = _link_ends(session, lambda c: c.document_id == document_id)
    header = {
        "id": document.id,
        "title": document.title,
        "outlet": outlet,
        "author": document.author,
        "url": document.url,
        "published_on": document.published_on,
        "kind": document.kind,
        "derived_from_id": document.derived_from_id,
        "derived_from_title": source_title,
    }
    flags = review_flags(session, claims)
    report = build_document_report(
        header,
        claims,
        links,
        _lineage(session, claims, links),
        flags,
        _possible_copies(session, claims, links),
    )
    report["body"] = document.body
    attach_checks(session, report["claims"])
    attach_decisions(session, report["claims"])
    return report


def attach_checks(session: Session, entries: list[dict[str, Any]]) -> None:
    """Each claim's "already checked by": fact-checks published elsewhere that a reviewer
    confirmed, or that are strongly suggested (and not rejected), in one statement."""
    ids = [e["id"] for e in entries]
    found: dict[int, list[dict[str, Any]]] = {}
    if ids:
        rows = session.execute(
            select(FactCheckMatch, FactCheck)
            .join(FactCheck, FactCheck.id == FactCheckMatch.fact_check_id)
            .where(
                FactCheckMatch.claim_id.in_(ids),
                or_(
                    FactCheckMatch.state == "confirmed",
                    (FactCheckMatch.state == "suggested") & (FactCheckMatch.strength == "strong"),
                ),
            )
            .order_by(FactCheckMatch.claim_id, FactCheckMatch.score.desc(), FactCheckMatch.id)
        ).all()
        for match, check in rows:
            found.setdefault(match.claim_id, []).append(
                {
                    "publisher": check.publisher,
                    "rating": check.rating_name,
                    "status": check.status,
                    "review_date": check.review_date,
                    "url": check.url,
                    "state": match.state,
                    "confidence": match.score,
                }
            )
    for entry in entries:
        entry["checked_elsewhere"] = found.get(entry["id"], [])


def attach_decisions(session: Session, entries: list[dict[str, Any]]) -> None:
    """Each claim's last status decision (from, to, who, when, the rationale) and its
    evidence, in two statements: what an editor decided and on what."""
    ids = [e["id"] for e in entries]
    decisions: dict[int, dict[str, Any]] = {}
    evidence: dict[int, list[dict[str, Any]]] = {}
    if ids:
        last = (
            select(func.max(Event.id))
            .where(
                Event.entity_type == "claims",
                Event.entity_id.in_(ids),
                Event.action == "claim.status_changed",
            )
            .group_by(Event.entity_id)
        )
        for event in session.scalars(select(Event).where(Event.id.in_(last))):
            decisions[event.entity_id] = {
                "from": (event.before or {}).get("status"),
                "to": (event.after or {}).get("status"),
                "by": event.actor,
                "at": event.occurred_at,
                "rationale": event.reason,
            }
        for item in session.scalars(
            select(Evidence).where(Evidence.claim_id.in_(ids)).order_by(Evidence.id)
        ):
            evidence.setdefault(item.claim_id, []).append(
                {"url": item.url, "document_id": item.document_id, "note": item.note}
            )
    for entry in entries:
        entry["decision"] = decisions.get(entry["id"])
        entry["evidence"] = evidence.get(entry["id"], [])


def speaker_report(session: Session, speaker_id: int) -> dict[str, Any]:
    speaker = session.get(Speaker, speaker_id)
    if speaker is None:
        raise NotFound(f"no speaker {speaker_id}")
    # A merged speaker's report is the report of the entity it was merged into.
    target = speaker.merged_into_id or speaker.id
    people = select(Speaker.id).where(or_(Speaker.id == target, Speaker.merged_into_id == target))
    aliases = list(
        session.scalars(
            select(SpeakerAlias.alias)
            .where(SpeakerAlias.speaker_id.in_(people))
            .order_by(SpeakerAlias.alias)
        )
    )
    claims = _claim_rows(
        session,
        Claim.speaker_id.in_(people),
        (Document.published_on.desc().nulls_last(), Claim.document_id, Claim.span_start),
    )
    links = _link_ends(session, lambda c: c.speaker_id.in_(people))
    named = session.get(Speaker, target)
    if named is None:  # merged_into_id is a foreign key: only a concurrent delete gets here
        raise NotFound(f"no speaker {target}")
    flags = review_flags(session, claims)
    report = build_document_report(
        {},
        claims,
        links,
        _lineage(session, claims, links),
        flags,
        _possible_copies(session, claims, links),
    )
    attach_checks(session, report["claims"])
    attach_decisions(session, report["claims"])
    return {
        "speaker": {
            "id": named.id,
            "name": named.name,
            "kind": named.kind,
            "role": named.role,
            "description": named.description,
            "aliases": aliases,
        },
        "totals": report["totals"],
        "claims": report["claims"],
    }


def _story_documents(session: Session, document_id: int) -> list[int]:
    """The document and every document a link not rejected ties to one of its claims: the
    story as reviewers (and the suggestions) have tied it, whatever words each one uses."""
    if session.get(Document, document_id) is None:
        raise InvalidInput("document_id", f"no document {document_id}", location="query")
    mine, other = aliased(Claim), aliased(Claim)
    tied = (
        join_ends(select(other.document_id).select_from(ClaimLink), mine, other)
        .where(mine.document_id == document_id, ClaimLink.state != LinkState.REJECTED)
        .distinct()
    )
    return sorted({document_id, *session.scalars(tied)})


def story_report(session: Session, q: str | None, document_id: int | None = None) -> dict[str, Any]:
    """The claims of a story: those matching `q`, or those of `document_id` and the
    documents linked to it (both: the linked documents' claims that match `q`)."""
    q = (q or "").strip()
    if not q and document_id is None:
        raise InvalidInput("q", "a story report needs search words or a document_id")
    where: list[Any] = []
    label = q
    if q:
        where.append(Claim.tsv.bool_op("@@")(func.websearch_to_tsquery("english", q)))
    if document_id is not None:
        where.append(Claim.document_id.in_(_story_documents(session, document_id)))
        tied = f"document {document_id} and the documents linked to it"
        label = f"{q} in {tied}" if q else tied
    claims = _claim_rows(
        session,
        and_(*where),
        (Document.published_on.nulls_last(), Claim.document_id, Claim.span_start),
        limit=STORY_LIMIT,
    )
    ids = [c.id for c in claims]
    links = _link_ends(session, lambda c: c.id.in_(ids)) if ids else []
    story = build_story(
        label,
        claims,
        links,
        _lineage(session, claims, links),
        truncated=len(claims) == STORY_LIMIT,
        flags=review_flags(session, claims),
        copies=_possible_copies(session, claims, links),
    )
    # What an editor decided and on what, and who checked it already, as a document's
    # report says (the story's CSV had empty decision columns for decided claims).
    entries = [entry for cluster in story["clusters"] for entry in cluster["appearances"]]
    attach_checks(session, entries)
    attach_decisions(session, entries)
    return story
