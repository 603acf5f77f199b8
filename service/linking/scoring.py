"""Score a pair of claims and guess their relation, with the reasons. Pure Python."""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
from rapidfuzz import fuzz

from service.linking import nli
from service.linking.features import OPPOSED, ClaimFeatures, Quantity, stem, surface_words
from service.linking.semantic import cosine

#: On-demand suggestions (GET /claims/{id}/suggestions) show the best ten pairs down to this
#: confidence, each with its confidence: real links are rare among all pairs, so a pair close
#: in meaning with no shared word is worth showing at well under 1 %. A pair with no evidence
#: at all gets 0.001 (the intercept): this is twice that. Stored suggestions need
#: `suggest_min` (Settings, CLAIMDESK_SUGGEST_MIN).
MIN_SCORE = 0.002
#: The default for storing a suggestion after ingest: chosen on the dev link gold
#: (evals/linking.py prints precision and recall by threshold).
SUGGEST_MIN = 0.2
#: At most this many stored suggestions per claim, best first.
STORED_PER_CLAIM = 3
#: The pair confidence: a logistic model over the pair's evidence, fitted on the dev link gold
#: by evals/fit_links.py (7,914 dev pairs sharing some evidence, 137 real links; C = 1 by
#: held-out document pairs, AUC 0.80: 0.745 before `rare_shared`), so that a confidence of
#: 0.6 means about 60 % of such pairs are real links. No threshold confirms a link: a person
#: does. Fitted before counts in words were figures (features.quantities); refitted with them
#: (numbers 0.74 -> 0.20, the rest within 0.03) the dev queues got smaller and no better
#: (seeds 60 -> 58 stored at 0.55, the Athens story 16 -> 14 at 1.00), so these stay. Fitted
#: on four dev stories (`evals/fit_links.py --with-stories`, evals/README.md) the queue traded
#: precision for recall on dev (0.72/0.24 -> 0.67/0.29) and lost precision on the seeds' fresh
#: load (0.57 -> 0.45): not shipped.
LINK_INTERCEPT = -6.84
LINK_WEIGHTS: dict[str, float] = {
    "meaning": 2.23,
    "lexical": 1.68,
    "entities": -0.24,
    "numbers": 0.74,
    "same_speaker": 0.50,  # no dev pair has it: prior kept
    "conflict": -0.27,
    "derived": 0.09,
    "derived_close": 1.06,
    "meaning_and_words": 1.41,
    "entails": 0.58,
    "contradicts": -0.01,
    "rare_shared": 3.81,
}
#: The NLI head's contradiction probability (both directions averaged) at which two related
#: claims are suggested as conflicting when no rule fires: a contradiction stated in other
#: words. Chosen on the dev link gold (evals/linking.py): at 0.5 it turned right relations
#: wrong there (0.59 -> 0.50 right); at 0.6 it changes none.
NLI_CONFLICT = 0.6
#: A summary restating its source this closely says the same thing.
DERIVED_SAME = 0.6
#: Sentence-embedding cosines (semantic.py): close enough for a negation on one side to
#: signal a conflict, and close enough (with a shared entity or words) to be the same claim.
CLOSE_MEANING = 0.5
SAME_MEANING = 0.65
#: A word overlap (Dice over the two claims' content words) at which two claims are about the
#: same thing: a conflict signal, or the NLI head's contradiction, then counts between them.
SHARED_WORDS = 0.25
#: A paraphrase this close and sharing some words is the same claim without a shared name;
#: the same speaker saying something this close is the same statement reported twice.
CLOSE_PARAPHRASE = 0.7
SAME_SPEAKER_MEANING = 0.6
#: A word held by at most one stored claim in 10 ** RARE_LOG (about 300) counts as fully
#: rare (Rarity). Chosen on the dev link gold: 2.0 to 3.0 gave the same held-out AUC.
RARE_LOG = 2.5
#: Shared words at least this rare (held by at most about one stored claim in 40) are named
#: in a suggestion's reasons (`rare_words`): what a reviewer reads as "why these two".
RARE_SHOWN = 0.64


