"""Rules of the parse-based extractor, each on sentences written for the test."""

from __future__ import annotations

from datetime import date

import pytest

from service.extraction import CHECKWORTHY, DocumentContext, extract
from service.extraction import nlp as nlp_module
from service.extraction.dates import resolve_date
from service.extraction.parsed import quote_regions
from service.extraction.scoring import features

pytestmark = pytest.mark.skipif(
    nlp_module.pipeline() is None, reason=f"{nlp_module.MODEL_NAME} is not installed"
)

NEWS = DocumentContext(published_on=date(2024, 6, 12), outlet="Harbour Gazette", author="Mia Lund")


def claims(body: str, context: DocumentContext = NEWS) -> list[tuple[str, str | None, str]]:
    return [(c.text, c.speaker, c.attribution) for c in extract(body, context)]


@pytest.mark.parametrize(
    ("sentence", "speaker", "role"),
    [
        ('"The bridge will not reopen before May," writes columnist Ola Berg.', "Ola Berg", None),
        (
            '"The storm will reach the coast by noon," said NRK meteorologist Kari Vik.',
            "Kari Vik",
            "NRK meteorologist",
        ),
        ("“The yard needs 200 more welders,” Kari Vik told the council.", "Kari Vik", None),
    ],
)
def test_a_quotation_takes_the_subject_of_its_reporting_verb_in_either_order(
    sentence: str, speaker: str, role: str | None
) -> None:
    (found,) = extract(sentence, NEWS)
    assert (found.speaker, found.attribution) == (speaker, "direct_quote")
    if role:
        assert found.speaker_role == role


def test_a_quotation_on_its_own_line_takes_the_speaker_named_in_the_next_paragraph() -> None:
    body = '"The levy will be gone by the summer."\nTomas Berg, a councillor, explains the plan.\n'
    first = claims(body)[0]
    assert first[1:] == ("Tomas Berg", "direct_quote")


def test_a_quotation_continued_in_the_next_sentence_keeps_its_speaker() -> None:
    body = '"We lost 40 ships last year," Kari Vik said. "Most went to Bergen."'
    assert [c[1] for c in claims(body)] == ["Kari Vik", "Kari Vik"]


def test_single_quotation_marks_nested_in_a_double_quotation_belong_to_the_outer_speaker() -> None:
    text = "\"They told us 'the yard is safe' in March,\" Kari Vik said."
    assert quote_regions(text) == [(0, text.rindex('"') + 1)]
    assert claims(text)[0][1:] == ("Kari Vik", "direct_quote")


def test_pronouns_resolve_to_people_by_gender_never_to_places() -> None:
    body = (
        "Tomas Berg thanked his staff in Oslo. Kari Vik praised her team in Bergen. "
        "He said the yard had lost 40 jobs."
    )
    assert claims(body)[-1][1] == "Tomas Berg"


def test_the_first_word_of_a_sentence_is_not_part_of_a_name() -> None:
    body = "Tomas Berg runs the yard. But Berg told reporters that the yard lost 40 jobs."
    assert claims(body)[-1][1:] == ("Tomas Berg", "indirect")


def test_a_reporting_verb_that_governs_no_claim_attributes_nothing() -> None:
    assert claims("Kari Vik told a story about the harbour in 1950.")[0][2] == "author"
    assert claims("The council urged the port to cut its fees by 5%.")[0][2] == "author"


def test_reporting_verbs_with_a_reported_object_attribute_to_their_subject() -> None:
    body = "Opposition leader Hanne Dal called the harbour plan reckless."
    assert claims(body)[0][1:] == ("Hanne Dal", "indirect")


def test_an_evidence_verb_needs_a_document_as_its_subject() -> None:
    assert claims("The survey found that 12% of the ferries ran late.")[0][2] == "document"
    assert claims("The old hull shows that the ship hit a rock.")[0][2] == "author"


