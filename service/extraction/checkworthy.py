"""Check-worthiness learnt from sentences people labelled, over what the service computes.

The parse features of scoring.py, fitted on 519 sentences of our dev gold, separate
check-worthy sentences from the rest with ROC-AUC 0.76 on articles held out of the fit, and
0.65 on the second blind set. This head is a logistic model over the same twenty features
and the sentence's MiniLM vector (the one a check-worthy claim is stored with anyway),
fitted on ClaimBuster's 7,976 labelled debate sentences (Arslan et al. 2020, CC BY 4.0) by
`python -m evals.checkworthiness_claimbuster --fit`, its logit recalibrated on our dev gold so
that 0.5 keeps meaning "show an editor". First blind run (evals/README.md): ROC-AUC on test
0.775 -> 0.857, on test2 0.653 -> 0.717.

The weights (`checkworthy_head.npz`, 3.6 KB) ship in the package and are checked against
their sha256 before use; inference is one dot product in NumPy, deterministic. Where the
sentence encoder is not installed, scoring.py's parse-only weights stay in use.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from service.extraction.scoring import FEATURES
from service.linking.nli import ModelIntegrityError, sha256_of

WEIGHTS_FILE = Path(__file__).with_name("checkworthy_head.npz")
#: Printed by `python -m evals.checkworthiness_claimbuster --fit` for the file it wrote; a
#: refit is refused until this is changed to match.
WEIGHTS_SHA256 = "91be796e57c15773f9031c5826add9c5579b30b79da23d3f70782cf2bdb24e95"

Matrix = NDArray[np.float32]
#: The wording's share of the log-odds past which the reasons say it moved the score (1 is
#: odds multiplied or divided by e).
WORDING_SAYS = 1.0


@dataclass(frozen=True)
class Head:
    w_features: Matrix
    w_vector: Matrix
    bias: float

    def probabilities(self, features: Matrix, vectors: Matrix) -> NDArray[np.float64]:
        """P(check-worthy) for each row: its features (in FEATURES order) and its vector."""
        z = (
            np.asarray(features, dtype=np.float32) @ self.w_features
            + np.asarray(vectors, dtype=np.float32) @ self.w_vector
            + self.bias
        )
        return 1.0 / (1.0 + np.exp(-z.astype(np.float64)))

    def wording(self, vectors: Matrix) -> NDArray[np.float32]:
        """What the sentence vector alone adds to each row's log-odds: how much the wording,
        beyond the parse features, moved the score (a reason is given past WORDING_SAYS)."""
        out: NDArray[np.float32] = np.asarray(vectors, dtype=np.float32) @ self.w_vector
        return out


def load(path: Path = WEIGHTS_FILE, sha256: str = WEIGHTS_SHA256) -> Head:
    """The head, after checking its file's hash and its features' names (a mismatch is
    refused, never used)."""
    found = sha256_of(path)
    if found != sha256:
        raise ModelIntegrityError(f"{path.name}: sha256 {found}, expected {sha256}")
    with np.load(path) as data:
        names = tuple(str(n) for n in data["features"])
        if names != FEATURES:
            raise ModelIntegrityError(f"{path.name}: features {names}, expected {FEATURES}")
        return Head(
            data["w_features"].astype(np.float32),
            data["w_vector"].astype(np.float32),
            float(data["bias"][0]),
        )


@functools.cache
def head() -> Head:
    """The shipped head, loaded once per process (two threads asking first may both load it:
    the same numbers either way)."""
    return load()
