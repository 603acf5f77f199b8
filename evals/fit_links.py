"""Fit the link confidence (service/linking/scoring.py LINK_WEIGHTS) on the dev link gold.

    python -m evals.fit_links

Every pair of the dev split that shares some evidence (close in meaning, or sharing words) is a
training example, labelled by whether the gold holds that link: a pool that does not depend on
the weights being fitted. A logistic regression (scikit-learn, L2)
of the label on the pair's evidence gives the weights; its regularisation is chosen by
cross-validation that leaves whole document pairs out. Only `dev` is used.
"""

from __future__ import annotations

from typing import Any

from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GroupKFold, cross_val_predict

from evals.fit_checkworthiness import print_model
from evals.linking import build, document_pair, gold_links, pair_pool
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


def main() -> int:
    corpus = build()
    links, _ = gold_links(corpus)
    gold = {frozenset((a, b)) for a, b, _ in links}
    rows: dict[frozenset[int], list[float]] = {}
    groups: dict[frozenset[int], str] = {}
    names = list(LINK_WEIGHTS)
    for pair, s in pair_pool(corpus, "dev").items():
        rows[pair] = [s.evidence[k] for k in names]
        a, b = sorted(pair)
        groups[pair] = document_pair(corpus, a, b)
    pairs = list(rows)
    x = [rows[p] for p in pairs]
    y = [int(p in gold) for p in pairs]
    g = [groups[p] for p in pairs]
    print(f"{len(pairs)} dev pairs sharing some evidence, {sum(y)} gold links")
    model, best_c, _ = fit_held_out(x, y, g, verbose=True)
    print(f"C = {best_c}")
    print_model("LINK_", model, x, LINK_WEIGHTS)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
