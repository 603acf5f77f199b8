"""Extraction rules, each on sentences written for the test (not taken from the seeds)."""

from __future__ import annotations

from datetime import date

import pytest

from service.extraction import CHECKWORTHY, DocumentContext, extract
from service.extraction.boilerplate import skip_reason
from service.extraction.dates import resolve_date

NEWS = DocumentContext(published_on=date(2024, 6, 12), outlet="Harbour Gazette", author="Mia Lund")


def one(body: str, context: DocumentContext = NEWS) -> dict[str, object]:
    found = extract(body, context)
    assert len(found) == 1, [c.text for c in found]
    return found[0].as_json()


def test_spans_are_exact_offsets_into_the_body() -> None:
    body = (
        "Headline Without Period\n\n  Café owners said rents rose 12% in 2023.  \n"
        "The council approved the budget on Monday.\n"
    )
    for c in extract(body, NEWS):
        assert body[c.start : c.end] == c.text
    assert [c.text for c in extract(body, NEWS)] == [
        "Café owners said rents rose 12% in 2023.",
        "The council approved the budget on Monday.",
    ]


def test_unattributed_text_belongs_to_the_author_or_else_the_outlet() -> None:
    claim = one("The port handled 4 million containers last year.")
    assert claim["speaker"]["name"] == "Mia Lund"
    no_author = DocumentContext(outlet="Harbour Gazette")
    claim = one("The port handled 4 million containers last year.", no_author)
    assert claim["speaker"]["name"] == "Harbour Gazette"
    assert claim["attribution"] == "author"


@pytest.mark.parametrize(
    ("sentence", "speaker", "cue"),
    [
        ('"The dam will hold," Karen Ostby said.', "Karen Ostby", "said"),
        ('"The dam will hold," said Karen Ostby.', "Karen Ostby", "said"),
        ("Karen Ostby said: “The dam will hold through the winter.”", "Karen Ostby", "said"),
        (
            "“The dam will hold through the winter,” Karen Ostby told reporters.",
            "Karen Ostby",
            "told",
        ),
    ],
)
def test_direct_quotes_in_straight_and_curly_marks(sentence: str, speaker: str, cue: str) -> None:
    claim = one(sentence)
    assert claim["attribution"] == "direct_quote"
    assert claim["speaker"]["name"] == speaker
    assert claim["cue"] == cue


def test_a_follow_on_quote_takes_the_previous_speaker() -> None:
    body = '"The levy funds the new ferry," Tomas Berg said. "It starts running in May."'
    found = extract(body, NEWS)
    if len(found) == 1:  # the rules fallback joins the two sentences into one claim
        assert found[0].text == body
    assert [c.speaker for c in found] == ["Tomas Berg"] * len(found)
    assert {c.attribution for c in found} == {"direct_quote"}


@pytest.mark.parametrize(
    ("body", "speaker"),
    [
        (
            "Mayor Tomas Berg, who chairs the harbour board, believes the levy raised $3 million.",
            "Tomas Berg",
        ),
        (
            "Engineer Karen Ostby noted on Monday that the dam lost 2 meters of water.",
            "Karen Ostby",
        ),
        ("According to Karen Ostby, the reservoir fell by 40% in June.", "Karen Ostby"),
        ("Nordvik Shipping later denied that it had cut 300 jobs.", "Nordvik Shipping"),
    ],
)
def test_indirect_attribution_with_titles_split_off(body: str, speaker: str) -> None:
    claim = one(body)
    assert claim["attribution"] == "indirect"
    assert claim["speaker"]["name"] == speaker


def test_surnames_and_pronouns_resolve_to_the_person_named_earlier() -> None:
    body = (
        "Harbour master Ingrid Solberg met the ferry operators on Monday. "
        '"We lost 12 sailings to the storm," Solberg said. '
        "She added that repairs would cost 2 million kroner."
    )
    claims = extract(body, NEWS)
    assert [c.speaker for c in claims[1:]] == ["Ingrid Solberg", "Ingrid Solberg"]


def test_anonymous_and_documentary_sources_are_recognised() -> None:
    anon = one("The merger talks stalled in May, according to people familiar with the talks.")
    assert anon["attribution"] == "anonymous"
    assert anon["speaker"] is None
    doc = one("Port data showing 14 ship arrivals a day contradict the claim.")
    assert doc["attribution"] == "document"
    assert doc["speaker"]["name"] == "Port data"


