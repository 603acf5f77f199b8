"""Re-anchoring claims after a revision, on short articles written for these tests."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.revisions.anchoring import (
    MARGIN,
    SCORE_FLOOR,
    Reanchored,
    Selector,
    reanchor,
    selector,
)

FERRY = (
    "The Lindholm ferry carried 412,000 passengers last year, the port authority said. "
    "Its operator plans to add a second boat before the summer season."
)
BRIDGE = (
    "Work on the Skarvik bridge will start in March and cost 38 million kroner. "
    "The mayor said the old bridge would stay open until the new one is finished."
)
SCHOOL = (
    "Enrolment at Norrvik primary school fell by a fifth after the mine closed. "
    "Two classrooms now serve as a library for the whole village."
)
OLD = "\n".join([FERRY, BRIDGE, SCHOOL])


def claim(body: str, sentence: str) -> Selector:
    start = body.index(sentence)
    return selector(body, start, start + len(sentence))


def check_span(new: str, result: Reanchored) -> None:
    if result.state == "orphaned":
        assert (result.start, result.end, result.text) == (None, None, None)
    else:
        assert result.start is not None
        assert result.end is not None
        assert new[result.start : result.end] == result.text


SENTENCES = [
    "The Lindholm ferry carried 412,000 passengers last year, the port authority said.",
    "Its operator plans to add a second boat before the summer season.",
    "Work on the Skarvik bridge will start in March and cost 38 million kroner.",
    "The mayor said the old bridge would stay open until the new one is finished.",
    "Enrolment at Norrvik primary school fell by a fifth after the mine closed.",
    "Two classrooms now serve as a library for the whole village.",
]


def test_selector_takes_the_text_and_its_context() -> None:
    s = claim(OLD, SENTENCES[1])
    assert s.exact == SENTENCES[1]
    assert s.prefix == OLD[s.start - 32 : s.start]
    assert s.suffix == OLD[s.end : s.end + 32]
    first = selector(OLD, 0, 10, context=5)
    assert first.prefix == ""
    assert first.suffix == OLD[10:15]
    last = selector(OLD, len(OLD) - 8, len(OLD))
    assert last.suffix == ""
    with pytest.raises(ValueError, match="empty or outside"):
        selector(OLD, 5, 5)
    with pytest.raises(ValueError, match="empty or outside"):
        selector(OLD, 0, len(OLD) + 1)


def test_unchanged_claims_anchor_at_shifted_offsets_after_an_insertion_above() -> None:
    inserted = "Correction: an earlier version of this story misspelled the harbour's name.\n"
    new = inserted + OLD
    selectors = [claim(OLD, s) for s in SENTENCES]
    results = reanchor(OLD, new, selectors)
    for sel, got in zip(selectors, results, strict=True):
        assert got.state == "anchored"
        assert got.start == sel.start + len(inserted)
        assert got.end == sel.end + len(inserted)
        assert got.text == sel.exact


def test_a_changed_word_makes_the_claim_moved_with_the_new_text() -> None:
    old_sentence = SENTENCES[2]
    new_sentence = old_sentence.replace("38 million", "41 million")
    new = OLD.replace(old_sentence, new_sentence)
    sel = claim(OLD, old_sentence)
    (got,) = reanchor(OLD, new, [sel])
    assert got.state == "moved"
    assert got.text == new_sentence
    assert got.start == new.index(new_sentence)
    assert sel.exact == old_sentence
    assert got.score >= SCORE_FLOOR
    assert got.score - got.runner_up >= MARGIN
    # The neighbours did not change.
    others = reanchor(OLD, new, [claim(OLD, SENTENCES[1]), claim(OLD, SENTENCES[3])])
    assert [r.state for r in others] == ["anchored", "anchored"]


def test_a_word_changed_at_the_start_keeps_the_whole_new_sentence() -> None:
    old_sentence = SENTENCES[4]
    new_sentence = old_sentence.replace("Enrolment", "Attendance")
    new = OLD.replace(old_sentence, new_sentence)
    (got,) = reanchor(OLD, new, [claim(OLD, old_sentence)])
    assert got.state == "moved"
    assert got.text == new_sentence


def test_a_deleted_sentence_is_orphaned() -> None:
    new = OLD.replace(SENTENCES[3] + "\n", "")
    results = reanchor(OLD, new, [claim(OLD, SENTENCES[3]), claim(OLD, SENTENCES[2])])
    assert results[0].state == "orphaned"
    assert results[0].start is None
    assert results[0].text is None
    assert results[1].state == "anchored"
    assert results[1].start == new.index(SENTENCES[2])


def test_a_deleted_sentence_is_not_moved_onto_an_unchanged_look_alike() -> None:
    mayor = "The mayor said the new bridge would cost 38 million kroner."
    minister = "The minister said the new bridge would cost 38 million kroner."
    old = f"{FERRY}\n{mayor} {minister}\n{SCHOOL}"
    new = f"{FERRY}\n{minister}\n{SCHOOL}"
    (got,) = reanchor(old, new, [claim(old, mayor)])
    assert got.state == "orphaned"


def test_a_deleted_sentence_is_not_moved_onto_an_edited_look_alike() -> None:
    mayor = "The mayor said the new bridge would cost 38 million kroner."
    minister = "The minister said the new bridge would cost 38 million kroner."
    old = f"{FERRY}\n{mayor} {minister}\n{SCHOOL}"
    corrected = minister.replace("38", "39")
    new = f"{FERRY}\n{corrected}\n{SCHOOL}"
    mayor_got, minister_got = reanchor(old, new, [claim(old, mayor), claim(old, minister)])
    assert mayor_got.state == "orphaned"
    assert minister_got.state == "moved"
    assert minister_got.text == corrected


def test_a_deleted_sentence_is_not_moved_onto_a_sentence_that_quoted_it() -> None:
    short = "The bridge will cost 38 million kroner."
    long = (
        "Officials repeated on Monday that the bridge will cost 38 million kroner, "
        "although the contractor has asked for more time and for a larger budget."
    )
    old = f"{FERRY}\n{short}\n{long}\n{SCHOOL}"
    new = f"{FERRY}\n{long}\n{SCHOOL}"
    (got,) = reanchor(old, new, [claim(old, short)])
    assert got.state == "orphaned"


def test_an_edited_line_without_a_full_stop_keeps_to_its_line() -> None:
    line = (
        "Fire season on the heath runs from August through October, with its peak in the "
        "middle of September, and the smoke from the moors is already so thick in the valley "
        "that the ferry to Lindholm has been cancelled twice this week"
    )
    old = f"{line}\n{FERRY}"
    edited = line.replace("August", "July")
    # A caption now sits between the line and the paragraph that followed it: the line plus
    # the caption has the old suffix after it, but the line alone is the claim's text.
    new = f"{edited}\nPhoto: Harbour News\n{FERRY}"
    (got,) = reanchor(old, new, [claim(old, line)])
    assert got.state == "moved"
    assert got.text == edited


def test_words_added_before_a_sentence_belong_to_the_moved_claim() -> None:
    added = SENTENCES[1].replace("Its operator", "As demand grows, its operator")
    new = OLD.replace(SENTENCES[1], added)
    (got,) = reanchor(OLD, new, [claim(OLD, SENTENCES[1])])
    assert got.state == "moved"
    assert got.text == added


def test_a_reordered_paragraph_anchors_at_its_new_place() -> None:
    new = "\n".join([SCHOOL, FERRY, BRIDGE])
    selectors = [claim(OLD, s) for s in SENTENCES]
    results = reanchor(OLD, new, selectors)
    for sel, got in zip(selectors, results, strict=True):
        assert got.state == "anchored"
        assert got.start == new.index(sel.exact)
    # An edited sentence inside the moved paragraph is still found.
    edited = SENTENCES[5].replace("library", "reading room")
    new_edited = new.replace(SENTENCES[5], edited)
    (got,) = reanchor(OLD, new_edited, [claim(OLD, SENTENCES[5])])
    assert got.state == "moved"
    assert got.text == edited
    assert got.start == new_edited.index(edited)


REPEATED = "Nobody was hurt."


def test_a_repeated_sentence_anchors_to_the_right_copy_by_prefix_and_suffix() -> None:
    ferry = f"The ferry ran aground near Lindholm on Sunday. {REPEATED} Divers inspected the hull."
    bus = f"A bus slid off the coast road in the storm. {REPEATED} The road reopened at noon."
    old = f"{ferry}\n{bus}"
    ferry_claim = selector(old, old.index(REPEATED), old.index(REPEATED) + len(REPEATED))
    second = old.index(REPEATED, ferry_claim.end)
    bus_claim = selector(old, second, second + len(REPEATED))
    # The paragraphs change places; the text around each copy says which is which.
    new = f"Updated at 14:00.\n{bus}\n{ferry}"
    ferry_got, bus_got = reanchor(old, new, [ferry_claim, bus_claim])
    assert ferry_got.state == bus_got.state == "anchored"
    assert ferry_got.start == new.index(ferry) + ferry.index(REPEATED)
    assert bus_got.start == new.index(bus) + bus.index(REPEATED)
    # Only the bus paragraph is left: the ferry's copy is gone, the bus claim keeps its copy.
    only_bus = f"Updated at 14:00.\n{bus}"
    ferry_got, bus_got = reanchor(old, only_bus, [ferry_claim, bus_claim])
    assert bus_got.state == "anchored"
    assert bus_got.start == only_bus.index(REPEATED)
    assert ferry_got.state == "orphaned"


def test_a_new_copy_of_a_sentence_does_not_take_the_claim() -> None:
    ferry = f"The ferry ran aground near Lindholm on Sunday. {REPEATED} Divers inspected the hull."
    old = f"{ferry}\n{SCHOOL}"
    sel = claim(old, REPEATED)
    bus = f"A bus slid off the coast road in the storm. {REPEATED} The road reopened at noon."
    new = f"{bus}\n{ferry}\n{SCHOOL}"
    (got,) = reanchor(old, new, [sel])
    assert got.state == "anchored"
    assert got.start == new.index(ferry) + ferry.index(REPEATED)
    assert got.runner_up > 0


def test_the_text_around_a_copy_outweighs_its_position() -> None:
    ferry = f"The ferry ran aground near Lindholm on Sunday. {REPEATED} Divers inspected the hull."
    bus = f"A bus slid off the coast road in the storm. {REPEATED} The road reopened at noon."
    old = f"{ferry}\n{SCHOOL}"
    sel = claim(old, REPEATED)
    # A new paragraph with the same sentence takes the ferry's old place; the ferry moves down.
    new = f"{bus}\n{SCHOOL}\n{ferry}"
    (got,) = reanchor(old, new, [sel])
    assert got.state == "anchored"
    assert got.start == new.index(ferry) + ferry.index(REPEATED)


def test_position_decides_between_copies_with_the_same_context() -> None:
    storm = (
        "Update from the coastguard station at Lindholm harbour: "
        f"{REPEATED} The ferry will run again when the wind drops below gale force."
    )
    old = f"{storm}\n{SCHOOL}\n{storm}"
    first = old.index(REPEATED)
    second = old.index(REPEATED, first + 1)
    selectors = [
        selector(old, first, first + len(REPEATED)),
        selector(old, second, second + len(REPEATED)),
    ]
    assert selectors[0].prefix == selectors[1].prefix
    assert selectors[0].suffix == selectors[1].suffix
    new = f"{SCHOOL}\n{storm}"  # the first update was taken down
    first_got, second_got = reanchor(old, new, selectors)
    assert first_got.state == "orphaned"
    assert second_got.state == "anchored"
    assert second_got.start == new.index(REPEATED)


def test_an_ambiguous_near_duplicate_is_orphaned_rather_than_guessed() -> None:
    sentence = "The harbour dredging will cost 12 million kroner, the council said."
    old = f"{FERRY}\n{sentence}\n{SCHOOL}"
    first = sentence.replace("12 million", "14 million")
    second = sentence.replace("12 million", "16 million")
    # Two corrected versions side by side: each is as close to the claim as the other.
    both = f"{FERRY}\n{first} {second}\n{SCHOOL}"
    (got,) = reanchor(old, both, [claim(old, sentence)])
    assert got.state == "orphaned"
    assert got.score >= SCORE_FLOOR
    assert got.score - got.runner_up < MARGIN
    # With only one of them the claim is moved onto it: the margin is what decided.
    one = f"{FERRY}\n{first}\n{SCHOOL}"
    (got,) = reanchor(old, one, [claim(old, sentence)])
    assert got.state == "moved"
    assert got.text == first


def test_a_rewritten_sentence_is_orphaned() -> None:
    new = OLD.replace(SENTENCES[0], "Passenger numbers on the island route were not published.")
    (got,) = reanchor(OLD, new, [claim(OLD, SENTENCES[0])])
    assert got.state == "orphaned"
    assert got.score < SCORE_FLOOR
    # Same topic words, another statement: close, but under the floor.
    rewrite = "Passenger numbers for the Lindholm ferry were not published by the port authority."
    new = OLD.replace(SENTENCES[0], rewrite)
    (got,) = reanchor(OLD, new, [claim(OLD, SENTENCES[0])])
    assert got.state == "orphaned"
    assert 0.5 < got.score < SCORE_FLOOR


def test_a_claim_with_its_dateline_trimmed_is_moved_without_the_dateline() -> None:
    body = "LINDHOLM (Harbour News) - The ferry carried 412,000 passengers in 2023."
    start = body.index("The ferry")
    sel = selector(body, start, len(body))
    new = body.replace("412,000", "421,000")
    (got,) = reanchor(body, new, [sel])
    assert got.state == "moved"
    assert got.text == "The ferry carried 421,000 passengers in 2023."


def revised(seed: int) -> tuple[str, list[Selector]]:
    rng = random.Random(seed)
    paragraphs = [FERRY, BRIDGE, SCHOOL]
    rng.shuffle(paragraphs)
    body = "\n".join(paragraphs)
    for s in rng.sample(SENTENCES, 2):
        body = body.replace(s, s.replace("the", "a", 1))
    body = body.replace(rng.choice(SENTENCES), "")
    return body, [claim(OLD, s) for s in SENTENCES]


def test_results_are_deterministic_and_independent_of_selector_order() -> None:
    for seed in range(5):
        new, selectors = revised(seed)
        once = reanchor(OLD, new, selectors)
        assert reanchor(OLD, new, selectors) == once
        assert reanchor(OLD, new, selectors[::-1]) == once[::-1]
        assert {r.state for r in once} >= {"anchored"}


def test_every_span_is_exact_and_every_state_consistent() -> None:
    for seed in range(10):
        new, selectors = revised(seed)
        for sel, got in zip(selectors, reanchor(OLD, new, selectors), strict=True):
            check_span(new, got)
            assert got.state in {"anchored", "moved", "orphaned"}
            if got.state == "anchored":
                assert got.text == sel.exact
            if got.state == "moved":
                assert got.text != sel.exact
                assert got.score >= SCORE_FLOOR
            assert 0.0 <= got.score <= 1.0
            assert 0.0 <= got.runner_up <= 1.0


WORDS = st.sampled_from(
    ["ferry", "bridge", "12", "million", "said", "the", "Lindholm", "kroner", "“", "”", "é", "🙂"]
)
EDITS = st.lists(
    st.tuples(st.integers(0, len(OLD)), st.integers(0, 40), st.lists(WORDS, max_size=4)),
    max_size=4,
)


@settings(max_examples=60, deadline=None)
@given(EDITS)
def test_spans_are_exact_under_arbitrary_edits(edits: list[tuple[int, int, list[str]]]) -> None:
    new = OLD
    for at, cut, words in edits:
        at = min(at, len(new))
        new = new[:at] + " ".join(words) + new[at + cut :]
    selectors = [claim(OLD, s) for s in SENTENCES]
    for sel, got in zip(selectors, reanchor(OLD, new, selectors), strict=True):
        check_span(new, got)
        if sel.exact in new:
            assert got.state == "anchored"
        if got.state == "anchored":
            assert got.text == sel.exact


def test_a_selector_that_does_not_match_the_old_body_is_still_found_by_its_text() -> None:
    stale = Selector(exact=SENTENCES[2], prefix="", suffix="", start=0, end=10)
    new = "Breaking.\n" + OLD
    (got,) = reanchor(OLD, new, [stale])
    assert got.state == "anchored"
    assert got.start == new.index(SENTENCES[2])


def test_a_hundred_look_alike_claims_in_ten_thousand_characters_each_find_their_own() -> None:
    # Its speed is measured by `python -m evals.reanchoring` (never timed in a test).
    rng = random.Random(7)
    sentences = [
        f"Report {i}: the {rng.choice(['ferry', 'bridge', 'school', 'harbour'])} budget "
        f"rose by {rng.randint(2, 99)} percent in {rng.randint(1990, 2024)}, officials said."
        for i in range(140)
    ]
    old = "\n".join(" ".join(sentences[i : i + 3]) for i in range(0, 140, 3))
    assert len(old) >= 10_000
    selectors = [claim(old, s) for s in sentences[:100]]
    new = old
    for s in sentences[:100:2]:  # half of the claims edited: the slow, fuzzy path
        new = new.replace(s, s.replace("budget", "spending"))
    new = "A new first paragraph.\n" + new
    results = reanchor(old, new, selectors)
    # The sentences look alike, but each edited one is moved onto its own new version.
    for i, (sentence, got) in enumerate(zip(sentences, results, strict=False)):
        if i % 2:
            assert got.state == "anchored"
            assert got.text == sentence
        else:
            assert got.state == "moved"
            assert got.text == sentence.replace("budget", "spending")
