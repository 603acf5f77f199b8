"""Fit the link confidence (service/linking/scoring.py LINK_WEIGHTS) on the dev link gold.

    python -m evals.fit_links

Every pair of the dev split that shares some evidence (close in meaning, or sharing words) is a
training example, labelled by whether the gold holds that link: a pool that does not depend on
the weights being fitted. The shipped weights are fitted on the seeds' dev split;
`--with-stories` adds the dev stories of tests/data/linking/stories/ (evals/link_stories.py),
measured in the thirteenth session and not shipped (evals/README.md says why). A logistic
regression (scikit-learn, L2) of the label on the pair's evidence gives the weights; its
regularisation is chosen by cross-validation that leaves whole document pairs out. Only `dev`
is used.
"""

from __future__ import annotations

import sys
from typing import Any

from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GroupKFold, cross_val_predict

from evals.fit_checkworthiness import print_model
from evals.linking import build, document_pair, gold_links, mapped_links, pair_pool
from service.linking.scoring import LINK_WEIGHTS


def fit_held_out(
    x: Any, y: Any, groups: list[str], max_iter: int = 2000, verbose: bool = False
) -> tuple[LogisticRegression, float, float]:
    """A logistic regression of y on x, its regularisation C chosen by the ROC-AUC of
    predictions for whole document pairs left out (`groups`): the model fitted on all rows,
    C, and that held-out AUC."""
    best_c, best_auc = 1.0, 0.0
    for c in (0.1, 0.3, 1.0, 3.0):
        held = cross_val_predict(
            LogisticRegression(C=c, max_iter=max_iter),
            x,
            y,
            groups=groups,
            cv=GroupKFold(n_splits=min(4, len(set(groups)))),
            method="predict_proba",
        )
        auc = roc_auc_score(y, held[:, 1])
        if verbose:
            print(f"  C={c}: ROC-AUC leaving document pairs out {auc:.3f}")
        if auc > best_auc:
            best_c, best_auc = c, auc
    return LogisticRegression(C=best_c, max_iter=max_iter).fit(x, y), best_c, best_auc


def dev_rows(with_stories: bool = False) -> tuple[list[list[float]], list[int], list[str]]:
    """Every dev pool pair's evidence (LINK_WEIGHTS order), whether it is a gold link, and
    its document pair (the group a held-out fit leaves out whole)."""
    from evals.link_stories import load

    seeds = build()
    seed_links, _ = gold_links(seeds)
    sets = [(seeds, seed_links)]
    if with_stories:
        story, raw, spans = load("dev")
        sets.append((story, mapped_links(story, raw, spans)[0]))
    names = list(LINK_WEIGHTS)
    x, y, g = [], [], []
    for corpus, links in sets:
        gold = {frozenset((a, b)) for a, b, _ in links}
        for pair, s in pair_pool(corpus, "dev").items():
            a, b = sorted(pair)
            x.append([s.evidence[k] for k in names])
            y.append(int(pair in gold))
            g.append(document_pair(corpus, a, b))
    return x, y, g


def main() -> int:
    x, y, g = dev_rows(with_stories="--with-stories" in sys.argv)
    print(f"{len(y)} dev pairs sharing some evidence, {sum(y)} gold links")
    model, best_c, _ = fit_held_out(x, y, g, verbose=True)
    print(f"C = {best_c}")
    print_model("LINK_", model, x, LINK_WEIGHTS)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
