"""Fit the check-worthiness weights (service/extraction/scoring.py) on the dev gold.

    python -m evals.fit_checkworthiness

Extracts every dev article, matches predictions to gold sentences as `make eval` does, and
fits a logistic regression (scikit-learn, L2, C=0.1) of the gold label on the parse features
of the matched sentences. It prints the intercept and weights to paste into scoring.py (a
feature no dev sentence has keeps its stated prior). Only `dev` is used: `test` is never
fitted on.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GroupKFold, cross_val_predict

from evals.extraction import SPLITS, _article, _context, match
from service.extraction import Candidate, DocumentContext, extract
from service.extraction.scoring import FEATURES, WEIGHTS


def matched_sentences(
    split: str = "dev",
    extractor: Callable[[str, DocumentContext], list[Candidate]] = extract,
) -> tuple[list[list[float]], list[int], list[str], list[str]]:
    """The split's gold sentences matched by the extractor's: their features, gold labels,
    articles and predicted texts."""
    rows: list[list[float]] = []
    labels: list[int] = []
    groups: list[str] = []
    texts: list[str] = []
    for path in SPLITS[split]:
        gold = json.loads(path.read_text(encoding="utf-8"))
        for doc in gold["documents"]:
            predicted = extractor(_article(doc["file"]), _context(doc))
            claims = [c for c in gold["claims"] if c["file"] == doc["file"]]
            for i, j in match(predicted, claims).items():
                if not predicted[i].features:
                    continue
                rows.append([predicted[i].features[k] for k in FEATURES])
                labels.append(int(bool(claims[j]["checkworthy"])))
                groups.append(doc["file"])
                texts.append(predicted[i].text)
    return rows, labels, groups, texts


def matched_features() -> tuple[list[list[float]], list[int], list[str]]:
    rows, labels, groups, _ = matched_sentences()
    return rows, labels, groups


#: Regularisation chosen by held-out-article AUC on dev (C = 0.1: 0.757; 0.3: 0.748; 1: 0.740).
C = 0.1


def main() -> int:
    rows, labels, groups = matched_features()
    model = LogisticRegression(C=C, max_iter=1000)
    # Held-out articles: each fold leaves whole articles out, as new text would be.
    folds = GroupKFold(n_splits=5)
    held_out = cross_val_predict(
        model, rows, labels, groups=groups, cv=folds, method="predict_proba"
    )
    model.fit(rows, labels)
    print(f"{len(rows)} matched dev sentences, {sum(labels)} check-worthy")
    auc = roc_auc_score(labels, held_out[:, 1])
    print(f"ROC-AUC by 5-fold cross-validation over articles: {auc:.3f}")
    print_model("", model, rows, WEIGHTS)
    return 0


def print_model(
    prefix: str, model: LogisticRegression, rows: list[list[float]], priors: dict[str, float]
) -> None:
    """The fitted intercept and weights as Python to paste; a feature no example has keeps
    its stated prior (the fit says nothing about it)."""
    print(f"{prefix}INTERCEPT = {model.intercept_[0]:.2f}")
    print(f"{prefix}WEIGHTS: dict[str, float] = {{")
    for k, (name, weight) in enumerate(zip(priors, model.coef_[0], strict=True)):
        if not any(row[k] for row in rows):
            print(f'    "{name}": {priors[name]:.2f},  # no dev example has it: prior kept')
        else:
            print(f'    "{name}": {weight:.2f},')
    print("}")


if __name__ == "__main__":
    raise SystemExit(main())