def test_transcripts_without_labels_are_transcript_turns() -> None:
    claim = one("We counted 40 trucks at the border crossing.", DocumentContext(kind="transcript"))
    assert claim["attribution"] == "transcript_turn"
    assert claim["speaker"] is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Disclaimer: This is not financial advice.", "disclaimer"),
        ("Sign up for our free morning newsletter.", "sign-up prompt"),
        ("Learn more about your ad choices. Visit podcastchoices.com/adchoices", "ad read"),
        ("This episode is brought to you by Acme Mattresses.", "ad read"),
        ("Editor’s note: The views expressed are the author's own.", "editor's note"),
        ("Read more", "navigation"),
        ("3 min read", "navigation"),
        ("  4. 4", "debris"),
        ("Harbour Gazette", "no sentence"),
    ],
)
def test_non_editorial_text_is_recognised(text: str, expected: str) -> None:
    assert skip_reason(text) == expected


def test_non_editorial_blocks_yield_no_claims_and_credits_are_trimmed() -> None:
    body = (
        "Harbour Gazette\nJune 12\n\n"
        "The new ferry entered service on June 3, 2024. (Ola Dahl / Reuters)\n"
        "Disclaimer: Investing carries risk. This is not financial advice.\n"
    )
    claims = extract(body, NEWS)
    assert [c.text for c in claims] == ["The new ferry entered service on June 3, 2024."]


@pytest.mark.parametrize(
    ("sentence", "value", "precision"),
    [
        ("The vote took place on Monday.", date(2024, 6, 10), "day"),
        ("The minister will visit on Friday.", date(2024, 6, 14), "day"),
        ("The deal was signed Jan 30.", date(2024, 1, 30), "day"),
        ("Talks resumed on 3 March 2023.", date(2023, 3, 3), "day"),
        ("Shipments began in September 2022.", date(2022, 9, 1), "month"),
        ("The tunnel opened in 1998.", date(1998, 1, 1), "year"),
    ],
)
def test_dates_resolve_against_the_publication_date(
    sentence: str, value: date, precision: str
) -> None:
    found = resolve_date(sentence, date(2024, 6, 12))  # a Wednesday
    assert found is not None
    assert (found.value, found.precision) == (value, precision)


@pytest.mark.parametrize(
    ("sentence", "published"),
    [
        ("The council will vote on the bridge budget next year.", date(9999, 12, 31)),
        ("The minister will visit next Monday.", date(9999, 12, 31)),
        ("The tunnel closed yesterday.", date(1, 1, 1)),
        ("Sales fell last year.", date(1, 1, 1)),
        ("Prices rose last month.", date(1, 1, 1)),
    ],
)
def test_a_date_past_the_calendar_leaves_the_sentence_undated(
    sentence: str, published: date
) -> None:
    # 9999-12-31 is a common "unknown" publication date; the step past it must not fail the
    # document's extraction.
    assert resolve_date(sentence, published) is None


def test_the_publication_date_is_not_a_claim_date() -> None:
    assert resolve_date("The ferry is popular with tourists.", date(2024, 6, 12)) is None


def test_numbers_and_names_raise_checkworthiness_and_opinions_lower_it() -> None:
    factual = one("Nordvik Shipping cut 300 jobs in Bergen in 2023.")
    vague = extract("Perhaps things might improve eventually.", NEWS)
    question = one("Did Nordvik Shipping cut 300 jobs in Bergen?")
    assert factual["checkworthiness"] >= CHECKWORTHY
    assert vague == []  # speculation with nothing checkable is not a claim
    assert question["checkworthiness"] < CHECKWORTHY
    assert "question" in question["reasons"]


def test_unbalanced_quotes_degrade_locally() -> None:
    body = 'Tomas Berg said "the levy raised $3 million. The ferry sails daily from Bergen to Oslo.'
    claims = extract(body, NEWS)
    assert len(claims) == 2
    assert claims[1].text == "The ferry sails daily from Bergen to Oslo."


