"""What the workspace reads: the inbox (documents newest first with what waits for a person),
claim search, and one document with its claims and their links."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session, aliased, joinedload

from service.domain.enums import ClaimStatus, LinkRelation, LinkState
from service.domain.errors import NotFound
from service.extraction import CHECKWORTHY
from service.models import Claim, ClaimLink, Document, Outlet, Speaker
from service.operations.claims import ClaimFilters, list_claims
from service.operations.links import join_ends, words_changed_sql
from service.operations.speakers import list_speakers

PAGE = 50


@dataclass(frozen=True)
class InboxRow:
    id: int
    title: str | None
    kind: str
    outlet: str | None
    published_on: date | None
    created_at: datetime
    unreviewed: int
    suggested: int
    conflicts: int


def _links_of_document(*conditions: Any) -> Any:
    """How many links have a claim of the outer query's document on one side (a link never
    joins two claims of one document, so none is counted twice)."""
    return (
        select(func.count())
        .select_from(ClaimLink)
        .join(Claim, or_(Claim.id == ClaimLink.claim_a_id, Claim.id == ClaimLink.claim_b_id))
        .where(Claim.document_id == Document.id, *conditions)
        .correlate(Document)
        .scalar_subquery()
    )


def _settled(mine: Any, other: Any) -> Any:
    sides = (ClaimStatus.VERIFIED, ClaimStatus.DISPUTED)
    return or_(
        mine.status == ClaimStatus.FALSE,
        other.status == ClaimStatus.FALSE,
        and_(mine.status.in_(sides), other.status.in_(sides), mine.status != other.status),
    )


def inbox(
    session: Session,
    *,
    outlet: str | None = None,
    kind: str | None = None,
    status: str | None = None,
    before_id: int | None = None,
) -> list[InboxRow]:
    """One statement: each document with its unreviewed check-worthy claims, its suggested
    links and its open conflicts (suggested or confirmed), newest first."""
    unreviewed = (
        select(func.count())
        .where(
            Claim.document_id == Document.id,
            Claim.status == ClaimStatus.UNREVIEWED,
            Claim.checkworthiness >= CHECKWORTHY,
        )
        .correlate(Document)
        .scalar_subquery()
    )
    suggested = _links_of_document(ClaimLink.state == LinkState.SUGGESTED)
    other = aliased(Claim)
    conflicts = (
        join_ends(select(func.count()).select_from(ClaimLink), Claim, other)
        .where(
            Claim.document_id == Document.id,
            ClaimLink.relation == LinkRelation.CONFLICTS,
            ClaimLink.state != LinkState.REJECTED,
            # Open until verdicts settle it, as the reports count it (reports.shape.settled):
            # neither claim false, and not one verified against the other disputed.
            ~_settled(Claim, other),
        )
        .correlate(Document)
        .scalar_subquery()
    )
    stmt = (
        select(
            Document.id,
            Document.title,
            Document.kind,
            Outlet.name,
            Document.published_on,
            Document.created_at,
            unreviewed,
            suggested,
            conflicts,
        )
        .outerjoin(Outlet, Outlet.id == Document.outlet_id)
        .order_by(Document.id.desc())
        .limit(PAGE)
    )
    if outlet:
        stmt = stmt.where(func.lower(Outlet.name) == func.lower(outlet))
    if kind:
        stmt = stmt.where(Document.kind == kind)
    if status:
        stmt = stmt.where(
            exists().where(and_(Claim.document_id == Document.id, Claim.status == status))
        )
    if before_id:
        stmt = stmt.where(Document.id < before_id)
    return [InboxRow(*row) for row in session.execute(stmt)]


def outlets(session: Session) -> list[str]:
    return list(session.scalars(select(Outlet.name).order_by(func.lower(Outlet.name))))


def search_claims(
    session: Session,
    q: str,
    limit: int = PAGE,
    offset: int = 0,
    *,
    to_link_from: int | None = None,
) -> list[tuple[Claim, str | None]]:
    """Claims matching a web-style query (the claims' full-text index), best first, with
    their document's title; `offset` pages through them (a rank has no stable keyset).
    `to_link_from` (a document): only the claims a claim of it can be linked to, those of
    other documents not rejected, chosen before the limit (a document's own claims match
    its own words best, and filtered after it they hid every other match)."""
    query = func.websearch_to_tsquery("english", q)
    linkable = (
        (Claim.document_id != to_link_from, Claim.status != ClaimStatus.REJECTED)
        if to_link_from is not None
        else ()
    )
    rows = session.execute(
        select(Claim, Document.title)
        .join(Document, Document.id == Claim.document_id)
        .where(Claim.tsv.bool_op("@@")(query), *linkable)
        .order_by(func.ts_rank(Claim.tsv, query).desc(), Claim.id)
        .offset(offset)
        .limit(limit)
    )
    return [(claim, title) for claim, title in rows]


#: Verdicts to look at again shown on the inbox, a page at a time.
REVIEW_PAGE = 20
#: How many candidates one inbox view judges for that list (two chunks of the scan): the
#: inbox is opened often, and a newsroom with thousands of verdicts that all still hold must
#: not pay the API's bound (5,000) on every view. Past it the list shows a short page and a
#: "More" link that goes on from there.
REVIEW_JUDGED = 400


def verdicts_to_review(
    session: Session, after: str | None = None, limit: int | None = None
) -> tuple[list[tuple[Any, str | None]], str | None]:
    """A page of the claims that need another look (GET /claims?needs_review=true: flagged by
    a revision, or decided and no longer holding what the verdict needed), each with its
    document's title, and the cursor of the next page."""
    claims, cursor = list_claims(
        session,
        ClaimFilters(needs_review=True),
        after=after,
        limit=limit or REVIEW_PAGE,
        judge_at_most=REVIEW_JUDGED,
    )
    ids = {c.document_id for c in claims}
    titles: dict[int, str | None] = {}
    if ids:
        rows = session.execute(select(Document.id, Document.title).where(Document.id.in_(ids)))
        titles = dict(rows.all())
    return [(c, titles.get(c.document_id)) for c in claims], cursor


@dataclass(frozen=True)
class LinkRow:
    link: ClaimLink
    other: Claim
    other_title: str | None
    other_outlet: str | None
    #: Confirmed before the words under either claim last changed: to check again.
    words_changed: bool = False


def document_workspace(
    session: Session, document_id: int
) -> tuple[Document, str | None, list[Claim], dict[int, list[LinkRow]]]:
    """A document, its claims in reading order (speakers loaded) and each claim's links,
    rejected ones too, with the claim at the other end: three statements whatever the size."""
    found = session.execute(
        select(Document, Outlet.name)
        .outerjoin(Outlet, Outlet.id == Document.outlet_id)
        .where(Document.id == document_id)
    ).first()
    if found is None:
        raise NotFound(f"no document {document_id}")
    document, outlet = found
    claims = list(
        session.scalars(
            select(Claim)
            .where(Claim.document_id == document_id)
            .options(joinedload(Claim.speaker))
            .order_by(Claim.span_start, Claim.id)
        )
    )
    mine = aliased(Claim)
    other = aliased(Claim)
    other_doc = aliased(Document)
    other_outlet = aliased(Outlet)
    rows = session.execute(
        join_ends(
            select(
                ClaimLink,
                mine.id,
                other,
                other_doc.title,
                other_outlet.name,
                words_changed_sql(ClaimLink, mine, other),
            ),
            mine,
            other,
        )
        .join(other_doc, other_doc.id == other.document_id)
        .outerjoin(other_outlet, other_outlet.id == other_doc.outlet_id)
        .where(mine.document_id == document_id)
        .order_by(ClaimLink.score.desc().nulls_last(), ClaimLink.id)
    )
    links: dict[int, list[LinkRow]] = {}
    for link, mine_id, other_claim, title, outlet_name, changed in rows:
        links.setdefault(mine_id, []).append(
            LinkRow(link, other_claim, title, outlet_name, bool(changed))
        )
    return document, outlet, claims, links


def speakers_page(
    session: Session, q: str | None, after: str | None
) -> tuple[list[tuple[Speaker, int]], str | None]:
    """Speakers with their aliases (and each alias's match score) and how many claims each
    has: two statements for the page."""
    speakers, cursor = list_speakers(session, q=q, after=after, limit=PAGE)
    counts = claim_counts(session, [s.id for s in speakers])
    return [(s, counts.get(s.id, 0)) for s in speakers], cursor


def claim_counts(session: Session, speaker_ids: list[int]) -> dict[int, int]:
    """How many claims each of these speakers has (absent: none), in one statement."""
    rows = session.execute(
        select(Claim.speaker_id, func.count())
        .where(Claim.speaker_id.in_(speaker_ids))
        .group_by(Claim.speaker_id)
    )
    return {speaker: n for speaker, n in rows if speaker is not None}
