"""The learnt check-worthiness head (service/extraction/checkworthy.py): its weights are checked
before use, its inference is deterministic, and the parse path scores with it, on sentences
written for these tests."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from service.extraction import CHECKWORTHY, LINKABLE, DocumentContext, checkworthy, extract
from service.extraction.scoring import FEATURES, QUESTION_CAP, probability
from service.linking import semantic
from service.linking.nli import ModelIntegrityError, sha256_of
from tests.conftest import requires_model

NEWS = DocumentContext(published_on=date(2024, 6, 12), outlet="Harbour Gazette", author="Mia Lund")


def test_the_shipped_weights_match_their_hash_are_small_and_name_the_parse_features() -> None:
    assert sha256_of(checkworthy.WEIGHTS_FILE) == checkworthy.WEIGHTS_SHA256
    assert checkworthy.WEIGHTS_FILE.stat().st_size < 64 * 1024
    head = checkworthy.load()
    assert head.w_features.shape == (len(FEATURES),)
    assert head.w_vector.shape == (semantic.DIM,)


def test_a_changed_weights_file_is_refused(tmp_path: Path) -> None:
    copy = tmp_path / "checkworthy_head.npz"
    shutil.copy(checkworthy.WEIGHTS_FILE, copy)
    data = bytearray(copy.read_bytes())
    data[len(data) // 2] ^= 0xFF
    copy.write_bytes(bytes(data))
    with pytest.raises(ModelIntegrityError, match="sha256"):
        checkworthy.load(copy, sha256=checkworthy.WEIGHTS_SHA256)
    with pytest.raises(ModelIntegrityError):
        checkworthy.load(checkworthy.WEIGHTS_FILE, sha256="0" * 64)


def test_weights_for_other_features_are_refused(tmp_path: Path) -> None:
    head = checkworthy.load()
    other = tmp_path / "other.npz"
    np.savez(
        other,
        features=np.array(list(reversed(FEATURES))),
        w_features=head.w_features,
        w_vector=head.w_vector,
        bias=np.array([head.bias], dtype=np.float32),
    )
    with pytest.raises(ModelIntegrityError, match="features"):
        checkworthy.load(other, sha256=sha256_of(other))


def test_inference_is_deterministic_and_a_probability() -> None:
    rng = np.random.default_rng(11)
    features = rng.integers(0, 2, size=(6, len(FEATURES))).astype(np.float32)
    vectors = rng.normal(size=(6, semantic.DIM)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    head = checkworthy.head()
    first = head.probabilities(features, vectors)
    assert np.array_equal(first, head.probabilities(features, vectors))
    assert ((first > 0) & (first < 1)).all()
    # Row by row gives what the batch gives: a sentence's score is its own.
    for i in range(6):
        assert np.allclose(head.probabilities(features[i : i + 1], vectors[i : i + 1]), first[i])


@requires_model
def test_the_parse_path_scores_with_the_head_and_keeps_each_vector() -> None:
    body = (
        "The port authority said on Monday that cargo volumes fell 12 percent in 2023. "
        "What a lovely morning it was at the harbour."
    )
    found = extract(body, NEWS)
    assert len(found) == 2
    for c in found:
        assert c.vector is not None
        assert c.vector.shape == (semantic.DIM,)
        values = np.array([[c.features[k] for k in FEATURES]], dtype=np.float32)
        expected = checkworthy.head().probabilities(values, c.vector.reshape(1, -1))[0]
        assert c.checkworthiness == round(float(expected), 3)  # as it is stored
        # Not the parse-only weights' score.
        assert c.checkworthiness != pytest.approx(probability(c.features))
    figure, mood = found
    assert figure.checkworthiness >= CHECKWORTHY > mood.checkworthiness
    # The reasons say when the wording, beyond the features, moved the score.
    head = checkworthy.head()
    for c in found:
        worded = float(head.wording(c.vector.reshape(1, -1))[0])
        said = [r for r in c.reasons if r.startswith("worded like")]
        assert bool(said) == (abs(worded) >= checkworthy.WORDING_SAYS)
    # The vector is the one ingest stores for the claim: the same as encoding it alone.
    alone = semantic.embed([figure.text])
    assert alone is not None
    assert np.allclose(alone[0], figure.vector, atol=1e-5)


@requires_model
def test_a_question_stays_under_the_bar_whatever_the_head_says() -> None:
    found = extract("Did the port authority cut 4,000 jobs in Oslo and Bergen in 2023?", NEWS)
    assert found
    assert all(c.checkworthiness <= QUESTION_CAP for c in found)
    # ... and out of the link queue: a question asserts nothing to link.
    assert QUESTION_CAP < LINKABLE


@requires_model
@pytest.mark.parametrize(
    ("sentence", "asserts_nothing"),
    [
        ("For more information, contact Jane Doe at 555-0100 or jane.doe@example.org.", True),
        ("Media contact: Ana Berg, press officer, +47 22 33 44 55.", True),
        ("Call the hotline on 0800 123 4567 for help.", True),
        ("This article was updated on March 3, 2024 to correct the name of the port.", True),
        # Figures, dates and the word "call" in a claim are no contact details.
        ("The council will call a vote on 2024-03-12 on the budget.", False),
        ("Police said they received 1,250,000 calls in 2023.", False),
        # A report the story is about is not the page itself.
        ("The report was published on Monday and found 40 percent of piers unsafe.", False),
    ],
)
def test_contact_details_and_the_page_speaking_of_itself_stay_under_the_bars(
    sentence: str, asserts_nothing: bool
) -> None:
    (found,) = extract(sentence, NEWS)
    assert (found.checkworthiness <= QUESTION_CAP) == asserts_nothing