@cache
def function_words() -> frozenset[str]:
    """spaCy's English stop words, stemmed as ClaimFeatures.words are. Read on first use, not
    at import: importing spaCy is a third of the app's start (0.6 s of 2), and a process that
    scores no pair never needs it."""
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(stem(w) for w in STOP_WORDS)


@dataclass(frozen=True)
class Rarity:
    """How rare each word (a stem, as ClaimFeatures.words holds them) is among the stored
    claims, in [0, 1]: log10(claims / claims holding it) / RARE_LOG, at most 1. Two claims
    that share a word few others hold (a name, a place, a term of one story) are far more
    often about the same fact than two that share only common words; the counts are the
    corpus's own (retrieval.corpus_rarity reads them from Postgres's statistics), so a
    story's words count as rare where the story is new, and as common where it is
    everywhere. A word the counts do not hold is rarer than any they do."""

    counts: Mapping[str, float]
    claims: float

    def __call__(self, word: str) -> float:
        if word in function_words() or "'" in word or "’" in word:
            # Function words and contractions ("between", "wasn't") are never rare: Postgres
            # does not index them, so they have no count, which would read as "rarer than
            # any counted word".
            return 0.0
        count = self.counts.get(word)
        if count is None:
            return 1.0
        return min(1.0, max(0.0, math.log10(self.claims / max(count, 1.0)) / RARE_LOG))

    def at_least(self, level: float) -> Callable[[str], bool]:
        """A test of whether a word is at least this rare."""
        return lambda word: self(word) >= level

    @classmethod
    def of(cls, pool: Iterable[ClaimFeatures]) -> Rarity:
        """Counted over these claims (evals and tests: the whole corpus at hand)."""
        counts: dict[str, float] = {}
        n = 0
        for f in pool:
            n += 1
            for w in f.words:
                counts[w] = counts.get(w, 0) + 1
        return cls(counts, float(n))


@dataclass
class PairScore:
    claim_a_id: int
    claim_b_id: int
    score: float
    relation: str
    possible_conflict: bool
    reasons: dict[str, Any] = field(default_factory=dict)
    #: The evidence the confidence was computed from (pair_features), for fitting.
    evidence: dict[str, float] = field(default_factory=dict)


def _same_entity(x: str, y: str) -> bool:
    return bool(
        x == y
        or fuzz.ratio(x, y, score_cutoff=85)
        or (min(len(x), len(y)) > 3 and (x in y.split() or y in x.split()))
    )


def named_as(opener: str | None, entities: frozenset[str]) -> frozenset[str]:
    """A claim's capitalised first word as a name, when the other claim writes it as one
    ("Paris thieves nab …" / "… a jewellery store in Paris"): a capital that opens a sentence
    says nothing on its own, one in mid-sentence does."""
    # The whole name, not one word of it: "Police" is not "the Metropolitan Police".
    if opener and any(opener == e or fuzz.ratio(opener, e, score_cutoff=85) for e in entities):
        return frozenset((opener,))
    return frozenset()


def _names_one_subject(a: ClaimFeatures, b: ClaimFeatures, shared: list[str]) -> bool:
    """The two claims name one person, place or organisation (a weekday or a month names no
    subject); a name may open one of them ("Paris thieves nab $2.5m" / "a $2.6m raid in
    Paris"). Asked only of pairs whose figures differ: the opener's fuzzy match stays off the
    path of every other pair."""
    if any(e not in CALENDAR for e in shared):
        return True
    opened = named_as(a.opener, b.entities) | named_as(b.opener, a.entities)
    return any(e not in CALENDAR for e in opened)


def _match_entities(a: frozenset[str], b: frozenset[str]) -> tuple[list[str], int]:
    """Shared entities (name variants such as Witkoff / Witkov count as the same), and how
    many pairs match: the smaller of the counts from either side, so that the score does not
    depend on which claim is asked about ("Tomas" and "Berg" both match "Tomas Berg"). Each
    pair is compared once (the relation is symmetric)."""
    from_a: set[str] = set()
    from_b: set[str] = set()
    for x in a:
        for y in b:
            if _same_entity(x, y):
                from_a.add(x)
                from_b.add(y)
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


