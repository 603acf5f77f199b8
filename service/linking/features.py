"""What a claim's text offers for comparison: content words, entities, numbers, signals."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import snowballstemmer

from service.extraction.checkworthiness import named_entities

_STOP = (
    "a an the and or but if of to in on at by for with from as is are was were be",
    "been being it its this that these those he she they them his her their we our",
    "you your i me my not no has have had do does did will would can could may might",
    "should must than then there here about into over under after before also just",
    "only very more most such so up out said says say told which who whom what when",
    "where why how while all any some each other own same too s t don now even still",
)
STOPWORDS = frozenset(word for line in _STOP for word in line.split())
#: Phrases with a negative word that deny nothing ("not only … but also", "no matter how",
#: "no other port charges as little": a superlative; "not long after": a time; "no fewer than
#: 300": an amount, asserted).
NOT_A_DENIAL = re.compile(
    r"\b(?:not only|not just|not merely|not least|no doubt|no matter|no wonder|nothing but|"
    r"no other|none other|not long (?:after|before|ago)|"
    r"no (?:fewer|less|more|later|earlier|sooner) than|nothing less than)\b",
    re.I,
)
#: A question at the end of a claim: a negation in it denies nothing ("why wouldn't he want
#: peace?" invites the answer yes), and a claim that is all question asserts nothing. A quoted
#: or bracketed question ends with its closing mark: the question is from its opening mark.
_QUESTION = re.compile(r"\?[!?]*(?P<close>[\"”»’)\]]?)[\"”»’)\]]*\s*$")
_OPENING = {'"': '"', "”": "“", "»": "«", "’": "‘", ")": "(", "]": "["}


def without_question(text: str) -> str:
    """The text before a question it ends with; "" when the text is a question."""
    found = _QUESTION.search(text)
    if found is None:
        return text
    close = found.group("close")
    if not close:
        return ""
    start = text.rfind(_OPENING[close], 0, found.start())
    return text[:start] if start > 0 else ""


NEGATION = re.compile(
    r"\b(?:not|no|never|none|nobody|nothing|neither|nor|without|denied|denies|deny|refused|"
    r"refuses|rejected|rejects|false|untrue)\b|n['’]t\b",
    re.I,
)
#: Predicates that cannot both hold of the same subject.
OPPOSED = [
    ("agreed", "failed"),
    ("approved", "denied"),
    ("approved", "rejected"),
    ("rose", "fell"),
    ("increased", "decreased"),
    ("won", "lost"),
    ("confirmed", "denied"),
    ("accepted", "rejected"),
    ("signed", "refused"),
    ("grew", "shrank"),
    ("up", "down"),
    ("succeeded", "failed"),
    ("opened", "closed"),
    ("higher", "lower"),
    ("more", "less"),
    ("returned", "left"),
]
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)
#: A magnitude joined by a hyphen ("a $2.6-million booty", "a 5-percent rise") is spelled
#: out: "10-m" is ten metres more often than ten million.
_NUMBER = re.compile(
    r"(?P<cur>[$€£])?\s?(?P<num>\d+(?:[.,]\d+)*)(?:\s?(?P<mag>%|percent|per cent|thousand|million|"
    r"billion|trillion|bn|m\b)|[-\u2010\u2011\u2012](?P<joined>percent|thousand|million|billion|"
    r"trillion)\b)?",
    re.I,
)
_DIGIT = re.compile(r"\d")
_UNITS = ["two", "three", "four", "five", "six", "seven", "eight", "nine"]
_TEENS = [
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_WORD_VALUE = (
    {w: float(i + 2) for i, w in enumerate(_UNITS)}
    | {w: float(i + 10) for i, w in enumerate(_TEENS)}
    | {w: float(20 + 10 * i) for i, w in enumerate(_TENS)}
    | {"one": 1.0}
)
_WORD_SCALE = {"hundred": 1e2, "thousand": 1e3, "million": 1e6, "billion": 1e9}
#: Hyphens a compound is written with ("twenty-four"; the non-breaking and other dashes too).
_HYPHENS = "-\u2010\u2011\u2012"
_NUMBER_WORD = "|".join(["one", *_UNITS, *_TEENS, *_TENS])
#: "and" joins number words only after a scale: "two hundred and fifty", not "one and two".
_AFTER_SCALE = (
    "(?:" + "|".join(f"(?<={w})" for w in ("hundred", "thousand", "million", "billion")) + ")"
)
#: A count written in words: number words joined by spaces, hyphens or "and", scales among
#: them ("twenty-four", "two hundred and fifty", "five hundred thousand", "one million").
#: "One" alone is left out: it is far more often a pronoun ("one of them") than a count. A run
#: that goes on with a hyphen into another word is an ordinal or a compound adjective
#: ("twenty-fifth", "three-year-old"), not a count. ASCII-only matching: an "ı" or "ſ" that
#: Unicode case folding would take for "i" or "s" is not a number word.
_WORD_NUMBER = re.compile(
    rf"\b(?:{_NUMBER_WORD})"
    rf"(?:(?:[{_HYPHENS} ]|{_AFTER_SCALE}\s+and\s+)(?:{_NUMBER_WORD}|{'|'.join(_WORD_SCALE)}))*"
    rf"\b(?![{_HYPHENS}][a-z])",
    re.I | re.A,
)
_WORD_SPLIT = re.compile(rf"[{_HYPHENS}\s]+")
_MAGNITUDE = {
    "thousand": 1e3,
    "million": 1e6,
    "m": 1e6,
    "billion": 1e9,
    "bn": 1e9,
    "trillion": 1e12,
}


_STEMMER = snowballstemmer.stemmer("english")
#: Demonyms and country names news text uses interchangeably.
ALIASES = {
    "russian": "russia",
    "russians": "russia",
    "ukrainian": "ukraine",
    "ukrainians": "ukraine",
    "american": "us",
    "americans": "us",
    "america": "us",
    "u.s": "us",
    "usa": "us",
    "european": "europe",
    "europeans": "europe",
    "chinese": "china",
    "british": "uk",
    "kremlin": "moscow",
}


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Snowball (Porter 2) stem, the same family Postgres's english configuration uses.
    Cached: the pure-Python stemmer is slow and news vocabulary repeats."""
    word = re.sub(r"['’]s$", "", word.lower())
    word = ALIASES.get(word, word)
    return str(_STEMMER.stemWord(word))


