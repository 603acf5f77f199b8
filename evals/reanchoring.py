"""`python -m evals.reanchoring`: how well claims are found again after an article revision.

The articles are the real texts in tests/data/extraction/{dev,test}/articles (pages other people
wrote; evals/README.md says where they come from). Each article's "claims" are its sentences
(pysbd, one line = one paragraph, sentences under 20 characters skipped). A script with a fixed
seed then writes several revisions of each article, and so knows what became of every claim:

- ``edit``: one word of some sentences replaced by a word from another article of the split;
- ``insert``: new paragraphs made of sentences from another article of the split;
- ``delete``: some sentences removed (a paragraph left empty goes too);
- ``reorder``: paragraphs moved to other places;
- ``edit+delete`` and ``all`` (every kind at once).

Scoring: an unchanged claim must be ``anchored`` at its known new offsets; an edited one must be
``moved`` onto the edited sentence (its new span overlapping the edited sentence by at least half
of the shorter); a deleted one must be ``orphaned``. A claim placed (anchored or moved) anywhere
else counts as moved onto a wrong sentence. SCORE_FLOOR and MARGIN are tuned on dev only
(``--sweep``); test is held out.

Also reported apart (not in the totals): ``edit2``, ``edit3`` and ``edit3+delete``, with two or
three words replaced in each edited sentence, to show what the score floor costs.

Usage: ``python -m evals.reanchoring`` (both splits), ``--dev``, ``--test``, ``--sweep`` (dev,
floor × margin grid), ``--scores`` (dev, the score distributions the constants are chosen
from), ``-v`` (list every miss).
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pysbd

from service.config import PROJECT_ROOT
from service.revisions import anchoring
from service.revisions.anchoring import Reanchored, reanchor, selector

DATA = PROJECT_ROOT / "tests" / "data" / "extraction"
SPLITS: dict[str, Path] = {"dev": DATA / "dev" / "articles", "test": DATA / "test" / "articles"}
SEED = 20250611
MIN_CLAIM = 20
KINDS = ["edit", "insert", "delete", "reorder", "edit+delete", "all"]
#: Harder than the brief's one-word edits, reported apart from the totals: two or three words
#: of each edited sentence replaced. They show what the score floor costs.
STRESS_KINDS = ["edit2", "edit3", "edit3+delete"]
REVISIONS_PER_KIND = 2
_WORD = re.compile(r"\b[A-Za-z]{4,}\b|\b\d+\b")


@dataclass
class Segment:
    text: str
    claim: int | None = None  # index of the original claim, None for gaps and short sentences
    edited: bool = False


@dataclass
class Article:
    name: str
    body: str
    paragraphs: list[list[Segment]]
    claims: list[tuple[int, int]]  # old spans


@dataclass
class Truth:
    status: str  # "unchanged" | "edited" | "deleted"
    span: tuple[int, int] | None


@dataclass
class Revision:
    article: str
    kind: str
    old: str
    new: str
    claims: list[tuple[int, int]]
    truth: list[Truth]


def parse(name: str, body: str, segmenter: pysbd.Segmenter) -> Article:
    paragraphs: list[list[Segment]] = []
    claims: list[tuple[int, int]] = []
    offset = 0
    for line in body.split("\n"):
        segments: list[Segment] = []
        at = 0
        for span in segmenter.segment(line) if line.strip() else []:
            core = span.sent.strip()
            if not core:
                continue
            s = line.find(core, max(at, span.start))
            if s < 0:
                continue
            if s > at:
                segments.append(Segment(line[at:s]))
            claim = None
            if len(core) >= MIN_CLAIM:
                claim = len(claims)
                claims.append((offset + s, offset + s + len(core)))
            segments.append(Segment(core, claim))
            at = s + len(core)
        if at < len(line):
            segments.append(Segment(line[at:]))
        assert "".join(seg.text for seg in segments) == line, name
        paragraphs.append(segments)
        offset += len(line) + 1
    article = Article(name, body, paragraphs, claims)
    assert all(body[s:e].strip() == body[s:e] for s, e in claims)
    return article


def load(split: str) -> list[Article]:
    segmenter = pysbd.Segmenter(language="en", clean=False, char_span=True)
    return [
        parse(path.name, path.read_text(encoding="utf-8"), segmenter)
        for path in sorted(SPLITS[split].glob("*.txt"))
    ]


def copy(paragraphs: list[list[Segment]]) -> list[list[Segment]]:
    return [[Segment(s.text, s.claim, s.edited) for s in p] for p in paragraphs]


def live_claims(paragraphs: list[list[Segment]]) -> list[Segment]:
    return [s for p in paragraphs for s in p if s.claim is not None]


def edit(
    paragraphs: list[list[Segment]], rng: random.Random, vocabulary: list[str], words: int = 1
) -> None:
    """Replace ``words`` words (as many as there are, if fewer) of 15 % of the sentences."""
    pool = [s for s in live_claims(paragraphs) if not s.edited and _WORD.search(s.text)]
    for seg in rng.sample(pool, max(1, len(pool) * 15 // 100)) if pool else []:
        found = list(_WORD.finditer(seg.text))
        chosen = sorted(rng.sample(found, min(words, len(found))), key=lambda m: m.start())
        for w in reversed(chosen):
            if w.group().isdigit():
                new_word = str(int(w.group()) + rng.randint(1, 9))
            else:
                new_word = rng.choice([v for v in vocabulary if v.lower() != w.group().lower()])
            seg.text = seg.text[: w.start()] + new_word + seg.text[w.end() :]
        seg.edited = True


def delete(paragraphs: list[list[Segment]], rng: random.Random) -> None:
    pool = [s for s in live_claims(paragraphs) if not s.edited]
    doomed = {id(s) for s in (rng.sample(pool, max(1, len(pool) // 10)) if pool else [])}
    for i, para in enumerate(paragraphs):
        kept: list[Segment] = []
        skip_gap = False
        for seg in para:
            if id(seg) in doomed:
                skip_gap = True  # the white space after a removed sentence goes with it
                continue
            if skip_gap and seg.claim is None and not seg.text.strip():
                skip_gap = False
                continue
            skip_gap = False
            kept.append(seg)
        paragraphs[i] = kept
    paragraphs[:] = [p for p in paragraphs if "".join(s.text for s in p).strip()]


def insert(paragraphs: list[list[Segment]], rng: random.Random, donors: list[Article]) -> None:
    for _ in range(rng.randint(1, 2)):
        donor = rng.choice(donors)
        if not donor.claims:
            continue
        i = rng.randrange(len(donor.claims))
        spans = donor.claims[i : i + rng.randint(1, 3)]
        text = " ".join(donor.body[s:e] for s, e in spans)
        paragraphs.insert(rng.randint(0, len(paragraphs)), [Segment(text)])


def reorder(paragraphs: list[list[Segment]], rng: random.Random) -> None:
    if len(paragraphs) < 2:
        return
    for _ in range(rng.randint(1, 2)):
        para = paragraphs.pop(rng.randrange(len(paragraphs)))
        paragraphs.insert(rng.randint(0, len(paragraphs)), para)


def render(paragraphs: list[list[Segment]], n_claims: int) -> tuple[str, list[Truth]]:
    truth = [Truth("deleted", None) for _ in range(n_claims)]
    parts: list[str] = []
    offset = 0
    for k, para in enumerate(paragraphs):
        if k:
            parts.append("\n")
            offset += 1
        for seg in para:
            if seg.claim is not None:
                status = "edited" if seg.edited else "unchanged"
                truth[seg.claim] = Truth(status, (offset, offset + len(seg.text)))
            parts.append(seg.text)
            offset += len(seg.text)
    return "".join(parts), truth


def revise(
    article: Article, kind: str, rng: random.Random, donors: list[Article], vocabulary: list[str]
) -> Revision:
    paragraphs = copy(article.paragraphs)
    steps = kind.split("+") if kind != "all" else ["edit", "delete", "insert", "reorder"]
    for step in steps:
        if step.startswith("edit"):
            edit(paragraphs, rng, vocabulary, int(step[4:] or 1))
        elif step == "delete":
            delete(paragraphs, rng)
        elif step == "insert":
            insert(paragraphs, rng, donors)
        elif step == "reorder":
            reorder(paragraphs, rng)
    new, truth = render(paragraphs, len(article.claims))
    for t, (s, e) in zip(truth, article.claims, strict=True):
        if t.status == "unchanged":
            assert t.span is not None
            assert new[t.span[0] : t.span[1]] == article.body[s:e]
    return Revision(article.name, kind, article.body, new, article.claims, truth)


def revisions(split: str, seed: int = SEED) -> list[Revision]:
    articles = load(split)
    rng = random.Random(seed)
    out: list[Revision] = []
    for article in articles:
        donors = [a for a in articles if a.name != article.name]
        vocabulary = sorted({w.group() for d in donors for w in _WORD.finditer(d.body)})
        for kind in [*KINDS, *STRESS_KINDS]:
            for _ in range(REVISIONS_PER_KIND):
                out.append(revise(article, kind, rng, donors, vocabulary))
    return out


def overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    shared = min(a[1], b[1]) - max(a[0], b[0])
    return shared > 0 and shared * 2 >= min(a[1] - a[0], b[1] - b[0])


def verdict(truth: Truth, got: Reanchored) -> str:
    span = None if got.start is None or got.end is None else (got.start, got.end)
    if truth.status == "unchanged":
        if got.state == "anchored" and span == truth.span:
            return "correct"
        return "orphaned" if span is None else "wrong place"
    if truth.status == "edited":
        assert truth.span is not None
        if span is None:
            return "orphaned"
        if got.state == "moved" and overlap(span, truth.span):
            return "correct"
        return "wrong place"
    return "correct" if span is None else "wrong place"


@dataclass
class Tally:
    counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    exact_moves: int = 0
    seconds: list[float] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)

    def total(self, status: str) -> int:
        return sum(n for (s, _), n in self.counts.items() if s == status)

    def rate(self, status: str) -> str:
        total = self.total(status)
        good = self.counts[(status, "correct")]
        return f"{good / total:.3f} ({good}/{total})" if total else "–"

    def wrong(self) -> int:
        return sum(n for (_, v), n in self.counts.items() if v == "wrong place")


def total_key(kind: str) -> str:
    return "stress" if kind in STRESS_KINDS else "total"


def evaluate(revs: list[Revision], verbose: bool = False) -> dict[str, Tally]:
    """Tallies by revision kind, plus "total" (the brief's kinds) and "stress" (the others)."""
    tallies: dict[str, Tally] = {}
    for rev in revs:
        selectors = [selector(rev.old, s, e) for s, e in rev.claims]
        t0 = time.perf_counter()
        results = reanchor(rev.old, rev.new, selectors)
        elapsed = time.perf_counter() - t0
        for key in (total_key(rev.kind), rev.kind):
            tally = tallies.setdefault(key, Tally())
            tally.seconds.append(elapsed)
            for truth, got, (s, e) in zip(rev.truth, results, rev.claims, strict=True):
                v = verdict(truth, got)
                tally.counts[(truth.status, v)] += 1
                if truth.status == "edited" and v == "correct":
                    tally.exact_moves += (got.start, got.end) == truth.span
                if v != "correct" and key == rev.kind and verbose:
                    tally.misses.append(
                        f"{rev.article} [{rev.kind}] {truth.status} -> {got.state} ({v}) "
                        f"score={got.score} runner_up={got.runner_up}\n"
                        f"    old:   {rev.old[s:e]!r}\n"
                        f"    got:   {got.text!r}\n"
                        f"    truth: {_at(rev.new, truth.span)!r}"
                    )
    return tallies


def _at(body: str, span: tuple[int, int] | None) -> str | None:
    return None if span is None else body[span[0] : span[1]]


def big_revision(split: str, kind: str) -> tuple[str, list[tuple[int, int]], str]:
    """At least 10,000 characters and 100 claims: the split's articles one after another (the
    first 100 sentences are the claims), revised with ``kind``."""
    articles = load(split)
    segmenter = pysbd.Segmenter(language="en", clean=False, char_span=True)
    body = ""
    big = parse("big", body, segmenter)
    for a in articles:
        body = f"{body}\n{a.body}" if body else a.body
        big = parse("big", body, segmenter)
        if len(body) >= 10_000 and len(big.claims) >= 100:
            break
    big.claims = big.claims[:100]
    for p in big.paragraphs:
        for seg in p:
            if seg.claim is not None and seg.claim >= 100:
                seg.claim = None
    rng = random.Random(SEED)
    vocabulary = sorted({w.group() for w in _WORD.finditer(body)})
    rev = revise(big, kind, rng, articles, vocabulary)
    return rev.old, big.claims, rev.new


def timing(split: str, kind: str) -> tuple[int, int, float]:
    """Median seconds of five runs of reanchor on :func:`big_revision`."""
    old, claims, new = big_revision(split, kind)
    selectors = [selector(old, s, e) for s, e in claims]
    runs: list[float] = []
    for _ in range(5):
        t0 = time.perf_counter()
        reanchor(old, new, selectors)
        runs.append(time.perf_counter() - t0)
    return len(old), len(claims), statistics.median(runs)


def table(tallies: dict[str, Tally], keys: list[str]) -> None:
    header = (
        f"{'revisions':<13} {'unchanged anchored':>20} {'edited moved':>16} "
        f"{'deleted orphaned':>17} {'wrong place':>11}"
    )
    print(header)
    print("-" * len(header))
    for key in keys:
        t = tallies[key]
        print(
            f"{key:<13} {t.rate('unchanged'):>20} {t.rate('edited'):>16} "
            f"{t.rate('deleted'):>17} {t.wrong():>11}"
        )


def report(split: str, verbose: bool) -> None:
    revs = revisions(split)
    tallies = evaluate(revs, verbose)
    total = tallies["total"]
    main = [r for r in revs if r.kind in KINDS]
    print(
        f"\n== {split}: {len({r.article for r in revs})} articles, {len(main)} revisions, "
        f"{sum(len(r.claims) for r in main)} claims (seed {SEED}, SCORE_FLOOR="
        f"{anchoring.SCORE_FLOOR}, MARGIN={anchoring.MARGIN}) =="
    )
    table(tallies, [*KINDS, "total"])
    print()
    print(f"unchanged claims anchored at the right new offsets: {total.rate('unchanged')}")
    print(f"claims moved/anchored onto a wrong sentence:        {total.wrong()}")
    for (status, v), n in sorted(total.counts.items()):
        if v == "wrong place":
            print(f"    of which {status}: {n}")
    print(f"deleted sentences orphaned:                         {total.rate('deleted')}")
    print(f"edited sentences found as moved:                    {total.rate('edited')}")
    if total.total("edited"):
        n = total.total("edited")
        print(
            f"    at exactly the edited sentence's span:          "
            f"{total.exact_moves / n:.3f} ({total.exact_moves}/{n})"
        )
    lost = total.counts["unchanged", "orphaned"]
    print(f"unchanged claims orphaned:                          {lost}")
    mean_ms = 1000 * statistics.mean(total.seconds)
    max_ms = 1000 * max(total.seconds)
    print(f"time per revision (reanchor only): mean {mean_ms:.1f} ms, max {max_ms:.1f} ms")
    for kind, what in (("all", "every kind of revision"), ("edit", "one-word edits only")):
        chars, claims, seconds = timing(split, kind)
        print(
            f"time for one body of {chars} characters with {claims} claims ({what}, "
            f"median of 5): {1000 * seconds:.1f} ms"
        )
    chars, claims, seconds = timing_all_fuzzy(split)
    print(
        f"time for one body of {chars} characters with {claims} claims, every claim edited "
        f"(all fuzzy, median of 5): {1000 * seconds:.1f} ms"
    )
    print("\nstress (not in the figures above): more words replaced per edited sentence")
    table(tallies, [*STRESS_KINDS, "stress"])
    for key in [*KINDS, *STRESS_KINDS]:
        for miss in tallies[key].misses:
            print(miss)


def timing_all_fuzzy(split: str) -> tuple[int, int, float]:
    """The worst case for speed: the big body with a word of every claim replaced."""
    old, claims, _ = big_revision(split, "reorder")
    rng = random.Random(SEED)
    new = old
    for s, e in sorted(claims, reverse=True):
        words = list(_WORD.finditer(old, s, e))
        if words:
            w = rng.choice(words)
            new = new[: w.start()] + "Redacted" + new[w.end() :]
    selectors = [selector(old, s, e) for s, e in claims]
    runs: list[float] = []
    for _ in range(5):
        t0 = time.perf_counter()
        reanchor(old, new, selectors)
        runs.append(time.perf_counter() - t0)
    return len(old), len(claims), statistics.median(runs)


def sweep() -> None:
    """Dev only: the figures over a grid of SCORE_FLOOR × MARGIN."""
    revs = revisions("dev")
    floors = [0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85]
    margins = [0.0, 0.02, 0.05, 0.1, 0.15, 0.2]
    print(
        "dev: floor margin | unchanged anchored | edited moved | deleted orphaned | wrong "
        "|| stress: edited moved | deleted orphaned | wrong"
    )
    saved = anchoring.SCORE_FLOOR, anchoring.MARGIN
    try:
        for floor in floors:
            for margin in margins:
                anchoring.SCORE_FLOOR, anchoring.MARGIN = floor, margin
                tallies = evaluate(revs)
                t, x = tallies["total"], tallies["stress"]
                print(
                    f"{floor:.2f} {margin:.2f} | {t.rate('unchanged')} | {t.rate('edited')} | "
                    f"{t.rate('deleted')} | {t.wrong()} || {x.rate('edited')} | "
                    f"{x.rate('deleted')} | {x.wrong()}"
                )
    finally:
        anchoring.SCORE_FLOOR, anchoring.MARGIN = saved


def _quantiles(name: str, values: list[float]) -> None:
    if not values:
        print(f"{name}: none")
        return
    values = sorted(values)
    qs = statistics.quantiles(values, n=20) if len(values) > 1 else values
    print(
        f"{name}: n={len(values)} min={values[0]:.3f} p5={qs[0]:.3f} "
        f"median={statistics.median(values):.3f} p95={qs[-1]:.3f} max={values[-1]:.3f}"
    )


def scores() -> None:
    """Dev only, what the constants are chosen from: the score of every edited claim at its
    true place and the margin over its runner-up, and the best score of any place that is not
    a claim's own (what a wrong move would score)."""
    revs = revisions("dev")
    true_place: dict[str, list[float]] = {}
    margins: dict[str, list[float]] = {}
    impostor: list[float] = []
    saved = anchoring.SCORE_FLOOR, anchoring.MARGIN
    anchoring.SCORE_FLOOR, anchoring.MARGIN = 0.0, 0.0
    try:
        for rev in revs:
            group = total_key(rev.kind)
            selectors = [selector(rev.old, s, e) for s, e in rev.claims]
            results = reanchor(rev.old, rev.new, selectors)
            for truth, got in zip(rev.truth, results, strict=True):
                placed = None if got.start is None or got.end is None else (got.start, got.end)
                right = (
                    placed is not None and truth.span is not None and overlap(placed, truth.span)
                )
                if truth.status == "edited" and right:
                    true_place.setdefault(group, []).append(got.score)
                    margins.setdefault(group, []).append(got.score - got.runner_up)
                if right:
                    impostor.append(got.runner_up)
                elif placed is not None:
                    impostor.append(got.score)
    finally:
        anchoring.SCORE_FLOOR, anchoring.MARGIN = saved
    for group in ("total", "stress"):
        _quantiles(f"edited, score at the true place ({group})", true_place.get(group, []))
        _quantiles(f"edited, margin over the runner-up ({group})", margins.get(group, []))
    _quantiles("best score of a wrong place (every claim, floor and margin 0)", impostor)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--dev", action="store_true", help="dev split only")
    parser.add_argument("--test", action="store_true", help="test split only (held out)")
    parser.add_argument("--sweep", action="store_true", help="floor × margin grid on dev")
    parser.add_argument("--scores", action="store_true", help="score distributions on dev")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every miss")
    args = parser.parse_args(argv)
    if args.sweep:
        sweep()
    if args.scores:
        scores()
    if not (args.sweep or args.scores):
        splits = [s for s, on in (("dev", args.dev), ("test", args.test)) if on] or list(SPLITS)
        for split in splits:
            report(split, args.verbose)
    return 0


if __name__ == "__main__":
    sys.exit(main())