def _single_counts(found: tuple[Quantity, ...]) -> set[str]:
    """The nouns a claim counts once in bare numbers ("3 people", never "30-year-old and
    26-year-old"): each such number is the claim's figure for its noun."""
    counted = [q.counts for q in found if q.unit == "" and q.counts]
    return {c for c in counted if counted.count(c) == 1}


#: Day and month names: a shared one names a date, not the subject of a figure.
CALENDAR = frozenset(
    (
        *("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
        *("january", "february", "march", "april", "may", "june", "july", "august"),
        *("september", "october", "november", "december"),
        # and as news abbreviates them
        *("mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun"),
        *("jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"),
    )
)


def inference(a: ClaimFeatures, candidates: list[ClaimFeatures]) -> list[Any]:
    """The NLI head's (entailment, contradiction, neutral) for `a` against each candidate,
    both directions averaged, in one batch; None where either side has no vector."""
    have = [i for i, c in enumerate(candidates) if c.vector is not None]
    out: list[Any] = [None] * len(candidates)
    if a.vector is None or not have:
        return out
    others = np.stack([candidates[i].vector for i in have])
    for i, probabilities in zip(have, nli.head().symmetric(a.vector, others), strict=True):
        out[i] = probabilities
    return out


@dataclass
class _Evidence:
    """What a pair shares, before the NLI head is asked (score_pair's first half)."""

    shared_words: list[str]
    lexical: float
    shared_entities: list[str]
    entity: float
    shared_numbers: list[str]
    meaning: float | None
    close: bool
    related: bool
    signals: list[str]
    same_speaker: bool
    derived: bool
    #: The rarity of the rarest word both claims hold (0 when they share none).
    rare: float
    #: The shared words (stems) at least RARE_SHOWN rare, rarest first.
    rare_words: list[str]
    #: The figures of one kind (currency, percent, a count of one noun) the two give
    #: differently ("$412 million vs $214 million"), when they give none in common.
    different_figures: tuple[str, ...] = ()

    @property
    def figures_differ(self) -> bool:
        return bool(self.different_figures)

    def values(self, entails: float = 0.0, contradicts: float = 0.0) -> dict[str, float]:
        return pair_features(
            self.lexical,
            self.entity,
            self.meaning,
            bool(self.shared_numbers),
            self.same_speaker,
            bool(self.signals),
            self.derived,
            entails,
            contradicts,
            self.rare,
        )


#: No corpus: every content word is one it has not seen.
_NO_CORPUS = Rarity({}, 0.0)


#: A denial is judged on the first words it covers: the denied verb and what it governs
#: ("does not want a ceasefire", not "… that would freeze the front line").
DENIAL_CORE = 3


def _denial(a: ClaimFeatures, b: ClaimFeatures, rare: Callable[[str], bool] | None) -> list[str]:
    """The words of one of a's denials that b asserts (b's words outside any denial of its
    own; a question asserts nothing), when they are at least half of the first DENIAL_CORE
    words it covers, or, when `rare` is given, include a word `rare` accepts; else none."""
    if not a.denials or b.asks:
        return []
    asserted = b.words - b.denied
    for scope in a.denials:
        found = [w for w in scope if w in asserted]
        if rare is not None:
            if any(rare(w) for w in found):
                return found
            continue
        core = set(scope[:DENIAL_CORE])
        if 2 * len(core & asserted) >= len(core):
            return found
    return []


def _evidence(
    a: ClaimFeatures,
    b: ClaimFeatures,
    idf: dict[str, float] | None,
    rarity: Rarity | None = None,
) -> _Evidence:
    shared_words = sorted(a.words & b.words)
    rated = sorted((-(rarity or _NO_CORPUS)(w), w) for w in shared_words)
    rare = -rated[0][0] if rated else 0.0
    rare_words = [w for r, w in rated if -r >= RARE_SHOWN]
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
    # "Dec. 2" against "the 80s". A bare number counts as the claim's figure for its noun
    # only when it is the one of that noun there: "the 30-year-old sergeant and a 26-year-old
    # officer" are two people, and which of them a "16-year-old" elsewhere is cannot be told.
    single_a, single_b = _single_counts(a.quantities), _single_counts(b.quantities)
    contradicted = [
        f"{qa.text} vs {qb.text}"
        for qa in a.quantities
        for qb in b.quantities
        if qa.unit == qb.unit
        and qa.unit != "year"
        and (qa.unit != "" or (qa.counts == qb.counts and qa.counts in single_a & single_b))
        and qa.value != qb.value
        and not any(qa.text == s for s in shared_numbers)
    ]
    meaning = cosine(a.vector, b.vector) if a.vector is not None and b.vector is not None else None
    close = meaning is not None and meaning >= CLOSE_MEANING
    signals: list[str] = []
    # A number mismatch or opposed predicates speak of the same subject only when the claims
    # share words or entities: closeness in meaning alone ("talks on Tuesday, March 18th" /
    # "talking about Ukraine for 30 years") would flag every pair of figures on one topic.
    related = lexical >= SHARED_WORDS or (entity >= 0.5 and lexical >= 0.15)
    shared_amounts = [
        qa
        for qa in a.quantities
        for qb in b.quantities
        if qa.unit == qb.unit and qa.unit != "year" and qa.value == qb.value
    ]
    # ...and a figure is about the same subject only when the claims name it: shared words
    # ("two men", "on Monday", "police said") are shared by every crime story of the day,
    # and a weekday or a month names no subject.
    figures_differ = bool(contradicted) and not shared_amounts
    if figures_differ and related and _names_one_subject(a, b, shared_entities):
        signals.append("number mismatch about the same subject: " + ", ".join(contradicted[:3]))
    # A lone "not" is common: it signals a conflict only between closely related claims.
    # A negation signals a conflict when what it denies is what the other claim asserts: at
    # least half of the first words under one negation (the denied verb and its object)
    # appear un-negated on the other side; or, between claims close in meaning, one rare word
    # under it does (the rest said in other words: "no permit to sell the turbines abroad" /
    # "approved the export licence for the turbines"). A "not" elsewhere in a long sentence,
    # or a denial that shares only common words of the story with the other claim ("not a
    # business executive" / "a business deal"), says nothing about it. Each negation is
    # judged on its own, so two claims that both deny something can still conflict.
    # The signal names the denied words, as the denying claim writes them.
    rare_enough = (rarity or _NO_CORPUS).at_least(RARE_SHOWN)
    for denier, other, counted, applies in (
        (a, b, None, lexical >= SHARED_WORDS),
        (b, a, None, lexical >= SHARED_WORDS),
        (a, b, rare_enough, close),
        (b, a, rare_enough, close),
    ):
        denied = _denial(denier, other, counted) if applies else []
        if denied:
            spelled = ", ".join(surface_words(denier.text, set(denied), 4))
            signals.append(f"negation or denial on one side: {spelled}")
            break
    for x, y in OPPOSED:
        opposed = (x in a.predicates and y in b.predicates) or (
            y in a.predicates and x in b.predicates
        )
        if opposed and related:
            signals.append(f"opposed predicates: {x} / {y}")
    same_speaker = a.speaker_id is not None and a.speaker_id == b.speaker_id
    derived = (a.source_document_id is not None and a.source_document_id == b.document_id) or (
        b.source_document_id is not None and b.source_document_id == a.document_id
    )
    return _Evidence(
        shared_words,
        lexical,
        shared_entities,
        entity,
        shared_numbers,
        meaning,
        close,
        related,
        signals,
        same_speaker,
        derived,
        rare,
        rare_words,
        tuple(contradicted[:3]) if figures_differ else (),
    )


def score_pair(
    a: ClaimFeatures,
    b: ClaimFeatures,
    idf: dict[str, float] | None = None,
    inferred: Any = None,
    rarity: Rarity | None = None,
) -> PairScore:
    """`inferred`: the NLI probabilities of the pair when the caller computed them in a
    batch (`inference`); otherwise computed here. `rarity`: the corpus's word counts
    (without them, every content word is new, hence rare)."""
    found = _evidence(a, b, idf, rarity)
    if inferred is None and found.meaning is not None:
        inferred = inference(a, [b])[0]
    return _scored(a, b, found, inferred)


def _scored(a: ClaimFeatures, b: ClaimFeatures, found: _Evidence, inferred: Any) -> PairScore:
    """The pair's confidence, relation and reasons from its evidence and the NLI head's
    probabilities (None without vectors)."""
    entails, contradicts = (0.0, 0.0) if inferred is None else map(float, inferred[:2])
    values = found.values(entails, contradicts)
    score = round(confidence(values), 3)
    signals = found.signals
    # The head reads a contradiction into many unrelated pairs (an SNLI habit): it counts only
    # between claims that are about the same thing, close in meaning or sharing words
    # (SHARED_WORDS). A shared name is not enough: two claims about one person are mostly about
    # different things he did, and the head called 31 of 39 such dev pairs contradictions.
    inferred_conflict = (
        contradicts >= NLI_CONFLICT
        and contradicts > entails
        and (found.close or found.lexical >= SHARED_WORDS)
        and not (a.asks or b.asks)  # a question asserts nothing to contradict
    )
    if inferred_conflict and not signals:
        signals_shown = [f"inference: contradiction {contradicts:.2f}"]
    else:
        signals_shown = list(signals)
    if signals or inferred_conflict:
        relation = "conflicts"
    elif not found.figures_differ and (
        _same_claim(found.lexical, found.entity, found.meaning, found.same_speaker)
        or (found.derived and max(found.meaning or 0.0, found.lexical) >= DERIVED_SAME)
    ):
        # (Different figures of one kind are never the same claim, however close the words.)
        relation = "same_claim"
    else:
        relation = "corroborates"
    reasons: dict[str, Any] = {
        "lexical_overlap": round(found.lexical, 2),
        "shared_words": found.shared_words[:12],
        "shared_entities": found.shared_entities,
        "shared_numbers": found.shared_numbers,
        "conflict_signals": signals_shown,
        "rare_words": found.rare_words[:6],
    }
    if found.meaning is not None:
        reasons["meaning_similarity"] = round(found.meaning, 2)
    if inferred is not None:
        reasons["inference"] = {
            label: round(float(p), 2) for label, p in zip(nli.LABELS, inferred, strict=True)
        }
    if found.different_figures and relation != "conflicts":
        # Not flagged as a conflict (no shared name), but a reviewer should see it before
        # confirming the pair as backing: "$412 million vs $214 million".
        reasons["different_figures"] = list(found.different_figures)
    if found.same_speaker:
        reasons["same_speaker"] = True
    if found.derived:
        # A summary and its source: their agreement is not independent.
        reasons["derived_from_source"] = True
    low, high = sorted((a.claim_id, b.claim_id))
    return PairScore(low, high, score, relation, bool(signals_shown), reasons, values)


def pair_features(
    lexical: float,
    entity: float,
    meaning: float | None,
    numbers: bool,
    same_speaker: bool,
    conflict: bool,
    derived: bool,
    entails: float = 0.0,
    contradicts: float = 0.0,
    rare: float = 0.0,
) -> dict[str, float]:
    """The evidence the confidence weighs, each in [0, 1]."""
    # Cosine between unrelated news sentences sits around 0.1-0.2 for this model; without a
    # vector, closeness in meaning is read off the words.
    nearness = lexical if meaning is None else min(1.0, max(0.0, (meaning - 0.15) / 0.6))
    return {
        "meaning": nearness,
        "lexical": min(1.0, lexical),
        "entities": min(1.0, entity),
        "numbers": float(numbers),
        "same_speaker": float(same_speaker),
        "conflict": float(conflict),
        "derived": float(derived),
        # A summary's sentence close to its source's: the restatement the summary is made of.
        "derived_close": float(derived) * nearness,
        # Both close in meaning and sharing words: the two signals reinforce each other.
        "meaning_and_words": nearness * min(1.0, lexical),
        # The NLI head (nli.py): one claim entails or contradicts the other (0 without vectors).
        "entails": entails,
        "contradicts": contradicts,
        # The rarest word the two share, by the corpus's counts (Rarity).
        "rare_shared": rare,
    }


def confidence(values: dict[str, float]) -> float:
    """How likely the pair is a real link, in [0, 1]."""
    return _sigmoid(_logit(values))


def _logit(values: dict[str, float]) -> float:
    return LINK_INTERCEPT + sum(LINK_WEIGHTS[k] * v for k, v in values.items())


def _sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z))


