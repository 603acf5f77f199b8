"""The NumPy sentence encoder and how closeness in meaning enters pair scoring."""

from __future__ import annotations

import numpy as np
import pytest

from service.linking import semantic
from service.linking.features import features
from service.linking.scoring import rank, score_pair
from tests.conftest import requires_model


def vec(text: str) -> np.ndarray:  # type: ignore[type-arg]
    vectors = semantic.embed([text])
    assert vectors is not None, "make install puts the model package in the venv"
    return vectors[0]


@requires_model
def test_the_encoder_reproduces_the_reference_model() -> None:
    # sentence-transformers' all-MiniLM-L6-v2 gives 0.7553 for this pair (its model card's
    # example sentences); a wrong layer, pooling or tokenizer setting moves it by far more.
    a, b = vec("A man is eating food."), vec("A man is eating a piece of bread.")
    assert float(a @ b) == pytest.approx(0.7553, abs=2e-3)
    assert float(np.linalg.norm(a)) == pytest.approx(1.0, abs=1e-5)


@requires_model
def test_vectors_do_not_depend_on_the_batch_they_are_computed_in() -> None:
    texts = ["Short one.", "A much longer sentence about the harbour and its ferries, padded."]
    together = semantic.embed(texts)
    assert together is not None
    assert np.allclose(together[0], vec(texts[0]), atol=1e-5)
    stored = semantic.from_bytes(semantic.to_bytes(together[1]))
    assert np.allclose(stored, together[1], atol=1e-3)


@requires_model
def test_token_vectors_come_with_their_spans_and_do_not_depend_on_the_batch() -> None:
    # Longest first and more texts than a batch holds: the encoder sorts them by length and
    # runs several batches, and each text must get its own rows back, in the given order.
    long = " ".join(["The harbour levy doubles the fee for every cruise passenger."] * 40)
    texts = [long, "The harbour levy, approved on Tuesday, doubles the fee.", "Ferries stopped."]
    texts += [f"Ferry {n} left the harbour at {n} o'clock." for n in range(semantic.BATCH + 3)]
    together = semantic.token_vectors(texts)
    assert together is not None
    for text, (offsets, matrix) in zip(texts, together, strict=True):
        alone = semantic.token_vectors([text])
        assert alone is not None
        assert np.allclose(alone[0][1], matrix, atol=1e-5)
        # One row per word piece between [CLS] and [SEP], each with its span in the text.
        assert matrix.shape == (len(offsets), semantic.DIM)
        assert all(text[a:b].strip() for a, b in offsets)
    # Truncated as the sentence vector is: MAX_TOKENS with [CLS] and [SEP].
    assert len(together[0][0]) == semantic.MAX_TOKENS - 2
    offsets, _ = together[1]
    assert [texts[1][a:b] for a, b in offsets[:3]] == ["The", "harbour", "levy"]


def test_batches_keep_their_padded_size_under_the_token_budget() -> None:
    budget, most = semantic.BATCH_TOKENS, semantic.BATCH
    lengths = sorted([5] * 40 + [12] * 30 + [40] * 9 + [300])  # one over the budget alone
    found = semantic.batches(lengths)
    assert [i for chunk in found for i in chunk] == list(range(len(lengths)))
    for chunk in found:
        padded = len(chunk) * lengths[chunk[-1]]
        assert len(chunk) == 1 or (padded <= budget and len(chunk) <= most)
    assert next(len(c) for c in found if lengths[c[0]] == 5) == most  # short: BATCH a time
    assert found[-1] == range(len(lengths) - 1, len(lengths))  # the long one on its own
    assert semantic.batches([]) == []


@requires_model
def test_many_texts_in_many_batches_get_the_vectors_each_gets_alone() -> None:
    texts = [f"The ferry from pier {i} carried {i * 7} passengers on Monday." for i in range(40)]
    texts += ["A far longer sentence, " + "with clause after clause, " * 12 + "ends here."]
    together = semantic.embed(texts)
    assert together is not None
    for i in (0, 17, 39, 40):
        assert np.allclose(together[i], vec(texts[i]), atol=1e-5)


