"""An experiment, not the service: what the cross-encoder of evals/cross_encoder.py buys on the
link gold, beside the service's own evidence.

    python -m evals.cross_encoder_links            # dev only
    python -m evals.cross_encoder_links --test     # also test: the design is fixed on dev first

The pairs of evals/linking.py's pool (every cross-document pair sharing some evidence) and
every claim's best RERANK by the service's ranking are scored by the cross-encoder, both ways
round (it reads "a then b"; the two readings are averaged), in the bench's PyTorch venv. Its
readings become evidence beside the service's, the confidence is refitted on dev leaving whole
document pairs out (as evals/fit_links.py fits the service's), and the queue is stored as
ingest stores it: a claim's best RERANK scored again, at most STORED_PER_CLAIM a claim, from
`suggest_min` up.
"""

from __future__ import annotations

import json
import subprocess
import sys
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
from service.config import PROJECT_ROOT
from service.linking.scoring import PairScore, rank

RERANK = 10
TORCH_PYTHON = PROJECT_ROOT / ".data" / "bench-torch" / "bin" / "python"
CACHE = PROJECT_ROOT / ".data" / "cross_encoder"
#: The cross-encoder's readings used as evidence: STS similarity, 1 - P(neutral) (the two
#: sentences say something about each other), P(contradiction).
READINGS = ("sts", "related", "contradiction")


def readings(corpus: Corpus, pairs: list[tuple[int, int]]) -> dict[tuple[int, int], list[float]]:
    """The cross-encoder's readings of each pair (a < b), both ways round, averaged."""
    texts = [c.text for c in corpus.claims]
    ordered = [(texts[a], texts[b]) for a, b in pairs] + [(texts[b], texts[a]) for a, b in pairs]
    CACHE.mkdir(parents=True, exist_ok=True)
    key = CACHE / "pairs.json"
    out = CACHE / "scores.npy"
    key_text = json.dumps(ordered)
    if not (key.is_file() and out.is_file() and key.read_text(encoding="utf-8") == key_text):
        key.write_text(key_text, encoding="utf-8")
        subprocess.run(
            [str(TORCH_PYTHON), "-m", "evals.cross_encoder", "score", str(key), str(out)],
            check=True,
            cwd=PROJECT_ROOT,
        )
    scores = np.load(out)
    n = len(pairs)
    both = (scores[:n] + scores[n:]) / 2
    # columns: P(entailment), P(neutral), P(contradiction), STS
    return {
        p: [float(row[3]), float(1.0 - row[1]), float(row[2])]
        for p, row in zip(pairs, both, strict=True)
    }


def main() -> int:
    from sklearn.metrics import average_precision_score, roc_auc_score

    from evals.fit_links import fit_held_out

    show = ("dev", "test") if "--test" in sys.argv else ("dev",)
    corpus = build()
    links, _ = gold_links(corpus)
    gold = {frozenset((a, b)) for a, b, _ in links}
    pools = {split: pair_pool(corpus, split) for split in ("dev", "test")}
    names = list(next(iter(pools["dev"].values())).evidence)
    worthy, asking = queue_claims(corpus)
    ranked = {f.claim_id: rank(f, worthy, top=RERANK, rarity=corpus.rarity) for f in asking}
    wanted = {tuple(sorted(p)) for pool in pools.values() for p in pool}
    wanted |= {
        (min(s.claim_a_id, s.claim_b_id), max(s.claim_a_id, s.claim_b_id))
        for found in ranked.values()
        for s in found
    }
    pairs = sorted(wanted)
    read = readings(corpus, pairs)  # type: ignore[arg-type]

    def row(s: PairScore) -> list[float]:
        a, b = sorted((s.claim_a_id, s.claim_b_id))
        return [s.evidence[k] for k in names] + read[(a, b)]

    def table(split: str) -> tuple[np.ndarray, np.ndarray, list[str], list[float]]:
        rows, labels, groups, service = [], [], [], []
        for pair, s in pools[split].items():
            a, b = sorted(pair)
            rows.append(row(s))
            labels.append(int(pair in gold))
            groups.append(document_pair(corpus, a, b))
            service.append(s.score)
        return np.array(rows), np.array(labels), groups, service

    tables = {split: table(split) for split in ("dev", "test")}
    x_dev, y_dev, g_dev, _ = tables["dev"]
    variants: dict[str, list[int]] = {
        "service evidence alone (control)": list(range(len(names))),
        "service evidence + all readings": list(range(len(names) + len(READINGS))),
        "service evidence + sts": [*range(len(names)), len(names)],
        "service evidence + related": [*range(len(names)), len(names) + 1],
    }
    for variant, columns in variants.items():
        model, best_c, best_auc = fit_held_out(x_dev[:, columns], y_dev, g_dev, max_iter=5000)
        print(f"{variant}: C = {best_c}, held-out AUC on dev {best_auc:.3f}")

        def confidence(
            found: list[PairScore], model: Any = model, columns: list[int] = columns
        ) -> Any:
            return model.predict_proba(np.array([row(s) for s in found])[:, columns])[:, 1]

        stored = rescored_queue(ranked.values(), confidence)
        for split in show:
            x, y, _, service = tables[split]
            refit: Any = model.predict_proba(x[:, columns])[:, 1]
            n, precision, recall = queue_figures(corpus, stored, gold, split)
            alone = {r: roc_auc_score(y, x[:, len(names) + i]) for i, r in enumerate(READINGS)}
            print(
                f"  {split}: pair AUC service {roc_auc_score(y, service):.3f}, refitted "
                f"{roc_auc_score(y, refit):.3f} (AP {average_precision_score(y, refit):.3f}); "
                + ", ".join(f"{r} alone {v:.3f}" for r, v in alone.items())
                + f" | queue {n}, P {precision:.2f}, R {recall:.2f}"
            )
    relation_report(corpus, links, pools, read, show)
    return 0


def relation_report(
    corpus: Corpus,
    links: list[tuple[int, int, str]],
    pools: dict[str, dict[frozenset[int], PairScore]],
    read: dict[tuple[int, int], list[float]],
    show: tuple[str, ...],
) -> None:
    """same_claim against corroborates among the gold links of the pool: how well the
    cross-encoder's STS reading tells them apart, beside the cosine the service uses."""
    from sklearn.metrics import roc_auc_score

    from service.linking.scoring import score_pair

    for split in show:
        rows = []
        for a, b, relation in links:
            pair = frozenset((a, b))
            if relation not in ("same_claim", "corroborates") or pair not in pools[split]:
                continue
            s = score_pair(corpus.feats[a], corpus.feats[b], rarity=corpus.rarity)
            sts = read[(min(a, b), max(a, b))][0]
            rows.append((relation == "same_claim", sts, s.evidence["meaning"], s.relation))
        same = np.array([r[0] for r in rows])
        rule = float(np.mean([(r[3] == "same_claim") == r[0] for r in rows]))
        best = max(
            (float(np.mean((np.array([r[1] for r in rows]) >= t) == same)), t)
            for t in np.arange(0.3, 0.95, 0.05)
        )
        print(
            f"  {split} relation, {int(same.sum())} same_claim / {len(rows)} gold links"
            " in the pool:"
            f" AUC sts {roc_auc_score(same, [r[1] for r in rows]):.3f},"
            f" cosine {roc_auc_score(same, [r[2] for r in rows]):.3f};"
            f" the rule's accuracy {rule:.2f}, sts >= {best[1]:.2f} {best[0]:.2f}"
        )


if __name__ == "__main__":
    raise SystemExit(main())
