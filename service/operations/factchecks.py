"""External fact-checks: imported idempotently, matched against our claims both ways (a new
claim against the fact-checks, a new fact-check against the claims), reviewed by a person."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from service.domain.enums import LinkState
from service.domain.errors import InvalidInput, NotFound
from service.factchecks import matching
from service.factchecks import vectors as fact_check_vectors
from service.factchecks.claimreview import DEFAULT_LABELS, Review, normalize_label, status_of
from service.linking import semantic
from service.linking import vectors as claim_vectors
from service.linking.retrieval import LEXICAL_POOL, TERMS, lexeme_frequencies, tsquery_text
from service.models import Claim, FactCheck, FactCheckMatch, RatingLabel
from service.models.factcheck import VERDICTS
from service.operations.actors import Actor
from service.operations.events import record_created, record_event, snapshot

#: Candidates judged per claim: the nearest in meaning and the best by words, each this many.
CANDIDATES = 30


@dataclass(frozen=True)
class ImportResult:
    created: list[FactCheck]
    updated: list[FactCheck]
    unchanged: list[FactCheck]
    matches: int


def label_map(session: Session) -> dict[str, str]:
    rows = session.execute(select(RatingLabel.label, RatingLabel.status)).all()
    return {str(label): str(status) for label, status in rows} or dict(DEFAULT_LABELS)


def set_label(session: Session, actor: Actor, label: str, status: str) -> RatingLabel:
    if status not in VERDICTS:
        raise InvalidInput("status", f"one of {', '.join(VERDICTS)}")
    key = normalize_label(label)
    if not key:
        raise InvalidInput("label", "the label is empty")
    found = session.scalar(select(RatingLabel).where(RatingLabel.label == key).with_for_update())
    before = snapshot(found) if found else None
    if found is None:
        found = RatingLabel(label=key, status=status)
        session.add(found)
    found.status = status
    session.flush()
    session.execute(
        text("UPDATE fact_checks SET status = :s WHERE lower(rating_name) = :l"),
        {"s": status, "l": key},
    )
    record_event(session, actor, "rating_label.set", found, before=before, after=snapshot(found))
    return found


def import_reviews(
    session: Session, actor: Actor, reviews: list[Review], source: str
) -> ImportResult:
    """Store every review (one per review URL and claim): new ones are created, changed ones
    updated, the same again left alone; then each new or changed one is matched against the
    stored claims. In the caller's one transaction."""
    labels = label_map(session)
    created: list[FactCheck] = []
    updated: list[FactCheck] = []
    unchanged: list[FactCheck] = []
    seen: set[tuple[str, str]] = set()
    for review in reviews:
        key = (review.url, review.claim_sha256)
        if key in seen:
            continue
        seen.add(key)
        found = session.scalar(
            select(FactCheck).where(
                FactCheck.url == review.url, FactCheck.claim_sha256 == review.claim_sha256
            )
        )
        values = {
            "claim_reviewed": review.claim_reviewed,
            "headline": review.headline,
            "claimant": review.claimant,
            "claim_date": review.claim_date,
            "review_date": review.review_date,
            "publisher": review.publisher,
            "publisher_url": review.publisher_url,
            "rating_name": review.rating_name,
            "rating_value": review.rating_value,
            "best_rating": review.best_rating,
            "worst_rating": review.worst_rating,
            "language": review.language,
            "status": status_of(review, labels),
            "raw": review.raw,
        }
        if found is None:
            fresh = FactCheck(
                url=review.url, claim_sha256=review.claim_sha256, source=source, **values
            )
            session.add(fresh)
            created.append(fresh)
        elif any(getattr(found, k) != v for k, v in values.items()):
            before = snapshot(found)
            for k, v in values.items():
                setattr(found, k, v)
            session.flush()
            record_event(
                session, actor, "fact_check.updated", found, before=before, after=snapshot(found)
            )
            updated.append(found)
        else:
            unchanged.append(found)
    session.flush()
    if created:
        record_created(session, actor, "fact_check.imported", list(created))
    changed = created + updated
    vectors = semantic.stored_vectors([_check_text(f) for f in changed])
    for check, vector in zip(changed, vectors, strict=True):
        check.embedding = vector
    session.flush()
    fact_check_vectors.store(session, [(f.id, f.embedding) for f in changed])
    matches = sum(len(match_fact_check(session, actor, f)) for f in changed)
    return ImportResult(created, updated, unchanged, matches)


