"""`python -m evals.copies`: how well syndicated copies are found, on `dev` and on `test`.

Originals are real article text (not written for this evaluation, except the three own_*
articles in dev): `dev` is tests/data/extraction/dev/articles, seeds/articles and
tests/data/articles; `test` is tests/data/extraction/test/articles, held out and never tuned on.
The newspaper3k/newspaper4k fixtures and FNC-1 are used nowhere.

Copies are made with a fixed seed (`SEED`), several per original (`VARIANTS`):
- a new top paragraph: one to three sentences of another original of the same split, or a
  short generic syndication lede (two paragraphs in "lede2+trim");
- a trimmed ending: the last 20-40 % of the words dropped (at a sentence end where one is near);
- a changed headline: the first line replaced by new words (added, when the first line is
  not a headline);
- light edits: two to five words replaced;
- and combinations of these.

Positive pairs: (original, copy) and (copy, copy) of one original. Negative pairs: every pair
of documents from different originals (originals and copies). Some originals are on related
topics (own_001_harbour and its follow-up own_003_harbour_followup; seeds 000 to 004 are all on
US-Russia talks over Ukraine, and 000 is a notes page summarising 001): they are different
stories, not copies, so their pairs are negatives.

The full pipeline is measured over every pair of a split: candidates are pairs sharing at least
one (band, key) from `band_keys` (as the Postgres index on (band, key) would find them), and a
candidate is a copy when `compare(...).is_copy`. Candidate-step recall is the share of positive
pairs that share a band key at all.

Usage: `python -m evals.copies` (both splits), `--dev` or `--test` (one), `-v` (list misses and
false copies), `--seed=N` (copies made with another seed, to see the spread on dev), `--sweep`
(dev only: shingle size, thresholds and LSH layout, how the constants in
service/copies/shingles.py were chosen).
"""

from __future__ import annotations

import random
import re
import sys
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

from service.config import PROJECT_ROOT
from service.copies.shingles import (
    BANDS,
    COPY_MIN_CONTAINMENT,
    COPY_MIN_SIMILARITY,
    MIN_SHINGLES,
    ROWS,
    SHINGLE_K,
    band_keys,
    band_keys_with,
    compare,
    kgrams,
    shingles,
    words,
)

DATA = PROJECT_ROOT / "tests" / "data"
SPLITS: dict[str, list[Path]] = {
    "dev": [
        *sorted((DATA / "extraction" / "dev" / "articles").glob("*.txt")),
        *sorted((PROJECT_ROOT / "seeds" / "articles").glob("*.txt")),
        *sorted((DATA / "articles").glob("*.txt")),
    ],
    "test": sorted((DATA / "extraction" / "test" / "articles").glob("*.txt")),
}
SEED = 20_250_612

GENERIC_LEDES = [
    "This story was first published by our partner agency and is republished here with permission.",
    "Editor's note: the following report has been updated with new information since it was "
    "first published.",
    "Here is what we know so far, as reported by our wire service this morning.",
    "The following article is shared as part of a content partnership with other newsrooms.",
    "Our correspondents sent this report late on Tuesday; it has been edited for length.",
    "Readers have asked us to follow this story closely, so we are carrying the full report.",
]
HEADLINE_WORDS = [
    "update", "latest", "explained", "report", "what", "we", "know", "about", "why", "new",
    "officials", "say", "experts", "warn", "after", "week", "inside", "the", "story", "behind",
]  # fmt: skip
EDIT_WORDS = [
    "also", "nearly", "recently", "several", "many", "major", "local", "large", "key",
    "indeed", "still", "later", "early", "broadly", "largely", "certain",
]  # fmt: skip

_SENTENCE_END = re.compile(r"(?<=[.!?…”\"])\s+")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")


def sentences(text: str) -> list[str]:
    out: list[str] = []
    for line in text.splitlines():
        out.extend(s.strip() for s in _SENTENCE_END.split(line) if len(s.split()) >= 6)
    return out


def new_lede(rng: random.Random, others: list[str], paragraphs: int = 1) -> str:
    """One or more new top paragraphs: sentences of another original, or a generic lede."""
    out = []
    for _ in range(paragraphs):
        pool = sentences(rng.choice(others)) if others else []
        if pool and rng.random() < 0.5:
            n = rng.randint(1, min(3, len(pool)))
            start = rng.randrange(len(pool) - n + 1)
            out.append(" ".join(pool[start : start + n]))
        else:
            out.append(rng.choice(GENERIC_LEDES))
    return "\n".join(out)