def test_an_empty_or_sentence_less_body_yields_nothing() -> None:
    assert extract("", NEWS) == []
    assert extract("   \n\n  ", NEWS) == []
    assert extract("Logo\nMenu\nHome", NEWS) == []


def test_sponsor_reads_in_a_transcript_yield_no_claims() -> None:
    body = (
        "The harbour board met three times in March.\n"
        "This episode is brought to you by Acme Bank.\n"
        "Acme Bank has served coastal towns for 80 years.\n"
        "With Acme Checking, you get no monthly fees.\n"
        "Member FDIC. Learn more at acmebank.com/podcast.\n"
        "Back to the story: the board approved the levy in April.\n"
    )
    texts = [c.text for c in extract(body, DocumentContext(kind="transcript"))]
    assert texts == [
        "The harbour board met three times in March.",
        "Back to the story: the board approved the levy in April.",
    ]


def test_trailing_reader_comments_on_a_blog_belong_to_commenters() -> None:
    body = (
        "The city council voted on Tuesday to close the old ferry terminal, citing repair "
        "costs that the harbour office put at 40 million kroner over ten years.\n"
        "Great post. The mayor lied about the costs. Nobody believes him.\n"
    )
    claims = extract(body, DocumentContext(kind="blog", author="Ola Dahl"))
    assert claims[0].speaker == "Ola Dahl"
    assert {c.speaker for c in claims[1:]} == {"Reader comment 1"}


def test_a_sentence_cut_after_an_abbreviation_is_rejoined() -> None:
    body = "The envoy flew to the U.S. in April and met 12 senators."
    assert [c.text for c in extract(body, NEWS)] == [body]


@pytest.mark.parametrize(
    ("body", "speaker"),
    [
        ("Transport minister Eva Dal said the tunnel cost 3 billion kroner.", "Eva Dal"),
        ("Economist Lars Aas of Fjord Capital Partners argued that rents rose 9%.", "Lars Aas"),
        ("The dockworkers' union denied that 40 members had walked out.", "dockworkers' union"),
        # A document speaks for whoever issued it.
        ("Ticket data from the port authority show 12,000 crossings in July.", "port authority"),
    ],
)
def test_role_words_institutions_and_data_sources_as_speakers(body: str, speaker: str) -> None:
    assert one(body)["speaker"]["name"] == speaker


@pytest.mark.parametrize(
    ("sentence", "published", "value"),
    [
        # Future tense: the next such day after publication, into the next year if need be.
        ("The board will vote on the harbour levy on Jan. 15.", date(2025, 12, 9), (2026, 1, 15)),
        ("The new terminal is set to open Feb 3.", date(2025, 11, 20), (2026, 2, 3)),
        ("The council will meet on March 2.", date(2025, 2, 20), (2025, 3, 2)),
        # A past verb beside the date wins over a future elsewhere in the sentence.
        ("The levy will rise, the mayor said on Dec. 2.", date(2025, 12, 9), (2025, 12, 2)),
        # Past tense: this year's, or last year's when that is more than a month ahead.
        ("The board voted on Jan. 15.", date(2025, 12, 9), (2025, 1, 15)),
        ("The ferry sank on Dec 30.", date(2025, 1, 10), (2024, 12, 30)),
        # A future event a few months ahead in the same year stays in it.
        ("The bridge will reopen on Aug. 1.", date(2025, 6, 1), (2025, 8, 1)),
    ],
)
def test_a_day_without_a_year_is_the_next_one_when_the_claim_is_about_the_future(
    sentence: str, published: date, value: tuple[int, int, int]
) -> None:
    found = resolve_date(sentence, published)
    assert found is not None
    assert found.value == date(*value)


@pytest.mark.parametrize(
    ("body", "speaker", "attribution"),
    [
        # A document speaks for whoever issued it: by, from, a verb of issuing, a possessor.
        (
            "The harbour project is $40 million over budget, according to a report released "
            "on Tuesday by the state auditor's office.",
            "state auditor's office",
            "document",
        ),
        (
            "The port will hire 200 dockworkers in 2025, according to a statement from the "
            "port authority.",
            "port authority",
            "document",
        ),
        (
            "Ferry fares rose 9 percent in 2023, according to figures published by the "
            "transport agency.",
            "transport agency",
            "document",
        ),
        # With nobody named, the document is no speaker (every "report" was one speaker).
        (
            "The ferry carried 1.2 million passengers in 2023, according to a statement.",
            None,
            "document",
        ),
    ],
)
def test_a_document_is_attributed_to_whoever_issued_it_or_to_nobody(
    body: str, speaker: str | None, attribution: str
) -> None:
    claim = one(body)
    assert (claim["speaker"]["name"] if claim["speaker"] else None) == speaker  # type: ignore[index]
    assert claim["attribution"] == attribution