def _check_text(check: FactCheck) -> str:
    return f"{check.claim_reviewed} {check.headline or ''}".strip()


def _rare_query(session: Session, table: str, text_: str) -> str | None:
    """A tsquery (in the 'simple' configuration, over lexemes Postgres stemmed) for any two
    of the text's TERMS rarest lexemes in `table`: far fewer rows than any one word, so that
    ranking stays cheap on a large table, and one shared common word makes no candidate."""
    lexemes = [
        str(w)
        for w in session.scalars(
            text("SELECT lexeme FROM unnest(to_tsvector('english', :t))"), {"t": text_}
        )
        if re.fullmatch(r"[a-z0-9]{3,}", str(w))
    ]
    freq = lexeme_frequencies(session, table)
    terms = sorted(lexemes, key=lambda w: (freq.get(w, 0), w))[:TERMS]
    return tsquery_text(terms) or None


def _store(
    session: Session, actor: Actor, claim: Claim, check: FactCheck, cosine: float | None
) -> FactCheckMatch | None:
    claim_words, check_words = matching.words(claim.text), matching.words(_check_text(check))
    found = matching.features(cosine, claim_words, check_words)
    probability = matching.confidence(found)
    strength = matching.strength(probability, claim_words)
    if strength is None:
        return None
    existing = session.scalar(
        select(FactCheckMatch).where(
            FactCheckMatch.claim_id == claim.id, FactCheckMatch.fact_check_id == check.id
        )
    )
    if existing is not None:
        return None  # scored before; a reviewed pair is never proposed again
    match = FactCheckMatch(
        claim_id=claim.id,
        fact_check_id=check.id,
        score=round(probability, 4),
        strength=strength,
        reasons=matching.reasons(found, claim_words, check_words),
        state=LinkState.SUGGESTED,
    )
    session.add(match)
    session.flush()
    record_event(session, actor, "fact_check.matched", match, after=snapshot(match))
    return match


def _cosine(a: bytes | None, b: bytes | None) -> float | None:
    if a is None or b is None:
        return None
    return semantic.cosine(semantic.from_bytes(a), semantic.from_bytes(b))


def match_claim(session: Session, actor: Actor, claim: Claim) -> list[FactCheckMatch]:
    """Stored fact-checks that may check this claim: the nearest in meaning (pgvector) and
    the best by words (full-text search), each judged by the match model."""
    ids: dict[int, None] = {}
    if claim.embedding is not None:
        for check_id, _ in fact_check_vectors.nearest(
            session, semantic.from_bytes(claim.embedding), CANDIDATES
        ):
            ids[check_id] = None
    query = _rare_query(session, "fact_checks", claim.text)
    if query:
        for (check_id,) in session.execute(
            text(
                "SELECT f.id FROM fact_checks f WHERE f.id IN ("
                "  SELECT id FROM fact_checks WHERE tsv @@ to_tsquery('simple', :q) LIMIT :pool)"
                " ORDER BY ts_rank_cd(f.tsv, to_tsquery('simple', :q)) DESC, f.id LIMIT :n"
            ),
            {"q": query, "pool": LEXICAL_POOL, "n": CANDIDATES},
        ):
            ids[check_id] = None
    if not ids:
        return []
    checks = session.scalars(
        select(FactCheck).where(FactCheck.id.in_(list(ids))).order_by(FactCheck.id)
    ).all()
    made = [_store(session, actor, claim, c, _cosine(claim.embedding, c.embedding)) for c in checks]
    return [m for m in made if m is not None]


