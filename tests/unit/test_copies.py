"""Syndicated-copy detection (service/copies/shingles.py), on stories written for the test."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from service.copies.shingles import (
    BANDS,
    COPY_MIN_CONTAINMENT,
    MIN_SHINGLES,
    band_keys,
    compare,
    shingles,
)

HEADLINE = "Lakeside dam repairs to cost twice the estimate, auditors find"
PARAGRAPHS = [
    "VARBERG, March 3 (Nordic Wire) - Repairs to the ageing Lakeside dam will cost the region "
    "about 310 million crowns, more than twice the figure given to councillors last spring, "
    "according to an audit published on Tuesday.",
    "The audit office said engineers had underestimated the damage to the spillway gates, "
    "which were installed in 1962 and have not been replaced since. Three of the eleven gates "
    "could not be opened fully during a test in November, the report said.",
    '"The numbers we were shown were a best case, and nobody told us so," said Karin Dahl, who '
    "chairs the regional finance committee. She said the council would ask the utility to "
    "explain why the earlier estimate left out the gates.",
    "The utility, Vastkraft, said in a statement that the first estimate covered only the "
    "concrete works and that a full survey of the gates had been planned from the start. It "
    "expects the work to take four years.",
    "Local farmers downstream have long complained about the state of the dam. A flood in 2019 "
    "damaged more than forty farms after the reservoir rose faster than the operators expected.",
    "The regional council will debate the audit at its meeting on March 19. Opposition members "
    "have called for an independent review of how the utility maintains its other dams.",
    "Reporting by Lena Holm; editing by Peter Sand",
]
ORIGINAL = "\n".join([HEADLINE, *PARAGRAPHS])

NEW_LEDE = (
    "Residents of the valley have waited years for a clear answer on the dam. This week they "
    "got one, and it was not cheap."
)

# Another outlet's own story on the same audit: the same names, figures and one quote, in its
# own words. A different story, not a copy.
OTHER_STORY = "\n".join(
    [
        "Audit doubles price of Lakeside dam fix",
        "Fixing the Lakeside dam will now cost roughly 310 million crowns, the regional audit "
        "office concluded this week, far above what Vastkraft had told the council a year ago.",
        "Karin Dahl, the finance committee chair, was blunt when we reached her by telephone on "
        'Tuesday evening. "The numbers we were shown were a best case, and nobody told us so," '
        "she said, adding that she wanted answers before the March 19 meeting.",
        "Our reporter visited the spillway on Wednesday. Rust streaks run down the old gates, and "
        "a maintenance worker who asked not to be named said parts for them are no longer made.",
        "Vastkraft did not return calls. Farmers near the river, who lost fields in the 2019 "
        "flood, said they had been warning officials about the dam for a decade and were tired "
        "of waiting for the authorities to act.",
        "The committee has asked for a second opinion from engineers at the technical university "
        "in Gothenburg before it approves any spending on the project.",
    ]
)


def test_a_reprint_with_a_new_lede_is_a_copy() -> None:
    reprint = "\n".join([HEADLINE, NEW_LEDE, *PARAGRAPHS])
    score = compare(shingles(ORIGINAL), shingles(reprint))
    assert score.is_copy
    # All but the shingles that ran from the headline into the first paragraph.
    assert score.containment > 0.95
    assert score.similarity < 0.9


def test_a_reprint_with_a_trimmed_ending_is_a_copy() -> None:
    trimmed = "\n".join([HEADLINE, *PARAGRAPHS[:4]])
    score = compare(shingles(ORIGINAL), shingles(trimmed))
    assert score.is_copy
    assert score.containment == 1.0
    assert 0.5 < score.similarity < 0.8


def test_a_reprint_under_a_new_headline_is_a_copy() -> None:
    retitled = "\n".join(["Dam bill soars: what the audit says", *PARAGRAPHS])
    score = compare(shingles(ORIGINAL), shingles(retitled))
    assert score.is_copy
    assert score.similarity > 0.9


def test_a_reprint_with_a_new_lede_a_trimmed_end_and_edits_is_a_copy_of_another_reprint() -> None:
    a = "\n".join(["Dam repairs to cost 310m", NEW_LEDE, *PARAGRAPHS[:5]])
    edited = PARAGRAPHS[1].replace("engineers", "surveyors").replace("eleven", "11")
    b = "\n".join([HEADLINE, "From our partners at Nordic Wire.", PARAGRAPHS[0], edited])
    b += "\n" + PARAGRAPHS[2] + "\n" + PARAGRAPHS[3]
    score = compare(shingles(a), shingles(b))
    assert score.is_copy
    assert score.containment >= COPY_MIN_CONTAINMENT


def test_a_different_story_on_the_same_topic_with_the_same_names_and_quote_is_not_a_copy() -> None:
    a, b = shingles(ORIGINAL), shingles(OTHER_STORY)
    assert len(a) >= MIN_SHINGLES
    assert len(b) >= MIN_SHINGLES
    score = compare(a, b)
    assert a & b  # they do share the quote
    assert not score.is_copy
    assert score.containment < 0.2


def test_short_texts_are_never_copies() -> None:
    quote = '"The numbers we were shown were a best case, and nobody told us so," Karin Dahl said.'
    one = quote + " The council meets on March 19."
    other = "Dam audit: " + quote + " Vastkraft declined to comment."
    assert not compare(shingles(one), shingles(other)).is_copy
    # Even word for word, a body too short to judge is not a copy, and it gets no band keys.
    assert len(shingles(one)) < MIN_SHINGLES
    assert not compare(shingles(one), shingles(one)).is_copy
    assert band_keys(shingles(one)) == []
    assert not compare(set(), set()).is_copy


def test_shingles_fold_case_punctuation_and_whitespace() -> None:
    assert shingles("“Dam”  repairs —\nwill cost MORE than, twice…") == shingles(
        '"dam" repairs - will cost more than twice'
    )
    assert shingles("Café owners said") == shingles("cafe owners said")
    assert shingles("only four words here") == set()


def test_compare_reports_jaccard_and_containment() -> None:
    a = {f"s{i}".encode() for i in range(100)}
    b = {f"s{i}".encode() for i in range(50, 250)}
    score = compare(a, b)
    assert score.similarity == pytest.approx(50 / 250)
    assert score.containment == pytest.approx(50 / 100)


def test_band_keys_are_signed_64_bit_and_one_per_band() -> None:
    keys = band_keys(shingles(ORIGINAL))
    assert [band for band, _ in keys] == list(range(BANDS))
    assert all(-(2**63) <= key < 2**63 for _, key in keys)
    assert len({key for _, key in keys}) == BANDS


def test_a_copy_pair_shares_a_band_key_and_different_stories_do_not() -> None:
    copy = "\n".join(["Dam bill soars", NEW_LEDE, *PARAGRAPHS[:4]])
    original_keys = set(band_keys(shingles(ORIGINAL)))
    assert original_keys & set(band_keys(shingles(copy)))
    assert not original_keys & set(band_keys(shingles(OTHER_STORY)))


def test_band_keys_are_the_same_in_another_process() -> None:
    script = (
        "import json, sys\n"
        "from service.copies.shingles import band_keys, shingles\n"
        "print(json.dumps(band_keys(shingles(sys.stdin.read()))))\n"
    )
    root = Path(__file__).resolve().parents[2]
    outputs = []
    for seed in ("1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(root)}
        done = subprocess.run(
            [sys.executable, "-c", script],
            input=ORIGINAL,
            capture_output=True,
            text=True,
            env=env,
            cwd=root,
            check=True,
        )
        outputs.append([tuple(pair) for pair in json.loads(done.stdout)])
    assert outputs[0] == outputs[1] == band_keys(shingles(ORIGINAL))