def add_lede(text: str, rng: random.Random, others: list[str], paragraphs: int = 1) -> str:
    lede = new_lede(rng, others, paragraphs)
    lines = text.split("\n")
    if rng.random() < 0.5 or len(lines) < 2:
        return lede + "\n" + text
    return "\n".join([lines[0], lede, *lines[1:]])  # under the headline


def trim(text: str, rng: random.Random) -> str:
    """Drop the last 20-40 % of the words, ending at a sentence end when one is near."""
    spans = [m.span() for m in re.finditer(r"\S+", text)]
    keep = int(len(spans) * (1 - rng.uniform(0.2, 0.4)))
    cut = spans[max(keep - 1, 0)][1]
    near = [m.end() for m in re.finditer(r"[.!?…”\"](?=\s)", text) if abs(m.end() - cut) < 200]
    if near:
        cut = min(near, key=lambda end: abs(end - cut))
    return text[:cut]


def new_headline(text: str, rng: random.Random) -> str:
    """Replace the first line when it looks like a headline (at most 15 words); otherwise the
    text has none (many extracted pages start with the body) and a new one is put on top."""
    lines = text.split("\n")
    if len(lines[0].split()) > 15:
        lines = ["", *lines]
    vocab = [w for w in _WORD.findall(text[:2000]) if len(w) > 3]
    picked = rng.sample(vocab, min(len(vocab), rng.randint(2, 4)))
    picked += rng.sample(HEADLINE_WORDS, rng.randint(2, 4))
    rng.shuffle(picked)
    headline = " ".join(picked).capitalize()
    return "\n".join([headline, *lines[1:]])


def edit_words(text: str, rng: random.Random) -> str:
    """Replace two to five words (not in the first line) by others."""
    first = text.find("\n") + 1
    found = [m for m in _WORD.finditer(text) if m.start() >= first]
    if not found:
        return text
    chosen = sorted(rng.sample(found, min(len(found), rng.randint(2, 5))), key=lambda m: m.start())
    out, last = [], 0
    for m in chosen:
        out.extend([text[last : m.start()], rng.choice(EDIT_WORDS)])
        last = m.end()
    out.append(text[last:])
    return "".join(out)


Transform = Callable[[str, random.Random, list[str]], str]
VARIANTS: dict[str, list[Transform]] = {
    "lede": [lambda t, r, o: add_lede(t, r, o)],
    "trim": [lambda t, r, o: trim(t, r)],
    "headline": [lambda t, r, o: new_headline(t, r)],
    "edits": [lambda t, r, o: edit_words(t, r)],
    "lede+trim": [lambda t, r, o: trim(t, r), lambda t, r, o: add_lede(t, r, o)],
    "lede2+trim": [lambda t, r, o: trim(t, r), lambda t, r, o: add_lede(t, r, o, 2)],
    "all": [
        lambda t, r, o: trim(t, r),
        lambda t, r, o: edit_words(t, r),
        lambda t, r, o: new_headline(t, r),
        lambda t, r, o: add_lede(t, r, o),
    ],
}


@dataclass
class Doc:
    origin: str  # the original's file name
    variant: str  # "original" or a VARIANTS key
    text: str
    shingles: set[bytes] = field(default_factory=set)

    @property
    def name(self) -> str:
        return f"{self.origin}[{self.variant}]"


def build(split: str, seed: int = SEED) -> list[Doc]:
    rng = random.Random(f"{seed}:{split}")
    texts = {p.name: p.read_text(encoding="utf-8").strip() for p in SPLITS[split]}
    docs = []
    for name, text in texts.items():
        others = [t for n, t in texts.items() if n != name]
        docs.append(Doc(name, "original", text))
        for variant, steps in VARIANTS.items():
            copy = text
            for step in steps:
                copy = step(copy, rng, others)
            docs.append(Doc(name, variant, copy))
    for doc in docs:
        doc.shingles = shingles(doc.text)
    return docs


def candidate_pairs(keys: list[list[tuple[int, int]]]) -> set[tuple[int, int]]:
    """Pairs of document indexes sharing at least one (band, key), as an index would find."""
    buckets: dict[tuple[int, int], list[int]] = defaultdict(list)
    for i, doc_keys in enumerate(keys):
        for bk in doc_keys:
            buckets[bk].append(i)
    pairs: set[tuple[int, int]] = set()
    for members in buckets.values():
        pairs.update(combinations(sorted(set(members)), 2))
    return pairs


def ratio(a: int, b: int) -> str:
    return f"{a / b:.3f} ({a}/{b})" if b else "– (0/0)"


