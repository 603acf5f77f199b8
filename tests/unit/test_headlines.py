"""A page's headline and deck as claims: sentences and pages written for the test.

The annotation guide counts a heading that states something as a sentence; the headline is
what most readers of a page read, and what other outlets' reports of one event are most often
linked to. Only the page's leading lines are headings here, and only those that state
something (a verb, a count) become claims.
"""

from __future__ import annotations

from datetime import date

import pytest

from service.extraction import DocumentContext, extract, extract_rules
from service.extraction import nlp as nlp_module
from service.extraction.document import leading_headings

NEWS = DocumentContext(published_on=date(2024, 6, 12), outlet="Harbour Gazette", author="Mia Lund")
BODY = "The ferry company said on Monday that fares would rise by 8% in July."

needs_parse = pytest.mark.skipif(
    nlp_module.pipeline() is None, reason=f"{nlp_module.MODEL_NAME} is not installed"
)


def test_the_leading_lines_that_end_no_sentence_are_the_headings() -> None:
    lines = [
        "Ferry fares to rise 8% in July",
        "By Mia Lund",
        "June 12, 2024",
        "Operator blames fuel costs, as commuters count the cost of the crossing",
        BODY,
        "What happens next",
        "Another paragraph follows here with a full stop.",
    ]
    # The byline keeps its own reason; the date line is a heading that the parse drops; a
    # heading after the first paragraph is a section heading, not the page's headline.
    assert leading_headings(lines, author="Mia Lund") == {0, 2, 3}


@pytest.mark.parametrize(
    "line",
    [
        "Updated: 12 Jun 2024 11:25 GMT",
        "Last updated on June 12, 2024, 19:04",
        "POSTED: 1052 GMT, June 12, 2024",
        "By Mia Lund, Harbour Gazette",
        "Posted by Mia Lund",
        "Filed under Ferries and Harbour",
        "Last updated yesterday at noon",
        "- Why the ferry is late again",
        "• Inside the port's new crane",
        "Hi",
    ],
)
def test_time_stamps_list_items_and_scraps_are_not_headings(line: str) -> None:
    assert leading_headings([line, BODY]) == set()


def test_a_list_of_other_pages_ends_the_headings() -> None:
    lines = ["Most read", "Council votes to close harbour pool", BODY]
    assert leading_headings(lines) == set()


def test_a_page_that_opens_with_running_text_has_no_headings() -> None:
    assert leading_headings([BODY, "Ferry fares to rise 8% in July"]) == set()


@needs_parse
@pytest.mark.parametrize(
    "headline",
    [
        "Ferry fares to rise 8% in July",  # the headline future: "to" and a bare verb
        "Gunman kills 1, wounds 2 at harbour office",  # inflected verbs
        "Harbour hit by second storm in a week",  # a participle
        "4 DEAD AFTER STORM HITS COAST",  # in capitals: a count, and a verb read in lower case
        "Two Ferries Delayed As Crews Strike Over Pay",  # title case
        "Two Guards Shot In Bank Robbery In Downtown Nordby",  # read again in lower case
        "Council to vote on pool closure",  # the future, with a subject
        "Thieves in $2 million raid on harbour jeweller",  # a sum, no verb
    ],
)
def test_a_headline_that_states_something_is_the_outlets_claim(headline: str) -> None:
    found = extract(f"{headline}\n\n{BODY}\n", NEWS)
    assert [c.text for c in found] == [headline, BODY]
    claim = found[0]
    assert (claim.speaker, claim.attribution, claim.cue) == (
        "Mia Lund",
        "author",
        "the page's headline",
    )
    assert (claim.start, claim.end) == (0, len(headline))


@needs_parse
def test_a_deck_under_the_headline_is_a_claim_too() -> None:
    body = (
        "Ferry fares to rise 8% in July\n"
        "June 12, 2024\n"
        "Operator blames fuel costs, as commuters count the cost of the crossing\n\n"
        f"{BODY}\n"
    )
    assert [c.text for c in extract(body, NEWS)] == [
        "Ferry fares to rise 8% in July",
        "Operator blames fuel costs, as commuters count the cost of the crossing",
        BODY,
    ]


@needs_parse
@pytest.mark.parametrize(
    "title",
    [
        "A Short History of the Northern Ferry",  # a title: no verb, no count
        "Share this article",  # a prompt: an imperative
        "Make Fares Fair: The Commuters' Case",  # an imperative title
        "According to wire reports and local radio",  # a credit
        "Apr 12, 2024",  # a date line
        "Updated Thu 13 Jun 2024, 9:03am",  # a time stamp
        "How to save money on ferry fares",  # a how-to: "to" and a verb with no subject
        "Things to do in Harbour Bay this weekend",
        "Log in to comment",
        "Page 1 of 3",  # a count alone
        "10 Best Beaches in Europe",
    ],
)
def test_a_heading_that_states_nothing_is_not_a_claim(title: str) -> None:
    assert [c.text for c in extract(f"{title}\n\n{BODY}\n", NEWS)] == [BODY]


@needs_parse
def test_a_headline_that_names_who_says_it_is_theirs() -> None:
    found = extract(f"Ferry fares will rise 8%, Tomas Berg says\n\n{BODY}\n", NEWS)
    assert (found[0].speaker, found[0].attribution) == ("Tomas Berg", "indirect")


@needs_parse
def test_a_headlines_sources_are_anonymous_and_no_antecedent() -> None:
    body = (
        "Harbour pool will stay open, sources say\n\n"
        "The council met on Monday to discuss the budget.\n"
        "They said the pool would close in July.\n"
    )
    found = extract(body, NEWS)
    assert found[0].attribution == "anonymous"
    # "They" is the council, not the headline's sources.
    assert found[-1].attribution != "anonymous"


