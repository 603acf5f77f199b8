"""The word-by-word alignment of evals/token_alignment.py (an experiment the service does not
use), on sentences written for these tests."""

from __future__ import annotations

import pytest

from evals.token_alignment import TokenVectors, aligned
from service.linking import semantic
from service.linking.features import features
from service.linking.scoring import Rarity
from tests.conftest import requires_model

TEXTS = [
    "The port authority approved a levy on cruise passengers in March.",
    "In March the harbour board signed off on a charge for cruise travellers.",
    "The port authority will publish its annual accounts next week.",
    "Ferries stopped running after the storm.",
]


def _tokens() -> list[TokenVectors]:
    encoded = semantic.token_vectors(TEXTS)
    assert encoded is not None, "make install puts the model package in the venv"
    return [TokenVectors.of(t, *e) for t, e in zip(TEXTS, encoded, strict=True)]


def test_pieces_of_function_words_punctuation_and_possessives_weigh_nothing() -> None:
    pieces = [(0, 3), (4, 8), (8, 10), (11, 16), (16, 17)]  # The / port / 's / ferry / .
    found = TokenVectors.of("The port's ferry.", pieces, [[1.0, 0.0]] * len(pieces))
    assert found.stems == ("", "port", "", "ferri", "")


@requires_model
def test_a_restatement_aligns_better_than_a_claim_on_the_same_subject() -> None:
    tokens = _tokens()
    rarity = Rarity.of(features(i, i, None, t) for i, t in enumerate(TEXTS))
    assert aligned(tokens[0], tokens[0], rarity) == pytest.approx(1.0, abs=1e-5)
    restated = aligned(tokens[0], tokens[1], rarity)
    same_subject = aligned(tokens[0], tokens[2], rarity)
    unrelated = aligned(tokens[0], tokens[3], rarity)
    assert restated > same_subject > unrelated
    assert aligned(tokens[1], tokens[0], rarity) == pytest.approx(restated, abs=1e-6)
