"""External fact-checks: imported idempotently, matched against our claims both ways (a new
claim against the fact-checks, a new fact-check against the claims), reviewed by a person."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from service.db import among
from service.domain.enums import LinkState
from service.domain.errors import InvalidInput, NotFound
from service.factchecks import matching
from service.factchecks import vectors as fact_check_vectors
from service.factchecks.claimreview import DEFAULT_LABELS, Review, normalize_label, status_of
from service.linking import semantic
from service.linking import vectors as claim_vectors
from service.linking.retrieval import LEXICAL_POOL, TERMS, lexeme_frequencies, tsquery_text
from service.models import Claim, Document, FactCheck, FactCheckMatch, RatingLabel
from service.models.factcheck import VERDICTS
from service.operations.actors import Actor
from service.operations.events import record_created, record_event, record_review, snapshot

#: Candidates judged per claim: the nearest in meaning and the best by words, each this many.
CANDIDATES = 30


class Side(NamedTuple):
    """One side of a pair as the match model reads it."""

    text: str
    embedding: bytes | None
    #: When the statement was made: a claim's own date, else its document's; a fact-check's
    #: claim date (ClaimReview itemReviewed datePublished), else its review's date.
    day: date | None
    #: A fact-check's review article opening, where it has one (never a claim's).
    body: str | None = None


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
    #: Texts that stop being counted in fact_check_terms (an updated review's old words).
    replaced: list[str] = []
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
        if review.body is not None:
            # A feed item carries no article: re-importing it keeps the one a page gave.
            values["body"] = review.body
        if found is None:
            fresh = FactCheck(
                url=review.url,
                claim_sha256=review.claim_sha256,
                source=source,
                **{"body": review.body, **values},
            )
            session.add(fresh)
            created.append(fresh)
        elif any(getattr(found, k) != v for k, v in values.items()):
            before = snapshot(found)
            replaced.append(_check_text(found))
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
        record_created(session, actor, "fact_check.imported", created)
    changed = created + updated
    _count_terms(session, added=[_check_text(f) for f in changed], removed=replaced)
    vectors = semantic.stored_vectors([_check_text(f) for f in changed])
    for check, vector in zip(changed, vectors, strict=True):
        check.embedding = vector
    session.flush()
    fact_check_vectors.store(session, [(f.id, f.embedding) for f in changed])
    matches = len(match_fact_checks(session, actor, changed))
    return ImportResult(created, updated, unchanged, matches)


_COUNT_TERMS = text(
    "INSERT INTO fact_check_terms AS t (term, documents)"
    " SELECT * FROM unnest(CAST(:terms AS text[]), CAST(:counts AS int[]))"
    " ON CONFLICT (term) DO UPDATE SET documents = t.documents + EXCLUDED.documents"
)


def _count_terms(session: Session, added: Sequence[str], removed: Sequence[str] = ()) -> None:
    """Keep fact_check_terms in step with the stored fact-checks: each added text counts once
    for each distinct token it holds (and for the empty term, the number of fact-checks);
    each removed text is taken off. One statement, terms in a fixed order (two imports at once
    lock rows in the same order, so they cannot deadlock)."""
    change: Counter[str] = Counter()
    for body in added:
        change.update({"", *matching.tokens(body)})
    for body in removed:
        change.subtract({"", *matching.tokens(body)})
    terms = sorted(t for t, n in change.items() if n)
    if terms:
        session.execute(_COUNT_TERMS, {"terms": terms, "counts": [change[t] for t in terms]})


def recount_terms(session: Session) -> int:
    """Count fact_check_terms afresh from every stored fact-check, for rows written around the
    import (the bench's COPY); returns how many fact-checks were counted."""
    session.execute(text("DELETE FROM fact_check_terms"))
    rows = session.execute(
        select(FactCheck.claim_reviewed, FactCheck.headline).execution_options(yield_per=5000)
    )
    texts = [_joined(c, h) for c, h in rows]
    _count_terms(session, added=texts)
    return len(texts)


def _term_counts(session: Session, bodies: Iterable[str]) -> matching.TermCounts:
    """The document frequencies of the tokens of these texts (the claims' side of BM25)."""
    wanted = sorted({"", *(t for body in bodies for t in matching.tokens(body))})
    rows = session.execute(
        text(
            "SELECT term, documents FROM fact_check_terms WHERE term = ANY(CAST(:terms AS text[]))"
        ),
        {"terms": wanted},
    )
    holding = {str(t): int(n) for t, n in rows}
    return matching.TermCounts(holding.pop("", 0), holding)


def _article_candidates(session: Session, texts: dict[int, str]) -> list[tuple[int, int]]:
    """(claim id, fact-check id) of each claim's best fact-checks by their article's words."""
    queries = _rare_queries(session, "fact_checks", texts, "body_tsv", ARTICLE_TOGETHER)
    return _lexical_candidates(
        session, "fact_checks", queries, column="body_tsv", rank=ARTICLE_RANK
    )


def _check_words(side: Side) -> str | None:
    return side.text


def _check_article(side: Side) -> str | None:
    return matching.body_text(side.text, side.body)


def _word_ranks(
    claims: Mapping[int, Side],
    checks: Mapping[int, Side],
    candidates: Iterable[tuple[int, int]],
    counts: matching.TermCounts,
    read: Callable[[Side], str | None] = _check_words,
) -> dict[tuple[int, int], float]:
    """Each (claim, fact-check) pair's BM25 relative to the best among the claim's candidates
    (matching.word_ranks), over what `read` takes of the fact-check; a fact-check it finds
    nothing in is left out (its rank is 0)."""
    texts = {key: read(side) for key, side in checks.items()}
    by_claim: dict[int, list[int]] = {}
    for claim_id, check_id in sorted(set(candidates)):
        if texts.get(check_id) is not None:
            by_claim.setdefault(claim_id, []).append(check_id)
    check_tokens = {
        key: matching.Bag.of(matching.tokens(texts[key] or ""))
        for ids in by_claim.values()
        for key in ids
    }
    ranks: dict[tuple[int, int], float] = {}
    for claim_id, ids in by_claim.items():
        found = matching.word_ranks(
            matching.tokens(claims[claim_id].text), [check_tokens[i] for i in ids], counts
        )
        ranks.update({(claim_id, i): rank for i, rank in zip(ids, found, strict=True)})
    return ranks


def _check_text(check: FactCheck) -> str:
    return _joined(check.claim_reviewed, check.headline)


def _joined(claim_reviewed: str, headline: str | None) -> str:
    """What a fact-check says, as it is matched (and as its tsv column is computed)."""
    return f"{claim_reviewed} {headline or ''}".strip()


#: A review article holds about ten times the words of the review itself, so two rare words
#: of a claim meet in one by chance far more often: three must (`_rare_queries`); and it is
#: ranked by how often they occur (ts_rank), not by how close together (ts_rank_cd, whose
#: cost grows with the text: 2.2 s against 0.5 s for 50 claims on the 100k bench).
ARTICLE_TOGETHER = 3
ARTICLE_RANK = "ts_rank"


def _rare_queries(
    session: Session,
    table: str,
    texts: dict[int, str],
    column: str = "tsv",
    together: int = 2,
) -> dict[int, str]:
    """For each text (by id), a tsquery (in the 'simple' configuration, over lexemes Postgres
    stemmed) for any `together` of its TERMS rarest lexemes in `table`'s `column`: far fewer
    rows than any one word, so that ranking stays cheap on a large table, and one shared
    common word makes no candidate. The texts are stemmed in one statement."""
    if not texts:
        return {}
    lexemes: dict[int, list[str]] = {key: [] for key in texts}
    for key, lexeme in session.execute(
        text(
            "SELECT q.id, l.lexeme FROM unnest(CAST(:ids AS bigint[]), CAST(:texts AS text[]))"
            " AS q(id, body) CROSS JOIN LATERAL unnest(to_tsvector('english', q.body)) AS l"
        ),
        {"ids": list(texts), "texts": list(texts.values())},
    ):
        if re.fullmatch(r"[a-z0-9]{3,}", str(lexeme)):
            lexemes[int(key)].append(str(lexeme))
    freq = lexeme_frequencies(session, table, column)
    queries = {}
    for key, found in lexemes.items():
        query = tsquery_text(sorted(found, key=lambda w: (freq.get(w, 0), w))[:TERMS], together)
        if query:
            queries[key] = query
    return queries


def _lexical_candidates(
    session: Session,
    table: str,
    queries: dict[int, str],
    condition: str = "",
    column: str = "tsv",
    rank: str = "ts_rank_cd",
) -> list[tuple[int, int]]:
    """(query id, row id of `table`) for each query's CANDIDATES best rows by words (in its
    full-text `column`), ranked among at most LEXICAL_POOL rows that match it: one statement
    for all the queries."""
    if not queries:
        return []
    rows = session.execute(
        text(
            # The shape of service/linking/retrieval.py's _BY_WORDS: tsquery values parsed
            # once in the unnest, each pool row ranked as it is read.
            "SELECT q.id, m.id FROM unnest(CAST(:ids AS bigint[]), CAST(:qs AS tsquery[]))"
            " AS q(id, query) CROSS JOIN LATERAL ("
            "  SELECT p.id FROM ("
            f"   SELECT id, {rank}({column}, q.query) AS rank FROM {table}"
            f"   WHERE {column} @@ q.query{condition} LIMIT :pool"
            "  ) AS p ORDER BY p.rank DESC, p.id LIMIT :n"
            " ) AS m"
        ),
        {"ids": list(queries), "qs": list(queries.values()), "pool": LEXICAL_POOL, "n": CANDIDATES},
    )
    return [(int(a), int(b)) for a, b in rows]


def _check_side(check: FactCheck) -> Side:
    return Side(
        _check_text(check), check.embedding, check.claim_date or check.review_date, check.body
    )


def _check_sides(session: Session, ids: set[int]) -> dict[int, Side]:
    """The fact-checks as the model reads them, without their raw JSON-LD."""
    rows = session.execute(
        select(
            FactCheck.id,
            FactCheck.claim_reviewed,
            FactCheck.headline,
            FactCheck.embedding,
            FactCheck.claim_date,
            FactCheck.review_date,
            FactCheck.body,
        ).where(among(FactCheck.id, ids))
    )
    return {int(i): Side(_joined(c, h), e, cd or rd, b) for i, c, h, e, cd, rd, b in rows}


def _claim_sides(session: Session, ids: set[int]) -> dict[int, Side]:
    """Each claim with the day it was made, as a fact-check dates the claim it reviews: a
    day-precise claim date ("said on Monday"), else the day its document appeared. A year or
    month ("lent 84,000 books in 2025") is what the claim speaks of, not when it was said:
    read as 2025-01-01 it put a check of the same day's statement 699 days away."""
    rows = session.execute(
        select(
            Claim.id,
            Claim.text,
            Claim.embedding,
            Claim.claim_date,
            Claim.date_precision,
            Document.published_on,
        )
        .join(Document, Document.id == Claim.document_id)
        .where(among(Claim.id, ids))
    )
    return {
        int(i): Side(str(t), e, cd if cd and precision == "day" else (pd or cd))
        for i, t, e, cd, precision, pd in rows
    }


def _judge(
    session: Session,
    actor: Actor,
    claims: dict[int, Side],
    checks: dict[int, Side],
    pairs: Iterable[tuple[int, int]],
    ranks: Mapping[tuple[int, int], float],
    article_ranks: Mapping[tuple[int, int], float],
) -> list[FactCheckMatch]:
    """Score each (claim id, fact-check id) pair with the match model and store those worth a
    reviewer's look as suggestions, one event each; a pair scored before (reviewed or not)
    is never proposed again. Inserts and events are written in batches."""
    wanted = sorted(set(pairs))
    if not wanted:
        return []
    seen = {
        (int(a), int(b))
        for a, b in session.execute(
            select(FactCheckMatch.claim_id, FactCheckMatch.fact_check_id).where(
                among(FactCheckMatch.claim_id, {a for a, _ in wanted}),
                among(FactCheckMatch.fact_check_id, {b for _, b in wanted}),
            )
        )
    }
    claim_words = {key: matching.words(side.text) for key, side in claims.items()}
    check_words = {key: matching.words(side.text) for key, side in checks.items()}
    made = []
    for claim_id, check_id in wanted:
        if (claim_id, check_id) in seen:
            continue
        claim, check = claims[claim_id], checks[check_id]
        cw, fw = claim_words[claim_id], check_words[check_id]
        days = matching.days_apart(claim.day, check.day)
        found = matching.features(
            _cosine(claim.embedding, check.embedding),
            cw,
            fw,
            days,
            ranks[claim_id, check_id],
            article_ranks.get((claim_id, check_id), 0.0),
        )
        probability = matching.confidence(found)
        strength = matching.strength(probability, cw)
        if strength is None:
            continue
        made.append(
            FactCheckMatch(
                claim_id=claim_id,
                fact_check_id=check_id,
                score=round(probability, 4),
                strength=strength,
                reasons=matching.reasons(found, claim.text, cw, fw, days),
                state=LinkState.SUGGESTED,
            )
        )
    if made:
        session.add_all(made)
        session.flush()
        record_created(session, actor, "fact_check.matched", made)
    return made


def _cosine(a: bytes | None, b: bytes | None) -> float | None:
    if a is None or b is None:
        return None
    return semantic.cosine(semantic.from_bytes(a), semantic.from_bytes(b))


def match_claims(session: Session, actor: Actor, claims: Sequence[Claim]) -> list[FactCheckMatch]:
    """Stored fact-checks that may check these claims: for each claim the nearest in meaning
    (pgvector) and the best by words (full-text search), each pair judged by the match model.
    A few statements for the whole batch, however many claims it holds."""
    claims = [c for c in claims if c.id is not None]
    if not claims:
        return []
    pairs: list[tuple[int, int]] = fact_check_vectors.nearest_many(
        session,
        [(c.id, semantic.from_bytes(c.embedding)) for c in claims if c.embedding is not None],
        CANDIDATES,
    )
    texts = {c.id: c.text for c in claims}
    pairs += _lexical_candidates(
        session, "fact_checks", _rare_queries(session, "fact_checks", texts)
    )
    # The words rarest among the articles, which are longer and hold more words than reviews.
    pairs += _article_candidates(session, texts)
    if not pairs:
        return []
    checks = _check_sides(session, {b for _, b in pairs})
    mine = _claim_sides(session, {c.id for c in claims})
    counts = _term_counts(session, (side.text for side in mine.values()))
    return _judge(
        session,
        actor,
        mine,
        checks,
        pairs,
        _word_ranks(mine, checks, pairs, counts),
        _word_ranks(mine, checks, pairs, counts, _check_article),
    )


def match_new_claims(session: Session, actor: Actor, claims: list[Claim]) -> int:
    """Match freshly extracted claims against the stored fact-checks: those over the link bar
    (those with a vector, or worth one); nothing at all while no fact-check is stored."""
    worthy = [c for c in claims if semantic.wanted(c.checkworthiness, c.origin)]
    if not worthy or session.scalar(select(FactCheck.id).limit(1)) is None:
        return 0
    return len(match_claims(session, actor, worthy))


def match_fact_checks(
    session: Session, actor: Actor, checks: Sequence[FactCheck]
) -> list[FactCheckMatch]:
    """Stored claims that new (or changed) fact-checks may check: for each, the nearest in
    meaning among the claims with vectors, and the best by words (rejected claims aside)."""
    if not checks:
        return []
    # Every fact-check's nearest claims in one statement (no document of ours to leave out).
    pairs: list[tuple[int, int]] = [
        (claim_id, check_id)
        for check_id, claim_id in claim_vectors.nearest_many(
            session,
            [(f.id, -1, semantic.from_bytes(f.embedding)) for f in checks if f.embedding],
            CANDIDATES,
            0.0,
        )
    ]
    queries = _rare_queries(session, "claims", {f.id: _check_text(f) for f in checks})
    pairs += [
        (claim_id, check_id)
        for check_id, claim_id in _lexical_candidates(
            session, "claims", queries, " AND status <> 'rejected'"
        )
    ]
    if not pairs:
        return []
    claims = _claim_sides(session, {a for a, _ in pairs})
    mine = {f.id: _check_side(f) for f in checks}
    # A pair's rank by words is relative to the best fact-check for the claim, wherever it is:
    # the claims' own best by words among all the fact-checks are read for that.
    claim_queries = _rare_queries(
        session, "fact_checks", {k: side.text for k, side in claims.items()}
    )
    best = _lexical_candidates(session, "fact_checks", claim_queries)
    best_articles = _article_candidates(session, {k: side.text for k, side in claims.items()})
    others = _check_sides(session, {b for _, b in best + best_articles} - mine.keys())
    counts = _term_counts(session, (side.text for side in claims.values()))
    every = {**others, **mine}
    ranks = _word_ranks(claims, every, pairs + best, counts)
    article_ranks = _word_ranks(claims, every, pairs + best_articles, counts, _check_article)
    return _judge(session, actor, claims, mine, pairs, ranks, article_ranks)


def matches_of(session: Session, claim_id: int, *, rejected: bool = False) -> list[FactCheckMatch]:
    """A claim's fact-check matches, confirmed first, then the most likely; with `rejected`
    the rejected ones too, last (so a reviewer can take a rejection back)."""
    if session.get(Claim, claim_id) is None:
        raise NotFound(f"no claim {claim_id}")
    shown = [LinkState.CONFIRMED, LinkState.SUGGESTED] + ([LinkState.REJECTED] if rejected else [])
    return list(
        session.scalars(
            select(FactCheckMatch)
            .where(FactCheckMatch.claim_id == claim_id, FactCheckMatch.state.in_(shown))
            .order_by(
                (FactCheckMatch.state == LinkState.REJECTED).asc(),
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
    found.version += 1
    record_review(
        session,
        actor,
        f"fact_check.match_{state.value}",
        found,
        state=state,
        rationale=rationale,
        before=before,
    )
    return found


def get_fact_check(session: Session, check_id: int) -> FactCheck:
    found = session.get(FactCheck, check_id)
    if found is None:
        raise NotFound(f"no fact-check {check_id}")
    return found
