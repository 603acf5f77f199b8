"""Check-worthiness from a parse: features a reader would name, weighed by a logistic model.

Each feature is a property of the sentence's parse, not of its words: a number (digits or
number words, not clock times), named entities, a date, an actor doing something (a subject
and a main verb that is not a copula or a modal), attribution to a source; against: a
question, an opinion frame with nothing checkable under it, hedges and modals, an evaluative
predicate, words to the reader, a fragment. A copula with a nominal predicate ("X is a banker",
"there was a meeting") states a fact about something. The weights are fitted on the dev gold
(`python -m evals.fit_checkworthiness`, logistic regression) so that 0.5 means "show an
editor"; the intercept and weights below are its output, rounded.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

from service.extraction.nlp import ents_of

if TYPE_CHECKING:
    from spacy.tokens import Span as TokenSpan

#: Fitted on the dev gold by evals/fit_checkworthiness.py at e509ea2 (519 matched sentences of 13
#: articles, 365 check-worthy; logistic regression, C = 0.1; held-out-article ROC-AUC 0.757);
#: rounded. A weight near 0 means the dev data showed no effect.
INTERCEPT = -0.36
WEIGHTS: dict[str, float] = {
    "number": 0.66,
    "entities": 0.72,
    "date": 0.36,
    "actor_event": 0.36,
    "identity": -0.06,
    "attributed": -0.17,
    "question": -0.29,
    "opinion": -0.21,
    "hedge": -0.42,
    "evaluative": -0.02,
    "to_reader": -0.28,
    "fragment": -0.26,
    "first_person": -0.42,
    "named_subject": 0.26,
    "past": 0.81,
    "future": -0.06,
    "superlative": 0.14,
    "negation": -0.26,
    "length": 0.51,
    "adjectives": 0.07,
}
FEATURES = tuple(WEIGHTS)
#: The most a question scores: below "show an editor" and under the link bar (LINKABLE).
QUESTION_CAP = 0.25
#: A sentence about the reporting itself: someone did not answer, would not comment, could
#: not be reached. It asserts nothing about the story to check (a figure in it still may).
NO_COMMENT = re.compile(
    r"\b(?:did not|didn[’']t|does not|doesn[’']t|has not|hasn[’']t|have not|haven[’']t)\s+"
    r"(?:immediately\s+)?(?:respond|reply|return|answer)\w*\s+(?:to\s+)?(?:\w+\s+){0,2}"
    r"(?:requests?|calls?|e-?mails?|messages?|inquir\w+|questions?)\b(?:\s+(?:for|seeking)"
    r"\s+comment)?|\b(?:declined|refused|would not|wouldn[’']t)\s+(?:to\s+)?comment\b|"
    r"\bcould not (?:immediately\s+)?be reached\b|\bwas not (?:immediately\s+)?available "
    r"(?:for|to) comment\b",
    re.I,
)

#: Contact details: an e-mail address or a telephone number, with a word that offers them
#: ("contact", "call", "e-mail", "press office", "inquiries"). They tell the reader how to
#: reach someone and assert nothing about the story.
CONTACT_DETAILS = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+|\+?\(?\d[\d ().-]{5,}\d")
_DATE_LIKE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$|^\d{1,2}[./-]\d{1,2}[./-]\d{2,4}$")
CONTACT_WORDS = re.compile(
    r"\b(?:contacts?|call|phone|telephone|e-?mail|write to|reach|press office|inquiries|"
    r"enquiries)\b",
    re.I,
)
#: The page speaking of itself: "This article was updated …", "This story has been corrected
#: …". Meta-text about the article asserts nothing about the world.
ABOUT_THIS_PAGE = re.compile(
    r"^\s*this\s+(?:article|story|post|report|page|piece|version|column)\s+(?:was|"
    r"has been|had been|is|have been)\s+(?:\w+\s+){0,2}?(?:updated|corrected|amended|edited|"
    r"changed|revised|published|originally published|first published|modified)\b",
    re.I,
)

_NAMED = frozenset(
    {"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT", "LAW", "PRODUCT", "WORK_OF_ART"}
)
_AMOUNT = frozenset({"CARDINAL", "MONEY", "PERCENT", "QUANTITY"})
_MODALS = frozenset({"may", "might", "could", "would", "should", "must", "can"})
_HEDGE_ADVERBS = frozenset(
    {"perhaps", "probably", "maybe", "possibly", "likely", "apparently", "arguably", "seemingly"}
)
_OPINION_VERBS = frozenset({"think", "believe", "feel", "guess", "suppose", "hope", "reckon"})
_READER = frozenset({"you", "your", "yours", "yourself"})
_FIRST = frozenset({"i", "we", "my", "our", "me", "us"})


def features(sent: TokenSpan, *, attributed: bool, dated: bool, quoted: bool) -> dict[str, float]:
    """The sentence's features, each in [0, 1] (entities count up to two)."""
    ents = list(ents_of(sent))
    clock = {t.i for e in ents if e.label_ == "TIME" for t in e}
    number = any(e.label_ in _AMOUNT for e in ents) or any(
        t.like_num and t.i not in clock and t.pos_ == "NUM" for t in sent
    )
    named = {e.text for e in ents if e.label_ in _NAMED}
    root = sent.root
    main = root
    opinion = False
    if root.lemma_.lower() in _OPINION_VERBS and any(
        c.dep_ == "nsubj" and c.lower_ in _FIRST for c in root.children
    ):
        # "I think X": X is what is claimed; the frame itself only softens it.
        opinion = True
        main = next((c for c in root.children if c.dep_ == "ccomp"), root)
    subject = next((c for c in main.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    auxes = [c for c in main.children if c.dep_ in ("aux", "auxpass")]
    modal = any(a.lower_ in _MODALS for a in auxes)
    actor_event = (
        subject is not None
        and main.pos_ == "VERB"
        and main.lemma_.lower() != "be"
        and not modal
        and subject.lower_ not in _READER
    )
    hedge = modal or any(t.lower_ in _HEDGE_ADVERBS for t in sent)
    copular = main.lemma_.lower() == "be" or (main.pos_ == "AUX" and main.dep_ == "ROOT")
    evaluative = copular and any(c.dep_ == "acomp" and c.pos_ == "ADJ" for c in main.children)
    # "X is a Russian investment banker", "There was a group of …": a fact about something.
    identity = (
        copular
        and any(c.dep_ == "attr" for c in main.children)
        and (subject is not None or any(c.dep_ == "expl" for c in main.children))
    )
    text = sent.text.rstrip("\"”’' )")
    words = [t for t in sent if not t.is_punct]
    adjectives = sum(1 for t in words if t.pos_ == "ADJ")
    return {
        "number": float(number),
        "entities": min(len(named), 2) / 2,
        "date": float(dated or any(e.label_ == "DATE" for e in ents)),
        "actor_event": float(actor_event),
        "identity": float(identity and not evaluative),
        "attributed": float(attributed),
        "question": float(text.endswith("?")),
        "opinion": float(opinion),
        "hedge": float(hedge),
        "evaluative": float(evaluative and not number and not named),
        "to_reader": float(any(t.lower_ in _READER for t in sent) and not quoted),
        "fragment": float(len(words) < 6),
        "first_person": float(
            subject is not None and subject.lower_ in _FIRST and not quoted and not opinion
        ),
        # A named or specific actor as subject: "Microsoft said", "The council approved".
        "named_subject": float(
            subject is not None and (subject.ent_type_ in _NAMED or subject.pos_ == "PROPN")
        ),
        "past": float(main.tag_ == "VBD" or any(a.tag_ == "VBD" for a in auxes)),
        "future": float(any(a.lower_ in ("will", "'ll", "wo") for a in auxes)),
        "superlative": float(any(t.tag_ in ("JJS", "RBS") for t in words)),
        "negation": float(any(t.dep_ == "neg" for t in main.children)),
        "length": min(len(words), 40) / 40,
        "adjectives": min(adjectives / max(1, len(words)) * 5, 1.0),
    }


_REASON = {
    "number": "number or amount",
    "entities": "named entities",
    "date": "dated",
    "actor_event": "an actor and an event",
    "identity": "states what something is",
    "attributed": "attributed to a source",
    "question": "question",
    "opinion": "opinion frame",
    "hedge": "hedge or modal",
    "evaluative": "evaluative wording",
    "to_reader": "addresses the reader",
    "fragment": "fragment",
    "first_person": "the writer's own experience",
    "named_subject": "a named actor",
    "past": "past tense",
    "future": "future tense",
    "superlative": "superlative",
    "negation": "negation",
    "length": "length",
    "adjectives": "descriptive wording",
}


def nothing_checkable(values: dict[str, float]) -> bool:
    """Pure speculation ("Perhaps things might improve") or advice to the reader, with no
    number, name, date or actor doing something in it: not a claim at all."""
    checkable = ("number", "entities", "date", "actor_event", "identity", "named_subject")
    if any(values[k] for k in checkable):
        return False
    return bool(values["hedge"] or values["to_reader"] or values["question"])


def probability(values: dict[str, float]) -> float:
    """The logistic model's probability that an editor should see the sentence."""
    z = INTERCEPT + sum(WEIGHTS[k] * v for k, v in values.items())
    return 1 / (1 + math.exp(-z))


def score_tokens(
    sent: TokenSpan, *, attributed: bool, dated: bool, quoted: bool
) -> tuple[float, list[str], dict[str, float]]:
    """Check-worthiness in [0, 1] from the parse features alone (a calibrated probability),
    the features that fired, and their values. The parse path then reads the score again
    with the sentence's vector (checkworthy.py), where the encoder is installed."""
    values = features(sent, attributed=attributed, dated=dated, quoted=quoted)
    reasons = [_REASON[k] for k, v in values.items() if v and WEIGHTS[k]]
    if values["entities"]:
        named = [e.text for e in ents_of(sent) if e.label_ in _NAMED]
        reasons[reasons.index("named entities")] = "named entities: " + ", ".join(
            dict.fromkeys(named[:4])
        )
    if not values["number"] and NO_COMMENT.search(sent.text):
        reasons.append(NO_COMMENT_REASON)
    if offers_contact(sent.text):
        reasons.append(CONTACT_REASON)
    if ABOUT_THIS_PAGE.search(sent.text):
        reasons.append(THIS_PAGE_REASON)
    return capped(probability(values), values, reasons), reasons, values


def offers_contact(text: str) -> bool:
    """An e-mail address, or a telephone number (seven digits or more, not a date), beside a
    word that offers it."""
    if not CONTACT_WORDS.search(text):
        return False
    for m in CONTACT_DETAILS.finditer(text):
        found = m.group().strip()
        if "@" in found or (sum(ch.isdigit() for ch in found) >= 7 and not _DATE_LIKE.match(found)):
            return True
    return False


NO_COMMENT_REASON = "about the reporting: no comment"
CONTACT_REASON = "contact details for the reader"
THIS_PAGE_REASON = "about the article itself"
#: Reasons that keep a sentence under the bars whatever else it holds.
ASSERTS_NOTHING = frozenset({NO_COMMENT_REASON, CONTACT_REASON, THIS_PAGE_REASON})


def capped(value: float, values: dict[str, float], reasons: list[str]) -> float:
    """A score no higher than a question's for what asserts nothing about the story: a
    question, whatever names and numbers it holds; a sentence about the reporting itself (no
    comment); contact details offered to the reader; the article speaking of itself."""
    if values["question"] or ASSERTS_NOTHING.intersection(reasons):
        return min(value, QUESTION_CAP)
    return value
