"""A dev-only experiment, not the service's matching: does the fact-check article's body help
find which fact-check checks a debate sentence? (evals/factcheck_retrieval.py for the labs.)

The service matches a fact-check by its claim reviewed and headline. PolitiFact's records in
the debates lab also carry the article (`text`), which a fact-check page imported from HTML
has too (a feed item has not). Here the first 3,000 characters of it, with the claim and the
headline, are indexed with BM25 (`body`), and the match model gets two more features: 1 when
the fact-check has a body, and its body BM25 relative to the best among the query's
candidates. `--body-candidates` also adds the 30 best by body to the candidates. The logistic
model is refitted on both labs' train (the tweets' Snopes claims have no body: 0, 0) and
scored on dev; test is never read here.

    python -m evals.factcheck_body [--body-candidates]
"""

from __future__ import annotations

import argparse
import json
import re
from datetime import date
from pathlib import Path

import numpy as np

from evals import factcheck_retrieval as fr
from service.factchecks import matching
from service.linking import semantic

_TOKEN = re.compile(r"\w+")
BODY_CHARS = 3000


class BodyRetriever(fr.Retriever):
    def __init__(self, collection: fr.Collection, root: Path, bodies: list[str] | None) -> None:
        from rank_bm25 import BM25Okapi

        super().__init__(collection, root)
        self.body = BM25Okapi([_TOKEN.findall(b.lower()) for b in bodies]) if bodies else None
        self.body_candidates = False
        #: Rank by body as the service would: BM25 with the document frequencies of the
        #: claims and headlines (fact_check_terms), not of the bodies.
        self.service_counts = False
        self.body_tokens = [matching.tokens(b) for b in bodies] if bodies else []

    def features_of(
        self, query: str, vector: np.ndarray, day: date | None
    ) -> list[tuple[int, list[float]]]:
        tokens = _TOKEN.findall(query.lower())
        meaning = self.vectors @ vector
        chosen = set(np.argsort(-self.bm25.get_scores(tokens))[: self.top].tolist())
        chosen |= set(np.argsort(-meaning)[: self.top].tolist())
        by_body = self.body.get_scores(tokens) if self.body is not None else None
        if by_body is not None and self.body_candidates:
            chosen |= set(np.argsort(-by_body)[: self.top].tolist())
        candidates = sorted(int(i) for i in chosen)
        base = self._features(query, meaning, candidates, day)
        if by_body is None:
            return [(i, [*f, 0.0, 0.0]) for i, f in base]
        if self.service_counts:
            ranks = matching.word_ranks(
                matching.tokens(query), [self.body_tokens[i] or [] for i in candidates], self.counts
            )
            return [(i, [*f, 1.0, r]) for (i, f), r in zip(base, ranks, strict=True)]
        best = float(max(by_body[candidates])) or 1.0
        return [(i, [*f, 1.0, float(by_body[i]) / best]) for i, f in base]


def main(argv: list[str] | None = None) -> None:
    from sklearn.linear_model import LogisticRegression

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--body-candidates", action="store_true")
    parser.add_argument("--service-counts", action="store_true")
    args = parser.parse_args(argv)
    labs = []
    tweets, tweet_splits = fr.load(fr.DATA)
    labs.append(("tweets", BodyRetriever(tweets, fr.DATA, None), tweet_splits))
    debates, debate_splits = fr.load_debates(fr.DEBATES)
    records = [
        json.loads(line)
        for line in (fr.DEBATES / "vclaims.jsonl").read_text(encoding="utf-8").split("\n")
        if line.strip()
    ]
    records.sort(key=lambda r: r["vclaim_id"])
    bodies = [f"{r['vclaim']} {r['title']} {r['text'][:BODY_CHARS]}" for r in records]
    labs.append(("debates", BodyRetriever(debates, fr.DEBATES, bodies), debate_splits))
    x, y = [], []
    for _, retriever, splits in labs:
        retriever.body_candidates = args.body_candidates
        retriever.service_counts = args.service_counts
        split = splits["train"]
        ids = sorted(split.queries)
        vectors = semantic.embed([split.queries[q] for q in ids])
        assert vectors is not None
        for q, vector in zip(ids, vectors, strict=True):
            for doc, feats in retriever.features_of(split.queries[q], vector, split.dates.get(q)):
                x.append(feats)
                y.append(int(doc in split.relevant[q]))
    model = LogisticRegression(C=1.0, max_iter=2000).fit(np.array(x), np.array(y))
    print("weights", np.round(model.intercept_, 2), np.round(model.coef_, 2))
    for name, retriever, splits in labs:
        split = splits["dev"]
        ids = sorted(split.queries)
        vectors = semantic.embed([split.queries[q] for q in ids])
        assert vectors is not None
        total, found = 0.0, 0
        for q, vector in zip(ids, vectors, strict=True):
            scored = retriever.features_of(split.queries[q], vector, split.dates.get(q))
            p = model.predict_proba(np.array([f for _, f in scored]))[:, 1]
            order = [scored[k][0] for k in np.lexsort((np.array([i for i, _ in scored]), -p))]
            total += fr.average_precision(order, split.relevant[q])
            found += bool(set(order) & split.relevant[q])
        n = len(ids)
        print(f"{name}, dev: MAP@5 {total / n:.3f}, candidate step recall {found / n:.3f}")


if __name__ == "__main__":
    main()
