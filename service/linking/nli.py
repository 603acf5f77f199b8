"""Does one claim entail, contradict, or say nothing about another? A small learned head over
the sentence embeddings the service already computes (all-MiniLM-L6-v2, semantic.py).

No natural-language-inference model ships on PyPI without torch, so one is trained here
(`python -m evals.train_nli`, on public NLI data: see the README): the features of a pair of
sentence vectors u (premise) and v (hypothesis) are [u, v, |u - v|, u * v], as in
Sentence-BERT's and InferSent's classifiers, fed to a one-hidden-layer perceptron
(scikit-learn's MLPClassifier). Its weights (`nli_head.npz`, float16, about 1 MB) ship in the
package and are checked against their sha256 before use; inference is NumPy, deterministic
(the same floats in, the same probabilities out).

NLI is directional; a link is not. `symmetric` averages the two directions, so a pair scores
the same whichever claim is asked about.
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

#: The order of the three probabilities everywhere.
LABELS = ("entailment", "contradiction", "neutral")
WEIGHTS_FILE = Path(__file__).with_name("nli_head.npz")
#: Written by evals/train_nli.py beside the file it trained.
WEIGHTS_SHA256 = "47c3d0e268ea2754da3350c455f8267644700ba10ad4c70316ef2b10251fa2cb"

Matrix = NDArray[np.float32]


class ModelIntegrityError(RuntimeError):
    """The weights on disk are not the ones this code was released with."""


def pair_features(u: Matrix, v: Matrix) -> Matrix:
    """[u, v, |u - v|, u * v] for each row pair (premise u, hypothesis v)."""
    u = np.atleast_2d(u).astype(np.float32, copy=False)
    v = np.atleast_2d(v).astype(np.float32, copy=False)
    return np.hstack([u, v, np.abs(u - v), u * v])


class NliHead:
    def __init__(self, weights: dict[str, NDArray[np.floating]]) -> None:
        self.w1 = weights["w1"].astype(np.float32)
        self.b1 = weights["b1"].astype(np.float32)
        self.w2 = weights["w2"].astype(np.float32)
        self.b2 = weights["b2"].astype(np.float32)

    def predict(self, u: Matrix, v: Matrix) -> Matrix:
        """P(entailment), P(contradiction), P(neutral) of u (premise) → v (hypothesis), a row
        per pair."""
        hidden = np.maximum(pair_features(u, v) @ self.w1 + self.b1, 0.0)
        return self._softmax(hidden @ self.w2 + self.b2)

    def symmetric(self, u: Matrix, v: Matrix) -> Matrix:
        """The two directions averaged: the same for (u, v) and (v, u). The first layer is
        split by feature block so that |u - v| and u * v, shared by both directions, are
        multiplied once: half the work of two `predict` calls, the same function. One row
        against many (a claim against its candidates) broadcasts: that row's products are
        computed once, not once per candidate."""
        u = np.atleast_2d(u).astype(np.float32, copy=False)
        v = np.atleast_2d(v).astype(np.float32, copy=False)
        d = u.shape[1]
        first, second = self.w1[:d], self.w1[d : 2 * d]
        shared = np.abs(u - v) @ self.w1[2 * d : 3 * d] + (u * v) @ self.w1[3 * d :] + self.b1
        out = np.zeros((max(u.shape[0], v.shape[0]), len(LABELS)), dtype=np.float32)
        for a, b in ((u, v), (v, u)):
            hidden = np.maximum(a @ first + b @ second + shared, 0.0)
            out += self._softmax(hidden @ self.w2 + self.b2)
        result: Matrix = (out / 2).astype(np.float32)
        return result

    @staticmethod
    def _softmax(logits: Matrix) -> Matrix:
        logits = logits - logits.max(axis=1, keepdims=True)
        odds = np.exp(logits)
        out: Matrix = (odds / odds.sum(axis=1, keepdims=True)).astype(np.float32)
        return out


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load(path: Path = WEIGHTS_FILE, sha256: str = WEIGHTS_SHA256) -> NliHead:
    """The head, after checking its file's hash (a mismatch is refused, never used)."""
    found = sha256_of(path)
    if found != sha256:
        raise ModelIntegrityError(f"{path.name}: sha256 {found}, expected {sha256}")
    with np.load(path) as data:
        return NliHead({k: data[k] for k in data.files})


_lock = threading.Lock()
_head: NliHead | None = None


def head() -> NliHead:
    """The shipped head, loaded once per process."""
    global _head
    with _lock:
        if _head is None:
            _head = load()
        return _head
