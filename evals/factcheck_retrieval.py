"""Has this been checked already? Claim retrieval measured on two CLEF CheckThat! labs.

- tweets: 2020 task 2 (tweets against 10,373 verified claims from Snopes). The organisers'
  repository, brought with the search tool's `fetch` (github:sshaar/clef2020-factchecking-task2).
  Splits as the lab made them: train, dev, and its 200 test tweets.
- debates: 2021 task 2B (sentences of political debates and speeches against 19,250
  PolitiFact fact-checks). The organisers' GitLab is not reachable from here; a participating
  team's repository carries the lab's files unchanged (the collection, the train/dev queries
  and judgments, the 2021 test queries with their gold judgments, the same 79 queries and 103
  judgments the 2022 lab re-used as its dev-test): github:harel-coffee/CLEFCheckThat2bSimBa-auto
  (a copy of Alihoe/CLEFCheckThat2bSimBa). Splits: the lab's train, dev and 2021 test.

Neither is redistributed here (the lab's data is for research use); each is unpacked under
.data/ once from the fetched git directory and read from there later:

    python -m evals.factcheck_retrieval \
        --from-mirror /work/.mirror/sshaar+clef2020-factchecking-task2/repo \
        --from-mirror /work/.mirror/harel-coffee+CLEFCheckThat2bSimBa-auto/repo

Train is for fitting (--fit), dev for choosing thresholds, test (--test) is reported and
never tuned on.

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
import json
import re
import subprocess
import sys
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import numpy as np

from service.config import PROJECT_ROOT
from service.factchecks import matching
from service.linking import semantic

DATA = PROJECT_ROOT / ".data" / "clef2020"
DEBATES = PROJECT_ROOT / ".data" / "clef2021-2b"
_DEBATES_IN = "subtask_2b/data"
TOP = 30
K = 5
_TOKEN = re.compile(r"\w+")


@dataclass(frozen=True)
class Split:
    queries: dict[str, str]
    relevant: dict[str, set[int]]
    #: When each query was said, where the lab tells (debates: the transcript's date).
    dates: dict[str, date] = field(default_factory=dict)


@dataclass(frozen=True)
class Collection:
    texts: list[str]
    #: When each verified claim was made, where the lab tells (PolitiFact's "stated on").
    dates: list[date | None]
    #: The review article, where the lab has it (PolitiFact's `text`; Snopes' claims here
    #: have none): what the service keeps of a fact-check page imported from HTML.
    bodies: list[str | None] | None = None


def _git(mirror: Path, *args: str) -> bytes:
    return subprocess.run(["git", "-C", str(mirror), *args], check=True, capture_output=True).stdout


def unpack(mirror: Path) -> None:
    """Whichever lab the fetched repository holds. Tweets: the v3 training data and the test
    input (with its gold). Debates: the verified claims (one JSON file each, gathered into one
    JSON Lines file), the queries and the judgments."""
    names = _git(mirror, "ls-tree", "-r", "--name-only", "HEAD").decode().split("\n")
    if "data/v3.zip" in names:
        DATA.mkdir(parents=True, exist_ok=True)
        for member in ("data/v3.zip", "test-input/test-input.zip"):
            zipfile.ZipFile(io.BytesIO(_git(mirror, "show", f"HEAD:{member}"))).extractall(DATA)
        return
    claims = sorted(n for n in names if n.startswith(f"{_DEBATES_IN}/politifact-vclaims/"))
    if not claims:
        raise SystemExit(f"{mirror}: neither CLEF 2020 task 2 nor CLEF 2021 task 2B data")
    DEBATES.mkdir(parents=True, exist_ok=True)
    # One `git cat-file --batch` for the 19,250 files rather than a process each.
    listing = _git(mirror, "ls-tree", "-r", "HEAD", f"{_DEBATES_IN}/politifact-vclaims/")
    blobs = [line.split()[2] for line in listing.decode().splitlines()]
    out = subprocess.run(
        ["git", "-C", str(mirror), "cat-file", "--batch"],
        input="\n".join(blobs).encode() + b"\n",
        check=True,
        capture_output=True,
    ).stdout
    records, at = [], 0
    while at < len(out):
        header_end = out.index(b"\n", at)
        size = int(out[at:header_end].split()[2])
        records.append(json.loads(out[header_end + 1 : header_end + 1 + size]))
        at = header_end + 1 + size + 1
    with (DEBATES / "vclaims.jsonl").open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record) + "\n")
    speech = f"{_DEBATES_IN}/original_speech_data"
    for member, name in (
        ("training_data/CT2022-Task2B-EN-Train-Dev_Queries.tsv", "train-dev.queries.tsv"),
        ("training_data/CT2022-Task2B-EN-Train_QRELs.tsv", "train.qrels"),
        ("training_data/CT2022-Task2B-EN-Dev_QRELs.tsv", "dev.qrels"),
        ("test_data/queries.tsv", "test.queries.tsv"),
        ("test_data/task2b-test.tsv", "test.qrels"),
    ):
        (DEBATES / name).write_bytes(_git(mirror, "show", f"HEAD:{speech}/{member}"))


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


def _qrels(path: Path, key: Callable[[str], int]) -> dict[str, set[int]]:
    relevant: dict[str, set[int]] = {}
    for line in path.read_text(encoding="utf-8").split("\n"):
        parts = line.split()
        if len(parts) == 4 and parts[3] == "1":
            relevant.setdefault(parts[0], set()).add(key(parts[2]))
    return relevant


_STATED = re.compile(r"stated on (\w+ \d{1,2}, \d{4})")
_COMPACT_DAY = re.compile(r"(\d{8})_")
_NAMED_DAY = re.compile(r"(\d{4})_([a-z]{3})_(\d{2})_")


def debate_day(query_id: str) -> date | None:
    """The date a transcript's name carries: 20121023_third_presidential_debate_0959 (the
    debate's) or 2019_nov_21_235 (the fact-checking article's, often a day after)."""
    if found := _COMPACT_DAY.match(query_id):
        return datetime.strptime(found.group(1), "%Y%m%d").date()
    if found := _NAMED_DAY.match(query_id):
        return datetime.strptime(" ".join(found.groups()), "%Y %b %d").date()
    return None


def stated_on(record: dict[str, str]) -> date | None:
    """PolitiFact's "stated on October 22, 2019 in a campaign mailer": ClaimReview's
    itemReviewed datePublished, which the service reads as a fact-check's claim date."""
    found = _STATED.search(record.get("date", ""))
    return datetime.strptime(found.group(1), "%B %d, %Y").date() if found else None