def _same_text(f: ClaimFeatures) -> tuple[int, str]:
    return f.document_id, " ".join(f.text.casefold().split())


def rank(
    target: ClaimFeatures,
    candidates: list[ClaimFeatures],
    top: int = 10,
    floor: float = MIN_SCORE,
    rarity: Rarity | None = None,
    reviewed: Collection[int] = (),
) -> list[PairScore]:
    """The best-scoring candidates from other documents, best first. A sentence a document
    repeats (a caption shown twice) is one candidate: its first appearance. A candidate in
    `reviewed` (its pair with the target already confirmed or rejected) is left out, and so
    is every other appearance of its sentence: the reviewer judged the sentence."""
    seen = {_same_text(c) for c in candidates if c.claim_id in reviewed}
    unique = []
    for c in sorted(candidates, key=lambda c: c.claim_id):
        key = _same_text(c)
        if c.document_id != target.document_id and key not in seen and c.claim_id not in reviewed:
            seen.add(key)
            unique.append(c)
    found = [_evidence(target, c, None, rarity) for c in unique]
    # The NLI head is asked only about candidates that could still reach the top: its two
    # probabilities (which sum to at most 1) move a pair's logit by at most `lift` up and
    # `drop` down. A candidate whose best case, rounded as scores are, is below the floor,
    # or below the worst case of `top` others, cannot be shown; the rest are scored as
    # before, so the result is the same as scoring every candidate.
    weights = (LINK_WEIGHTS["entails"], LINK_WEIGHTS["contradicts"])
    lift, drop = max(0.0, *weights), min(0.0, *weights)
    logits = [_logit(f.values()) for f in found]
    worst = sorted((round(_sigmoid(z + drop), 3) for z in logits), reverse=True)
    bar = max(floor, worst[top - 1] if len(worst) >= top else 0.0)
    kept = [i for i, z in enumerate(logits) if round(_sigmoid(z + lift), 3) >= bar]
    inferred = inference(target, [unique[i] for i in kept])
    scored = [
        s
        for s in (
            _scored(target, unique[i], found[i], p) for i, p in zip(kept, inferred, strict=True)
        )
        if s.score >= floor
    ]
    scored.sort(key=lambda s: (-s.score, s.claim_a_id, s.claim_b_id))
    best = scored[:top]
    # Scored on stems ("footbridg"); shown as the claim writes them, for the few kept.
    for s in best:
        s.reasons["shared_words"] = surface_words(target.text, set(s.reasons["shared_words"]))
        s.reasons["rare_words"] = _spelled(target.text, s.reasons["rare_words"])
    return best


def _spelled(text: str, stems: list[str]) -> list[str]:
    """The stems as `text` writes them, in the stems' order (rarest first)."""
    spelled = dict(zip(stems, (surface_words(text, {w}, 1) for w in stems), strict=True))
    return [found[0] if found else w for w, found in spelled.items()]


def to_store(ranked: list[PairScore], suggest_min: float = SUGGEST_MIN) -> list[PairScore]:
    """Of a claim's ranked suggestions, those worth a reviewer's queue: confident enough, and
    a few at most."""
    return [s for s in ranked if s.score >= suggest_min][:STORED_PER_CLAIM]