@dataclass(frozen=True)
class Quantity:
    value: float
    unit: str  # currency sign, "%", "year" or ""
    text: str
    #: The stemmed word after the number ("passengers" → "passeng"): what a bare number counts.
    counts: str = ""


@dataclass(frozen=True)
class ClaimFeatures:
    claim_id: int
    document_id: int
    speaker_id: int | None
    text: str
    words: frozenset[str]
    entities: frozenset[str]
    quantities: tuple[Quantity, ...]
    negated: bool
    predicates: frozenset[str]
    #: What each negation denies: the content words it covers, in order, one tuple per cue
    #: (negated_scopes).
    denials: tuple[tuple[str, ...], ...] = ()
    #: The claim is a question: it asserts nothing.
    asks: bool = False
    #: The sentence embedding (semantic.py), when there is one.
    vector: Any = field(default=None, compare=False, hash=False, repr=False)
    #: The document this claim's document is derived from (a notes page's transcript).
    source_document_id: int | None = None
    #: A capitalised word that opens the claim and is not among its entities ("Paris thieves
    #: nab …", "Cole told …"): a name only if another claim writes it as one (`named_as`).
    opener: str | None = None

    @property
    def denied(self) -> frozenset[str]:
        """Every content word some negation covers."""
        return frozenset(w for scope in self.denials for w in scope)


