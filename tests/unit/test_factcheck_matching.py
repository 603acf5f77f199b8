"""The fact-check match model, on pairs written for these tests: closeness in time weighs
beside the words, an undated pair is judged by its text alone, and the reasons say how far
apart the two statements were made."""

from __future__ import annotations

from datetime import date

from service.factchecks import claimreview, matching

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
        matching.reasons(found, "tunnel", frozenset({"tunnel"}), frozenset({"tunnel"}))[
            "days_apart"
        ]
        is None
    )


# Ranking by words: BM25 over plain tokens, relative to the claim's best candidate.
COUNTS = matching.TermCounts(
    1000, {"the": 990, "of": 950, "county": 300, "tunnel": 4, "harbour": 6, "cost": 80}
)


def test_tokens_keep_stopwords_and_numbers_in_lower_case() -> None:
    assert matching.tokens("The tunnel's cost: 310 Million.") == [
        "the",
        "tunnel",
        "s",
        "cost",
        "310",
        "million",
    ]


def test_a_word_most_documents_hold_weighs_little_and_never_below_zero() -> None:
    idf = [COUNTS.idf(w) for w in ("tunnel", "county", "the", "unseen")]
    assert COUNTS.idf("unseen") > COUNTS.idf("tunnel") > COUNTS.idf("county") > COUNTS.idf("the")
    assert min(idf) > 0
    # Counts off by a few (a stale table) never make the weight negative.
    assert matching.TermCounts(10, {"the": 12}).idf("the") > 0


def test_a_check_sharing_the_claims_rare_words_ranks_above_one_sharing_common_ones() -> None:
    claim = matching.tokens("The harbour tunnel cost of the county")
    rare = matching.tokens("Harbour tunnel overruns")
    common = matching.tokens("The county of the lakes")
    ranks = matching.word_ranks(claim, [common, rare], COUNTS)
    assert ranks[1] == 1.0
    assert 0 < ranks[0] < 0.5


def test_ranks_are_zero_when_no_candidate_shares_a_word() -> None:
    claim = matching.tokens("Harbour tunnel")
    assert matching.word_ranks(claim, [["choir"], []], COUNTS) == [0.0, 0.0]
    assert matching.word_ranks(claim, [], COUNTS) == []


def test_the_best_by_words_is_more_likely_a_match_and_the_reasons_say_so() -> None:
    claim_words, check_words = matching.words(CLAIM), matching.words(CHECK)
    best = matching.features(0.8, claim_words, check_words, None, 1.0)
    weak = matching.features(0.8, claim_words, check_words, None, 0.2)
    assert matching.confidence(best) > matching.confidence(weak)
    assert matching.reasons(best, CLAIM, claim_words, check_words)["word_rank"] == 1.0


# The review article's opening: read from the page, ranked by the claim's words.
ARTICLE_PAGE = """<html><head><title>Tunnel check</title></head><body>
<nav><a href="/">Home</a> <a href="/about">About us</a></nav>
<article><h1>Will the tunnel cost 310 million?</h1>
<p>At a county meeting on Monday, the mayor told residents that the harbour tunnel would
cost the county 310 million dollars to finish, and that the ferry subsidy would end.</p>
<p>We asked the county's finance office for the contract. Its figures show a total of 212
million dollars, of which the state pays a third under a grant signed in 2023.</p>
<p>The ferry subsidy is set by the state, not by the county, and runs until 2031.</p>
</article><footer>Copyright Lakeport Checks. Subscribe to our newsletter.</footer>
</body></html>"""


def test_the_page_body_is_the_article_opening_without_navigation() -> None:
    body = claimreview.page_body(ARTICLE_PAGE)
    assert body is not None
    assert "ferry subsidy would end" in body
    assert "Subscribe to our newsletter" not in body
    assert "About us" not in body
    assert "\n" not in body  # whitespace folded: the same text however the page wraps it
    long = ARTICLE_PAGE.replace("</article>", "<p>" + "More detail here. " * 400 + "</p></article>")
    assert len(claimreview.page_body(long) or "") == matching.BODY_CHARS


def test_a_page_without_an_article_gives_no_body() -> None:
    assert claimreview.page_body("<html><body></body></html>") is None


def test_without_an_article_there_is_nothing_to_rank() -> None:
    assert matching.body_text("a claim. a headline", None) is None
    assert matching.body_text("a claim", "") is None
    text = matching.body_text("a claim", "x" * (matching.BODY_CHARS + 50))
    assert text == "a claim " + "x" * matching.BODY_CHARS


def test_the_article_rank_is_a_feature_and_a_reason() -> None:
    claim_words, check_words = matching.words(CLAIM), matching.words(CHECK)
    plain = matching.features(0.5, claim_words, check_words, None, 0.5)
    with_article = matching.features(0.5, claim_words, check_words, None, 0.5, 1.0)
    assert plain.as_list()[-1] == 0.0
    assert with_article.as_list()[-1] == 1.0
    assert len(with_article.as_list()) == len(matching.WEIGHTS) - 1
    assert matching.reasons(with_article, CLAIM, claim_words, check_words)["article_rank"] == 1.0
    # An article the claim's words rank first makes the match likelier, all else equal.
    assert matching.confidence(with_article) > matching.confidence(plain)
