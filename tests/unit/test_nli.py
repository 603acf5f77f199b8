"""The NLI head (service/linking/nli.py): its weights are checked before use, its inference is
deterministic and symmetric, and the relation rules it feeds, on sentences written for these
tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from service.linking import nli, semantic
from service.linking.features import features
from service.linking.scoring import NLI_CONFLICT, _evidence, score_pair
from tests.conftest import requires_model


def _vectors(*texts: str) -> np.ndarray:  # type: ignore[type-arg]
    found = semantic.embed(list(texts))
    assert found is not None, "make install puts the model package in the venv"
    return found


def test_the_shipped_weights_match_their_hash_and_are_small() -> None:
    assert nli.sha256_of(nli.WEIGHTS_FILE) == nli.WEIGHTS_SHA256
    assert nli.WEIGHTS_FILE.stat().st_size < 20 * 1024 * 1024
    head = nli.load()
    assert head.w1.shape[0] == 4 * semantic.DIM
    assert head.w2.shape[1] == len(nli.LABELS)


def test_a_changed_weights_file_is_refused(tmp_path: Path) -> None:
    copy = tmp_path / "nli_head.npz"
    shutil.copy(nli.WEIGHTS_FILE, copy)
    data = bytearray(copy.read_bytes())
    data[len(data) // 2] ^= 0xFF
    copy.write_bytes(bytes(data))
    with pytest.raises(nli.ModelIntegrityError, match="sha256"):
        nli.load(copy)
    with pytest.raises(nli.ModelIntegrityError):
        nli.load(nli.WEIGHTS_FILE, sha256="0" * 64)


def test_inference_is_deterministic_symmetric_and_a_distribution() -> None:
    rng = np.random.default_rng(7)
    u = rng.normal(size=(5, semantic.DIM)).astype(np.float32)
    v = rng.normal(size=(5, semantic.DIM)).astype(np.float32)
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    head = nli.head()
    first = head.symmetric(u, v)
    assert np.array_equal(first, head.symmetric(u, v))
    assert np.allclose(first, head.symmetric(v, u), atol=1e-6)
    # The split first layer computes the same function as two directional passes.
    assert np.allclose(first, (head.predict(u, v) + head.predict(v, u)) / 2, atol=1e-5)
    assert np.allclose(first.sum(axis=1), 1.0, atol=1e-5)
    assert (first >= 0).all()
    # One claim against many candidates broadcasts to what the repeated rows give.
    one = head.symmetric(u[0], v)
    assert one.shape == (5, 3)
    assert np.allclose(one, head.symmetric(np.repeat(u[:1], 5, axis=0), v), atol=1e-6)


@requires_model
def test_a_paraphrase_reads_as_entailment() -> None:
    a, b = _vectors(
        "The council approved the stadium budget on Monday.",
        "On Monday the stadium budget passed the council.",
    )
    probabilities = nli.head().symmetric(a, b)[0]
    assert nli.LABELS[int(probabilities.argmax())] == "entailment"


@requires_model
def test_a_contradiction_in_other_words_is_suggested_as_a_conflict() -> None:
    """No rule sees it (no shared negated word, no number, no opposed verb pair): the head
    does, and the pair is close enough in meaning for it to count."""
    texts = (
        "The ferry service will resume in April after repairs.",
        "Ferries will not run again this year, the operator said.",
    )
    va, vb = _vectors(*texts)
    a = features(1, 1, None, texts[0], va)
    b = features(2, 2, None, texts[1], vb)
    scored = score_pair(a, b)
    assert scored.reasons["inference"]["contradiction"] >= NLI_CONFLICT
    assert scored.relation == "conflicts"
    assert scored.possible_conflict
    assert scored.reasons["conflict_signals"][0].startswith("inference: contradiction")


def test_a_contradiction_between_unrelated_claims_is_not_a_conflict() -> None:
    """The same probabilities given for two claims about different things (orthogonal
    vectors, no shared word): the head's contradiction does not make them a conflict."""
    va = np.zeros(semantic.DIM, dtype=np.float32)
    vb = np.zeros(semantic.DIM, dtype=np.float32)
    va[0], vb[1] = 1.0, 1.0
    a = features(1, 1, None, "The mayor opened a library in the harbour district.", va)
    b = features(2, 2, None, "Grain prices climbed on the commodity exchange.", vb)
    inferred = np.array([0.05, 0.9, 0.05], dtype=np.float32)
    assert score_pair(a, b, inferred=inferred).relation != "conflicts"
    # Related claims with those probabilities are.
    vb = va.copy()
    c = features(
        3, 3, None, "The harbour district library stayed shut all year, the mayor said.", vb
    )
    assert score_pair(a, c, inferred=inferred).relation == "conflicts"
    # Two claims about one person, but about different things she did: a shared name is not
    # enough for the head's contradiction to count (orthogonal vectors again).
    vb = np.roll(va, 1)
    d = features(
        4, 4, None, "Ingrid Solberg opened a new public library in the old harbour district.", va
    )
    e = features(
        5, 5, None, "Ingrid Solberg sold her family grain shipments on the commodity exchange.", vb
    )
    assert _evidence(d, e, None).related  # a shared name and some words
    assert score_pair(d, e, inferred=inferred).relation != "conflicts"


def test_the_shipped_test_split_is_whole_and_labelled() -> None:
    # make eval measures the head on this file on any machine (evals/train_nli.py): the
    # split sizes are those of its docstring's split (SNLI test, second half of MultiNLI's
    # mismatched dev), every label one of the head's, every pair two non-empty sentences.
    from evals.train_nli import shipped_test

    found = shipped_test()
    assert {name: len(p.labels) for name, p in found.items()} == {
        "test (SNLI)": 9824,
        "test (MultiNLI mismatched)": 4916,
    }
    for pairs in found.values():
        assert set(pairs.labels.tolist()) == {0, 1, 2}
        assert all(
            p.strip() and h.strip() for p, h in zip(pairs.premises, pairs.hypotheses, strict=True)
        )