@requires_model
def test_claims_that_share_no_word_are_found_by_meaning() -> None:
    target = "The city council voted to shut the Nordhavn ferry route next spring."
    paraphrase = (
        "Boats between the two harbours will stop running after the winter, officials decided."
    )
    unrelated = "The football club signed a new goalkeeper from Lisbon on Tuesday."
    a = features(1, 1, None, target, vec(target))
    b = features(2, 2, None, paraphrase, vec(paraphrase))
    c = features(3, 3, None, unrelated, vec(unrelated))
    assert not (a.words & b.words)
    near, far = score_pair(a, b), score_pair(a, c)
    assert near.reasons["meaning_similarity"] > far.reasons["meaning_similarity"] + 0.2
    assert [s.claim_b_id for s in rank(a, [b, c])] == [2]
    # Without vectors the same pair shares nothing and is not suggested.
    plain = [features(x.claim_id, x.document_id, None, x.text) for x in (a, b, c)]
    assert rank(plain[0], plain[1:]) == []


@requires_model
def test_a_denial_of_a_claim_close_in_meaning_is_a_possible_conflict() -> None:
    a_text = "The ministry approved the export licence for the turbines in March."
    b_text = "Officials say no permit to sell the turbines abroad was ever granted."
    a = features(1, 1, None, a_text, vec(a_text))
    b = features(2, 2, None, b_text, vec(b_text))
    s = score_pair(a, b)
    assert s.reasons["meaning_similarity"] >= 0.5
    assert s.possible_conflict
    # Said in other words: the rare word both hold is what the signal names.
    assert "negation or denial on one side: turbines" in s.reasons["conflict_signals"]


def test_scoring_extraction_and_report_shaping_stay_pure() -> None:
    """Pure logic imports neither Flask nor SQLAlchemy (checked in a fresh interpreter)."""
    import subprocess
    import sys

    modules = [
        "service.extraction",
        "service.linking.features",
        "service.linking.scoring",
        "service.linking.semantic",
        "service.reports.shape",
        "service.reports.render",
    ]
    code = (
        f"import sys; import {', '.join(modules)}; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('flask', 'sqlalchemy')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_without_the_model_suggestions_fall_back_to_word_overlap(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(semantic, "_encoder", None)
    monkeypatch.setattr(semantic, "_encoder_missing", True)
    assert semantic.embed(["anything"]) is None
    assert semantic.stored_vectors(["a", "b"]) == [None, None]
    a = features(1, 1, None, "The Nordhavn ferry carried 1.2 million passengers in 2023.")
    b = features(2, 2, None, "The Nordhavn ferry carried 800,000 passengers in 2023.")
    (only,) = rank(a, [b])
    assert only.possible_conflict
    assert "meaning_similarity" not in only.reasons


@requires_model
def test_ranking_asks_the_head_only_where_it_can_matter_and_finds_the_same_top() -> None:
    # rank() skips the NLI head for candidates whose best case cannot reach the floor or the
    # top; it must return exactly what scoring every candidate returns, whatever `top`.
    lines = [
        "The council approved the new harbour bridge on Tuesday after a long debate.",
        "Councillors voted to build a bridge across the harbour this week.",
        "The harbour bridge will cost 40 million euros, the council said.",
        "The council rejected the harbour bridge plan on Tuesday.",
        "A bridge over the harbour was approved by the city council.",
        "Ferry operators said the bridge would cut their passenger numbers.",
        "The mayor did not attend the vote on the harbour bridge.",
        "Fishing boats will still reach the inner harbour under the bridge.",
        "Local shops reported record sales over the holiday weekend.",
        "The weather service expects heavy rain on Thursday.",
        "The football club signed a new striker from Lisbon.",
        "Construction of the bridge is due to start next spring.",
        "Residents near the harbour complained about noise from the works.",
        "The bridge will carry cyclists and pedestrians, not cars.",
        "Tuesday's vote ended a decade of argument over a fixed crossing.",
    ]
    vectors = semantic.embed(lines)
    assert vectors is not None
    target = features(0, 1, None, lines[0], vectors[0])
    others = [features(i, 2 + i % 3, None, t, vectors[i]) for i, t in enumerate(lines) if i]
    every = sorted(
        (score_pair(target, c) for c in others),
        key=lambda s: (-s.score, s.claim_a_id, s.claim_b_id),
    )
    for top in (1, 3, 5, 20):
        for floor in (0.003, 0.05, 0.2):
            expected = [(s.claim_b_id, s.score, s.relation) for s in every if s.score >= floor]
            found = [(s.claim_b_id, s.score, s.relation) for s in rank(target, others, top, floor)]
            assert found == expected[:top], (top, floor)