def test_the_writers_own_opinion_frame_keeps_the_fact_under_it() -> None:
    (found,) = extract("I think the port handled 4 million containers last year.", NEWS)
    assert found.attribution == "author"
    assert found.speaker == "Mia Lund"
    assert found.checkworthiness >= CHECKWORTHY


def test_a_plain_factual_sentence_with_an_actor_and_an_event_is_checkworthy() -> None:
    (found,) = extract("The harbour board approved the new ferry contract.", NEWS)
    assert found.checkworthiness >= CHECKWORTHY
    for sentence in ("Is the ferry contract a good idea?", "This is a terrible idea."):
        low = extract(sentence, NEWS)
        assert not low or low[0].checkworthiness < CHECKWORTHY


def test_number_words_count_and_clock_times_do_not() -> None:
    nlp = nlp_module.pipeline()
    assert nlp is not None
    words = nlp("Thirty workers left the union.")
    assert features(words[:], attributed=False, dated=False, quoted=False)["number"] == 1.0
    clock = nlp("The meeting starts at 3 p.m. sharp.")
    assert features(clock[:], attributed=False, dated=False, quoted=False)["number"] == 0.0


def test_an_unlabeled_transcript_gives_narration_to_the_host_and_hands_turns_over() -> None:
    body = (
        "Today we look at the harbour. Our reporter Kari Vik has followed the story for months.\n"
        "Kari, what did you find?\n"
        "The port lost 40 ships last year.\n"
        "I'm Tomas Berg, and I have run the yard since 2010.\n"
    )
    context = DocumentContext(kind="transcript", author="Ola Host", outlet="Harbour Radio")
    speakers = {text: speaker for text, speaker, _ in claims(body, context)}
    assert speakers["Today we look at the harbour."] == "Ola Host"
    assert speakers["The port lost 40 ships last year."] == "Kari Vik"
    assert speakers["I'm Tomas Berg, and I have run the yard since 2010."] == "Tomas Berg"


@pytest.mark.parametrize(
    ("sentence", "value", "precision"),
    [
        ("The mayor resigned yesterday.", date(2024, 6, 11), "day"),
        ("Fees rose last week.", date(2024, 6, 3), "week"),
        ("Earlier this month the board met twice.", date(2024, 6, 1), "month"),
        ("Traffic fell 8% last year.", date(2023, 1, 1), "year"),
        ("2019 was the busiest year on record.", date(2019, 1, 1), "year"),
    ],
)
def test_relative_dates_resolve_with_their_precision(
    sentence: str, value: date, precision: str
) -> None:
    found = resolve_date(sentence, date(2024, 6, 12))
    assert found is not None
    assert (found.value, found.precision) == (value, precision)


def test_a_quotation_continued_in_the_next_sentence_carries_its_statement_date() -> None:
    body = '"The yard lost 40 jobs," Kari Vik said on Monday. "Most of the welders went to Bergen."'
    first, second = extract(body, NEWS)
    assert first.claim_date is not None
    assert second.claim_date is not None
    assert second.claim_date.value == first.claim_date.value == date(2024, 6, 10)
    # A sentence of the author's after a dated one is not dated by it.
    first, second = extract("The yard closed on Monday. Welders earn less than drivers.", NEWS)
    assert second.claim_date is None


def test_a_sentence_that_says_what_something_is_states_a_fact() -> None:
    nlp = nlp_module.pipeline()
    assert nlp is not None
    fact = nlp("Kari Vik is a shipbuilder from Bergen.")
    assert features(fact[:], attributed=False, dated=False, quoted=False)["identity"] == 1.0
    opinion = nlp("The plan is reckless.")
    values = features(opinion[:], attributed=False, dated=False, quoted=False)
    assert (values["identity"], values["evaluative"]) == (0.0, 1.0)


def test_any_verb_with_a_named_subject_and_a_that_clause_reports() -> None:
    body = "Kari Vik runs the yard. Vik theorized in 2017 that the yard would need 200 welders."
    assert claims(body)[-1][1:] == ("Kari Vik", "indirect")
    assert claims("Kari Vik made sure that the yard stayed open.")[0][2] == "author"


