"""Link suggestions: fresh on demand, and stored as `suggested` links after extraction."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, func, or_, select, update
from sqlalchemy.orm import Session, joinedload

from service.domain.enums import ClaimOrigin, LinkRelation, LinkState
from service.extraction import LINKABLE
from service.linking import semantic
from service.linking import vectors as vector_index
from service.linking.features import features
from service.linking.retrieval import candidates_many, corpus_rarity
from service.linking.scoring import MIN_SCORE, STORED_PER_CLAIM, SUGGEST_MIN, PairScore, rank
from service.models import Claim, ClaimLink
from service.operations.actors import Actor
from service.operations.claims import flagged
from service.operations.links import NewLink, create_suggested_links

#: Claims of one document that get stored suggestions, most check-worthy first: ingest stays
#: one transaction of bounded length even for a very long document (the rest can still ask
#: GET /claims/{id}/suggestions).
STORED_CLAIMS_PER_DOCUMENT = 200


def _linked_pairs(session: Session, claim_ids: list[int]) -> dict[frozenset[int], str]:
    """Pairs with these claims that already have a link, and the link's state."""
    rows = session.execute(
        select(ClaimLink.claim_a_id, ClaimLink.claim_b_id, ClaimLink.state).where(
            or_(ClaimLink.claim_a_id.in_(claim_ids), ClaimLink.claim_b_id.in_(claim_ids))
        )
    )
    return {frozenset((a, b)): state for a, b, state in rows}


def claim_vectors(claims: list[Claim]) -> list[Any]:
    """Each claim's stored embedding, or one computed now (in one batch) for those without."""
    out: list[Any] = [
        semantic.from_bytes(c.embedding) if c.embedding is not None else None for c in claims
    ]
    missing = [i for i, c in enumerate(claims) if c.embedding is None]
    fresh = semantic.embed([claims[i].text for i in missing]) if missing else None
    if fresh is not None:
        for i, vector in zip(missing, fresh, strict=True):
            out[i] = vector
    return out


def suggest_many(
    session: Session,
    claims: list[Claim],
    top: int = 10,
    min_checkworthiness: float = 0.0,
    linked: dict[frozenset[int], str] | None = None,
    floor: float = MIN_SCORE,
) -> dict[int, list[PairScore]]:
    """Fresh top suggestions for each claim (by id), the candidates of all of them fetched
    in a few statements; pairs already reviewed (confirmed or rejected) are left out: a
    rejected pair is never suggested again, a confirmed one is not re-scored. `linked` is
    the claims' existing links, when the caller has already read them. Only suggestions
    with a confidence of at least `floor` are returned."""
    if not claims:
        return {}
    targets = [
        features(c.id, c.document_id, c.speaker_id, c.text, vector, c.document.derived_from_id)
        for c, vector in zip(claims, claim_vectors(claims), strict=True)
    ]
    if linked is None:
        linked = _linked_pairs(session, [c.id for c in claims])
    reviewed: dict[int, set[int]] = {}
    for pair, state in linked.items():
        if state != LinkState.SUGGESTED:
            a, b = pair
            reviewed.setdefault(a, set()).add(b)
            reviewed.setdefault(b, set()).add(a)
    pools = candidates_many(session, targets, min_checkworthiness)
    rarity = corpus_rarity(session)
    return {
        t.claim_id: rank(
            t,
            pools[t.claim_id],
            top=top,
            floor=floor,
            rarity=rarity,
            reviewed=reviewed.get(t.claim_id, ()),
        )
        for t in targets
    }


def suggest(
    session: Session,
    claim: Claim,
    top: int = 10,
    min_checkworthiness: float = 0.0,
    linked: dict[frozenset[int], str] | None = None,
) -> list[PairScore]:
    """Fresh top suggestions for one claim (see suggest_many)."""
    return suggest_many(session, [claim], top, min_checkworthiness, linked)[claim.id]