@pytest.mark.parametrize(
    ("body", "name", "role"),
    [
        (
            "The bridge will cost $2 billion, Councilmember Derek Holt said on Monday.",
            "Derek Holt",
            "Councilmember",
        ),
        ("Governor Tomas Reyes said the tunnel would open in 2026.", "Tomas Reyes", "Governor"),
        ("The shooting happened at 2 a.m. on Sunday, Lt. Ana Ruiz said.", "Ana Ruiz", "Lt."),
        # An organisation keeps the words a person's title would lose.
        ("The White House said the talks would resume in 2025.", "White House", None),
        ("The State Department said 40 diplomats left in 2024.", "State Department", None),
    ],
)
def test_a_title_before_a_name_is_the_speakers_role_not_part_of_the_name(
    body: str, name: str, role: str | None
) -> None:
    assert one(body)["speaker"] == {"name": name, "role": role}


@pytest.mark.parametrize(
    ("body", "worthy"),
    [
        # About the reporting, not the story: nothing to check.
        ("The governor's office did not respond to a request for comment.", False),
        ("Nordvik Shipping didn't immediately return calls seeking comment.", False),
        ("A spokesperson for the ministry declined to comment.", False),
        ("Councilmember Holt could not be reached on Monday.", False),
        # A figure beside the refusal, or a story's own "did not respond", is still a claim.
        ("The mayor declined to comment, but said the levy raised $4 million in 2023.", True),
        ("The port authority said it had not responded to the union's demands in 2023.", True),
    ],
)
def test_a_sentence_saying_someone_would_not_comment_is_not_check_worthy(
    body: str, worthy: bool
) -> None:
    assert (one(body)["checkworthiness"] >= CHECKWORTHY) is worthy  # type: ignore[operator]


@pytest.mark.parametrize(
    ("sentence", "value"),
    [
        ("The levy will end in 2025, the mayor said on Monday.", date(2024, 6, 10)),
        # The verb nearest the day decides, a few words away and past a quotation.
        ('"We will reopen the pier," Ada Lund said at a briefing on Monday.', date(2024, 6, 10)),
        ("Ada Lund told reporters at the pier on Monday that it will reopen.", date(2024, 6, 10)),
        ("The pier is scheduled to reopen on Monday.", date(2024, 6, 17)),
        ("The board, which met twice, will vote on Monday.", date(2024, 6, 17)),
        ("The board will vote on the levy it approved on Monday.", date(2024, 6, 10)),
        # A word in -ed away from the day is as often an adjective: it says nothing.
        ("The council will vote on the proposed zoning changes on Monday.", date(2024, 6, 17)),
        ("The firm will release its delayed earnings report on Monday.", date(2024, 6, 17)),
        ("The mayor will meet the United Nations envoy on Monday.", date(2024, 6, 17)),
        ("The pier will be reopened on Monday.", date(2024, 6, 17)),
        ("The pier reopened on Monday.", date(2024, 6, 10)),
        # A past verb a short object away, with a "will" later in the sentence.
        (
            "The board voted 5-2 on Monday night to shut the pier, which will cost $4m.",
            date(2024, 6, 10),
        ),
        (
            "Crews closed the northbound lanes on Monday, and the pier will stay shut.",
            date(2024, 6, 10),
        ),
        ("The board will consider a revised plan on Monday.", date(2024, 6, 17)),
        ("The mayor will visit flooded towns on Monday.", date(2024, 6, 17)),
        # Words in -ed that are no past verb: a schedule, an adjective after a preposition,
        # -eed, a capital at the start.
        ("The board has a vote planned for Monday, where members will decide.", date(2024, 6, 17)),
        ("The hearing now scheduled for Monday will decide the case.", date(2024, 6, 17)),
        ("A concert with reserved seating on Monday will raise money.", date(2024, 6, 17)),
        (
            "The city hopes to speed up repairs by Monday, when the pier will reopen.",
            date(2024, 6, 17),
        ),
        ("The proposed changes on Monday will be debated.", date(2024, 6, 17)),
        ("Police arrested two men on Monday, and a court will hear the case.", date(2024, 6, 10)),
    ],
)
def test_the_verb_next_to_a_weekday_decides_past_or_future(sentence: str, value: date) -> None:
    found = resolve_date(sentence, date(2024, 6, 12))
    assert found is not None
    assert found.value == value