def load_debates(root: Path) -> tuple[Collection, dict[str, Split]]:
    """The fact-checks' text as the service reads an imported one: the claim reviewed and
    the headline (here PolitiFact's `vclaim` and `title`; the article body is not used), and
    the date the claim was stated; each query dated by its transcript."""
    records = [
        json.loads(line)
        for line in (root / "vclaims.jsonl").read_text(encoding="utf-8").split("\n")
        if line.strip()
    ]
    records.sort(key=lambda r: r["vclaim_id"])
    number = {r["vclaim_id"]: i for i, r in enumerate(records)}
    texts = [f"{r['vclaim']} {r['title']}".strip() for r in records]
    collection = Collection(
        texts, [stated_on(r) for r in records], [r.get("text") or None for r in records]
    )
    queries = {}
    for name in ("train-dev.queries.tsv", "test.queries.tsv"):
        # No header line in these files.
        for line in (root / name).read_text(encoding="utf-8").split("\n"):
            row = line.split("\t")
            if len(row) >= 2:
                queries[row[0]] = " ".join(row[1].split())
    splits = {}
    for name in ("train", "dev", "test"):
        relevant = _qrels(root / f"{name}.qrels", number.__getitem__)
        dates = {q: day for q in relevant if (day := debate_day(q)) is not None}
        splits[name] = Split({q: queries[q] for q in relevant}, relevant, dates)
    return collection, splits


def load(root: Path) -> tuple[Collection, dict[str, Split]]:
    """Snopes' verified claims carry no date here, so the tweets lab is matched undated."""
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
        relevant = _qrels(folder / "tweet-vclaim-pairs.qrels", int)
        splits[name] = Split({q: t for q, t in queries.items() if q in relevant}, relevant)
    return Collection(texts, [None] * len(texts)), splits


