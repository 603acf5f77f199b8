"""The fact-check match model, on pairs written for these tests: closeness in time weighs
beside the words, an undated pair is judged by its text alone, and the reasons say how far
apart the two statements were made."""

from __future__ import annotations

from datetime import date

from service.factchecks import matching

CLAIM = "The harbour tunnel will cost the county 310 million dollars to finish."
CHECK = "The harbour tunnel will cost the county 310 million dollars, the mayor said."


def _score(days: int | None) -> float:
    claim_words, check_words = matching.words(CLAIM), matching.words(CHECK)
    return matching.confidence(matching.features(0.8, claim_words, check_words, days))


def test_days_apart_needs_both_dates_and_ignores_order() -> None:
    assert matching.days_apart(date(2024, 3, 1), date(2024, 3, 4)) == 3
    assert matching.days_apart(date(2024, 3, 4), date(2024, 3, 1)) == 3
    assert matching.days_apart(None, date(2024, 3, 1)) is None
    assert matching.days_apart(date(2024, 3, 1), None) is None


def test_closeness_falls_with_time_and_stops_at_the_horizon() -> None:
    values = [matching.closeness(d) for d in (0, 1, 7, 30, 365, 3650, 20000)]
    assert values[0] == 1.0
    assert values == sorted(values, reverse=True)
    assert values[-2] == values[-1] == 0.0


def test_the_same_words_said_the_same_week_outrank_the_same_words_years_apart() -> None:
    same_week, undated, years_apart = _score(2), _score(None), _score(8 * 365)
    assert same_week > undated > years_apart
    # The words still count: a close date does not make an unrelated statement a match.
    unrelated = matching.confidence(
        matching.features(
            0.1, matching.words(CLAIM), matching.words("The choir sang at the fair."), 0
        )
    )
    assert unrelated < matching.SHOW


def test_undated_pairs_have_no_time_features() -> None:
    found = matching.features(0.5, frozenset({"tunnel"}), frozenset({"tunnel"}))
    assert (found.dated, found.closeness) == (0.0, 0.0)
    assert (
        matching.reasons(found, frozenset({"tunnel"}), frozenset({"tunnel"}))["days_apart"] is None
    )
