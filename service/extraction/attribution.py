"""Who asserts a sentence, and how we know: quotes, speech verbs, anonymous and documentary cues."""

from __future__ import annotations

import re
from dataclasses import dataclass

from service.extraction.speakers import NAME, PeopleTracker, strip_titles

CUE_VERBS = (
    "said|says|say|told|tells|added|adds|noted|notes|warned|warns|argued|argues|believes|"
    "believe|thinks|claimed|claims|stated|states|explained|explains|wrote|writes|insisted|"
    "insists|stressed|stresses|suggested|reminded|denied|denies|acknowledged|acknowledges|"
    "admitted|admits|predicted|predicts|estimated|estimates|compared|announced|announces|"
    "confirmed|confirms|asserted|asserts|maintained|maintains|testified|tweeted|posted|recalled|"
    "revealed|disclosed|conceded|cautioned|countered|emphasized|emphasised|contends|contended|"
    "called|calls|described|describes"
)
#: Nouns that name an organisation ("the union", "the ministry"): it speaks, it is no person.
INSTITUTION_NOUNS = frozenset(
    [
        "association",
        "union",
        "ministry",
        "company",
        "council",
        "board",
        "committee",
        "office",
        "operator",
        "agency",
        "government",
        "police",
        "court",
        "department",
        "commission",
        "authority",
        "regulator",
        "firm",
        "bank",
        "group",
        "party",
        "campaign",
    ]
)
#: Institutions named by a common noun ("the cruise operators' association denied …").
_INSTITUTION = (
    r"(?P<inst>(?:the|its|a)\s+(?:[\w’'\-]+\s+){0,3}?(?:"
    + "|".join(sorted(INSTITUTION_NOUNS | {"spokesperson", "spokesman"}))
    + "))"
)
_Q_OPEN = "\"“”'‘’"
_Q = r"[\"“”]"
_SUBJECT = (
    r"(?P<subj>(?:he|she|they)\b|"
    + NAME.pattern
    + r"(?:\s+of\s+(?:the\s+)?[A-Z][\w.&\-]*(?:\s+[A-Z][\w.&\-]*)*)?)"
)
_ADVERB = (
    r"(?:\s+(?:also|later|recently|publicly|previously|repeatedly|once|then|further|even|"
    r"now|still|has|had|have|privately|reportedly))?"
)

#: "…," Dannenberg said.  /  "…," said Dannenberg.
#: A quotation in double marks, or in single marks (British style; apostrophes inside are
#: allowed, the closing mark is the one followed by the attribution).
_QUOTATION = r"(?:" + _Q + r"[^\"“”]{8,}?[,.!?…]?" + _Q + r"|[‘'][^\n]{8,}?[,.!?…]?[’'])"
QUOTE_THEN_CUE = re.compile(
    _QUOTATION
    + r"\s*,?\s*(?:"
    + _SUBJECT
    + _ADVERB
    + r"\s+(?P<cue>"
    + CUE_VERBS
    + r")\b|(?P<cue2>said|says|added|told)\s+(?P<subj2>"
    + NAME.pattern
    + r"))"
)
#: Dannenberg said: "…"  /  he said of Putin: "…"
CUE_THEN_QUOTE = re.compile(
    _SUBJECT
    + _ADVERB
    + r"\s+(?P<cue>"
    + CUE_VERBS
    + r")(?:\s+(?:of|about|to)\s+[\w\s]{1,40}?)?\s*[:,]\s*"
    + _Q
)
#: Dannenberg, former head of X, believes …  /  Energy minister Sofia Lind said …
SUBJECT_CUE = re.compile(
    r"(?:^|[,;:—–]\s+|\bthat\s+)(?:(?:[A-Za-z][\w\-’']*\s+){0,3}?)"
    + _SUBJECT
    + r"(?:,\s[^,]{3,120}?,)?"
    + _ADVERB
    + r"\s+(?P<cue>"
    + CUE_VERBS
    + r")\b"
)
INSTITUTION_CUE = re.compile(
    r"(?:^|[,;:—–]\s+)" + _INSTITUTION + _ADVERB + r"\s+(?P<cue>" + CUE_VERBS + r")\b", re.I
)
ACCORDING_TO = re.compile(r"\baccording to (?P<subj>[^,.;]{2,80})", re.I)
ANONYMOUS = re.compile(
    r"\b(?P<cue>(?:people|persons?|sources?|officials?|diplomats?|aides?|someone)\s+"
    r"(?:familiar with|close to|briefed on|with knowledge of|"
    r"who (?:spoke|asked)[^,.]{0,40}anonymity)[^,.;]{0,40}|"
    r"(?:unnamed|anonymous|senior|several|two|three|four)\s+"
    r"(?:sources?|officials?|people|diplomats?)(?:\s+said)?|"
    r"(?:an?|one|another)\s+(?:[a-z]+\s+){0,2}(?:official|source|aide|diplomat|insider)\s+"
    r"(?:said|says|told)|"
    r"reportedly|it (?:was|has been|is) reported|"
    r"according to (?:(?:recent|media|news|press) )?(?:reports?|reporting|sources|people))\b",
    re.I,
)
#: What a text says of a source to tell the reader it is not named: "speaking on condition of
#: anonymity", "who asked not to be named", "who declined to give her name", "because he was
#: not authorized to speak publicly". Said of a common noun ("an engineer", "one witness"),
#: it makes that noun an anonymous source.
UNNAMED = re.compile(
    r"\b(?:(?:on|under)\s+(?:the\s+)?(?:condition|terms?)\s+of\s+anonymity|"
    r"(?:requested|requesting|asked\s+for|asking\s+for|granted|given)\s+anonymity|"
    r"(?:spoke|speaking|talked|talking|wrote|writing)\s+anonymously|"
    r"(?:asked|asking|declined|declining|refused|refusing|wished|wishing|wanted|preferred)"
    r"\s+not\s+to\s+be\s+(?:named|identified)|"
    r"(?:declined|declining|refused|refusing)\s+to\s+be\s+(?:named|identified)|"
    r"(?:declined|declining|refused|refusing|would\s+not|did\s+not|didn['’]t)\s+"
    r"(?:to\s+)?(?:give|giving|provide|providing|share|sharing)\s+(?:his|her|their)\s+"
    r"(?:full\s+|last\s+)?names?|"
    r"(?:was|is|were|are|being)\s+not\s+(?:authorized|authorised|allowed|permitted)\s+to\s+"
    r"(?:speak|talk|comment|discuss))",
    re.I,
)


