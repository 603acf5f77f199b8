"""An experiment, not the service's scoring: align two claims word by word and see what it buys.

    python -m evals.token_alignment       # in make eval

One sentence vector per claim blurs "the same fact" into "the same topic": most gold
`corroborates` links have a cosine of 0.4-0.6, like the same-topic pairs they must be told from
(evals/README.md). Here each claim is kept as its token vectors instead (the encoder's last
layer, before pooling: semantic.Encoder.encode_tokens), every content word of one claim is
matched with the piece of the other closest to it in context, the matches are weighed by how
rare the word is among the claims (IDF from the same counts as scoring.Rarity), and the two
directions' coverage make an F1: BERTScore (Zhang et al., ICLR 2020) with IDF weights.

Printed, on the pool of evals/linking.py (every cross-document pair sharing some evidence):

- the alignment alone, and the service's confidence, as AUCs of gold links against the pool;
- the confidence refitted on dev with the alignment as one more piece of evidence
  (logistic, as evals/fit_links.py fits the service's), applied to dev and to test;
- the reviewer's queue it would give: the service's ranking, its best RERANK of each claim
  scored again with the refitted confidence, stored as ingest stores them (at most
  STORED_PER_CLAIM a claim, from `suggest_min` up);
- what the alignment costs: encoding a sentence's tokens, per sentence. The service stores
  one vector per claim; the alignment needs every candidate's token vectors, which it does
  not store, so each candidate would be encoded again when it is ranked.

All of it twice: with the pieces in context (the encoder's last layer), and with the pieces as
the encoder's input table holds them (no layer run: a tokenizer call and a lookup, which the
service could afford).
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from evals.linking import (
    Corpus,
    build,
    document_pair,
    gold_links,
    pair_pool,
    queue_claims,
    queue_figures,
    rescored_queue,
)
from service.linking import semantic
from service.linking.features import _WORD, content_stem
from service.linking.scoring import (
    PairScore,
    Rarity,
    function_words,
    rank,
)

#: How many of a claim's best candidates by the service's ranking are scored again.
RERANK = 10


@dataclass(frozen=True)
class TokenVectors:
    """A claim as the encoder reads it in context: one unit vector per word piece, with the
    stem of the word it belongs to as ClaimFeatures.words holds it (features.content_stem,
    so the stems are the ones the word counts hold), or "" for a piece that weighs nothing:
    a stopword, a number, a scrap of two letters ("U.S." is "u" and "s"), a possessive's
    "'s", punctuation. Those pieces stay as places a word of the other claim can match."""

    stems: tuple[str, ...]
    matrix: Any

    @classmethod
    def of(cls, text: str, offsets: list[tuple[int, int]], matrix: Any) -> TokenVectors:
        words = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text)]
        stems: list[str] = []
        w = 0
        for start, _ in offsets:
            while w < len(words) and words[w][1] <= start:
                w += 1
            if w == len(words) or words[w][0] > start:
                stems.append("")  # punctuation or a symbol between words
                continue
            word_start, _, word = words[w]
            base = word[:-2] if word[-2:].lower() in ("'s", "’s") else word
            possessive = start >= word_start + len(base)
            stems.append("" if possessive else content_stem(word))
        kept = np.asarray(matrix, dtype=np.float32)
        norms = np.linalg.norm(kept, axis=1, keepdims=True)
        return cls(tuple(stems), kept / np.maximum(norms, np.float32(1e-6)))


#: "wasn't", "they're": function words whatever their stem.
_CONTRACTION = re.compile(r"['’](?:t|re|ve|ll|d|m)$")


def idf(rarity: Rarity, word: str) -> float:
    """The word's IDF among the claims; each piece of a word weighs its word's IDF."""
    if not word or word in function_words() or _CONTRACTION.search(word):
        return 0.0
    return math.log((rarity.claims + 1.0) / (rarity.counts.get(word, 0.0) + 1.0))


def aligned(a: TokenVectors, b: TokenVectors, rarity: Rarity) -> float:
    """IDF-weighted BERTScore F1 of two claims, in [0, 1]; 0 when either has no word that
    weighs anything."""
    wa = np.array([idf(rarity, w) for w in a.stems], dtype=np.float32)
    wb = np.array([idf(rarity, w) for w in b.stems], dtype=np.float32)
    if wa.sum() <= 0 or wb.sum() <= 0:
        return 0.0
    similarity = a.matrix @ b.matrix.T
    recall = float(similarity.max(axis=1) @ wa / wa.sum())
    precision = float(similarity.max(axis=0) @ wb / wb.sum())
    if recall <= 0 or precision <= 0:
        return 0.0
    return min(1.0, 2 * recall * precision / (recall + precision))


def _queue(
    corpus: Corpus, tokens: list[TokenVectors], model: Any, names: list[str]
) -> set[frozenset[int]]:
    """The pairs ingest would store if the best RERANK of each claim were scored again."""
    worthy, asking = queue_claims(corpus)

    def confidence(ranked: list[PairScore]) -> Any:
        rows = [
            [s.evidence[k] for k in names]
            + [aligned(tokens[s.claim_a_id], tokens[s.claim_b_id], corpus.rarity)]
            for s in ranked
        ]
        return model.predict_proba(rows)[:, 1]

    return rescored_queue(
        (rank(f, worthy, top=RERANK, rarity=corpus.rarity) for f in asking), confidence
    )


def _table(
    corpus: Corpus,
    pool: dict[frozenset[int], PairScore],
    tokens: list[TokenVectors],
    names: list[str],
    gold: set[frozenset[int]],
) -> tuple[np.ndarray, np.ndarray, list[str], list[float]]:
    """The pool's evidence with the alignment as one more column, its gold labels, document
    pairs (for held-out fits) and the service's confidences."""
    rows, labels, groups, scores = [], [], [], []
    for pair, s in pool.items():
        a, b = sorted(pair)
        rows.append([s.evidence[k] for k in names] + [aligned(tokens[a], tokens[b], corpus.rarity)])
        labels.append(int(pair in gold))
        groups.append(document_pair(corpus, a, b))
        scores.append(s.score)
    return np.array(rows), np.array(labels), groups, scores


