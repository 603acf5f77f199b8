"""Check-worthiness learnt from ClaimBuster's labelled sentences, measured on our gold.

    python -m evals.checkworthiness_claimbuster [--test]
    python -m evals.checkworthiness_claimbuster --fit    (writes the head the service ships)

The shipped model (service/extraction/scoring.py) weighs twenty parse features fitted on
519 dev sentences of 13 articles. ClaimBuster (Arslan, Hassan, Li and Tremayne 2020,
"A Benchmark Dataset of Check-worthy Factual Claims", ICWSM; the dataset is CC BY 4.0 on
Zenodo, record 3609356) labels sentences of U.S. presidential debates as check-worthy
factual claims or not: 7,976 training and 702 test sentences in its two-class split. The copy
read here is the one in github:utaresearch/claimbuster-spotter (data/two_class/*.json),
brought with the search tool's `fetch` and unpacked under .data/claimbuster/ by hand:

    git -C /work/.mirror/utaresearch+claimbuster-spotter/repo show \\
        HEAD:data/two_class/train.json > .data/claimbuster/train.json   (and test.json)

Nothing of it is redistributed. For every sentence the script computes what the service
computes (the parse features, by extracting the sentence as a one-sentence document, and the
MiniLM sentence vector), fits logistic models on ClaimBuster's training split and reads them
on its test split and on our gold's matched sentences: dev always, `test` and `test2` with
--test only (they are never chosen on).
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

import service.extraction as extraction_package
from evals.fit_checkworthiness import matched_sentences
from service.extraction import Candidate, DocumentContext, checkworthy, nlp
from service.extraction.parsed import extract_parsed
from service.extraction.scoring import FEATURES, probability
from service.linking import semantic
from service.linking.nli import sha256_of

DATA = Path(__file__).resolve().parent.parent / ".data" / "claimbuster"


def _parsed(body: str, context: DocumentContext | None = None) -> list[Candidate]:
    """The parse path's candidates without the head (their features do not depend on it):
    a refit must not need the weights it replaces."""
    pipeline = nlp.pipeline()
    assert pipeline is not None, "the spaCy model is not installed"
    return extract_parsed(body, context or DocumentContext(), pipeline)


def _features_of(texts: list[str]) -> NDArray[np.float64]:
    rows = []
    for text in texts:
        found = [c for c in _parsed(text) if c.features]
        best = max(found, key=lambda c: c.end - c.start) if found else None
        rows.append([best.features[k] for k in FEATURES] if best else [0.0] * len(FEATURES))
    return np.array(rows)


def claimbuster(split: str) -> tuple[list[str], NDArray[np.int64]]:
    rows: list[dict[str, Any]] = json.loads((DATA / f"{split}.json").read_text())
    return [r["text"] for r in rows], np.array([int(r["label"]) for r in rows])


def gold(split: str) -> tuple[list[str], NDArray[np.float64], NDArray[np.int64], list[str]]:
    """Our gold's matched sentences: the predicted text, its features, the gold label, the
    article."""
    rows, labels, groups, texts = matched_sentences(split, _parsed)
    return texts, np.array(rows), np.array(labels), groups


def _vectors(texts: list[str]) -> NDArray[np.float32]:
    out = semantic.embed(texts)
    assert out is not None, "the sentence encoder is not installed"
    return np.asarray(out)


#: The variant chosen on dev (ROC-AUC 0.830 against 0.805 for the parse features alone and
#: 0.756 for the vector alone): both, with L2 regularisation C = 0.1.
CHOSEN_C = 0.1


def fit(out: Path) -> None:
    """Fit the chosen variant on ClaimBuster's training split, calibrate it on our dev gold,
    and write the head the service loads (service/extraction/checkworthy.py), folding the
    calibration into the weights: p = sigmoid(w_f . features + w_v . vector + b)."""
    train_texts, y_train = claimbuster("train")
    f_train, v_train = _features_of(train_texts), _vectors(train_texts)
    model = LogisticRegression(C=CHOSEN_C, max_iter=3000)
    model.fit(np.hstack([f_train, v_train]), y_train)
    texts, f_dev, y_dev, _ = gold("dev")
    z = model.decision_function(np.hstack([f_dev, _vectors(texts)])).reshape(-1, 1)
    platt = LogisticRegression(C=1e6).fit(z, y_dev)
    a, b = float(platt.coef_[0][0]), float(platt.intercept_[0])
    weights = model.coef_[0] * a
    np.savez(
        out,
        features=np.array(FEATURES),
        w_features=weights[: len(FEATURES)].astype(np.float32),
        w_vector=weights[len(FEATURES) :].astype(np.float32),
        bias=np.array([model.intercept_[0] * a + b], dtype=np.float32),
    )
    print(f"wrote {out} (calibration on dev: a {a:.3f}, b {b:.3f}); sha256 {sha256_of(out)}")


def main() -> int:
    if "--fit" in sys.argv:
        fit(checkworthy.WEIGHTS_FILE)
        return 0
    splits = ["dev"] + (["test", "test2"] if "--test" in sys.argv else [])
    train_texts, y_train = claimbuster("train")
    test_texts, y_test = claimbuster("test")
    # Keyed by the extraction code itself: a changed rule computes the features again.
    source = hashlib.sha256()
    for path in sorted(Path(extraction_package.__file__).parent.glob("*.py")):
        source.update(path.read_bytes())
    cache = DATA / f"computed-{source.hexdigest()[:12]}.npz"
    if cache.exists():
        with np.load(cache) as got:
            f_train, f_test, v_train, v_test = (got[k] for k in ("ft", "fs", "vt", "vs"))
    else:
        f_train, f_test = _features_of(train_texts), _features_of(test_texts)
        v_train, v_test = _vectors(train_texts), _vectors(test_texts)
        np.savez(cache, ft=f_train, fs=f_test, vt=v_train, vs=v_test)
    ours = {s: gold(s) for s in splits}
    ours_v = {s: _vectors(ours[s][0]) for s in splits}
    print(
        f"ClaimBuster: {len(y_train)} training sentences ({y_train.sum()} check-worthy), "
        f"{len(y_test)} test ({y_test.sum()})"
    )
    for s in splits:
        print(f"our {s}: {len(ours[s][2])} matched sentences ({ours[s][2].sum()} check-worthy)")

    def shipped(f: NDArray[np.float64]) -> NDArray[np.float64]:
        return np.array([probability(dict(zip(FEATURES, row, strict=True))) for row in f])

    variants: dict[str, tuple[NDArray[Any], NDArray[Any], dict[str, NDArray[Any]]]] = {
        "parse features": (f_train, f_test, {s: ours[s][1] for s in splits}),
        "sentence vector": (v_train, v_test, ours_v),
        "both": (
            np.hstack([f_train, v_train]),
            np.hstack([f_test, v_test]),
            {s: np.hstack([ours[s][1], ours_v[s]]) for s in splits},
        ),
    }
    header = f"{'model: ROC-AUC':44} {'CB test':>8}" + "".join(f" {s:>7}" for s in splits)
    print(header)
    row = f"{'parse-only weights (our dev; the fallback)':44}"
    row += f" {roc_auc_score(y_test, shipped(f_test)):8.3f}"
    for s in splits:
        row += f" {roc_auc_score(ours[s][2], shipped(ours[s][1])):7.3f}"
    print(row)
    row = f"{'  recall / precision at 0.5':44} {'':8}"
    for s in splits:
        shown, gold_cw = shipped(ours[s][1]) >= 0.5, ours[s][2] == 1
        row += f" {(shown & gold_cw).sum() / max(1, gold_cw.sum()):.2f}"
        row += f"/{(shown & gold_cw).sum() / max(1, shown.sum()):.2f}"
    print(row)
    for name, (x_train, x_test, x_ours) in variants.items():
        for c in (0.1, 1.0):
            model = LogisticRegression(C=c, max_iter=3000).fit(x_train, y_train)
            row = f"{'ClaimBuster, ' + name + f', C={c}':44}"
            row += f" {roc_auc_score(y_test, model.predict_proba(x_test)[:, 1]):8.3f}"
            for s in splits:
                row += f" {roc_auc_score(ours[s][2], model.predict_proba(x_ours[s])[:, 1]):7.3f}"
            print(row)
            # ClaimBuster's base rate (a quarter check-worthy) is not a newsroom's: the
            # model's logit is recalibrated on our dev (Platt), so that 0.5 means "show an
            # editor" as the shipped score does; recall and precision at 0.5 with it.
            platt = LogisticRegression(C=1e6).fit(
                model.decision_function(x_ours["dev"]).reshape(-1, 1), ours["dev"][2]
            )
            row = f"{'  recall / precision at 0.5, calibrated on dev':44} {'':8}"
            for s in splits:
                z = model.decision_function(x_ours[s]).reshape(-1, 1)
                shown = platt.predict_proba(z)[:, 1] >= 0.5
                gold_cw = ours[s][2] == 1
                recall = (shown & gold_cw).sum() / max(1, gold_cw.sum())
                precision = (shown & gold_cw).sum() / max(1, shown.sum())
                row += f" {recall:.2f}/{precision:.2f}"
            print(row)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
