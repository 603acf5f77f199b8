"""`make eval`: how well extraction matches hand annotations, on `dev` and on `test`.

Sets: `dev` is what rules and weights are tuned on (the seeds' gold for 002/003, our own
written articles, and tests/data/extraction/dev: real articles and the seed transcript, notes
page and blog, annotated by people who had not seen the extractor's output); `test` is
tests/data/extraction/test, annotated before the extractor was ever run on it and never tuned
on. evals/README.md records the first run on `test`.

Matching: a predicted span matches a gold span when they overlap by at least half of the
shorter; pairs are matched one-to-one, greedily by overlap. A prediction is check-worthy
when its score is at least service.extraction.CHECKWORTHY.

Attribution is compared at the gold set's granularity (direct_quote, indirect, author):
anonymous and document attributions count as indirect, transcript turns as direct quotes.
Speakers are compared after alias resolution: equal when one name's words contain the
other's, or their fuzzy similarity is at least 85. A gold "reader comment" matches any
predicted reader comment. Direct quotes: a gold direct quote is found when a matched
prediction is a direct quote (or a transcript turn), and right when its speaker is too.
ROC-AUC ranks every matched sentence by its check-worthiness against the gold label.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

from service.config import PROJECT_ROOT
from service.extraction import CHECKWORTHY, Candidate, DocumentContext, extract, extractor_version

DATA = PROJECT_ROOT / "tests" / "data"
SPLITS: dict[str, list[Path]] = {
    "dev": [
        DATA / "gold_dev_claims.json",
        DATA / "gold_own_claims.json",
        *sorted((DATA / "extraction" / "dev" / "gold").glob("*.json")),
    ],
    "test": sorted((DATA / "extraction" / "test" / "gold").glob("*.json")),
    # Annotated on 2026-12-07 by a helper that never saw the extractor or its output; first
    # run the same day (evals/README.md). Never tuned on.
    "test2": sorted((DATA / "extraction" / "test2" / "gold").glob("*.json")),
}
#: Kept for evals/linking: the gold sets that carry links.
GOLD_SETS = SPLITS["dev"]
ARTICLE_DIRS = [
    PROJECT_ROOT / "seeds" / "articles",
    DATA / "articles",
    DATA / "extraction" / "dev" / "articles",
    DATA / "extraction" / "test" / "articles",
    DATA / "extraction" / "test2" / "articles",
]
COARSE = {"anonymous": "indirect", "document": "indirect", "transcript_turn": "direct_quote"}


def overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    shared = min(a[1], b[1]) - max(a[0], b[0])
    return shared > 0 and shared * 2 >= min(a[1] - a[0], b[1] - b[0])


def same_speaker(predicted: str | None, gold: str | None) -> bool:
    if gold == "reader comment":
        return predicted is not None and predicted.lower().startswith("reader comment")
    if not predicted or not gold:
        return predicted == gold
    p, g = predicted.casefold().replace("the ", ""), gold.casefold().replace("the ", "")
    pw, gw = set(p.split()), set(g.split())
    return pw <= gw or gw <= pw or fuzz.ratio(p, g) >= 85


_COARSENESS = {"day": 0, "week": 1, "month": 2, "year": 3}


def match(predicted: list[Candidate], claims: list[dict[str, Any]]) -> dict[int, int]:
    """Prediction index → gold index: one to one, greedily by overlap (see the docstring)."""
    pairs = sorted(
        (
            (min(p.end, g["end"]) - max(p.start, g["start"]), i, j)
            for i, p in enumerate(predicted)
            for j, g in enumerate(claims)
            if overlap((p.start, p.end), (g["start"], g["end"]))
        ),
        reverse=True,
    )
    out: dict[int, int] = {}
    taken: set[int] = set()
    for _, i, j in pairs:
        if i not in out and j not in taken:
            out[i] = j
            taken.add(j)
    return out


def date_ok(predicted: Candidate, gold: str | None, gold_precision: str | None = None) -> bool:
    """Equal at the coarser of the two precisions (a week holds its seven days)."""
    if predicted.claim_date is None or gold is None:
        return predicted.claim_date is None and gold is None
    g, p = date.fromisoformat(gold), predicted.claim_date
    precision = max(p.precision, gold_precision or "day", key=_COARSENESS.__getitem__)
    if precision == "year":
        return g.year == p.value.year
    if precision == "month":
        return (g.year, g.month) == (p.value.year, p.value.month)
    if precision == "week":
        return g.isocalendar()[:2] == p.value.isocalendar()[:2]
    return g == p.value


@dataclass
class Tally:
    gold_cw: int = 0
    pred_cw: int = 0
    hit_cw: int = 0
    true_pos: int = 0
    matched: int = 0
    speaker: int = 0
    attribution: int = 0
    dates: int = 0
    non_editorial: int = 0
    gold_quotes: int = 0
    quotes_found: int = 0
    quotes_right: int = 0
    #: (score, gold check-worthy) of every matched sentence, for ROC-AUC.
    ranked: list[tuple[float, bool]] = field(default_factory=list)


def _context(doc: dict[str, Any]) -> DocumentContext:
    published = doc.get("published")
    outlet = (doc.get("outlet") or "").split(" (")[0] or None
    return DocumentContext(
        published_on=date.fromisoformat(published) if published else None,
        author=doc.get("author"),
        outlet=outlet,
        kind={"op-ed": "op_ed"}.get(doc.get("kind", "news"), doc.get("kind", "news")),
    )


def _article(name: str) -> str:
    for folder in ARTICLE_DIRS:
        if (folder / name).exists():
            return (folder / name).read_text(encoding="utf-8")
    raise FileNotFoundError(name)


def evaluate(gold_path: Path, tally: Tally, verbose: bool) -> None:
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    for doc in gold["documents"]:
        body = _article(doc["file"])
        predicted = extract(body, _context(doc))
        claims = [c for c in gold["claims"] if c["file"] == doc["file"]]
        index = match(predicted, claims)
        used_p, used_g = set(index), set(index.values())
        matches = [(predicted[i], claims[j]) for i, j in index.items()]
        tally.gold_cw += sum(1 for g in claims if g["checkworthy"])
        tally.pred_cw += sum(1 for p in predicted if p.checkworthiness >= CHECKWORTHY)
        tally.gold_quotes += sum(1 for g in claims if g["basis"] == "direct_quote")
        for p, g in matches:
            tally.matched += 1
            tally.ranked.append((p.checkworthiness, bool(g["checkworthy"])))
            if g["basis"] == "direct_quote" and p.attribution in (
                "direct_quote",
                "transcript_turn",
            ):
                tally.quotes_found += 1
                tally.quotes_right += same_speaker(p.speaker, g["speaker"])
            if g["checkworthy"]:
                tally.hit_cw += p.checkworthiness >= CHECKWORTHY
            if g["checkworthy"] and p.checkworthiness >= CHECKWORTHY:
                tally.true_pos += 1
            ok_speaker = same_speaker(p.speaker, g["speaker"])
            tally.speaker += ok_speaker
            tally.attribution += COARSE.get(p.attribution, p.attribution) == g["basis"]
            tally.dates += date_ok(p, g.get("claim_date"), g.get("date_precision"))
            if verbose and not ok_speaker:
                print(
                    f"  speaker  {g['id']}: predicted {p.speaker!r} ({p.attribution}), "
                    f"gold {g['speaker']!r} ({g['basis']}): {g['text'][:100]!r}"
                )
            if verbose and not date_ok(p, g.get("claim_date"), g.get("date_precision")):
                print(f"  date     {g['id']}: predicted {p.claim_date}, gold {g.get('claim_date')}")
        if verbose:
            for j, g in enumerate(claims):
                if j not in used_g and g["checkworthy"]:
                    print(f"  missed   {g['id']}: {g['text'][:90]!r}")
            for p, g in matches:
                if g["checkworthy"] != (p.checkworthiness >= CHECKWORTHY):
                    flag = f"gold={g['checkworthy']}"
                    print(f"  cw {p.checkworthiness:.2f} {flag} {g['id']}: {g['text'][:70]!r}")
        for nc in gold.get("non_claims", []):
            if nc["file"] != doc["file"]:
                continue
            start = body.find(nc["text"])
            span = (start, start + len(nc["text"]))
            if start >= 0 and any(overlap((p.start, p.end), span) for p in predicted):
                tally.non_editorial += 1
                if verbose:
                    print(f"  non-editorial taken: {nc['text'][:80]!r}")
            for i, p in enumerate(predicted):
                if i not in used_p and verbose and start >= 0 and overlap((p.start, p.end), span):
                    pass


def roc_auc(ranked: list[tuple[float, bool]]) -> float:
    """Probability that a check-worthy sentence outscores one that is not (ties count half)."""
    pos = [s for s, y in ranked if y]
    neg = [s for s, y in ranked if not y]
    if not pos or not neg:
        return float("nan")
    wins = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


def report(name: str, tally: Tally) -> None:
    recall = tally.hit_cw / tally.gold_cw if tally.gold_cw else 0.0
    precision = tally.true_pos / tally.pred_cw if tally.pred_cw else 0.0
    m = tally.matched or 1
    q = tally.gold_quotes or 1
    rows = [
        ("check-worthy recall", recall, ">= 0.85"),
        ("check-worthy precision", precision, ">= 0.70"),
        ("check-worthiness ROC-AUC", roc_auc(tally.ranked), ">= 0.85"),
        ("speaker accuracy (matched)", tally.speaker / m, ">= 0.85"),
        ("attribution accuracy (matched)", tally.attribution / m, ">= 0.85"),
        ("date accuracy (matched)", tally.dates / m, ">= 0.85"),
        ("direct-quote recall", tally.quotes_found / q, ">= 0.90"),
        ("direct quotes, right speaker", tally.quotes_right / q, ">= 0.85"),
    ]
    print(
        f"extraction on {name}: {tally.matched} matched, {tally.gold_cw} check-worthy and "
        f"{tally.gold_quotes} direct quotes in gold"
    )
    for label, value, target in rows:
        print(f"  {label:<32} {value:5.2f}   {target}")
    print(f"  {'claims from non-editorial text':<32} {tally.non_editorial:5d}   0")
    # Calibration: of the sentences scored in a bucket, how many the gold calls check-worthy
    # (0.5 should mean "show an editor": about half of them are).
    cells = []
    for lo in (0.0, 0.2, 0.4, 0.6, 0.8):
        bucket = [y for v, y in tally.ranked if lo <= v < lo + 0.2 or (lo == 0.8 and v == 1.0)]
        share = sum(bucket) / len(bucket) if bucket else float("nan")
        cells.append(f"{lo:.1f}-{lo + 0.2:.1f}: {share:.2f} of {len(bucket)}")
    print("  check-worthy share by score      " + "; ".join(cells))


def gold_sets(argv: list[str]) -> list[Path]:
    """Gold files named on the command line (their folders also hold their articles), else
    the project's own: `make eval GOLD="other/gold.json"` measures another annotated set."""
    named = [Path(a) for a in argv if not a.startswith("-")]
    for path in named:
        for folder in (path.parent, path.parent / "articles"):
            if folder not in ARTICLE_DIRS:
                ARTICLE_DIRS.append(folder)
    return named or GOLD_SETS


def main() -> int:
    verbose = "-v" in sys.argv
    named = [a for a in sys.argv[1:] if not a.startswith("-")]
    print(f"extractor {extractor_version()}")
    if named:
        for path in gold_sets(named):
            tally = Tally()
            evaluate(path, tally, verbose)
            report(path.name, tally)
        return 0
    only = {a[2:] for a in sys.argv[1:] if a in ("--dev", "--test", "--test2")}
    for split, paths in SPLITS.items():
        if only and split not in only:
            continue
        tally = Tally()
        for path in paths:
            if verbose:
                print(f"-- {path.name}")
            evaluate(path, tally, verbose)
        report(f"{split} ({len(paths)} gold files)", tally)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
