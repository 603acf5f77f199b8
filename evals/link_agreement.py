"""How far a second careful annotator agrees with the link gold: the ceiling a suggester can be
measured against.

    python -m evals.link_agreement        # in make eval

A helper session that had never seen the gold links, the guide's split or any suggestion
annotated two document pairs again from the guide alone (`tests/data/linking/second_annotator.json`,
what it was given and when in `tests/data/linking/ANNOTATION.md`). Both annotations are mapped to
the extracted claims as evals/linking.py maps the gold, and the second annotator is scored
against the gold exactly as the stored suggestions are: precision, recall and relation agreement
on the links both made. The stored suggestions' figures on the same document pairs are printed
beside them. Nothing is tuned here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from evals.linking import DATA, Corpus, _short, build, gold_links, mapped_links, suggestions
from service.linking.scoring import SUGGEST_MIN

SECOND = DATA / "linking" / "second_annotator.json"

Pairs = dict[frozenset[int], str]


def _on(corpus: Corpus, links: Iterable[tuple[int, int, str]], docs: frozenset[str]) -> Pairs:
    return {
        frozenset((a, b)): r
        for a, b, r in links
        if frozenset((_short(corpus.file_of[a]), _short(corpus.file_of[b]))) == docs
    }


def agreement(reference: Pairs, other: Pairs) -> tuple[float, float, float]:
    """Precision and recall of `other` against `reference`, and the share of the links both
    hold on which they give the same relation."""
    both = set(reference) & set(other)
    same = sum(1 for p in both if reference[p] == other[p])
    return (
        len(both) / max(1, len(other)),
        len(both) / max(1, len(reference)),
        same / max(1, len(both)),
    )


def main() -> int:
    if not SECOND.exists():
        print(f"link agreement: no {SECOND.name}")
        return 0
    corpus = build()
    gold, _ = gold_links(corpus)
    second, missing = mapped_links(corpus, json.loads(SECOND.read_text("utf-8"))["links"])
    _, stored = suggestions(corpus, SUGGEST_MIN)
    suggested = [(a, b, "") for a, b in (sorted(p) for p in stored)]
    doc_pairs = sorted(
        {frozenset((_short(corpus.file_of[a]), _short(corpus.file_of[b]))) for a, b, _ in second},
        key=sorted,
    )
    print(
        f"link agreement: a second annotator against the gold ({len(missing)} of its links not "
        "mappable to extracted claims)"
    )
    print("  documents   gold  second   P     R   relation | suggestions stored   P     R")
    for docs in doc_pairs:
        reference = _on(corpus, gold, docs)
        theirs = _on(corpus, second, docs)
        ours = _on(corpus, suggested, docs)
        p, r, rel = agreement(reference, theirs)
        sp, sr, _ = agreement(reference, ours)
        print(
            f"  {'-'.join(sorted(docs))}  {len(reference):5d}  {len(theirs):5d}  {p:5.2f} {r:5.2f}"
            f"  {rel:5.2f}    | {len(ours):5d}              {sp:5.2f} {sr:5.2f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