def _embeddings(texts: list[str], cache: Path) -> np.ndarray:
    if cache.exists():
        found: np.ndarray = np.load(cache)
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
    def __init__(self, collection: Collection, root: Path) -> None:
        from rank_bm25 import BM25Okapi

        texts = collection.texts
        self.texts = texts
        self.dates = collection.dates
        self.weights: tuple[float, ...] = matching.WEIGHTS
        self.top = TOP
        self.bm25 = BM25Okapi([_TOKEN.findall(t.lower()) for t in texts])
        self.vectors = _embeddings(texts, root / "verified_claims.minilm.npy")
        self.words = [matching.words(t) for t in texts]
        # What the service counts in fact_check_terms, over the whole collection.
        self.tokens = [matching.tokens(t) for t in texts]
        holding: Counter[str] = Counter()
        for found in self.tokens:
            holding.update(set(found))
        self.counts = matching.TermCounts(len(texts), holding)
        # With the review article's opening (`matching.body_text`): ranked as the service
        # ranks it, with the claims' and headlines' document frequencies; the 30 best by it
        # (BM25 standing in for the service's full-text search over it) join the candidates.
        bodies = collection.bodies or [None] * len(texts)
        joined = [matching.body_text(t, b) for t, b in zip(texts, bodies, strict=True)]
        self.body_tokens: list[list[str] | None] = [
            matching.tokens(j) if j is not None else None for j in joined
        ]
        with_body = [i for i, j in enumerate(self.body_tokens) if j is not None]
        self.body_index = np.array(with_body, dtype=np.int64)
        self.body_bm25 = BM25Okapi([self.body_tokens[i] for i in with_body]) if with_body else None

    def rank(
        self, query: str, query_vector: np.ndarray, day: date | None = None
    ) -> dict[str, list[int]]:
        lexical = self.bm25.get_scores(_TOKEN.findall(query.lower()))
        meaning = self.vectors @ query_vector
        by_words = [int(i) for i in np.argsort(-lexical, kind="stable")[: self.top]]
        by_meaning = [int(i) for i in np.argsort(-meaning, kind="stable")[: self.top]]
        candidates = sorted(set(by_words) | set(by_meaning) | set(self._by_body(query)))
        scored = {
            i: matching.confidence(matching.MatchFeatures(*feats), self.weights)
            for i, feats in self._features(query, meaning, candidates, day)
        }
        ours = sorted(candidates, key=lambda i: (-scored[i], i))
        return {"bm25 (lab baseline)": by_words, "meaning alone": by_meaning, "claimdesk": ours}

    def _by_body(self, query: str) -> list[int]:
        if self.body_bm25 is None:
            return []
        scores = self.body_bm25.get_scores(_TOKEN.findall(query.lower()))
        return [int(self.body_index[i]) for i in np.argsort(-scores, kind="stable")[: self.top]]

    def _features(
        self, query: str, meaning: np.ndarray, candidates: list[int], day: date | None
    ) -> list[tuple[int, list[float]]]:
        query_words = matching.words(query)
        query_tokens = matching.tokens(query)
        ranks = matching.word_ranks(query_tokens, [self.tokens[i] for i in candidates], self.counts)
        having = [i for i in candidates if self.body_tokens[i] is not None]
        body_ranks = dict(
            zip(
                having,
                matching.word_ranks(
                    query_tokens, [self.body_tokens[i] or [] for i in having], self.counts
                ),
                strict=True,
            )
        )
        return [
            (
                i,
                matching.features(
                    float(meaning[i]),
                    query_words,
                    self.words[i],
                    matching.days_apart(day, self.dates[i]),
                    rank,
                    body_ranks.get(i, 0.0),
                ).as_list(),
            )
            for i, rank in zip(candidates, ranks, strict=True)
        ]

    def pairs(
        self, query: str, query_vector: np.ndarray, day: date | None = None
    ) -> list[tuple[int, list[float]]]:
        lexical = self.bm25.get_scores(_TOKEN.findall(query.lower()))
        meaning = self.vectors @ query_vector
        candidates = (
            set(np.argsort(-lexical)[: self.top].tolist())
            | set(np.argsort(-meaning)[: self.top].tolist())
            | set(self._by_body(query))
        )
        return self._features(query, meaning, sorted(int(i) for i in candidates), day)


def adapted(vectors: np.ndarray, adapter: np.ndarray | None) -> np.ndarray:
    """The claims' vectors as they search the fact-checks: W u, normalised."""
    if adapter is None:
        return vectors
    z = np.asarray(vectors, dtype=np.float32) @ adapter.T
    out: np.ndarray = z / np.linalg.norm(z, axis=1, keepdims=True)
    return out