def evaluate(split: str, verbose: bool, seed: int = SEED) -> tuple[float, float]:
    docs = build(split, seed)
    n = len(docs)
    positives = {(i, j) for i, j in combinations(range(n), 2) if docs[i].origin == docs[j].origin}
    all_pairs = n * (n - 1) // 2
    candidates = candidate_pairs([band_keys(d.shingles) for d in docs])
    predicted = {p for p in candidates if compare(docs[p[0]].shingles, docs[p[1]].shingles).is_copy}
    exact = {
        (i, j)
        for i, j in combinations(range(n), 2)
        if compare(docs[i].shingles, docs[j].shingles).is_copy
    }
    tp = len(predicted & positives)
    originals = sum(d.variant == "original" for d in docs)
    print(
        f"== {split}: {originals} originals, {n} documents, {all_pairs} pairs "
        f"({len(positives)} copy pairs, {all_pairs - len(positives)} negative pairs)"
    )
    print(f"  pipeline precision  {ratio(tp, len(predicted))}")
    print(f"  pipeline recall     {ratio(tp, len(positives))}")
    print(f"  candidate recall    {ratio(len(candidates & positives), len(positives))}")
    print(
        f"  candidates          {len(candidates)} pairs, of them negatives "
        f"{len(candidates - positives)} of {all_pairs - len(positives)}"
    )
    print(
        f"  exact compare on every pair (no LSH): precision "
        f"{ratio(len(exact & positives), len(exact))}, recall "
        f"{ratio(len(exact & positives), len(positives))}"
    )
    short = [d.name for d in docs if len(d.shingles) < MIN_SHINGLES]
    if short:
        print(f"  below MIN_SHINGLES ({MIN_SHINGLES}): {', '.join(short)}")
    if verbose:
        for i, j in sorted(positives - predicted):
            s = compare(docs[i].shingles, docs[j].shingles)
            where = "candidate" if (i, j) in candidates else "NOT candidate"
            print(
                f"  miss  {docs[i].name} ~ {docs[j].name}: J={s.similarity:.3f} "
                f"C={s.containment:.3f} {where}"
            )
        for i, j in sorted(predicted - positives):
            s = compare(docs[i].shingles, docs[j].shingles)
            print(
                f"  false {docs[i].name} ~ {docs[j].name}: J={s.similarity:.3f} "
                f"C={s.containment:.3f}"
            )
    precision = tp / len(predicted) if predicted else 0.0
    recall = tp / len(positives) if positives else 0.0
    return precision, recall


def collision(j: float, bands: int, rows: int) -> float:
    return 1 - (1 - j**rows) ** bands