def match_new_claims(session: Session, actor: Actor, claims: list[Claim]) -> int:
    """Match freshly extracted claims against the stored fact-checks: the check-worthy ones
    (those with a vector, or worth one); nothing at all while no fact-check is stored."""
    worthy = [c for c in claims if semantic.wanted(c.checkworthiness, c.origin)]
    if not worthy or session.scalar(select(FactCheck.id).limit(1)) is None:
        return 0
    return sum(len(match_claim(session, actor, c)) for c in worthy)


def match_fact_check(session: Session, actor: Actor, check: FactCheck) -> list[FactCheckMatch]:
    """Stored claims a new (or changed) fact-check may check: the nearest in meaning among
    the claims with vectors, and the best by words."""
    ids: dict[int, None] = {}
    if check.embedding is not None:
        for claim_id, _ in claim_vectors.nearest(
            session, semantic.from_bytes(check.embedding), -1, CANDIDATES, 0.0
        ):
            ids[claim_id] = None
    query = _rare_query(session, "claims", _check_text(check))
    if query:
        for (claim_id,) in session.execute(
            text(
                "SELECT c.id FROM claims c WHERE c.id IN ("
                "  SELECT id FROM claims WHERE tsv @@ to_tsquery('simple', :q)"
                "  AND status <> 'rejected' LIMIT :pool)"
                " ORDER BY ts_rank_cd(c.tsv, to_tsquery('simple', :q)) DESC, c.id LIMIT :n"
            ),
            {"q": query, "pool": LEXICAL_POOL, "n": CANDIDATES},
        ):
            ids[claim_id] = None
    if not ids:
        return []
    claims = session.scalars(select(Claim).where(Claim.id.in_(list(ids))).order_by(Claim.id)).all()
    made = [_store(session, actor, c, check, _cosine(c.embedding, check.embedding)) for c in claims]
    return [m for m in made if m is not None]


def matches_of(session: Session, claim_id: int) -> list[FactCheckMatch]:
    """A claim's fact-check matches, confirmed first, then the most likely."""
    if session.get(Claim, claim_id) is None:
        raise NotFound(f"no claim {claim_id}")
    return list(
        session.scalars(
            select(FactCheckMatch)
            .where(FactCheckMatch.claim_id == claim_id, FactCheckMatch.state != LinkState.REJECTED)
            .order_by(
                (FactCheckMatch.state == LinkState.CONFIRMED).desc(),
                FactCheckMatch.score.desc(),
                FactCheckMatch.id,
            )
        )
    )


def get_match(session: Session, match_id: int, *, for_update: bool = False) -> FactCheckMatch:
    found = session.get(FactCheckMatch, match_id, with_for_update=True if for_update else None)
    if found is None:
        raise NotFound(f"no fact-check match {match_id}")
    return found


def review_match(
    session: Session, actor: Actor, match_id: int, state: LinkState, rationale: str
) -> FactCheckMatch:
    """Confirm (the fact-check checks this claim: evidence an editor may cite) or reject
    (never proposed again)."""
    if not rationale.strip():
        raise InvalidInput("rationale", "say why")
    found = get_match(session, match_id, for_update=True)
    before = snapshot(found)
    found.state = state
    found.rationale = rationale
    found.reviewed_by = actor.key_id
    found.reviewed_at = datetime.now(UTC)
    found.version += 1
    session.flush()
    record_event(
        session,
        actor,
        f"fact_check.match_{state.value}",
        found,
        before=before,
        after=snapshot(found),
        reason=rationale,
    )
    return found


def get_fact_check(session: Session, check_id: int) -> FactCheck:
    found = session.get(FactCheck, check_id)
    if found is None:
        raise NotFound(f"no fact-check {check_id}")
    return found
