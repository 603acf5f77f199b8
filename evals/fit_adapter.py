"""A dev-only experiment, not used by the service: a linear map of the claim's sentence
vector towards the fact-checks that check it, fitted on the CLEF CheckThat! labs' training
queries (see evals/factcheck_retrieval.py). Figures and the decision: evals/README.md.

MiniLM puts a claim near fact-checks on the same topic; which of them checks *this* claim is
what the labs' relevance judgments teach. The map W (384 x 384, started at the identity and
pulled back to it by `--l2`) is fitted so that, among a query's nearest verified claims, the
relevant ones get the highest cosine between W u (the query, normalised) and v (the verified
claim): a softmax over the candidates at temperature 1/`SCALE`, the loss being minus the log
of the relevant ones' share. Only the claim's side moves, so the stored fact-check vectors
and their index stay as they are: a claim searches them with W u, a fact-check searches the
claims with W^T v (the same inner product).

    python -m evals.fit_adapter                 # fits on train, prints dev MAP@5 per --l2
    python -m evals.fit_adapter --l2 0.1 --save # keeps the map in .data/clef-adapter.npy

The match model's logistic weights are refitted on cosines the map gives train queries it was
not fitted on (five folds), then dev is scored with the map fitted on all of train. Train only
fits; dev chooses `--l2`; test is never read here.
"""

from __future__ import annotations

import argparse
import hashlib

import numpy as np
from scipy.optimize import minimize

from evals import factcheck_retrieval as fr
from service.config import PROJECT_ROOT
from service.linking import semantic

SCALE = 20.0
CANDIDATES = 100
SAVED = PROJECT_ROOT / ".data" / "clef-adapter.npy"
FOLDS = 5


def _problem(
    retriever: fr.Retriever, split: fr.Split
) -> tuple[np.ndarray, list[np.ndarray], list[np.ndarray]]:
    """Query vectors, each query's candidate indices (nearest by the plain cosine, plus its
    relevant ones) and a mask of which candidates are relevant."""
    ids = sorted(split.queries)
    vectors = semantic.embed([split.queries[q] for q in ids])
    assert vectors is not None
    cands, relevant = [], []
    for q, u in zip(ids, vectors, strict=True):
        near = np.argsort(-(retriever.vectors @ u))[:CANDIDATES].tolist()
        pool = sorted(set(near) | split.relevant[q])
        cands.append(np.array(pool))
        relevant.append(np.array([i in split.relevant[q] for i in pool]))
    return np.asarray(vectors, dtype=np.float64), cands, relevant


def fit(
    problems: list[tuple[np.ndarray, np.ndarray, list[np.ndarray], list[np.ndarray]]],
    l2: float,
) -> np.ndarray:
    """problems: (the collection's vectors, query vectors, candidates, relevance) per lab."""
    dim = semantic.DIM
    total = sum(len(p[1]) for p in problems)

    def loss(flat: np.ndarray) -> tuple[float, np.ndarray]:
        w = flat.reshape(dim, dim)
        grad = 2.0 * l2 * (w - np.eye(dim)) * total
        value = l2 * float(np.sum((w - np.eye(dim)) ** 2)) * total
        for collection, queries, cands, relevant in problems:
            z = queries @ w.T
            norms = np.linalg.norm(z, axis=1, keepdims=True)
            zhat = z / norms
            for k in range(len(queries)):
                v = collection[cands[k]]
                s = SCALE * (v @ zhat[k])
                s -= s.max()
                p = np.exp(s)
                p /= p.sum()
                mask = relevant[k]
                share = p[mask].sum()
                value -= float(np.log(share))
                g = p - np.where(mask, p / share, 0.0)
                a = SCALE * (g @ v)
                dz = (a - (a @ zhat[k]) * zhat[k]) / norms[k, 0]
                grad += np.outer(dz, queries[k])
        return value / total, (grad / total).ravel()

    start = np.eye(dim).ravel()
    found = minimize(loss, start, jac=True, method="L-BFGS-B", options={"maxiter": 200})
    fitted: np.ndarray = found.x.reshape(dim, dim).astype(np.float32)
    return fitted


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--l2", type=float, action="append", help="pull towards the identity")
    parser.add_argument("--save", action="store_true", help="write the (single) fitted map")
    args = parser.parse_args(argv)
    labs = []
    for root, loader in ((fr.DATA, fr.load), (fr.DEBATES, fr.load_debates)):
        collection, splits = loader(root)
        labs.append((fr.Retriever(collection, root), splits))
    problems = []
    for retriever, splits in labs:
        queries, cands, relevant = _problem(retriever, splits["train"])
        problems.append((retriever.vectors.astype(np.float64), queries, cands, relevant))
    for l2 in args.l2 or [1.0, 0.1, 0.01]:
        # The match model is refitted on cosines the map gives queries it was not fitted on
        # (five folds of train), as it will meet new claims.
        held: list[np.ndarray] = [np.zeros_like(p[1], dtype=np.float32) for p in problems]
        for fold in range(FOLDS):
            part = [
                (
                    c,
                    q[keep],
                    [x for k, x in enumerate(cs) if keep[k]],
                    [x for k, x in enumerate(r) if keep[k]],
                )
                for c, q, cs, r in problems
                for keep in [np.arange(len(q)) % FOLDS != fold]
            ]
            w = fit(part, l2)
            for n, (_, q, _, _) in enumerate(problems):
                out = np.arange(len(q)) % FOLDS == fold
                held[n][out] = fr.adapted(q[out], w)
        weights = fr.fit([(r, splits["train"]) for r, splits in labs], held)
        w = fit(problems, l2)
        print(f"--l2 {l2}: |W - I| = {np.linalg.norm(w - np.eye(semantic.DIM)):.2f}")
        if args.save:
            np.save(SAVED, w)
            digest = hashlib.sha256(SAVED.read_bytes()).hexdigest()
            print(f"saved {SAVED}, sha256 {digest}")
        for (retriever, splits), name in zip(labs, ("tweets", "debates"), strict=True):
            retriever.weights = weights
            fr.evaluate(retriever, splits["dev"], f"{name}, dev, l2 {l2}", adapter=w)


if __name__ == "__main__":
    main()
