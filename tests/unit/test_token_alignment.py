"""The word-by-word alignment of evals/token_alignment.py (an experiment the service does not
use), on sentences written for these tests."""

from __future__ import annotations

import pytest

from evals.token_alignment import TokenVectors, aligned, idf
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


@requires_model
def test_each_piece_weighs_as_its_word_counts_and_scraps_weigh_nothing() -> None:
    text = "O'Brien's firm wasn't paid £5.2m by U.S. regulators, officials said."
    encoded = semantic.token_vectors([text])
    assert encoded is not None
    offsets, matrix = encoded[0]
    found = TokenVectors.of(text, offsets, matrix)
    by_piece = dict(zip((text[a:b] for a, b in offsets), found.stems, strict=False))
    # A name with an apostrophe is one word in all its pieces; its possessive "'s" is not.
    assert [found.stems[i] for i in range(3)] == ["o'brien"] * 3
    assert found.stems[3:5] == ("", "")
    # The stems ClaimFeatures.words holds: numbers, two-letter scraps ("U.S.") and stopwords
    # ("said") weigh nothing; a contraction has a stem but no weight (idf).
    assert by_piece["firm"] == "firm"
    assert by_piece["regulators"] == "regul"
    assert [by_piece[p] for p in ("said", "U", "S", "£5")] == ["", "", "", ""]
    rarity = Rarity.of(
        [features(0, 0, None, text)] + [features(i, i, None, t) for i, t in enumerate(TEXTS, 1)]
    )
    assert idf(rarity, "wasn't") == 0.0
    assert idf(rarity, "firm") > 0
    assert found.matrix.shape == (len(offsets), semantic.DIM)


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


@requires_model
def test_the_input_table_variant_gives_the_same_pieces_out_of_context() -> None:
    from evals.token_alignment import static_vectors

    in_context = semantic.token_vectors(TEXTS)
    assert in_context is not None
    table = static_vectors(TEXTS)
    for (offsets, matrix), (table_offsets, rows) in zip(in_context, table, strict=True):
        # The same pieces at the same places; only what each piece's vector has read differs.
        assert table_offsets == offsets
        assert rows.shape == matrix.shape

    def port(i: int) -> object:
        """The unit vector of the piece "port" in TEXTS[i]."""
        start = TEXTS[i].index("port")
        row = next(k for k, (a, _) in enumerate(table[i][0]) if a == start)
        return TokenVectors.of(TEXTS[i], *table[i]).matrix[row]

    # Out of context, a word's piece is the same vector in every sentence that holds it.
    assert port(0) @ port(2) == pytest.approx(1.0, abs=1e-5)