def _counted(text: str, end: int) -> str:
    """The stemmed word right after a number ending at `end` (what a bare number counts)."""
    following = _WORD.match(text, end + (1 if text[end : end + 1] in " -" else 0))
    return stem(following.group()) if following else ""


def _word_quantities(text: str) -> list[tuple[int, Quantity]]:
    """Counts written in words ("three people", "twenty-four dead"), with their position."""
    out = []
    for m in _WORD_NUMBER.finditer(text):
        words = [w.lower() for w in _WORD_SPLIT.split(m.group()) if w.lower() != "and"]
        if words == ["one"]:
            continue
        total, current = 0.0, 0.0
        for word in words:
            if word == "hundred":
                current = (current or 1.0) * 100.0
            elif word in _WORD_SCALE:
                total += (current or 1.0) * _WORD_SCALE[word]
                current = 0.0
            else:
                current += _WORD_VALUE[word]
        out.append((m.start(), Quantity(total + current, "", m.group(), _counted(text, m.end()))))
    return out


def quantities(text: str) -> tuple[Quantity, ...]:
    """The figures of a text, in order: numbers in digits (with a currency, percent or
    magnitude; a bare 1900-2100 is a year) and counts written in words."""
    in_words = _word_quantities(text)
    # Every match of _NUMBER holds a digit: a text without one (most candidates) is done in
    # one C-level search instead of a regex attempt at every position.
    if _DIGIT.search(text) is None:
        return tuple(q for _, q in in_words)
    out: list[tuple[int, Quantity]] = []
    for m in _NUMBER.finditer(text):
        raw = m.group("num").replace(",", "")
        try:
            value = float(raw)
        except ValueError:
            continue
        mag = (m.group("mag") or m.group("joined") or "").lower()
        unit = m.group("cur") or ("%" if mag in ("%", "percent", "per cent") else "")
        if not unit and not mag and 1900 <= value <= 2100 and raw.isdigit():
            unit = "year"
        value *= _MAGNITUDE.get(mag, 1.0)
        out.append((m.start(), Quantity(value, unit, m.group().strip(), _counted(text, m.end()))))
    return tuple(q for _, q in sorted(out + in_words, key=lambda x: x[0]))


@lru_cache(maxsize=65536)
def content_stem(word: str) -> str:
    """The stem of a content word, or "" for a stopword, a number or a scrap. Stopwords are
    checked before stemming: their stems ("any" → "ani") are not in the list."""
    lowered = word.lower()
    if lowered in STOPWORDS or lowered.isdigit():
        return ""
    w = stem(word)
    return "" if w in STOPWORDS or len(w) <= 2 or w.isdigit() else w


def surface_words(text: str, stems: frozenset[str] | set[str], limit: int = 12) -> list[str]:
    """The words of `text` whose stems are among `stems`, as the text writes them (lower
    case, first spelling, in reading order): what a reader recognises, where the stems
    ("footbridg") are what is compared."""
    out: list[str] = []
    seen: set[str] = set()
    for word in _WORD.findall(text):
        found = content_stem(word)
        if found in stems and found not in seen:
            seen.add(found)
            out.append(re.sub(r"['’]s$", "", word.lower()))
            if len(out) == limit:
                break
    return out


#: How many content words after a negation cue it is taken to cover (within its clause).
NEGATION_SCOPE = 6
_CLAUSE_END = re.compile(r"[,;:.!?]|\b(?:but|while|whereas|although)\b", re.I)
#: A verb of preventing right after the cue: the negation covers that verb alone. "The talks did
#: not prevent the strikes" denies the preventing, and asserts the strikes; it conflicts with
#: "the talks prevented the strikes", not with "the strikes went ahead".
_PREVENTING = re.compile(
    r"\s*(?:prevent|stop|avert|deter|halt)(?:s|ed|ing|ped|ping|red|ring)?\b", re.I
)


