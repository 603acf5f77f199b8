"""How likely a stored fact-check checks the same claim as one of ours. Pure: no database.

Features of a pair: closeness in meaning (cosine of the two sentence embeddings, MiniLM as for
link suggestions), word overlap over content-word stems — the share of the fact-check's
words the claim has (`recall`) and the share of the claim's words the fact-check has
(`precision`: a long claim that mentions a fact-checked statement in passing has low
precision) — how well the claim's words rank the fact-check (BM25 over plain lower-cased
tokens, relative to the best BM25 any fact-check gets for the same claim: `words_rank`, 1 for
the best by words; rare words weigh by their inverse document frequency over the stored
fact-checks, counted in `fact_check_terms`) — how well the claim's words rank the review
article's opening, where the fact-check came from a page that has one (`body_rank`: the same
BM25 over the claim reviewed, the headline and the first `BODY_CHARS` characters of the
article, relative to the best such text among the claim's candidates; 0 without an article:
a feed item carries none) — and closeness in time: a fact-check of a
statement made the same week as our claim is far likelier to be about it than one of a
statement made years before (political lines are repeated, so time weighs beside the words,
never alone). When either side has no
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
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from service.linking.features import content_stem, surface_words

_WORD = re.compile(r"[\w'’-]+")
_TOKEN = re.compile(r"\w+")

#: Logistic weights: bias, cosine, word recall, word precision, dated, closeness in time,
#: rank by words, rank by the article's words (fitted; see the docstring).
WEIGHTS = (-11.26, 9.18, 0.34, -1.05, -3.38, 5.10, 6.01, 1.41)
#: How much of a review article is kept and matched: its opening states the claim, names who
#: made it and where; the rest is the checking.
BODY_CHARS = 3000
#: BM25's usual constants (Robertson and Zaragoza; Lucene's defaults).
BM25_K1 = 1.2
BM25_B = 0.75
#: Statements this many days apart or more are no closer in time than undated ones.
DATE_HORIZON = 3650
#: Listed for a reviewer at or above this probability. On the dev tweets (candidates of 197
#: tweets): 0.15 lists 268 pairs, 0.59 of them right, 0.82 of the relevant ones; on the dev
#: debate sentences (119) 94 pairs, 0.56 right, 0.51 of the relevant ones.
SHOW = 0.15
#: Strongly suggested at or above this probability (and with enough words). On dev tweets:
#: 0.78 of the pairs right, 0.58 of the relevant ones (debates: 0.86, 0.24); higher
#: thresholds gain no precision on tweets (the lab's judgments keep one of several
#: near-identical Snopes claims), only lose recall.
STRONG = 0.5
STRONG_MIN_WORDS = 6


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens, stopwords and numbers kept, as BM25 reads a text (and as
    `fact_check_terms` counts them)."""
    return _TOKEN.findall(text.lower())


@dataclass(frozen=True)
class TermCounts:
    """How many stored fact-checks there are and how many hold each token: the inverse
    document frequency of BM25."""

    documents: int
    holding: Mapping[str, int]
    _idf: dict[str, float] = field(default_factory=dict, init=False, repr=False, compare=False)

    def idf(self, token: str) -> float:
        """Lucene's form, never negative: ln(1 + (N - n + 0.5) / (n + 0.5)). Kept per
        token: a claim's tokens are asked about once for every candidate."""
        known = self._idf.get(token)
        if known is None:
            n = max(0, min(self.holding.get(token, 0), self.documents))
            known = self._idf[token] = math.log(1.0 + (self.documents - n + 0.5) / (n + 0.5))
        return known


@dataclass(frozen=True)
class Bag:
    """A text's tokens counted once, for BM25 against many claims (an article is read by
    every claim that has it among its candidates)."""

    tf: Counter[str]
    length: int

    @classmethod
    def of(cls, document: Sequence[str]) -> Bag:
        return cls(Counter(document), len(document))


def bm25(
    query: Sequence[str], document: Sequence[str] | Bag, counts: TermCounts, avgdl: float
) -> float:
    """Okapi BM25 of a document's tokens for the query's (each query token counted once)."""
    found = document if isinstance(document, Bag) else Bag.of(document)
    if not found.length or avgdl <= 0:
        return 0.0
    norm = BM25_K1 * (1.0 - BM25_B + BM25_B * found.length / avgdl)
    score = 0.0
    for token in set(query):
        f = found.tf.get(token, 0)
        if f:
            score += counts.idf(token) * f * (BM25_K1 + 1.0) / (f + norm)
    return score


def word_ranks(
    query: Sequence[str], candidates: Sequence[Sequence[str] | Bag], counts: TermCounts
) -> list[float]:
    """Each candidate's BM25 for the query relative to the best of them (1 for the best, 0
    when no candidate shares a word); document lengths are normalised by the candidates'
    average length."""
    if not candidates:
        return []
    lengths = [c.length if isinstance(c, Bag) else len(c) for c in candidates]
    avgdl = sum(lengths) / len(candidates)
    scores = [bm25(query, c, counts, avgdl) for c in candidates]
    best = max(scores)
    return [s / best if best > 0 else 0.0 for s in scores]


def body_text(text: str, body: str | None) -> str | None:
    """What `body_rank` reads: the fact-check's text and its article's opening; None without
    an article."""
    return f"{text} {body[:BODY_CHARS]}" if body else None


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
    #: The fact-check's BM25 for the claim relative to the best among the claim's
    #: candidates (`word_ranks`).
    words_rank: float = 0.0
    #: The same for the claim reviewed, headline and article opening (`body_text`), among
    #: the candidates that have an article; 0 for a fact-check without one.
    body_rank: float = 0.0

    def as_list(self) -> list[float]:
        return [
            self.cosine,
            self.recall,
            self.precision,
            self.dated,
            self.closeness,
            self.words_rank,
            self.body_rank,
        ]


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
    words_rank: float = 0.0,
    body_rank: float = 0.0,
) -> MatchFeatures:
    """`days`: how far apart the two statements were made (`days_apart`), None if unknown;
    `words_rank` and `body_rank`: from `word_ranks`."""
    shared = len(claim_words & check_words)
    return MatchFeatures(
        cosine=cosine if cosine is not None else 0.0,
        recall=shared / len(check_words) if check_words else 0.0,
        precision=shared / len(claim_words) if claim_words else 0.0,
        dated=0.0 if days is None else 1.0,
        closeness=0.0 if days is None else closeness(days),
        words_rank=words_rank,
        body_rank=body_rank,
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
    claim_text: str,
    claim_words: frozenset[str],
    check_words: frozenset[str],
    days: int | None = None,
) -> dict[str, object]:
    """Why the pair was suggested, for the reviewer (the shared words as the claim writes
    them)."""
    return {
        "meaning": round(found.cosine, 3),
        "shared_words": surface_words(claim_text, claim_words & check_words),
        "word_recall": round(found.recall, 3),
        "word_precision": round(found.precision, 3),
        "word_rank": round(found.words_rank, 3),
        "article_rank": round(found.body_rank, 3),
        "days_apart": days,
    }