def test_single_quotation_marks_with_apostrophes_inside() -> None:
    claim = one("‘We don’t expect the ferry to run in 2025,’ Karen Ostby said.")
    assert claim["attribution"] == "direct_quote"
    assert claim["speaker"]["name"] == "Karen Ostby"


def test_list_entries_that_state_a_role_are_claims_and_page_references_are_not() -> None:
    assert skip_reason("- Nordvik Shipping - Mentioned as related reading.") == "glossary entry"
    assert skip_reason("- Nordvik Shipping - Ferry operator based in Bergen.") is None
    assert skip_reason("- Lena Dahl — port director since 2019") is None
    assert skip_reason("- The ferry carried 1.2 million passengers in 2023.") is None
    found = extract("People\n- Lena Dahl — port director since 2019\n", NEWS)
    assert [c.text for c in found] == ["- Lena Dahl — port director since 2019"]


@pytest.mark.parametrize(
    ("body", "speaker", "role"),
    [
        (
            "Harbour spokesperson Anna Kvist said the berth cost $2 million.",
            "Anna Kvist",
            "Harbour spokesperson",
        ),
        ("Senator Eva Dal said the tunnel cost 3 billion kroner.", "Eva Dal", "Senator"),
        (
            "Lars Aas, former head of the port authority, said fees rose 9%.",
            "Lars Aas",
            "former head of the port authority",
        ),
        ("Ana Ruiz of Fjord Capital said rents rose 9% in 2023.", "Ana Ruiz", "Fjord Capital"),
    ],
)
def test_titles_roles_and_affiliations_go_into_the_speakers_role(
    body: str, speaker: str, role: str
) -> None:
    claim = one(body)
    assert claim["speaker"] == {"name": speaker, "role": role}


def test_a_transcript_names_a_voice_after_it_is_heard() -> None:
    body = (
        "The ferry levy raised 41 million kroner last year.\n"
        "The board wants 80 million. That's our colleague Ingrid Solberg, who covers the port.\n"
        "Bergen doubled its levy in 2016.\n"
        "That's Tomas Berg, the mayor.\n"
        "That's the levy Bergen copied in 2016.\n"
    )
    claims = extract(body, DocumentContext(kind="transcript"))
    assert [(c.text[:26], c.speaker) for c in claims] == [
        ("The ferry levy raised 41 m", None),
        ("The board wants 80 million", "Ingrid Solberg"),
        ("Bergen doubled its levy in", "Tomas Berg"),
        ("That's the levy Bergen cop", None),
    ]


def test_a_sourcing_sentence_sources_the_claim_before_it_and_is_not_a_claim() -> None:
    body = (
        "Harbour master Ingrid Solberg says the Nordhavn ferry will stop running in March. "
        "That's according to people familiar with the council's plans.\n\n"
        "The levy raised 41 million kroner last year. "
        "This is according to the harbour office."
    )
    found = extract(body, NEWS)
    assert [c.text for c in found] == [
        "Harbour master Ingrid Solberg says the Nordhavn ferry will stop running in March.",
        "The levy raised 41 million kroner last year.",
    ]
    assert found[0].attribution == "anonymous"
    assert found[0].speaker == "Ingrid Solberg"
    assert found[1].attribution == "indirect"
    assert (found[1].speaker or "").removeprefix("the ") == "harbour office"


@pytest.mark.parametrize(
    "sentence",
    [
        "Two ferry lines plan to leave the route next year, a port official said.",
        "The yard will close in March, one senior source told the Gazette.",
    ],
)
def test_an_unnamed_official_is_an_anonymous_source(sentence: str) -> None:
    found = one(sentence)
    assert found["attribution"] == "anonymous"
    assert found["speaker"] is None


