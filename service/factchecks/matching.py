"""How likely a stored fact-check checks the same claim as one of ours. Pure: no database.

Features of a pair: closeness in meaning (cosine of the two sentence embeddings, MiniLM as for
link suggestions), word overlap over content-word stems — the share of the fact-check's
words the claim has (`recall`) and the share of the claim's words the fact-check has
(`precision`: a long claim that mentions a fact-checked statement in passing has low
precision) — and closeness in time: a fact-check of a statement made the same week as our
claim is far likelier to be about it than one of a statement made years before (political
lines are repeated, so time weighs beside the words, never alone). When either side has no
date the time features are 0 (`dated` says which), so undated pairs are judged by text.

A logistic model turns them into a probability; its weights are fitted by
`python -m evals.factcheck_retrieval --fit` on the training queries of both CLEF CheckThat!
labs (2020 task 2, tweets, undated; 2021 task 2B, debate sentences, dated): their dev
queries choose the thresholds; their test queries are never used for either.

Two thresholds, as Meedan Check has: `SHOW` (listed for a reviewer) and `STRONG` (strongly
suggested); nothing is ever confirmed without a person, and a claim of fewer than
`STRONG_MIN_WORDS` content words is never strongly suggested (short texts match too easily).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date

from service.linking.features import content_stem

_WORD = re.compile(r"[\w'’-]+")

#: Logistic weights: bias, cosine, word recall, word precision, dated, closeness in time
#: (fitted; see the docstring).
WEIGHTS = (-10.21, 11.87, 4.00, 2.27, -3.59, 5.83)
#: Statements this many days apart or more are no closer in time than undated ones.
DATE_HORIZON = 3650
#: Listed for a reviewer at or above this probability. On the dev tweets (candidates of 197
#: tweets): 0.15 lists 204 pairs, 0.63 of them right, 0.67 of the relevant ones; on the dev
#: debate sentences (119) 52 pairs, 0.60 right, 0.33 of the relevant ones.
SHOW = 0.15
#: Strongly suggested at or above this probability (and with enough words). On dev tweets:
#: 0.78 of the pairs right, 0.43 of the relevant ones (debates: 0.94, 0.16); higher
#: thresholds gain no precision on tweets (the lab's judgments keep one of several
#: near-identical Snopes claims), only lose recall.
STRONG = 0.5
STRONG_MIN_WORDS = 6


def words(text: str) -> frozenset[str]:
    """Content-word stems of a text (stopwords, numbers and scraps dropped)."""
    return frozenset(w for token in _WORD.findall(text) if (w := content_stem(token)))


@dataclass(frozen=True)
class MatchFeatures:
    cosine: float
    recall: float
    precision: float
    #: 1 when both statements are dated, else 0.
    dated: float = 0.0
    #: 1 on the same day, falling with the log of the days apart, 0 at DATE_HORIZON days or
    #: more, and 0 when undated.
    closeness: float = 0.0

    def as_list(self) -> list[float]:
        return [self.cosine, self.recall, self.precision, self.dated, self.closeness]


def days_apart(claim_date: date | None, check_date: date | None) -> int | None:
    if claim_date is None or check_date is None:
        return None
    return abs((claim_date - check_date).days)


def closeness(days: int) -> float:
    return 1.0 - min(1.0, math.log1p(days) / math.log1p(DATE_HORIZON))


def features(
    cosine: float | None,
    claim_words: frozenset[str],
    check_words: frozenset[str],
    days: int | None = None,
) -> MatchFeatures:
    """`days`: how far apart the two statements were made (`days_apart`), None if unknown."""
    shared = len(claim_words & check_words)
    return MatchFeatures(
        cosine=cosine if cosine is not None else 0.0,
        recall=shared / len(check_words) if check_words else 0.0,
        precision=shared / len(claim_words) if claim_words else 0.0,
        dated=0.0 if days is None else 1.0,
        closeness=0.0 if days is None else closeness(days),
    )


def confidence(found: MatchFeatures, weights: tuple[float, ...] = WEIGHTS) -> float:
    z = weights[0] + sum(w * x for w, x in zip(weights[1:], found.as_list(), strict=True))
    return 1.0 / (1.0 + math.exp(-z))


def strength(probability: float, claim_words: frozenset[str]) -> str | None:
    """'strong', 'show', or None (not worth a reviewer's look)."""
    if probability >= STRONG and len(claim_words) >= STRONG_MIN_WORDS:
        return "strong"
    if probability >= SHOW:
        return "show"
    return None


def reasons(
    found: MatchFeatures,
    claim_words: frozenset[str],
    check_words: frozenset[str],
    days: int | None = None,
) -> dict[str, object]:
    """Why the pair was suggested, for the reviewer."""
    return {
        "meaning": round(found.cosine, 3),
        "shared_words": sorted(claim_words & check_words)[:12],
        "word_recall": round(found.recall, 3),
        "word_precision": round(found.precision, 3),
        "days_apart": days,
    }