def static_vectors(texts: list[str]) -> list[tuple[list[tuple[int, int]], Any]]:
    """Each text's word pieces as the encoder's input table holds them, before any layer reads
    them in context: what the alignment costs without encoding (a tokenizer call and a table
    lookup per claim)."""
    model = semantic.encoder()
    assert model is not None
    out = []
    for e in model.tokenizer.encode_batch(texts):
        out.append((e.offsets[1:-1], model.tokens[e.ids[1:-1]].astype(np.float32)))
    return out


def main() -> int:
    from sklearn.metrics import average_precision_score, roc_auc_score

    from evals.fit_links import fit_held_out

    if semantic.encoder() is None:
        print("token alignment: the encoder is not installed")
        return 0
    corpus = build()
    texts = [c.text for c in corpus.claims]
    links, _ = gold_links(corpus)
    gold = {frozenset((a, b)) for a, b, _ in links}
    pools = {split: pair_pool(corpus, split) for split in ("dev", "test")}
    names = list(next(iter(pools["dev"].values())).evidence)
    variants = {
        "in context": semantic.token_vectors,
        "input table": static_vectors,
    }
    for variant, vectors in variants.items():
        start = time.perf_counter()
        encoded = vectors(texts)
        per_sentence = (time.perf_counter() - start) / len(texts)
        assert encoded is not None
        tokens = [TokenVectors.of(t, *e) for t, e in zip(texts, encoded, strict=True)]

        tables = {split: _table(corpus, pools[split], tokens, names, gold) for split in pools}
        x_dev, y_dev, g_dev, _ = tables["dev"]
        model, best_c, best_auc = fit_held_out(x_dev, y_dev, g_dev, max_iter=5000)
        stored = _queue(corpus, tokens, model, names)
        print(
            f"token alignment, pieces {variant} (an experiment; the service does not use it): "
            f"{per_sentence * 1000:.2f} ms a sentence; refitted on dev, C = {best_c}, "
            f"held-out AUC {best_auc:.3f}, weight of the alignment {model.coef_[0][-1]:.2f}"
        )
        print("  split  pair AUC: service  alignment alone  refitted | queue: stored  P     R")
        for split in ("dev", "test"):
            x, y, _, service = tables[split]
            refit = model.predict_proba(x)[:, 1]
            n, precision, recall = queue_figures(corpus, stored, gold, split)
            print(
                f"  {split:<5}  {roc_auc_score(y, service):16.3f}"
                f"  {roc_auc_score(y, x[:, -1]):15.3f}"
                f"  {roc_auc_score(y, refit):8.3f} | {n:13d}"
                f"  {precision:.2f}"
                f"  {recall:.2f}   (AP {average_precision_score(y, refit):.3f})"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