@pytest.mark.parametrize(
    "sentence",
    [
        "- Audit the ferry contracts: compare 3-5 bids against last year's prices.",
        "Evaluate the levy: calculate what 2 extra cruise calls a week would bring in.",
        "1. Monitor the harbour board's vote on June 13.",
    ],
)
def test_instructions_and_to_do_items_are_not_claims(sentence: str) -> None:
    assert extract(sentence, NEWS) == []


def test_a_report_that_starts_with_such_a_word_is_still_a_claim() -> None:
    found = one("Review boards approved 40 new ferry licences in 2023, the ministry said.")
    assert found["checkworthiness"] >= CHECKWORTHY


def test_a_long_line_that_lost_its_full_stop_is_still_a_sentence() -> None:
    body = (
        "Harbour Board Approves New Ferry Contract For The Northern Route\n"
        "The harbour board said on Monday that the new ferry contract would cost the city 41 "
        "million kroner over ten years\n"
    )
    # The first line is the page's headline, a claim of its own (test_headlines.py).
    assert [c.text[:20] for c in extract(body, NEWS)] == [
        "Harbour Board Approv",
        "The harbour board sa",
    ]


LABELLED = (
    "RACHEL OKAFOR, HOST: Good morning. The county closed two of its four clinics last month.\n"
    "\n"
    "OKAFOR: Our reporter has the details.\n"
    "\n"
    "DEV PATEL: Thanks, Rachel. The county says 12,000 patients used the two clinics in 2025.\n"
    "\n"
    "A person who works at one of them told me the waiting list doubled in a week.\n"
    "\n"
    "SEN. MARIA LOPEZ (D-CA): We were promised $30 million for the clinics and got nothing.\n"
    "\n"
    "UNIDENTIFIED MAN: My mother waited nine hours at the clinic on Main Street.\n"
    "\n"
    "Update: This transcript was corrected on March 3 to fix a spelling error.\n"
)


@pytest.mark.parametrize("kind", ["transcript", "news"])
@pytest.mark.parametrize("run", ["rules", "parsed"])
def test_a_labelled_transcript_gives_each_line_to_its_label(run: str, kind: str) -> None:
    # Most published transcripts name the voice of every turn: "NAME:" opens the line, the
    # lines after it are the same voice's until the next label, and the label is no part
    # of any claim. A surname label is the labelled full name; a title is not the name;
    # "UNIDENTIFIED MAN" names nobody; a heading ("Update:") is not a voice. Filed as news,
    # a text whose lines are mostly labelled is read the same way.
    from service.extraction import extract_rules, nlp

    context = DocumentContext(kind=kind, outlet="County Public Radio")
    if run == "parsed":
        if nlp.pipeline() is None:
            pytest.skip("no spaCy model")
        found = extract(LABELLED, context)
    else:
        found = extract_rules(LABELLED, context)
    by_text = {c.text: c for c in found}
    assert all(":" not in c.text.split()[0] for c in found if "corrected" not in c.text)
    clinics = by_text["The county closed two of its four clinics last month."]
    assert (clinics.speaker, clinics.attribution) == ("Rachel Okafor", "transcript_turn")
    assert clinics.speaker_role == "host"  # what the label says she is
    patients = by_text["The county says 12,000 patients used the two clinics in 2025."]
    assert patients.speaker == "Dev Patel"
    waiting = by_text[
        "A person who works at one of them told me the waiting list doubled in a week."
    ]
    assert waiting.speaker == "Dev Patel"
    promised = by_text["We were promised $30 million for the clinics and got nothing."]
    assert promised.speaker == "Maria Lopez"
    mother = by_text["My mother waited nine hours at the clinic on Main Street."]
    assert (mother.speaker, mother.attribution) == (None, "transcript_turn")
    update = [c for c in found if "corrected" in c.text]
    # The heading is nobody's turn: the transcript's unknown voice, or the outlet of news.
    assert {c.speaker for c in update} <= {None, "County Public Radio"}


