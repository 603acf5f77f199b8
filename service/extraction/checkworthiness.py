"""How worth checking a sentence is, in [0, 1], with the reasons that moved the score."""

from __future__ import annotations

import re

from service.extraction.speakers import NAME

_NUMBER = re.compile(
    r"(?:[$€£]\s?\d|\d[\d,.]*\s?(?:%|percent|per cent|million|billion|trillion)|"
    r"\b\d{1,3}(?:,\d{3})+\b|\b\d+(?:\.\d+)?\b)"
)
_WORD_NUMBER = re.compile(
    r"\b(?:dozens?|hundreds?|thousands?|millions?|billions?|half|twice|"
    r"double|triple)\b",
    re.I,
)
_EVENT = re.compile(
    r"\b(?:\w+ed|met|signed|won|lost|left|sold|bought|paid|took|gave|began|"
    r"led|held|fell|rose|grew|cut|approved|denied|announced|agreed|failed|"
    r"killed|launched|ended|imposed|lifted|owns?|holds?|runs?|includes?)\b",
    re.I,
)
_OPINION = re.compile(
    r"\b(?:I|we) (?:think|believe|feel|hope|fear|suspect)\b|\bin my (?:view|opinion)\b|"
    r"\bshould\b|\bmust\b|\bought to\b|\bpainfully\b|\bfortunately\b|\bsadly\b",
    re.I,
)
_HEDGE = re.compile(
    r"\b(?:may|might|could|would|perhaps|maybe|possibly|likely|unlikely|seems?|"
    r"appears? to|suggests?|probably|arguably|if)\b",
    re.I,
)
_RHETORIC = re.compile(
    r"\b(?:disaster|joke|irresistible|imaginative|bottomless|hallmark|"
    r"remarkable|unsettlingly|shameful|absurd|ridiculous|obviously|clearly)\b",
    re.I,
)
_GENERIC = re.compile(r"^(?:this|that|it|these|those|there|such)\b", re.I)


_MID_SENTENCE_CAP = re.compile(r"(?<=[a-z,;] )([A-Z][\w\-]+)")


def proper_nouns(body: str) -> frozenset[str]:
    """Words the document capitalises mid-sentence: names, not just sentence openers."""
    return frozenset(m.group(1) for m in _MID_SENTENCE_CAP.finditer(body))


def _possessive(word: str) -> str:
    return re.sub(r"[’']s$", "", word)


def named_entities(sentence: str, known: frozenset[str] = frozenset()) -> list[str]:
    """Capitalised runs, not counting a sentence's first word unless the document
    capitalises it elsewhere too (so 'Russia's …' counts and 'Building …' does not)."""
    out = []
    for m in NAME.finditer(sentence):
        run = m.group()
        if run == "I":
            continue
        opening = m.start() == 0 or sentence[: m.start()].rstrip().endswith(('"', "“", ":"))
        if opening and " " not in run and not run.isupper() and _possessive(run) not in known:
            # A capitalised first word is usually just the start of the sentence.
            continue
        out.append(run)
    return out


#: Verbs that open an instruction or a to-do item ("- Audit diplomatic channels: assess
#: 3-5 lines…"): advice to the reader asserts nothing, whatever numbers it holds.
_TODO_VERB = (
    r"(?:Assess|Audit|Analy[sz]e|Evaluate|Track|Monitor|Measure|Calculate|Review|Consider|"
    r"Identify|Develop|Ensure|Establish|Implement|Prioriti[sz]e|Compare|Investigate|Explore|"
    r"Prepare|Map|Engage|Avoid|Check|Make sure|Remember|Listen|Read|Watch|Subscribe|Click|"
    r"Download|Contact)"
)
#: A to-do verb opening a list item or a "Label: …" line, or followed by what it acts on
#: ("Monitor the vote"). "Review boards approved …" is a subject, not an order.
_IMPERATIVE = re.compile(
    r"^(?:(?:[-•*–]\s*|\d+[.)]\s+)(?:[\w’' ]{1,40}:\s+)?" + _TODO_VERB + r"\b|"
    r"(?:[\w’' ]{1,40}:\s+)?" + _TODO_VERB + r"\s+(?:the|a|an|its|their|your|our|this|these|"
    r"those|what|how|whether|which|who|each|every|all|any)\b)"
)


def is_instruction(sentence: str) -> bool:
    return bool(_IMPERATIVE.match(sentence.strip()))


def score(
    sentence: str,
    *,
    attributed: bool,
    dated: bool,
    quoted: bool = False,
    known: frozenset[str] = frozenset(),
) -> tuple[float, list[str]]:
    """Score and reasons. In attributed speech, hedges and opinions are the source's own
    words: that a named source said them is itself checkable, so they weigh half."""
    value, reasons = 0.35, []
    if is_instruction(sentence) and not quoted:
        return 0.0, ["instruction, not an assertion"]
    damp = 0.5 if (quoted or attributed) else 1.0
    if _NUMBER.search(sentence) or _WORD_NUMBER.search(sentence):
        value += 0.2
        reasons.append("number or amount")
    entities = named_entities(sentence, known)
    if entities:
        value += 0.1 + (0.05 if len(entities) > 1 else 0)
        reasons.append("named entities: " + ", ".join(dict.fromkeys(entities[:4])))
    if _EVENT.search(sentence):
        value += 0.1
        reasons.append("event verb")
    if dated:
        value += 0.1
        reasons.append("dated")
    if attributed:
        # What a named source asserts is what fact-checkers check first.
        value += 0.15
        reasons.append("attributed to a source")
    if sentence.rstrip("\"”’' ").endswith("?"):
        value -= 0.4
        reasons.append("question")
    if _OPINION.search(sentence):
        value -= 0.25 * damp
        reasons.append("opinion marker")
    hedges = _HEDGE.findall(sentence)
    if hedges:
        value -= (0.15 + 0.05 * min(len(hedges) - 1, 2)) * damp
        reasons.append("hedge: " + ", ".join(dict.fromkeys(h.lower() for h in hedges)))
    if _RHETORIC.search(sentence):
        value -= 0.15
        reasons.append("evaluative wording")
    if _GENERIC.search(sentence) and not entities:
        value -= 0.1
        reasons.append("vague subject")
    return max(0.0, min(1.0, value)), reasons
