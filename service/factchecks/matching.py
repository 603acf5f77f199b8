"""How likely a stored fact-check checks the same claim as one of ours. Pure: no database.

Features of a pair: closeness in meaning (cosine of the two sentence embeddings, MiniLM as for
link suggestions), and word overlap over content-word stems — the share of the fact-check's
words the claim has (`recall`) and the share of the claim's words the fact-check has
(`precision`: a long claim that mentions a fact-checked statement in passing has low
precision). A logistic model turns them into a probability; its weights are fitted by
`python -m evals.factcheck_retrieval --fit` on the CLEF CheckThat! 2020 task 2 training
tweets (the dev tweets choose the thresholds; the test tweets are never used for either).

Two thresholds, as Meedan Check has: `SHOW` (listed for a reviewer) and `STRONG` (strongly
suggested); nothing is ever confirmed without a person, and a claim of fewer than
`STRONG_MIN_WORDS` content words is never strongly suggested (short texts match too easily).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from service.linking.features import content_stem

_WORD = re.compile(r"[\w'’-]+")

#: Logistic weights: bias, cosine, word recall, word precision (fitted; see the docstring).
WEIGHTS = (-10.95, 12.72, 3.59, 4.61)
#: Listed for a reviewer at or above this probability. On the dev tweets (candidates of 197
#: tweets): 0.15 lists 217 pairs, 0.62 of them right, 0.69 of the relevant ones.
SHOW = 0.15
#: Strongly suggested at or above this probability (and with enough words). On dev: 0.78 of
#: the pairs right, 0.47 of the relevant ones; higher thresholds gain no precision there (the
#: lab's judgments keep one of several near-identical Snopes claims), only lose recall.
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

    def as_list(self) -> list[float]:
        return [self.cosine, self.recall, self.precision]


def features(
    cosine: float | None, claim_words: frozenset[str], check_words: frozenset[str]
) -> MatchFeatures:
    shared = len(claim_words & check_words)
    return MatchFeatures(
        cosine=cosine if cosine is not None else 0.0,
        recall=shared / len(check_words) if check_words else 0.0,
        precision=shared / len(claim_words) if claim_words else 0.0,
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
    found: MatchFeatures, claim_words: frozenset[str], check_words: frozenset[str]
) -> dict[str, object]:
    """Why the pair was suggested, for the reviewer."""
    return {
        "meaning": round(found.cosine, 3),
        "shared_words": sorted(claim_words & check_words)[:12],
        "word_recall": round(found.recall, 3),
        "word_precision": round(found.precision, 3),
    }