def negated_scopes(text: str) -> tuple[tuple[str, ...], ...]:
    """What each negation or denial covers, the content-word stems in order, one tuple per
    cue: up to NEGATION_SCOPE words after the cue, stopping at the end of its clause ("denied
    that it cut jobs" → cut, job). Cues that cover no content word are left out. The text
    comes with its non-denials ("not only") blanked by NOT_A_DENIAL, as _of_text does."""
    out: list[tuple[str, ...]] = []
    for cue in NEGATION.finditer(text):
        end = _CLAUSE_END.search(text, cue.end())
        scope = text[cue.end() : end.start() if end else len(text)]
        preventing = _PREVENTING.match(scope)
        if preventing:
            scope = preventing.group()
        covered: list[str] = []
        for word in _WORD.findall(scope):
            w = content_stem(word)
            if not w:
                continue
            covered.append(w)
            if len(covered) == NEGATION_SCOPE:
                break
        if covered:
            out.append(tuple(covered))
    return tuple(out)


#: Texts whose features are kept (a candidate claim comes back for many claims' suggestions):
#: about 2.9 kB each (tracemalloc), so 6 MB of a worker's 400 MB budget.
TEXT_FEATURES_CACHED = 2048


@lru_cache(maxsize=TEXT_FEATURES_CACHED)
def _of_text(
    text: str,
) -> tuple[
    frozenset[str],
    frozenset[str],
    tuple[Quantity, ...],
    bool,
    frozenset[str],
    tuple[tuple[str, ...], ...],
    bool,
    str | None,
]:
    """What a text says, as the pair scorer reads it (a pure function of the text). Every
    candidate of a new document's claims passes here once (at 1M claims most are new to the
    cache), so the text is split into words once and its non-denials blanked once."""
    found = _WORD.findall(text)
    words = {content for w in found if (content := content_stem(w))}
    entities = {
        _ENTITY_EDGE.sub("", e.strip(".,;:!?\"“”'’()")).casefold()
        for e in named_entities(text)
        if e.casefold() != "i"
    }
    lowered = {w.lower() for w in found}
    predicates = {w for w in _PREDICATES if w in lowered}
    stated = without_question(text)
    blanked = NOT_A_DENIAL.sub(" ", stated)
    negated = NEGATION.search(blanked) is not None
    first = _OPENER.match(text)
    opener = None
    if first and _capitalised(first.group(1)) and content_stem(first.group(1)):
        word = _ENTITY_EDGE.sub("", first.group(1)).casefold()
        opener = None if word in entities else word
    return (
        frozenset(words),
        frozenset(entities),
        quantities(text),
        negated,
        frozenset(predicates),
        negated_scopes(blanked) if negated else (),
        not stated.strip(),
        opener,
    )


#: A claim's first word ("Paris", "Ålesund", "O'Brien").
_OPENER = re.compile(r"^[\"“‘'(]?([^\W\d_][\w’'\-]*)")


def _capitalised(word: str) -> bool:
    """Written as a name is: a capital, then a small letter ("O'Brien" too), not capitals
    throughout."""
    letters = [c for c in word if c.isalpha()]
    return len(letters) > 1 and letters[0].isupper() and any(c.islower() for c in letters[1:3])


_ENTITY_EDGE = re.compile(r"^the\s+|['’]s$", re.I)
_PREDICATES = tuple(dict.fromkeys(w for pair in OPPOSED for w in pair))


def features(
    claim_id: int,
    document_id: int,
    speaker_id: int | None,
    text: str,
    vector: Any = None,
    source_document_id: int | None = None,
) -> ClaimFeatures:
    words, entities, found, negated, predicates, denials, asks, opener = _of_text(text)
    return ClaimFeatures(
        claim_id=claim_id,
        document_id=document_id,
        speaker_id=speaker_id,
        text=text,
        words=words,
        entities=entities,
        quantities=found,
        negated=negated,
        predicates=predicates,
        denials=denials,
        asks=asks,
        vector=vector,
        source_document_id=source_document_id,
        opener=opener,
    )
