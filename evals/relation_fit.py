"""An experiment, not the service: would a fitted rule tell same_claim from corroborates better?

    python -m evals.relation_fit

The relation is right on 0.61–0.75 of the recalled dev links (evals/linking.py,
evals/link_stories.py), and nearly every miss is same_claim read as corroborates or the other
way round. This asks whether that is the rule's fault: over every dev gold link of the two
kinds (the seeds' dev split and each dev story, whether stored or not), the service's rule
(scoring._same_claim, what score_pair returns) against a logistic model of the evidence
beside it (words, entities, cosine, figures, speaker, how much of each side the shared words
cover, the length ratio, the NLI head's entailment and neutral readings, the confidence),
each story held out in turn. Dev only: nothing here is chosen for the service.
"""

from __future__ import annotations

import numpy as np

from evals import link_stories
from evals.ecb_stories import STORIES
from evals.linking import Corpus, build, gold_links, mapped_links, split_of
from service.linking.scoring import score_pair

Row = tuple[str, int, list[float], int]


def rows_of(corpus: Corpus, links: list[tuple[int, int, str]], group: dict[str, str]) -> list[Row]:
    """(group, gold is same_claim, evidence, rule says same_claim) of each such gold link."""
    out = []
    for a, b, relation in links:
        fa, fb = corpus.feats[a], corpus.feats[b]
        if relation not in ("same_claim", "corroborates") or fa.document_id == fb.document_id:
            continue
        s = score_pair(fa, fb, rarity=corpus.rarity)
        shared = len(fa.words & fb.words)
        cover = sorted((shared / max(1, len(fa.words)), shared / max(1, len(fb.words))))
        inferred = s.reasons.get("inference", {})
        evidence = [
            s.evidence["lexical"],
            s.evidence["entities"],
            s.reasons.get("meaning_similarity", 0.0),
            s.evidence["numbers"],
            s.evidence["same_speaker"],
            *cover,
            min(len(fa.words), len(fb.words)) / max(1, len(fa.words), len(fb.words)),
            inferred.get("entailment", 0.0),
            inferred.get("neutral", 0.0),
            s.score,
        ]
        out.append(
            (
                group[corpus.file_of[a]],
                int(relation == "same_claim"),
                evidence,
                int(s.relation == "same_claim"),
            )
        )
    return out


def main() -> int:
    from sklearn.linear_model import LogisticRegression

    stories, raw, spans = link_stories.load("dev")
    links, _ = mapped_links(stories, raw, spans)
    story_of = {f"{d}.txt": name for name, (_, _, docs) in STORIES.items() for d in docs}
    rows = rows_of(stories, links, story_of)
    seeds = build()
    seed_links, _ = gold_links(seeds)
    dev = [x for x in seed_links if split_of(seeds, x[0], x[1]) == "dev"]
    rows += rows_of(seeds, dev, dict.fromkeys(seeds.bodies, "seeds"))
    groups = np.array([r[0] for r in rows])
    gold = np.array([r[1] for r in rows])
    evidence = np.array([r[2] for r in rows])
    rule = np.array([r[3] for r in rows])
    fitted = np.zeros_like(gold)
    for held in sorted(set(groups)):
        model = LogisticRegression(max_iter=2000).fit(
            evidence[groups != held], gold[groups != held]
        )
        fitted[groups == held] = model.predict(evidence[groups == held])
    print(f"dev gold links, same_claim or corroborates: {len(rows)} ({gold.mean():.2f} same_claim)")
    print("  held out      links   rule   fitted")
    for held in sorted(set(groups)):
        mine = groups == held
        print(
            f"  {held:18s} {mine.sum():4d}   {(rule[mine] == gold[mine]).mean():.2f}"
            f"   {(fitted[mine] == gold[mine]).mean():.2f}"
        )
    print(
        f"  all           {len(rows):4d}   {(rule == gold).mean():.2f}"
        f"   {(fitted == gold).mean():.2f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
