"""Has this been checked already? Claim retrieval measured on CLEF CheckThat! 2020 task 2.

The lab's data (tweets, 10,373 verified claims from Snopes, relevance judgments; "free for
general research use", not redistributed here) comes from its organisers' repository, brought
with the search tool's `fetch` (github:sshaar/clef2020-factchecking-task2):

    python -m evals.factcheck_retrieval \
        --from-mirror /work/.mirror/sshaar+clef2020-factchecking-task2/repo

unpacks it under .data/clef2020/ once; later runs read it from there (or --data DIR). Splits
as the lab made them: train (tune: --fit), dev (choose thresholds), test (the lab's 200 test
tweets: --test, reported, never tuned on).

What is measured is the service's own matching (service/factchecks/matching.py): candidates
are the 30 nearest verified claims in meaning plus the 30 best by words (BM25, standing in for
Postgres full-text search), ranked by the match model's probability. Beside it the lab's
baseline, BM25 alone (the organisers used Elasticsearch's BM25; rank_bm25's Okapi BM25 is
computed here on the same text: the verified claim and its title), and meaning alone.
Metrics as the lab computed them: MAP@5 and Recall@5 (a query's relevant claims found in its
top 5, averaged).
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from service.config import PROJECT_ROOT
from service.factchecks import matching
from service.linking import semantic

DATA = PROJECT_ROOT / ".data" / "clef2020"
TOP = 30
K = 5
_TOKEN = re.compile(r"\w+")


@dataclass(frozen=True)
class Split:
    queries: dict[str, str]
    relevant: dict[str, set[int]]


def unpack(mirror: Path) -> None:
    """The v3 training data and the test input (with its gold) from the fetched repository."""
    DATA.mkdir(parents=True, exist_ok=True)
    for member in ("data/v3.zip", "test-input/test-input.zip"):
        blob = subprocess.run(
            ["git", "-C", str(mirror), "show", f"HEAD:{member}"], check=True, capture_output=True
        ).stdout
        zipfile.ZipFile(io.BytesIO(blob)).extractall(DATA)


#: A tweet's links, which are not part of the claim: stripped from the queries. (Stripping
#: the signature line "— Name (@handle) date" too was tried on dev and lost 0.02 MAP@5: the
#: name is often the claimant a fact-check names.)
_LINK = re.compile(r"(?:https?://|pic\.twitter\.com/)\S+")


def tweet_text(tweet: str) -> str:
    return " ".join(_LINK.sub(" ", tweet).split())


def _tsv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle, delimiter="\t"))
    return rows[1:] if rows and not rows[0][0].strip().isdigit() else rows


def load(root: Path) -> tuple[list[str], dict[str, Split]]:
    docs = {
        int(r[0]): (r[1], r[2] if len(r) > 2 else "")
        for r in _tsv(root / "v3.0/verified_claims.docs.tsv")
    }
    ids = sorted(docs)
    assert ids == list(range(len(ids))), "verified claims are numbered 0..n-1"
    texts = [f"{docs[i][0]} {docs[i][1]}".strip() for i in ids]
    splits = {}
    for name, folder in (
        ("train", root / "v3.0/train"),
        ("dev", root / "v3.0/dev"),
        ("test", root),
    ):
        queries = {r[0]: tweet_text(r[1]) for r in _tsv(folder / "tweets.queries.tsv")}
        relevant: dict[str, set[int]] = {}
        for line in (folder / "tweet-vclaim-pairs.qrels").read_text(encoding="utf-8").split("\n"):
            parts = line.split()
            if len(parts) == 4 and parts[3] == "1":
                relevant.setdefault(parts[0], set()).add(int(parts[2]))
        splits[name] = Split({q: t for q, t in queries.items() if q in relevant}, relevant)
    return texts, splits


def _embeddings(texts: list[str], cache: Path) -> np.ndarray:
    if cache.exists():
        found = np.load(cache)
        if found.shape[0] == len(texts):
            return found
    print(f"embedding {len(texts)} texts (cached in {cache})", file=sys.stderr)
    chunks = [semantic.embed(texts[i : i + 256]) for i in range(0, len(texts), 256)]
    if any(c is None for c in chunks):
        raise SystemExit(f"{semantic.MODEL_NAME} is not installed (make install)")
    matrix = np.vstack([c for c in chunks if c is not None]).astype(np.float32)
    np.save(cache, matrix)
    return matrix


def average_precision(ranked: list[int], relevant: set[int], k: int = K) -> float:
    hits, total = 0, 0.0
    for i, doc in enumerate(ranked[:k], start=1):
        if doc in relevant:
            hits += 1
            total += hits / i
    return total / min(len(relevant), k) if relevant else 0.0


def recall(ranked: list[int], relevant: set[int], k: int = K) -> float:
    return len(set(ranked[:k]) & relevant) / len(relevant) if relevant else 0.0


class Retriever:
    def __init__(self, texts: list[str]) -> None:
        from rank_bm25 import BM25Okapi

        self.texts = texts
        self.bm25 = BM25Okapi([_TOKEN.findall(t.lower()) for t in texts])
        self.vectors = _embeddings(texts, DATA / "verified_claims.minilm.npy")
        self.words = [matching.words(t) for t in texts]

    def rank(self, query: str, query_vector: np.ndarray) -> dict[str, list[int]]:
        lexical = self.bm25.get_scores(_TOKEN.findall(query.lower()))
        meaning = self.vectors @ query_vector
        by_words = [int(i) for i in np.argsort(-lexical, kind="stable")[:TOP]]
        by_meaning = [int(i) for i in np.argsort(-meaning, kind="stable")[:TOP]]
        query_words = matching.words(query)
        candidates = sorted(set(by_words) | set(by_meaning))
        scored = {
            i: matching.confidence(matching.features(float(meaning[i]), query_words, self.words[i]))
            for i in candidates
        }
        ours = sorted(candidates, key=lambda i: (-scored[i], i))
        return {"bm25 (lab baseline)": by_words, "meaning alone": by_meaning, "claimdesk": ours}

    def pairs(self, query: str, query_vector: np.ndarray) -> list[tuple[int, list[float]]]:
        lexical = self.bm25.get_scores(_TOKEN.findall(query.lower()))
        meaning = self.vectors @ query_vector
        candidates = set(np.argsort(-lexical)[:TOP].tolist()) | set(
            np.argsort(-meaning)[:TOP].tolist()
        )
        query_words = matching.words(query)
        return [
            (int(i), matching.features(float(meaning[i]), query_words, self.words[i]).as_list())
            for i in sorted(candidates)
        ]


def evaluate(retriever: Retriever, split: Split, name: str) -> dict[str, tuple[float, float]]:
    ids = sorted(split.queries)
    vectors = semantic.embed([split.queries[q] for q in ids])
    assert vectors is not None
    sums: dict[str, list[float]] = {}
    pairs: list[tuple[str | None, bool]] = []
    found_any = 0
    for q, vector in zip(ids, vectors, strict=True):
        ranked = retriever.rank(split.queries[q], vector)
        found_any += bool(set(ranked["claimdesk"]) & split.relevant[q])
        query_words = matching.words(split.queries[q])
        for doc, feats in retriever.pairs(split.queries[q], vector):
            probability = matching.confidence(matching.MatchFeatures(*feats))
            pairs.append((matching.strength(probability, query_words), doc in split.relevant[q]))
        for method, order in ranked.items():
            ap = average_precision(order, split.relevant[q])
            r = recall(order, split.relevant[q])
            acc = sums.setdefault(method, [0.0, 0.0])
            acc[0] += ap
            acc[1] += r
    n = len(ids)
    out = {m: (a / n, r / n) for m, (a, r) in sums.items()}
    print(f"== {name}: {n} tweets against {len(retriever.texts)} verified claims")
    for method, (map5, r5) in out.items():
        print(f"  {method:<22} MAP@5 {map5:.3f}   Recall@5 {r5:.3f}")
    print(f"  candidate step recall (a relevant claim in the candidates): {found_any / n:.3f}")
    relevant = sum(1 for _, r in pairs if r)
    for level, names in (("shown", {"show", "strong"}), ("strongly suggested", {"strong"})):
        picked = [r for s, r in pairs if s in names]
        right = sum(picked)
        print(
            f"  {level:<19} {len(picked):5d} pairs, precision {right / max(1, len(picked)):.3f}, "
            f"recall {right / max(1, relevant):.3f} of {relevant} relevant pairs"
        )
    return out


def fit(retriever: Retriever, split: Split) -> None:
    from sklearn.linear_model import LogisticRegression

    ids = sorted(split.queries)
    vectors = semantic.embed([split.queries[q] for q in ids])
    assert vectors is not None
    x, y = [], []
    for q, vector in zip(ids, vectors, strict=True):
        for doc, feats in retriever.pairs(split.queries[q], vector):
            x.append(feats)
            y.append(int(doc in split.relevant[q]))
    model = LogisticRegression(C=1.0, max_iter=1000).fit(np.array(x), np.array(y))
    weights = (float(model.intercept_[0]), *(float(w) for w in model.coef_[0]))
    print(f"fitted on {len(ids)} train tweets, {len(y)} candidate pairs ({sum(y)} relevant):")
    print("WEIGHTS = (" + ", ".join(f"{w:.2f}" for w in weights) + ")")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--from-mirror", type=Path, help="unpack the fetched lab repository")
    parser.add_argument("--fit", action="store_true", help="fit the match model on train")
    parser.add_argument("--test", action="store_true", help="also the held-out test tweets")
    args = parser.parse_args(argv)
    if args.from_mirror:
        unpack(args.from_mirror)
    if not (args.data / "v3.0/verified_claims.docs.tsv").exists():
        print(
            "fact-check retrieval: skipped, the CLEF 2020 task 2 data is not here; fetch "
            "github:sshaar/clef2020-factchecking-task2 and run "
            "python -m evals.factcheck_retrieval --from-mirror <its git directory>"
        )
        return
    texts, splits = load(args.data)
    retriever = Retriever(texts)
    if args.fit:
        fit(retriever, splits["train"])
        return
    evaluate(retriever, splits["dev"], "dev")
    if args.test:
        evaluate(retriever, splits["test"], "test (held out)")


if __name__ == "__main__":
    main()