def test_a_truncated_teaser_of_another_page_is_not_editorial() -> None:
    body = "The ferry levy raised 41 million kroner.\nWant a faster website? Try our builder […]\n"
    assert [c.text for c in extract(body, NEWS)] == ["The ferry levy raised 41 million kroner."]


def test_an_interview_gives_questions_to_the_interviewer_and_answers_to_the_interviewee() -> None:
    body = (
        "Kari Vik has run the Bergen yard since 2010. Vik trained as a welder.\n"
        "How did you start?\n"
        "I welded hulls for 12 years before the yard hired me as a manager.\n"
        "What changed in 2020?\n"
        "We lost 40 jobs when the ferry contract ended.\n"
    )
    context = DocumentContext(kind="interview", author="Ola Writer", outlet="Harbour Gazette")
    found = {c.text: (c.speaker, c.attribution) for c in extract(body, context)}
    assert found["Kari Vik has run the Bergen yard since 2010."] == ("Ola Writer", "author")
    assert found["We lost 40 jobs when the ferry contract ended."] == ("Kari Vik", "direct_quote")
    answer = "I welded hulls for 12 years before the yard hired me as a manager."
    assert found[answer] == ("Kari Vik", "direct_quote")


@pytest.mark.parametrize(
    ("sentence", "value", "precision"),
    [
        ("In December, the board sold two ferries.", date(2023, 12, 1), "month"),
        ("In June the yard hired 40 welders.", date(2024, 6, 1), "month"),
        ("The levy will rise in September.", date(2024, 9, 1), "month"),
        ("Traders first came to the port in the 1880s.", date(1880, 1, 1), "year"),
        ("The harbour opened in 1884, when trade boomed.", date(1884, 1, 1), "year"),
    ],
)
def test_months_without_a_year_decades_and_old_years_resolve(
    sentence: str, value: date, precision: str
) -> None:
    found = resolve_date(sentence, date(2024, 6, 12))
    assert found is not None
    assert (found.value, found.precision) == (value, precision)


def test_may_the_modal_is_not_a_month() -> None:
    assert resolve_date("Fees in may be raised.", date(2024, 6, 12)) is None


def test_wire_datelines_dates_alone_and_publishers_notes_are_not_claims() -> None:
    body = (
        "OSLO (Reuters) - The harbour board sold two ferries on Monday.\n"
        "What is next for the port?Tuesday, 11 June 2024\n"
        "This article originally appeared on Harbour Weekly.\n"
        "Our Standards: The Gazette Trust Principles.\n"
    )
    texts = [c.text for c in extract(body, NEWS)]
    assert texts[0] == "The harbour board sold two ferries on Monday."
    assert not any("11 June" in t or "originally" in t or "Standards" in t for t in texts)


