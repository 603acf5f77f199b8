"""Score a pair of claims and guess their relation, with the reasons. Pure Python."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz

from service.linking.features import OPPOSED, ClaimFeatures
from service.linking.semantic import cosine

#: Below this a pair is not worth a reviewer's time: with word overlap alone, and when
#: closeness in meaning is part of the score (it finds pairs sharing no word, with low scores).
MIN_SCORE = 0.2
MIN_SCORE_WITH_MEANING = 0.15
#: Sentence-embedding cosines (semantic.py): close enough for a negation on one side to
#: signal a conflict, and close enough (with a shared entity or words) to be the same claim.
CLOSE_MEANING = 0.5
SAME_MEANING = 0.65
#: A paraphrase this close and sharing some words is the same claim without a shared name;
#: the same speaker saying something this close is the same statement reported twice.
CLOSE_PARAPHRASE = 0.7
SAME_SPEAKER_MEANING = 0.6


@dataclass
class PairScore:
    claim_a_id: int
    claim_b_id: int
    score: float
    relation: str
    possible_conflict: bool
    reasons: dict[str, Any] = field(default_factory=dict)


def _same_entity(x: str, y: str) -> bool:
    return (
        x == y
        or fuzz.ratio(x, y) >= 85
        or (min(len(x), len(y)) > 3 and (x in y.split() or y in x.split()))
    )


def _match_entities(a: frozenset[str], b: frozenset[str]) -> tuple[list[str], int]:
    """Shared entities (name variants such as Witkoff / Witkov count as the same), and how
    many pairs match: the smaller of the counts from either side, so that the score does not
    depend on which claim is asked about ("Tomas" and "Berg" both match "Tomas Berg")."""
    from_a = {x for x in a if any(_same_entity(x, y) for y in b)}
    from_b = {y for y in b if any(_same_entity(x, y) for x in a)}
    return sorted(from_a | from_b), min(len(from_a), len(from_b))


def idf_weights(pool: list[ClaimFeatures]) -> dict[str, float]:
    """Inverse document frequency of words over a pool of claims (rare words weigh more)."""
    counts: dict[str, int] = {}
    for f in pool:
        for w in f.words:
            counts[w] = counts.get(w, 0) + 1
    n = len(pool) + 1
    return {w: math.log(n / (c + 0.5)) for w, c in counts.items()}


def _similarity(a: frozenset[str], b: frozenset[str], idf: dict[str, float] | None) -> float:
    """Weighted Dice: the harmonic mean of how much of each side the shared words cover, so
    a short fragment inside a long claim does not look like the same claim."""

    def weight(words: frozenset[str]) -> float:
        if idf is None:
            return float(len(words))
        return sum(max(0.1, idf.get(w, 3.0)) for w in words)

    shared = weight(a & b)
    if not shared:
        return 0.0
    cover_a, cover_b = shared / weight(a), shared / weight(b)
    return 2 * cover_a * cover_b / (cover_a + cover_b)


def _same_claim(lexical: float, entity: float, meaning: float | None, same_speaker: bool) -> bool:
    """The same assertion, not merely a related one: most of the words and the entities
    shared; or close in meaning with the entities or enough words shared; or one person's
    statement reported twice in other words."""
    if lexical >= 0.5 and entity >= 0.5:
        return True
    if meaning is None:
        return False
    return (
        (meaning >= SAME_MEANING and entity >= 0.5 and lexical >= 0.35)
        or (meaning >= CLOSE_PARAPHRASE and lexical >= 0.3)
        or (same_speaker and meaning >= SAME_SPEAKER_MEANING)
    )


def score_pair(
    a: ClaimFeatures, b: ClaimFeatures, idf: dict[str, float] | None = None
) -> PairScore:
    shared_words = sorted(a.words & b.words)
    lexical = _similarity(a.words, b.words, idf)
    shared_entities, matched = _match_entities(a.entities, b.entities)
    entity = matched / max(1, min(len(a.entities), len(b.entities)))
    shared_numbers = sorted(
        {
            qa.text
            for qa in a.quantities
            for qb in b.quantities
            if qa.unit == qb.unit and abs(qa.value - qb.value) <= 1e-9 * max(1, qa.value)
        }
    )
    # Two figures contradict when they measure the same thing: the same currency or percent,
    # or bare numbers of the same noun ("800 passengers" / "1,200 passengers"), never a
    # "Dec. 2" against "the 80s".
    contradicted = [
        f"{qa.text} vs {qb.text}"
        for qa in a.quantities
        for qb in b.quantities
        if qa.unit == qb.unit
        and qa.unit != "year"
        and (qa.unit != "" or (qa.counts != "" and qa.counts == qb.counts))
        and qa.value != qb.value
        and not any(qa.text == s for s in shared_numbers)
    ]
    meaning = cosine(a.vector, b.vector) if a.vector is not None and b.vector is not None else None
    close = meaning is not None and meaning >= CLOSE_MEANING
    signals: list[str] = []
    # A number mismatch or opposed predicates speak of the same subject only when the claims
    # share words or entities: closeness in meaning alone ("talks on Tuesday, March 18th" /
    # "talking about Ukraine for 30 years") would flag every pair of figures on one topic.
    related = lexical >= 0.25 or (entity >= 0.5 and lexical >= 0.15)
    shared_amounts = [
        qa
        for qa in a.quantities
        for qb in b.quantities
        if qa.unit == qb.unit and qa.unit != "year" and qa.value == qb.value
    ]
    if contradicted and related and not shared_amounts:
        signals.append("number mismatch about the same subject: " + ", ".join(contradicted[:3]))
    # A lone "not" is common: it signals a conflict only between closely related claims.
    # A negation signals a conflict when what it denies is what the other claim asserts:
    # a word under the negation on one side appears un-negated on the other. A "not"
    # elsewhere in a long sentence says nothing about the other claim.
    denied = (a.denied & (b.words - b.denied)) | (b.denied & (a.words - a.denied))
    if a.negated != b.negated and denied and (lexical >= 0.25 or close):
        signals.append("negation or denial on one side")
    for x, y in OPPOSED:
        opposed = (x in a.predicates and y in b.predicates) or (
            y in a.predicates and x in b.predicates
        )
        if opposed and related:
            signals.append(f"opposed predicates: {x} / {y}")
    same_speaker = a.speaker_id is not None and a.speaker_id == b.speaker_id
    if meaning is None:
        score = 0.6 * min(1.0, lexical) + 0.3 * min(1.0, entity)
    else:
        # Cosine between unrelated news sentences sits around 0.1-0.2 for this model.
        nearness = min(1.0, max(0.0, (meaning - 0.15) / 0.6))
        score = 0.5 * nearness + 0.3 * min(1.0, lexical) + 0.2 * min(1.0, entity)
    score += 0.1 if shared_numbers else 0.0
    score += 0.05 if same_speaker else 0.0
    score = round(min(1.0, score), 3)
    if signals:
        relation = "conflicts"
    elif _same_claim(lexical, entity, meaning, same_speaker):
        relation = "same_claim"
    else:
        relation = "corroborates"
    reasons: dict[str, Any] = {
        "lexical_overlap": round(lexical, 2),
        "shared_words": shared_words[:12],
        "shared_entities": shared_entities,
        "shared_numbers": shared_numbers,
        "conflict_signals": signals,
    }
    if meaning is not None:
        reasons["meaning_similarity"] = round(meaning, 2)
    if same_speaker:
        reasons["same_speaker"] = True
    low, high = sorted((a.claim_id, b.claim_id))
    return PairScore(low, high, score, relation, bool(signals), reasons)


def rank(target: ClaimFeatures, candidates: list[ClaimFeatures], top: int = 10) -> list[PairScore]:
    """The best-scoring candidates from other documents, best first."""
    scored = [score_pair(target, c) for c in candidates if c.document_id != target.document_id]
    floor = MIN_SCORE if target.vector is None else MIN_SCORE_WITH_MEANING
    scored = [s for s in scored if s.score >= floor]
    scored.sort(key=lambda s: (-s.score, s.claim_a_id, s.claim_b_id))
    return scored[:top]