def evaluate(
    retriever: Retriever, split: Split, name: str, adapter: np.ndarray | None = None
) -> dict[str, tuple[float, float]]:
    ids = sorted(split.queries)
    embedded = semantic.embed([split.queries[q] for q in ids])
    assert embedded is not None
    vectors = adapted(embedded, adapter)
    sums: dict[str, list[float]] = {}
    pairs: list[tuple[str | None, bool]] = []
    found_any = 0
    for q, vector in zip(ids, vectors, strict=True):
        day = split.dates.get(q)
        ranked = retriever.rank(split.queries[q], vector, day)
        found_any += bool(set(ranked["claimdesk"]) & split.relevant[q])
        query_words = matching.words(split.queries[q])
        for doc, feats in retriever.pairs(split.queries[q], vector, day):
            probability = matching.confidence(matching.MatchFeatures(*feats), retriever.weights)
            pairs.append((matching.strength(probability, query_words), doc in split.relevant[q]))
        for method, order in ranked.items():
            ap = average_precision(order, split.relevant[q])
            r = recall(order, split.relevant[q])
            acc = sums.setdefault(method, [0.0, 0.0])
            acc[0] += ap
            acc[1] += r
    n = len(ids)
    out = {m: (a / n, r / n) for m, (a, r) in sums.items()}
    print(f"== {name}: {n} queries against {len(retriever.texts)} verified claims")
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


def fit(
    labs: list[tuple[Retriever, Split]], vectors_by_lab: list[np.ndarray] | None = None
) -> tuple[float, ...]:
    """The match model's weights, fitted on the labs' train queries; `vectors_by_lab`: the
    queries' vectors (sorted by query id) when they are not the plain embeddings."""
    from sklearn.linear_model import LogisticRegression

    x, y = [], []
    queries = 0
    for n, (retriever, split) in enumerate(labs):
        ids = sorted(split.queries)
        queries += len(ids)
        if vectors_by_lab is None:
            vectors = semantic.embed([split.queries[q] for q in ids])
        else:
            vectors = vectors_by_lab[n]
        assert vectors is not None
        for q, vector in zip(ids, vectors, strict=True):
            for doc, feats in retriever.pairs(split.queries[q], vector, split.dates.get(q)):
                x.append(feats)
                y.append(int(doc in split.relevant[q]))
    model = LogisticRegression(C=1.0, max_iter=1000).fit(np.array(x), np.array(y))
    weights = (float(model.intercept_[0]), *(float(w) for w in model.coef_[0]))
    print(f"fitted on {queries} train queries, {len(y)} candidate pairs ({sum(y)} relevant):")
    print("WEIGHTS = (" + ", ".join(f"{w:.2f}" for w in weights) + ")")
    return weights


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--from-mirror", type=Path, action="append", default=[], help="unpack a fetched lab"
    )
    parser.add_argument("--lab", choices=("tweets", "debates", "both"), default="both")
    parser.add_argument("--fit", action="store_true", help="fit the match model on train")
    parser.add_argument("--test", action="store_true", help="also the held-out test queries")
    parser.add_argument(
        "--weights",
        help="try other match-model weights on dev: bias,cosine,recall,precision,dated,"
        "closeness,words_rank,body_rank",
    )
    parser.add_argument("--top", type=int, default=TOP, help="try another candidate count")
    args = parser.parse_args(argv)
    for mirror in args.from_mirror:
        unpack(mirror)
    labs = []
    for lab, root, marker, loader, source in (
        (
            "tweets",
            DATA,
            "v3.0/verified_claims.docs.tsv",
            load,
            "sshaar/clef2020-factchecking-task2",
        ),
        (
            "debates",
            DEBATES,
            "vclaims.jsonl",
            load_debates,
            "harel-coffee/CLEFCheckThat2bSimBa-auto",
        ),
    ):
        if args.lab not in (lab, "both"):
            continue
        if not (root / marker).exists():
            print(
                f"fact-check retrieval, {lab}: skipped, the lab's data is not here; fetch "
                f"github:{source} and run "
                "python -m evals.factcheck_retrieval --from-mirror <its git directory>"
            )
            continue
        collection, splits = loader(root)
        retriever = Retriever(collection, root)
        if args.weights:
            retriever.weights = tuple(float(w) for w in args.weights.split(","))
        retriever.top = args.top
        labs.append((lab, retriever, splits))
    if args.fit:
        fit([(retriever, splits["train"]) for _, retriever, splits in labs])
        return
    for lab, retriever, splits in labs:
        evaluate(retriever, splits["dev"], f"{lab}, dev")
        if args.test:
            evaluate(retriever, splits["test"], f"{lab}, test (held out)")


if __name__ == "__main__":
    main()