def test_a_block_too_long_to_parse_falls_back_to_the_rules_and_loses_nothing() -> None:
    from service.extraction.parsed import MAX_BLOCK_CHARS

    sentence = "The harbour fee rose 3% in 2021, the port said."
    long_line = " ".join([sentence] * (MAX_BLOCK_CHARS // len(sentence) + 1))  # over the limit
    body = f"The council approved the budget on Monday.\n{long_line}\nFees rose 9% in 2023.\n"
    found = extract(body, NEWS)
    texts = [c.text for c in found]
    assert texts[0].startswith("The council ")
    assert texts[-1].startswith("Fees rose 9%")
    assert texts[1:-1] == [sentence] * (len(found) - 2)
    assert len(found) > 2000
    assert all(body[c.start : c.end] == c.text for c in found)


def test_a_run_on_without_sentence_punctuation_is_no_claim_and_costs_little() -> None:
    # Text with no sentence end for thousands of characters (a flattened table, a dump) is
    # not a claim a reviewer could check; the sentences around it still are.
    run_on = " ".join(["tonnage 42 berth 7 vessel"] * 400)
    body = f"Fees rose 9% in 2023.\n{run_on}\nThe port said arrivals fell by a third.\n"
    found = extract(body, NEWS)
    assert [c.text[:12] for c in found] == ["Fees rose 9%", "The port sai"]


def test_parse_slips_do_not_lose_the_speaker() -> None:
    # A reporting verb tagged as a noun, and a page that speaks of itself.
    assert claims("Kari Vik points to the new contract with Nordvik Shipping.")[0][1:] == (
        "Kari Vik",
        "indirect",
    )
    assert claims("The text describes the harbour contract of 2019.")[0][2] == "author"


def test_two_threads_extracting_at_once_get_what_one_thread_gets() -> None:
    """A worker with --concurrency 2 runs two extractions in two threads: each must come out
    as it does alone (the parse is serialised; the rest holds no shared state)."""
    from concurrent.futures import ThreadPoolExecutor

    bodies = [
        "The council said on Monday that the ferry will resume in April. "
        '"We have hired 40 new crew," said harbour master Ola Berg. ' * 6,
        'Unemployment fell to 4.1% in May, the statistics office reported. "Wages rose 3%," '
        "economist Kari Vik told the Gazette. The port handled 2 million containers in 2023. " * 6,
    ] * 4
    alone = [claims(body) for body in bodies]
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(claims, bodies))
    assert together == alone
    assert all(alone)


def test_a_phrase_with_words_left_out_keeps_a_space_between_the_words_around_them() -> None:
    found = extract(
        "The inspection found cracks in two supports, according to a person familiar with the "
        "inspection, who spoke on condition of anonymity.",
        NEWS,
    )
    assert found
    assert found[0].cue is not None
    assert "inspectionwho" not in found[0].cue
    assert "inspection who" in found[0].cue or found[0].cue.endswith("inspection")


@pytest.mark.parametrize(
    ("body", "speaker", "attribution"),
    [
        # Someone who says it, citing a source, is its speaker; the source is the cue.
        (
            "Councillor Ada Ruiz said ridership fell 12 percent last year, according to a "
            "city audit.",
            "Ada Ruiz",
            "indirect",
        ),
        # With nobody else reporting, the source "according to" names speaks.
        (
            "Ridership fell 12 percent last year, according to the city's transit office.",
            "city's transit office",
            "indirect",
        ),
    ],
)
def test_according_to_names_the_source_only_where_nobody_else_reports(
    body: str, speaker: str, attribution: str
) -> None:
    [(_, found, kind)] = claims(body)
    assert (found, kind) == (speaker, attribution)


@pytest.mark.parametrize(
    "body",
    [
        # The anonymity told in a participle between the subject and its verb.
        "Mayor Linda Park said the pier would reopen in March. An engineer who inspected it, "
        "speaking on condition of anonymity because she was not authorized to comment, said "
        "the piles had rotted for years.",
        # ... in a relative clause after the subject.
        "Chief Ann Morrow said the suspect fled on foot. One witness, who declined to give her "
        "name, said the man was carrying a rifle.",
        # ... after the verb, the subject following it.
        "Chief Ann Morrow said the suspect fled on foot. The man was carrying a rifle, said a "
        "neighbour who asked not to be identified.",
    ],
)
def test_a_common_noun_the_text_says_is_not_named_is_an_anonymous_source(body: str) -> None:
    last = claims(body)[-1]
    assert (last[1], last[2]) == (None, "anonymous")


def test_a_pronoun_after_an_unnamed_source_stands_for_it_not_for_the_last_name() -> None:
    body = (
        "Mayor Linda Park said the pier would reopen in March. A senior engineer at the port, "
        "who asked not to be named, said the piles had rotted for years. "
        '"We warned the council in 2019 and nothing was done," she said. '
        "Officials familiar with the budget said the repair was never funded. "
        "They said a vote was planned for June."
    )
    got = claims(body)
    assert [(s, a) for _, s, a in got] == [
        ("Linda Park", "indirect"),
        (None, "anonymous"),
        (None, "anonymous"),
        (None, "anonymous"),
        (None, "anonymous"),
    ]


def test_a_pronoun_goes_to_a_name_nearer_than_the_unnamed_source() -> None:
    body = (
        "A senior engineer, who asked not to be named, said the piles had rotted for years. "
        "Mayor Linda Park disputed that on Tuesday. She said the pier was inspected in 2023."
    )
    assert claims(body)[-1][1:] == ("Linda Park", "indirect")


def test_an_unnamed_source_in_a_clause_the_sentence_does_not_rest_on_is_no_antecedent() -> None:
    body = (
        "Harbour master Tom Reyes said the ferry left on time, and a crew member who asked "
        "not to be named said it was overloaded. He added that the weather was calm."
    )
    got = claims(body)
    assert got[0][1:] == ("Tom Reyes", "indirect")
    assert got[-1][1:] == ("Tom Reyes", "indirect")


def test_the_official_is_the_person_the_text_last_gave_that_role() -> None:
    body = (
        "Three people died in the flood, Darmawan, an official from the regional rescue agency, "
        "told reporters on Tuesday. A bridge collapsed in the village, said the official. "
        '"The water came in minutes," he said.'
    )
    got = claims(body)
    assert [s for _, s, _ in got] == ["Darmawan", "Darmawan", "Darmawan"]
    # A word of the role that is not what the person is names nobody.
    body = (
        "Ana Ruiz, head of research at the institute, said the survey was flawed. "
        "The research was funded by the ministry, the report said."
    )
    assert claims(body)[-1][1] != "Ana Ruiz"


@pytest.mark.parametrize(
    ("body", "speaker"),
    [
        (
            "President Maria Lopez signed the budget on Monday. The President said the cuts "
            "would not touch schools.",
            "Maria Lopez",
        ),
        (
            'Governor Tom Reyes vetoed the bill. "This bill costs $4 billion we do not have," '
            "the Governor said.",
            "Tom Reyes",
        ),
        (
            "Prime Minister Ana Berg met the unions on Monday. The Prime Minister said wages "
            "would rise 3 percent.",
            "Ana Berg",
        ),
        (
            "The company's chief executive, Dana Whitfield, said profits fell 8 percent. The CEO "
            "said the company would cut 300 jobs.",
            "Dana Whitfield",
        ),
    ],
)
def test_a_title_alone_is_the_person_the_text_last_gave_it(body: str, speaker: str) -> None:
    assert claims(body)[-1][1] == speaker


def test_an_age_after_a_name_is_no_part_of_the_speakers_role() -> None:
    roles = [
        c.speaker_role
        for c in extract(
            "Sam Ortiz, 34, a welder at the yard, said the shifts had been cut. "
            "Lena Holm, 51, said the union would strike.",
            NEWS,
        )
    ]
    assert roles == ["a welder at the yard", None]


@pytest.mark.parametrize(
    ("body", "speaker"),
    [
        # Another office ending in the same word is not the one named.
        (
            "Vice President Ana Berg toured the yard on Monday. The President said the plan "
            "would pass.",
            "President",
        ),
        (
            "President Tom Reyes met former President Ola Dahl on Monday. The President said "
            "the plan would pass.",
            "Tom Reyes",
        ),
        # An honorific later says nothing of the office.
        (
            "President Maria Lopez signed the budget on Monday. Ms. Lopez said it was fair. "
            "The President said the cuts would not touch schools.",
            "Maria Lopez",
        ),
        # A title given only after the sentence names nobody yet.
        (
            "Maria Lopez signed the bill. The President said the cuts would not touch schools. "
            "Later, President Maria Lopez flew to Denver.",
            "President",
        ),
    ],
)
def test_a_title_alone_is_only_the_same_office_given_before_it(body: str, speaker: str) -> None:
    assert claims(body)[1 if "Ms." not in body else 2][1] == speaker


def test_an_organisation_named_by_its_noun_is_no_person_a_pronoun_can_stand_for() -> None:
    body = (
        "Acme Steel, a steel company in Ohio, said orders fell. The company said profits fell "
        "20 percent. He said the plant would close in May."
    )
    got = claims(body)
    assert got[2][1:] == ("Mia Lund", "author")  # nobody said it: the writer's


def test_a_pronoun_of_the_other_gender_is_not_the_unnamed_source() -> None:
    body = (
        "Mayor John Smith said the clinic was safe. A nurse, who asked not to be named, said "
        "she saw 30 patients a day. He said the hospital lost 12 beds."
    )
    assert claims(body)[2][2] != "anonymous"


@pytest.mark.parametrize(
    "body",
    [
        # What is done anonymously is not the speaker's being unnamed.
        "Jane Doe, a lawyer, said the case was weak. The lawyer, who represents 40 families "
        "anonymously, said the city would settle.",
        # A thing asked not to be named, not the speaker.
        "Tom Reyes said the case was weak. A lawyer for the family, which asked not to be "
        "named, said the city would settle.",
    ],
)
def test_unnamed_is_said_of_the_speaker_not_of_what_its_clause_is_about(body: str) -> None:
    assert claims(body)[-1][2] != "anonymous"


def test_a_name_between_a_role_and_a_pronoun_is_nearer_than_the_role_holder() -> None:
    body = (
        "Mayor John Berg said the pier would reopen. The mayor said repairs cost $2 million. "
        + "The pier was built in 1952 and rebuilt twice after storms hit the coast. " * 7
        + "Tom Reyes inspected the site on Tuesday. He said the piles were sound."
    )
    assert claims(body)[-1][1] == "Tom Reyes"


@pytest.mark.parametrize(
    ("body", "speaker"),
    [
        (
            "Secretary of State Lena Holm arrived in Oslo on Monday. The Secretary said the "
            "talks would last two days.",
            "Lena Holm",
        ),
        (
            "Secretary of Commerce Jane Doe arrived on Monday. The Secretary said exports rose "
            "4 percent.",
            "Jane Doe",
        ),
    ],
)
def test_a_title_of_something_is_the_title_alone(body: str, speaker: str) -> None:
    assert claims(body)[-1][1] == speaker


def test_a_pronoun_in_a_sentence_about_someone_unnamed_votes_no_gender_for_the_last_name() -> None:
    body = (
        "Mayor John Smith said the clinic was safe. A nurse, who asked not to be named, said "
        "she saw 30 patients a day. He said the hospital lost 12 beds."
    )
    assert claims(body)[2][1:] == ("John Smith", "indirect")


QA_STORY = (
    "The Kessler Bridge has been closed since March. Kessler Bridge traffic moved to Route 9, "
    "and the Kessler detour adds 20 minutes. We asked the city engineer, Dana Ruiz, about the "
    "repairs.\n\n"
    "Q: When will the Kessler Bridge reopen?\n\n"
    "A: We expect to reopen it in June, once the new cables are in.\n\n"
    "Q: How much will the repairs cost?\n\n"
    "A: About 38 million dollars, which the state is paying.\n"
)


@pytest.mark.parametrize("kind", ["news", "interview"])
def test_a_labelled_q_and_a_gives_answers_to_the_person_asked_without_the_labels(
    kind: str,
) -> None:
    got = claims(QA_STORY, DocumentContext(author="Mia Lund", kind=kind))
    answers = [(text, speaker, how) for text, speaker, how in got if "June" in text or "38" in text]
    quote = ("Dana Ruiz", "direct_quote")
    assert answers == [
        ("We expect to reopen it in June, once the new cables are in.", *quote),
        ("About 38 million dollars, which the state is paying.", *quote),
    ]
    questions = [speaker for text, speaker, _ in got if text.endswith("?")]
    assert questions == ["Mia Lund", "Mia Lund"]
    # The bridge's name, said more often than the engineer's, is not the interviewee.
    assert all(speaker != "Kessler" for _, speaker, _ in got)


def test_one_labelled_line_is_no_q_and_a() -> None:
    body = "A. Berg said the yard hired 40 welders in 2023.\n\nThe yard is in Bergen.\n"
    assert claims(body)[0][0].startswith("A. Berg")