def says_unnamed(text: str) -> bool:
    """Whether the text says its source is not named (UNNAMED), of a person: "a lawyer for
    the family, which asked not to be named" says it of the family, a thing."""
    return any(
        not re.search(r"\b(?:which|that)\s+$", text[max(0, m.start() - 12) : m.start()])
        for m in UNNAMED.finditer(text)
    )


DOCUMENTARY = re.compile(
    r"(?P<subj>(?:[A-Z][\w.&\-]*\s+|(?:its|the|an?)\s+(?:[a-z]+\s+)?)*(?:data|documents?|"
    r"drafts?(?: of [a-z]+)?|records?|filings?|figures|statistics|polls?|surveys?|memos?|outlook|"
    r"report|study|analysis)(?: (?:from|by|of) (?:the )?[\w’' ]{2,40}?)?)\s+(?P<cue>showing|shows?|"
    r"showed|reviewed|seen by|obtained by|published by|that [\w ]{1,40} reviewed)\b",
)


@dataclass(frozen=True)
class Attribution:
    speaker: str | None
    kind: str
    cue: str | None
    confidence: float


def _speaker(raw: str, people: PeopleTracker, at: int) -> str | None:
    raw = re.sub(r"\s+of\s+(?:the\s+)?[A-Z][\w.&\-]*(?:\s+[A-Z][\w.&\-]*)*$", "", raw.strip())
    if raw.lower() in ("he", "she", "they"):
        found = people.pronoun(raw, at)
        if found:
            people.learn_gender(found, raw)
        return found
    name, _ = strip_titles(raw)
    return people.canonical(name) if name else None


def attribute(sentence: str, offset: int, people: PeopleTracker) -> Attribution | None:
    """The explicit attribution of a sentence, or None when nothing but the author asserts it."""
    for pattern, kind, conf in (
        (QUOTE_THEN_CUE, "direct_quote", 0.9),
        (CUE_THEN_QUOTE, "direct_quote", 0.85),
    ):
        m = pattern.search(sentence)
        if m:
            subj = m.groupdict().get("subj") or m.groupdict().get("subj2")
            cue = m.groupdict().get("cue") or m.groupdict().get("cue2")
            if subj:
                speaker = _speaker(subj, people, offset + m.start())
                if speaker:
                    return Attribution(speaker, kind, cue, conf)
    m = ANONYMOUS.search(sentence)
    if m:
        return Attribution(None, "anonymous", m.group("cue").strip(), 0.75)
    m = DOCUMENTARY.search(sentence)
    if m:
        return Attribution(m.group("subj").strip(), "document", m.group("cue"), 0.7)
    m = ACCORDING_TO.search(sentence)
    if m and not m.group("subj").lower().startswith(("our ", "my ")):
        # "according to our reporting" is the outlet speaking for itself: no attribution.
        subj = m.group("subj")
        names = NAME.search(subj)
        speaker = _speaker(names.group(), people, offset + m.start()) if names else subj.strip()
        return Attribution(speaker, "indirect", "according to", 0.8)
    m = SUBJECT_CUE.search(sentence)
    if m:
        speaker = _speaker(m.group("subj"), people, offset + m.start("subj"))
        if speaker:
            return Attribution(speaker, "indirect", m.group("cue"), 0.75)
    m = INSTITUTION_CUE.search(sentence)
    if m:
        name = re.sub(r"^(?:the|its|a)\s+", "", m.group("inst"), flags=re.I)
        return Attribution(name, "indirect", m.group("cue"), 0.6)
    return None


def is_follow_on_quote(sentence: str) -> bool:
    """A sentence that is nothing but a quotation (continuing the previous speaker)."""
    s = sentence.strip()
    return len(s) > 2 and s[0] in _Q_OPEN and s.rstrip()[-1] in _Q_OPEN and "said" not in s
