"""Links between claims of different documents: suggested, then confirmed or rejected."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from service.db import among
from service.domain.enums import ClaimStatus, LinkRelation, LinkState
from service.domain.errors import Conflict, InvalidInput, NotFound
from service.models import Claim, ClaimLink
from service.operations.actors import Actor
from service.operations.events import record_created, record_event, record_review, snapshot
from service.operations.pagination import keyset_page

_S = TypeVar("_S", bound="Select[*tuple[Any, ...]]")


def join_ends(stmt: _S, mine: Any, other: Any) -> _S:
    """`stmt` over ClaimLink joined to its two claims as `mine` (either end) and `other`
    (the end that is not `mine`): one row per link and end."""
    return stmt.join(
        mine, or_(mine.id == ClaimLink.claim_a_id, mine.id == ClaimLink.claim_b_id)
    ).join(
        other,
        and_(
            or_(other.id == ClaimLink.claim_a_id, other.id == ClaimLink.claim_b_id),
            other.id != mine.id,
        ),
    )


@dataclass(frozen=True)
class NewLink:
    claim_ids: tuple[int, int]
    relation: LinkRelation
    state: LinkState = LinkState.SUGGESTED
    score: float | None = None
    reasons: dict[str, Any] | None = None
    rationale: str | None = None


@dataclass(frozen=True)
class LinkFilters:
    claim_id: int | None = None
    relation: str | None = None
    state: str | None = None


def create_link(session: Session, actor: Actor, new: NewLink) -> ClaimLink:
    first, second = new.claim_ids
    if first == second:
        raise InvalidInput("claim_b_id", "a claim cannot be linked to itself")
    a_id, b_id = sorted(new.claim_ids)
    # FOR SHARE, in id order: a re-extraction replacing one of them waits, or is waited for
    # (then the claim is gone and this says so), never deletes the link silently.
    claims = {
        c.id: c
        for c in session.scalars(
            select(Claim)
            .where(Claim.id.in_((a_id, b_id)))
            .order_by(Claim.id)
            .with_for_update(read=True)
        )
    }
    for field, claim_id in (("claim_a_id", first), ("claim_b_id", second)):
        if claim_id not in claims:
            raise InvalidInput(field, f"no claim {claim_id}")
    if claims[a_id].document_id == claims[b_id].document_id:
        raise InvalidInput("claim_b_id", "links join claims of two different documents")
    if new.state != LinkState.REJECTED:
        for field, claim_id in (("claim_a_id", first), ("claim_b_id", second)):
            _refuse_rejected(claims[claim_id], field)
    if new.state == LinkState.CONFIRMED and not (new.rationale and new.rationale.strip()):
        raise InvalidInput("rationale", "confirming a link needs a rationale")
    existing = session.scalar(
        select(ClaimLink).where(ClaimLink.claim_a_id == a_id, ClaimLink.claim_b_id == b_id)
    )
    if existing is not None:
        raise Conflict(
            f"claims {a_id} and {b_id} are already linked (link {existing.id}); review that link",
            errors={"json": {"claim_b_id": [f"already linked by link {existing.id}"]}},
        )
    reviewed = new.state != LinkState.SUGGESTED
    link = ClaimLink(
        claim_a_id=a_id,
        claim_b_id=b_id,
        relation=new.relation.value,
        state=new.state.value,
        score=new.score,
        reasons=new.reasons or {},
        rationale=new.rationale,
        created_by=actor.key_id,
        reviewed_by=actor.key_id if reviewed else None,
        reviewed_at=datetime.now(UTC) if reviewed else None,
    )
    session.add(link)
    session.flush()
    record_event(session, actor, "link.created", link, after=snapshot(link), reason=new.rationale)
    return link


def _refuse_rejected(claim: Claim, field: str) -> None:
    if claim.status == ClaimStatus.REJECTED:
        raise InvalidInput(
            field,
            f"claim {claim.id} is rejected (not a claim): restore it before linking it",
        )


def create_suggested_links(
    session: Session, actor: Actor, suggestions: list[NewLink]
) -> list[ClaimLink]:
    """Suggested links, as ingest stores a document's: the claims locked (FOR SHARE, in id
    order, as create_link locks them) and the links inserted in one statement each, with one
    `link.created` event per link written in one more. A pair linked meanwhile (by another
    transaction), a claim gone or rejected meanwhile (a re-extraction, a reviewer) or a pair
    within one document is skipped: a suggestion is not a request that can be refused.
    Returns the links made."""
    wanted: dict[tuple[int, int], NewLink] = {}
    for new in suggestions:
        a_id, b_id = sorted(new.claim_ids)
        if a_id != b_id and new.state == LinkState.SUGGESTED:
            wanted.setdefault((a_id, b_id), new)
    if not wanted:
        return []
    ids = sorted({i for pair in wanted for i in pair})
    locked = session.execute(
        select(Claim.id, Claim.document_id)
        .where(among(Claim.id, ids), Claim.status != ClaimStatus.REJECTED)
        .order_by(Claim.id)
        .with_for_update(read=True)
    )
    document_of: dict[int, int] = dict(locked.all())
    rows = [
        {
            "claim_a_id": a_id,
            "claim_b_id": b_id,
            "relation": new.relation.value,
            "state": LinkState.SUGGESTED.value,
            "score": new.score,
            "reasons": new.reasons or {},
            "created_by": actor.key_id,
        }
        for (a_id, b_id), new in sorted(wanted.items())
        if a_id in document_of and b_id in document_of and document_of[a_id] != document_of[b_id]
    ]
    if not rows:
        return []
    made = list(
        session.scalars(
            pg_insert(ClaimLink)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["claim_a_id", "claim_b_id"])
            .returning(ClaimLink)
        )
    )
    record_created(session, actor, "link.created", made)
    return made


def get_link(session: Session, link_id: int, *, for_update: bool = False) -> ClaimLink:
    """One link; for_update locks it for a review or a deletion, after its two claims (FOR
    SHARE, in id order, as creating a link and replacing claims lock them): a re-extraction
    that replaces one of the claims either finishes first (the link is gone: 404) or waits."""
    if for_update:
        pair = session.execute(
            select(ClaimLink.claim_a_id, ClaimLink.claim_b_id).where(ClaimLink.id == link_id)
        ).first()
        if pair is not None:
            session.execute(
                select(Claim.id)
                .where(Claim.id.in_(tuple(pair)))
                .order_by(Claim.id)
                .with_for_update(read=True)
            ).all()
    link = session.get(ClaimLink, link_id, with_for_update=for_update)
    if link is None:
        raise NotFound(f"no link {link_id}")
    return link


def links_by_other(session: Session, claim_id: int) -> dict[int, ClaimLink]:
    """The claim's links in every state, by the other claim's id (one link per pair)."""
    links = session.scalars(
        select(ClaimLink).where(
            or_(ClaimLink.claim_a_id == claim_id, ClaimLink.claim_b_id == claim_id)
        )
    )
    return {(x.claim_b_id if x.claim_a_id == claim_id else x.claim_a_id): x for x in links}


def list_links(
    session: Session, filters: LinkFilters, *, after: str | None, limit: int
) -> tuple[list[ClaimLink], str | None]:
    stmt = select(ClaimLink)
    if filters.claim_id is not None:
        stmt = stmt.where(
            or_(ClaimLink.claim_a_id == filters.claim_id, ClaimLink.claim_b_id == filters.claim_id)
        )
    if filters.relation:
        stmt = stmt.where(ClaimLink.relation == filters.relation)
    if filters.state:
        stmt = stmt.where(ClaimLink.state == filters.state)
    return keyset_page(session, stmt, [ClaimLink.id], after=after, limit=limit)


def words_changed_since_review(session: Session, link: ClaimLink) -> bool:
    """Whether the words under either claim changed (a revision, a person's edit) after the
    link was last reviewed: it was judged on other words, and confirming it again is a review
    of the new ones, not a repeat."""
    if link.reviewed_at is None:
        return False
    changed = session.scalar(
        select(func.max(Claim.text_changed_at)).where(
            Claim.id.in_((link.claim_a_id, link.claim_b_id))
        )
    )
    return changed is not None and changed > link.reviewed_at


def words_changed_sql(link: Any, *claims: Any) -> Any:
    """The same test in SQL, for a confirmed link and its claims' rows (aliases)."""
    return and_(
        link.state == LinkState.CONFIRMED,
        or_(*(func.coalesce(c.text_changed_at > link.reviewed_at, False) for c in claims)),
    )


def review_link(
    session: Session,
    actor: Actor,
    link: ClaimLink,
    *,
    state: LinkState,
    relation: LinkRelation | None,
    rationale: str | None,
) -> ClaimLink:
    """Confirm or reject a link (optionally correcting its relation); a person always decides."""
    if state == LinkState.SUGGESTED:
        raise InvalidInput("state", "a review confirms or rejects; it cannot re-suggest")
    if not rationale or not rationale.strip():
        raise InvalidInput("rationale", "reviewing a link needs a rationale")
    if (
        link.state == state.value
        and (relation is None or relation.value == link.relation)
        and not (state == LinkState.CONFIRMED and words_changed_since_review(session, link))
    ):
        raise Conflict(f"link {link.id} is already {state}")
    if state == LinkState.CONFIRMED:
        for claim in session.scalars(
            select(Claim).where(Claim.id.in_((link.claim_a_id, link.claim_b_id))).order_by(Claim.id)
        ):
            _refuse_rejected(claim, "state")
    before = snapshot(link)
    if relation is not None:
        link.relation = relation.value
    record_review(
        session,
        actor,
        f"link.{state.value}",
        link,
        state=state.value,
        rationale=rationale,
        before=before,
    )
    return link


def drop_suggestions_of(session: Session, actor: Actor, claim_id: int, reason: str) -> int:
    """Delete the links still only suggested for a claim (a reviewer just rejected it as
    not a claim: nothing is left to review in them), each with its `link.deleted` event;
    confirmed and rejected links stay, as decisions taken. Returns how many."""
    suggested = list(
        session.scalars(
            select(ClaimLink)
            .where(
                or_(ClaimLink.claim_a_id == claim_id, ClaimLink.claim_b_id == claim_id),
                ClaimLink.state == LinkState.SUGGESTED,
            )
            .order_by(ClaimLink.id)
            .with_for_update()
        )
    )
    for link in suggested:
        delete_link(session, actor, link, reason)
    return len(suggested)


def delete_link(session: Session, actor: Actor, link: ClaimLink, reason: str | None) -> None:
    """Remove a link; its whole life stays in the history."""
    before = snapshot(link)
    record_event(session, actor, "link.deleted", link, before=before, reason=reason)
    session.delete(link)
    session.flush()