def sweep() -> None:
    """Dev only: what each shingle size, threshold and LSH layout would give."""
    docs = build("dev")
    n = len(docs)
    pairs = list(combinations(range(n), 2))
    positive = [docs[i].origin == docs[j].origin for i, j in pairs]
    tokens = [words(d.text) for d in docs]
    print(f"dev: {n} documents, {sum(positive)} copy pairs, {len(pairs)} pairs")
    for k in (3, 4, 5, 6, 7, 8):
        sets = [kgrams(t, k) for t in tokens]
        scores = [compare(sets[i], sets[j]) for i, j in pairs]
        pos = sorted(s.containment for s, p in zip(scores, positive, strict=True) if p)
        neg = sorted(
            s.containment
            for (i, j), s, p in zip(pairs, scores, positive, strict=True)
            if not p and min(len(sets[i]), len(sets[j])) >= MIN_SHINGLES
        )
        pos_j = sorted(s.similarity for s, p in zip(scores, positive, strict=True) if p)
        neg_j = sorted(s.similarity for s, p in zip(scores, positive, strict=True) if not p)
        print(
            f"k={k}: copy containment min {pos[0]:.3f} p1 {pos[len(pos) // 100]:.3f}; "
            f"negative containment max {neg[-1]:.3f} p99.9 {neg[int(len(neg) * 0.999)]:.3f}; "
            f"copy Jaccard min {pos_j[0]:.3f} p1 {pos_j[len(pos_j) // 100]:.3f}; "
            f"negative Jaccard max {neg_j[-1]:.3f} median {neg_j[len(neg_j) // 2]:.4f}"
        )
        for t in (0.3, 0.4, 0.5, 0.6):
            for floor in (0.0, 0.2, 0.25):
                hit = [
                    p
                    for (i, j), s, p in zip(pairs, scores, positive, strict=True)
                    if s.containment >= t
                    and s.similarity >= floor
                    and min(len(sets[i]), len(sets[j])) >= MIN_SHINGLES
                ]
                print(
                    f"    containment >= {t}, Jaccard >= {floor}: precision "
                    f"{ratio(sum(hit), len(hit))}, recall {ratio(sum(hit), sum(positive))}"
                )
        close = sorted(
            (s.containment, s.similarity)
            for s, p in zip(scores, positive, strict=True)
            if not p and s.containment >= 0.3
        )
        print(f"    negatives with containment >= 0.3 (containment, Jaccard): {close[-6:]}")
    sets = [d.shingles for d in docs]
    pos_j = [
        compare(sets[i], sets[j]).similarity for (i, j), p in zip(pairs, positive, strict=True) if p
    ]
    neg_j = [
        compare(sets[i], sets[j]).similarity
        for (i, j), p in zip(pairs, positive, strict=True)
        if not p
    ]
    print(f"LSH layouts at k={SHINGLE_K} (expected candidate recall / negatives per 1,000 pairs):")
    for bands, rows in (
        (32, 2),
        (50, 2),
        (64, 2),
        (35, 3),
        (60, 3),
        (80, 3),
        (100, 3),
        (72, 4),
        (100, 4),
    ):
        exp_recall = sum(collision(j, bands, rows) for j in pos_j) / len(pos_j)
        exp_neg = 1000 * sum(collision(j, bands, rows) for j in neg_j) / len(neg_j)
        keys = [band_keys_with(s, bands, rows) for s in sets]
        cands = candidate_pairs(keys)
        got = sum(1 for (i, j), p in zip(pairs, positive, strict=True) if p and (i, j) in cands)
        neg_c = sum(
            1 for (i, j), p in zip(pairs, positive, strict=True) if not p and (i, j) in cands
        )
        print(
            f"  {bands:3d} x {rows} ({bands * rows} perms): P(J=0.5) "
            f"{collision(0.5, bands, rows):.5f}, P(J=0.3) {collision(0.3, bands, rows):.3f}, "
            f"P(J=0.2) {collision(0.2, bands, rows):.3f}, "
            f"P(J=0.02) {collision(0.02, bands, rows):.5f}; "
            f"expected recall {exp_recall:.3f}, observed {ratio(got, sum(positive))}; "
            f"negatives {exp_neg:.2f}/1000 expected, observed {neg_c}"
        )


SWEEP_SEEDS = [SEED, *range(1, 16)]


def sweep_seeds() -> None:
    """Dev only, over copies made with 16 seeds: misses and false copies by shingle size (at the
    chosen thresholds) and by threshold (at the chosen shingle size)."""
    print(f"dev, copies made with {len(SWEEP_SEEDS)} seeds:")
    builds = [build("dev", seed) for seed in SWEEP_SEEDS]
    grid: list[tuple[bool, float, float]] = []
    for k in (3, 4, 5, 6, 7, 8):
        copies = misses = false = 0
        for docs in builds:
            sets = [kgrams(words(d.text), k) for d in docs]
            for i, j in combinations(range(len(docs)), 2):
                positive = docs[i].origin == docs[j].origin
                s = compare(sets[i], sets[j])
                big = min(len(sets[i]), len(sets[j])) >= MIN_SHINGLES
                if k == SHINGLE_K:
                    grid.append((positive, s.containment if big else 0.0, s.similarity))
                copies += positive
                misses += positive and not s.is_copy
                false += not positive and s.is_copy
        print(f"  k={k}: {misses} of {copies} copy pairs missed, {false} non-copies accepted")
    copies = sum(p for p, _, _ in grid)
    for c in (0.4, 0.45, 0.5, 0.55):
        cells = []
        for floor in (0.0, 0.15, 0.2, 0.25):
            hit = [p for p, cont, sim in grid if cont >= c and sim >= floor]
            cells.append(f"J>={floor}: {copies - sum(hit)} missed {len(hit) - sum(hit)} false")
        print(f"  k={SHINGLE_K}, containment >= {c}: " + " | ".join(cells))


def main() -> int:
    args = sys.argv[1:]
    if "--sweep" in args:
        sweep()
        sweep_seeds()
        return 0
    only = [s for s in ("dev", "test") if f"--{s}" in args] or ["dev", "test"]
    seed = next((int(a.split("=", 1)[1]) for a in args if a.startswith("--seed=")), SEED)
    print(
        f"k={SHINGLE_K}, {BANDS} bands x {ROWS} rows, containment >= {COPY_MIN_CONTAINMENT}, "
        f"Jaccard >= {COPY_MIN_SIMILARITY}, min {MIN_SHINGLES} shingles, copy seed {seed}"
    )
    for split in only:
        evaluate(split, "-v" in args, seed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