def store_suggestions(
    session: Session, actor: Actor, claims: list[Claim], suggest_min: float = SUGGEST_MIN
) -> int:
    """Store each claim's suggestions whose confidence reaches `suggest_min` as `suggested`
    links (new pairs only, a few per claim). A sentence the document repeats (a caption
    shown twice) gets one queue entry, on its first appearance."""
    # Stored suggestions are a reviewer's queue: only between claims over the link bar.
    seen: set[str] = set()
    unique = []
    for claim in sorted(claims, key=lambda c: c.span_start):
        key = " ".join(claim.text.casefold().split())
        if key not in seen:
            seen.add(key)
            unique.append(claim)
    worthy = sorted(
        (c for c in unique if c.checkworthiness >= LINKABLE),
        key=lambda c: (-c.checkworthiness, c.span_start),
    )[:STORED_CLAIMS_PER_DOCUMENT]
    existing = _linked_pairs(session, [c.id for c in worthy]) if worthy else {}
    # The queue's few, asked for as such: ranking then leaves the NLI head and the reasons
    # out for every candidate that cannot be among them (scoring.rank).
    ranked_all = suggest_many(
        session,
        worthy,
        STORED_PER_CLAIM,
        min_checkworthiness=LINKABLE,
        linked=existing,
        floor=suggest_min,
    )
    new: list[NewLink] = []
    for claim in worthy:
        for s in ranked_all[claim.id]:
            if frozenset((s.claim_a_id, s.claim_b_id)) in existing:
                continue
            new.append(
                NewLink(
                    claim_ids=(s.claim_a_id, s.claim_b_id),
                    relation=LinkRelation(s.relation),
                    state=LinkState.SUGGESTED,
                    score=s.score,
                    reasons=s.reasons | {"possible_conflict": s.possible_conflict},
                )
            )
            existing[frozenset((s.claim_a_id, s.claim_b_id))] = LinkState.SUGGESTED
    # One statement for the links and one for their events, not four round trips a link.
    return len(create_suggested_links(session, actor, new))


def backfill_vectors(session: Session, batch: int = 256) -> int:
    """Store vectors for the claims that should have one and do not (claims stored before
    the model was installed, or before the embedding column existed). Derived data: the
    claims' versions, ETags and histories do not change. One transaction per batch."""
    done = 0
    wanted = or_(Claim.checkworthiness >= LINKABLE, Claim.origin == ClaimOrigin.MANUAL)
    while True:
        rows = session.execute(
            select(Claim.id, Claim.text)
            .where(Claim.embedding.is_(None), wanted)
            .order_by(Claim.id)
            .limit(batch)
        ).all()
        vectors = semantic.stored_vectors([text for _, text in rows])
        if not rows or vectors[0] is None:
            return done
        table = cast(Table, Claim.__table__)
        session.execute(
            update(table).where(table.c.id == bindparam("cid")).values(embedding=bindparam("vec")),
            [{"cid": i, "vec": v} for (i, _), v in zip(rows, vectors, strict=True)],
        )
        vector_index.store(session, [(i, v) for (i, _), v in zip(rows, vectors, strict=True)])
        session.commit()
        done += len(rows)


def suggestions_view(session: Session, claim: Claim, top: int = 10) -> list[dict[str, Any]]:
    """Fresh suggestions with the suggested claims loaded (one query for all of them). A
    candidate deleted between the ranking and that query (a GET reads in autocommit, and a
    re-extraction of its document may commit in between) is left out, not a 500."""
    ranked = suggest(session, claim, top=top)
    other_ids = [s.claim_b_id if s.claim_a_id == claim.id else s.claim_a_id for s in ranked]
    loaded = list(
        session.scalars(
            select(Claim).where(Claim.id.in_(other_ids)).options(joinedload(Claim.speaker))
        )
    )
    # Each shown with the review flag GET /claims/{id} gives it.
    others = {c.id: c for c in flagged(session, loaded)}
    # A pair already stored as a suggestion names its link: a tool reviews that one (PATCH)
    # rather than creating the pair again and being told it exists. Reviewed pairs are not
    # ranked at all.
    stored: dict[int, int] = (
        dict(
            session.execute(
                select(
                    func.coalesce(
                        func.nullif(ClaimLink.claim_a_id, claim.id), ClaimLink.claim_b_id
                    ),
                    ClaimLink.id,
                ).where(
                    or_(
                        and_(ClaimLink.claim_a_id == claim.id, ClaimLink.claim_b_id.in_(others)),
                        and_(ClaimLink.claim_b_id == claim.id, ClaimLink.claim_a_id.in_(others)),
                    )
                )
            ).all()
        )
        if others
        else {}
    )
    return [
        {
            "claim": others[other],
            "relation": s.relation,
            "score": s.score,
            "possible_conflict": s.possible_conflict,
            "reasons": s.reasons,
            "link_id": stored.get(other),
        }
        for s, other in zip(ranked, other_ids, strict=True)
        if other in others
    ]
