"""evals/link_agreement.py scores a second annotation against the gold as it scores stored
suggestions: precision over the other's links, recall over the gold's, and relation agreement
only on the links both hold."""

from __future__ import annotations

from evals.link_agreement import agreement


def test_agreement_counts_precision_recall_and_relation_on_shared_links() -> None:
    gold = {
        frozenset((1, 2)): "same_claim",
        frozenset((3, 4)): "corroborates",
        frozenset((5, 6)): "conflicts",
        frozenset((7, 8)): "corroborates",
    }
    other = {
        frozenset((2, 1)): "same_claim",  # the same pair, the other way round
        frozenset((3, 4)): "same_claim",  # found, relation differs
        frozenset((9, 10)): "corroborates",  # not in the gold
    }
    precision, recall, relation = agreement(gold, other)
    assert (precision, recall, relation) == (2 / 3, 2 / 4, 1 / 2)


def test_agreement_with_nothing_to_compare_is_zero_not_a_division_error() -> None:
    assert agreement({}, {}) == (0.0, 0.0, 0.0)
    assert agreement({frozenset((1, 2)): "conflicts"}, {}) == (0.0, 0.0, 0.0)
