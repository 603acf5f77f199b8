"""Link suggestion figures on the annotated gold (part of `make eval`).

Scoring is measured on the gold claims themselves, with every claim of the other documents
as a candidate (SQL retrieval narrows the same set in production; its recall is covered by
tests). A gold link is recalled when either claim has the other among its top 10.
Precision@3 is over claims that have at least one gold link.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from evals.extraction import gold_sets
from service.linking import semantic
from service.linking.features import ClaimFeatures, features
from service.linking.scoring import rank


def evaluate(path: Path) -> None:
    gold = json.loads(path.read_text(encoding="utf-8"))
    if not gold.get("links"):
        return
    files = {d["file"]: i for i, d in enumerate(gold["documents"])}
    speakers: dict[str, int] = {}
    feats: dict[str, ClaimFeatures] = {}
    vectors = semantic.embed([c["text"] for c in gold["claims"]])
    if vectors is None:
        print(f"  ({semantic.MODEL_NAME} is not installed: word overlap only)")
    for n, c in enumerate(gold["claims"]):
        sid = speakers.setdefault(c["speaker"], len(speakers)) if c["speaker"] else None
        vector = None if vectors is None else vectors[n]
        feats[c["id"]] = features(n, files[c["file"]], sid, c["text"], vector)
    by_num = {f.claim_id: cid for cid, f in feats.items()}
    top: dict[str, list[tuple[str, str, bool]]] = {}
    for cid, f in feats.items():
        ranked = rank(f, list(feats.values()), top=10)
        top[cid] = [
            (
                by_num[s.claim_b_id if s.claim_a_id == f.claim_id else s.claim_a_id],
                s.relation,
                s.possible_conflict,
            )
            for s in ranked
        ]
    # Links join claims of different documents (a rule the database enforces); a gold link
    # inside one document cannot be suggested, so it is reported, not counted.
    doc_of = {c["id"]: c["file"] for c in gold["claims"]}
    inside = [x for x in gold["links"] if doc_of[x["a"]] == doc_of[x["b"]]]
    links = [x for x in gold["links"] if doc_of[x["a"]] != doc_of[x["b"]]]
    recalled, relation_ok, conflicts, flagged = 0, 0, 0, 0
    by_relation: dict[str, list[int]] = {}
    for link in links:
        a, b = link["a"], link["b"]
        hit = next((r for r in top[a] if r[0] == b), None) or next(
            (r for r in top[b] if r[0] == a), None
        )
        by_relation.setdefault(link["relation"], [0, 0])[1] += 1
        if link["relation"] == "conflicts":
            conflicts += 1
            flagged += bool(hit and hit[2])
        if hit:
            recalled += 1
            by_relation[link["relation"]][0] += 1
            relation_ok += hit[1] == link["relation"]
    linked = {x for link in links for x in (link["a"], link["b"])}
    pairs = {frozenset((link["a"], link["b"])) for link in links}
    top3 = [(cid, other) for cid in linked for other, _, _ in top[cid][:3]]
    precise = sum(1 for cid, other in top3 if frozenset((cid, other)) in pairs)
    print(
        f"linking on {path.name}: {len(links)} gold links across documents "
        f"({len(inside)} inside one document left out)"
    )
    print(f"  recall@10 of gold links          {recalled / len(links):5.2f}   >= 0.70")
    for relation, (hit_n, total) in sorted(by_relation.items()):
        print(f"    {relation:<30} {hit_n}/{total}")
    print(f"  precision of top 3 (linked)      {precise / max(1, len(top3)):5.2f}   >= 0.50")
    # Most gold claims have one gold partner: with three suggestions shown, precision cannot
    # exceed (gold partners) / (suggestions shown) however good the ranking.
    partners = sum(min(3, sum(x in (link["a"], link["b"]) for link in links)) for x in linked)
    print(f"    (ceiling with these suggestions: {partners / max(1, len(top3)):.2f})")
    print(f"  relation accuracy on recalled    {relation_ok / max(1, recalled):5.2f}   >= 0.70")
    print(f"  gold conflicts flagged           {flagged}/{conflicts}")


def main() -> int:
    for path in gold_sets(sys.argv[1:]):
        evaluate(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