@needs_parse
def test_a_quoted_headline_is_no_voice_for_the_first_paragraph() -> None:
    body = (
        '"Fares must fall," says Mayor Ann Holt\n\n'
        '"The mayor is wrong about the fares, and she knows it."\n'
        "Operator chief Dan Berg hit back on Monday, saying costs had doubled.\n"
    )
    found = extract(body, NEWS)
    assert found[0].speaker == "Ann Holt"
    assert found[1].speaker != "Ann Holt"


@needs_parse
def test_a_transcripts_episode_title_is_the_outlets_heading_not_a_turn() -> None:
    body = (
        "Harbour Talk, Episode 12: Why ferry fares rose 8 percent this year\n\n"
        "HOST: Welcome back. The ferry company raised fares by 8 percent in July.\n"
        "DAN BERG: Our fuel costs doubled in a year, so fares had to rise.\n"
    )
    context = DocumentContext(
        published_on=date(2024, 6, 12), outlet="Harbour Radio", author="Mia Lund", kind="transcript"
    )
    title = extract(body, context)[0]
    assert (title.attribution, title.cue) == ("author", "the page's headline")


@needs_parse
@pytest.mark.parametrize(
    ("headline", "body", "speaker", "role"),
    [
        ("Sheriff: Gunman acted alone in harbour shooting", BODY, "sheriff", None),
        (
            "Mayor Ann Holt: Pool will stay open this summer",
            "The pool will stay open, Mayor Ann Holt said on Monday.",
            "Ann Holt",
            "Mayor",
        ),
        (
            "City Council: Ferry fares will rise 8% in July",
            "The City Council voted on Monday to raise fares by 8%.",
            "City Council",
            None,
        ),
        ("Police: Two arrested after harbour brawl", BODY, "police", None),
    ],
)
def test_a_headlines_label_says_who_speaks_it(
    headline: str, body: str, speaker: str, role: str | None
) -> None:
    claim = extract(f"{headline}\n\n{body}\n", NEWS)[0]
    assert claim.text == headline
    assert (claim.speaker, claim.attribution, claim.cue) == (speaker, "indirect", "headline label")
    assert claim.speaker_role == role


@needs_parse
def test_an_unnamed_group_in_a_label_is_an_anonymous_source() -> None:
    claim = extract(f"Officials: Ferry strike will end on Friday\n\n{BODY}\n", NEWS)[0]
    assert (claim.speaker, claim.attribution, claim.cue) == (None, "anonymous", "headline label")


@needs_parse
def test_a_headline_that_says_who_says_it_wins_over_its_label() -> None:
    claim = extract(f"Sheriff: Gunman acted alone, witnesses say\n\n{BODY}\n", NEWS)[0]
    assert claim.cue != "headline label"


@needs_parse
def test_an_office_two_people_hold_stays_the_office() -> None:
    body = (
        "Mayor: Pool will stay open\n\n"
        "The pool, opened by Mayor Tom Reed in 1998, will stay open, Mayor Ann Holt said.\n"
    )
    assert extract(body, NEWS)[0].speaker == "mayor"


@needs_parse
def test_a_headlines_office_is_the_person_the_text_gives_it() -> None:
    body = (
        "Sheriff: Gunman acted alone in harbour shooting\n\n"
        "A gunman who opened fire at a ferry office on Monday acted alone, Sheriff Dana Cole "
        "said on Tuesday.\n"
    )
    claim = extract(body, NEWS)[0]
    assert (claim.speaker, claim.speaker_role, claim.cue) == (
        "Dana Cole",
        "sheriff",
        "headline label",
    )


@needs_parse
@pytest.mark.parametrize(
    "headline",
    [
        "Analysis: Why ferry fares rose 8% this year",
        "Must See: Navy frees ferry held by pirates",
        # A section name that opens with a title word, an organisation's noun or a role.
        "US Open Final: Alcaraz beats Sinner in five sets",
        "Box Office: Harbour film earns $1 billion worldwide",
        "World Leaders: Summit agrees on ferry emissions",
        "Mayor Ann Holt's Budget: Pool fees will rise 5%",
    ],
)
def test_a_section_label_is_no_speaker(headline: str) -> None:
    claim = extract(f"{headline}\n\n{BODY}\n", NEWS)[0]
    assert (claim.text, claim.speaker, claim.attribution) == (headline, "Mia Lund", "author")


def test_the_rules_fallback_leaves_headlines_out() -> None:
    """Without a parse a headline that states something cannot be told from a title."""
    found = extract_rules(f"Ferry fares to rise 8% in July\n\n{BODY}\n", NEWS)
    assert [c.text for c in found] == [BODY]


@needs_parse
@pytest.mark.parametrize(
    "headline", ["Austin Warns Of Ferry Strike", "Jordan Slams Harbour Board Over Ferry Delays"]
)
def test_a_headline_does_not_teach_who_is_a_person(headline: str) -> None:
    """Title case misleads the recogniser ("Ferry Strike" read as a person): who is a person,
    and a later "she", are learnt from running text only."""
    body = (
        f"{headline}\n\n"
        "The board said the delays would end in July.\n"
        "She said the fares would rise by 8% this summer.\n"
    )
    speakers = {c.speaker for c in extract(body, NEWS)}
    assert not speakers & {"Ferry Strike", "Ferry Delays", "Harbour Board"}