def test_transcript_labels_need_two_lines_and_a_voice() -> None:
    from service.extraction.document import turn_labels
    from service.extraction.segment import blocks

    def labels(body: str, host: str | None = None) -> dict[int, tuple[str | None, bool]]:
        found = turn_labels(blocks(body), host)
        return {i: (label.speaker, label.end > 0) for i, label in found.items()}

    # One heading does not make a script.
    assert labels("Update: the ferry runs again.\n\nIt carried 300 people on Monday.\n") == {}
    # Headings are not voices, even among labelled lines.
    assert labels(
        "HOST: Welcome to the show.\n\nNote: the figures are provisional.\n\n"
        "GUEST: We built 40 homes.\n",
        host="Ines Moreau",
    ) == {0: ("Ines Moreau", True), 2: (None, True)}
    # News with two labelled lines of seven is not a script.
    from service.extraction.document import script_labels

    story = (
        "The council met on Monday.\n\nMayor Ruth Kline: We will cut the fare.\n\n"
        "The fare is $2.\n\nIt rose in 2024.\n\nCouncillor Ben Oduya: We will not.\n\n"
        "The vote is in May.\n\nBuses carried 9,000 riders a day.\n"
    )
    assert script_labels(blocks(story), DocumentContext(kind="news")) == {}
    # A podcast pasted as news, with a title, an introduction and notes around its turns:
    # labels in capitals on a third of its lines read as a script.
    pasted = (
        "Harbour Weekly, episode 12\n\nThis week: the pier.\n\nShow notes follow.\n\n"
        "HOST: The pier closed in May.\n\nDANA WHITFIELD: It cost $4 million.\n\n"
        "HOST: Thanks.\n\nMusic by the band.\n\nTranscript edited for length.\n\n"
        "Subscribe for more.\n"
    )
    assert len(script_labels(blocks(pasted), DocumentContext(kind="news"))) >= 3
    assert len(script_labels(blocks(story), DocumentContext(kind="transcript"))) == 6
    # A title-case name is a voice; a first name alone is the labelled full name it opens.
    assert labels(
        "Tom Alvarez: The bridge opened in 1998.\n\nTom: It cost $4 million.\n\n"
        "Priya Nair: It was $6 million.\n"
    ) == {0: ("Tom Alvarez", True), 1: ("Tom Alvarez", True), 2: ("Priya Nair", True)}


@pytest.mark.parametrize(
    ("sentence", "kept"),
    [
        ("LOS ANGELES (Reuters) - The port handled 9 million containers.", "The port"),
        ("HARROW BAY — The council voted 7-2 to close the ferry pier.", "The council"),
        ("PORTLAND, Ore. — Officials counted 412 tents in May.", "Officials"),
        ("WASHINGTON -- The Senate passed the bill 61-39.", "The Senate"),
        ("SPRINGFIELD, Dec. 2 (Reuters) - The state added 4,000 jobs in October.", "The state"),
        # Not datelines: a pronoun before a dash, a capitalised word run into a hyphen, an
        # acronym the sentence is about.
        ("I — and 40 other tenants — paid the fee in 2024.", "I —"),
        ("US-based lenders raised rates by 2% in March.", "US-based"),
        ("NATO—not the EU—sent 5,000 troops in 2024.", "NATO—not"),
        ("U.S.–China trade fell 12 percent in 2025.", "U.S.–China"),
        ("FEMA — which was criticized — paid $3 billion in 2024.", "FEMA —"),
        ("US - Mexico crossings fell 20% in 2025.", "US - Mexico"),
    ],
)
def test_a_dateline_is_no_part_of_the_claim(sentence: str, kept: str) -> None:
    claim = one(sentence)
    assert str(claim["text"]).startswith(kept)


BLOG_WITH_NAMED_COMMENTS = (
    "The board voted 5-4 on Monday to close the library branch, which costs $2 million a year."
    "\n\nComments\n\n"
    "Tess Amundsen wrote on March 3, 2025: The branch costs $1.2 million, not $2 million. "
    "My neighbour works in the budget office and says the figure includes the new roof.\n\n"
    "Omar Haddad (March 4, 2025): The vote was 6-3.\n\n"
    "I watched it live.\n"
)


