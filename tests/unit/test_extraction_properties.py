"""Properties that hold for any text: extraction never fails, and spans are always exact."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from service.extraction import DocumentContext, extract
from service.linking.features import features
from service.linking.scoring import score_pair

PIECES = st.sampled_from(
    [
        "The",
        "mayor",
        "Tomas",
        "Berg",
        "said",
        "told",
        "according to",
        "people familiar with",
        "$4.4 billion",
        "12%",
        "on Monday",
        "March 18th",
        "in 2023",
        "U.S.",
        "Dr.",
        "denied",
        '"',
        "“",
        "”",
        "‘",
        "’",
        "'",
        ",",
        ".",
        "?",
        "!",
        ":",
        ";",
        "—",
        "(",
        ")",
        "\n",
        "\n\n",
        "  ",
        "- ",
        "Disclaimer:",
        "Sign up",
        "é",
        "🙂",
        "\t",
        "he",
        "she",
        "…",
    ]
)
TEXTS = st.lists(PIECES, max_size=80).map(" ".join) | st.text(max_size=400)
CONTEXTS = st.sampled_from(
    [
        DocumentContext(),
        DocumentContext(published_on=date(2024, 6, 12), author="Mia Lund", outlet="Gazette"),
        DocumentContext(kind="transcript"),
        DocumentContext(kind="blog", author="Ola Dahl"),
    ]
)


@settings(max_examples=300, deadline=None)
@given(body=TEXTS, context=CONTEXTS)
def test_extraction_never_fails_and_every_span_is_exact(
    body: str, context: DocumentContext
) -> None:
    previous_end = 0
    for c in extract(body, context):
        assert 0 <= c.start < c.end <= len(body)
        assert body[c.start : c.end] == c.text
        assert c.text.strip() == c.text
        assert c.start >= previous_end  # in reading order, never overlapping
        previous_end = c.end
        assert 0.0 <= c.checkworthiness <= 1.0


@settings(max_examples=200, deadline=None)
@given(a=TEXTS, b=TEXTS)
def test_pair_scores_are_symmetric_and_bounded(a: str, b: str) -> None:
    fa, fb = features(1, 1, None, a), features(2, 2, None, b)
    ab, ba = score_pair(fa, fb), score_pair(fb, fa)
    assert 0.0 <= ab.score <= 1.0
    assert ab.score == ba.score
    assert ab.relation == ba.relation