@pytest.mark.parametrize("run", ["rules", "parsed"])
def test_a_blog_comment_signed_by_its_writer_is_that_writers(run: str) -> None:
    # After a comments heading, a line opening with its writer ("X wrote on DATE:", "X
    # (DATE):") is X's comment, and the lines after it are X's until the next writer's;
    # what a commenter relays ("my neighbour … says") is still the commenter's assertion.
    from service.extraction import extract_rules, nlp

    context = DocumentContext(
        kind="blog", author="Lena Fisk", outlet="Branch Notes", published_on=date(2025, 3, 3)
    )
    if run == "parsed" and nlp.pipeline() is None:
        pytest.skip("no spaCy model")
    found = (extract if run == "parsed" else extract_rules)(BLOG_WITH_NAMED_COMMENTS, context)

    def speaker(words: str) -> str | None:
        [claim] = [c for c in found if words in c.text]
        return claim.speaker

    assert speaker("The board voted 5-4") == "Lena Fisk"
    assert speaker("The branch costs $1.2 million") == "Tess Amundsen"
    assert speaker("My neighbour works") == "Tess Amundsen"
    assert speaker("The vote was 6-3.") == "Omar Haddad"
    assert speaker("I watched it live.") == "Omar Haddad"


def test_a_dateline_the_splitter_cut_off_alone_is_no_claim_and_dates_nothing() -> None:
    found = extract(
        "HARROW BAY, Wash. — The council closed the pier in May.\n\n"
        "SPRINGFIELD, Dec. 2 (Reuters) - The state added 4,000 jobs in October.",
        NEWS,
    )
    assert [c.text for c in found] == [
        "The council closed the pier in May.",
        "The state added 4,000 jobs in October.",
    ]
    assert found[1].claim_date is not None
    assert found[1].claim_date.value.month == 10


def test_a_place_and_a_dash_are_a_dateline_only_where_a_paragraph_opens() -> None:
    found = extract(
        "The agency met on Monday. IOWA CITY — The council voted 7-2 on the levy in May.",
        NEWS,
    )
    assert any(c.text.startswith("IOWA CITY — The council") for c in found)


@pytest.mark.parametrize("run", ["rules", "parsed"])
def test_a_post_quoting_people_with_said_colon_has_no_comments(run: str) -> None:
    # Two "X said: …" lines in a post made every block after them "reader comments" of
    # the last one, the blogger's own sentences included.
    from service.extraction import extract_rules, nlp

    if run == "parsed" and nlp.pipeline() is None:
        pytest.skip("no spaCy model")
    body = (
        "The city budget grew 3 percent last year.\n\n"
        "Mayor Ines Berg said: The budget is balanced and taxes will not rise in 2026.\n\n"
        "Councillor Omar Tahir said: The budget hides a deficit of $4 million.\n\n"
        "Property taxes rose 2 percent in 2024, according to city records.\n"
    )
    context = DocumentContext(kind="blog", author="Pat Lee", published_on=date(2026, 3, 1))
    found = (extract if run == "parsed" else extract_rules)(body, context)
    assert not [c for c in found if c.cue == "reader comment"]


def test_a_fact_box_in_news_is_no_script_and_a_surname_is_its_full_label() -> None:
    from service.extraction.document import script_labels, turn_labels
    from service.extraction.segment import blocks

    # "WHAT:", "WHEN:", "WHERE:" made every later paragraph a turn of a speaker "Where".
    brief = (
        "WHAT: A vote on the levy.\n\nWHEN: Tuesday, 7 p.m.\n\nWHERE: City hall.\n\n"
        "The budget raises property taxes by 3 percent.\n\n"
        "Mayor Ann Price said the increase would fund 14 new police officers.\n\nEnd.\n"
    )
    assert script_labels(blocks(brief), DocumentContext(kind="news")) == {}
    # "LOPEZ:" after "SEN. MARIA LOPEZ (D-CA):" is Maria Lopez, a senator, as her first turn
    # (it was "Sen. Maria Lopez", a second speaker).
    script = (
        "HOST: Welcome.\n\nSEN. MARIA LOPEZ (D-CA): We got nothing.\n\n"
        "HOST: Nothing?\n\nLOPEZ: Not one dollar of the $30 million.\n"
    )
    found = turn_labels(blocks(script), "Ines Moreau")
    assert (found[1].speaker, found[3].speaker) == ("Maria Lopez", "Maria Lopez")
    assert found[3].role == found[1].role == "sen."
