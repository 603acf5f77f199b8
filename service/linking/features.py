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
_NUMBER = re.compile(
    r"(?P<cur>[$€£])?\s?(?P<num>\d+(?:[.,]\d+)*)\s?(?P<mag>%|percent|per cent|thousand|million|"
    r"billion|trillion|bn|m\b)?",
    re.I,
)
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
    #: The sentence embedding (semantic.py), when there is one.
    vector: Any = field(default=None, compare=False, hash=False, repr=False)


def quantities(text: str) -> tuple[Quantity, ...]:
    out = []
    for m in _NUMBER.finditer(text):
        raw = m.group("num").replace(",", "")
        try:
            value = float(raw)
        except ValueError:
            continue
        mag = (m.group("mag") or "").lower()
        unit = m.group("cur") or ("%" if mag in ("%", "percent", "per cent") else "")
        if not unit and not mag and 1900 <= value <= 2100 and raw.isdigit():
            unit = "year"
        value *= _MAGNITUDE.get(mag, 1.0)
        out.append(Quantity(value, unit, m.group().strip()))
    return tuple(out)


def features(
    claim_id: int, document_id: int, speaker_id: int | None, text: str, vector: Any = None
) -> ClaimFeatures:
    words = {stem(w) for w in _WORD.findall(text)}
    words = {w for w in words if w not in STOPWORDS and len(w) > 2 and not w.isdigit()}
    entities = {
        re.sub(r"^the\s+|['’]s$", "", e.strip(".,;:!?\"“”'’()"), flags=re.I).casefold()
        for e in named_entities(text)
        if e.casefold() != "i"
    }
    lowered = {w.lower() for w in _WORD.findall(text)}
    predicates = {w for pair in OPPOSED for w in pair if w in lowered}
    return ClaimFeatures(
        claim_id=claim_id,
        document_id=document_id,
        speaker_id=speaker_id,
        text=text,
        words=frozenset(words),
        entities=frozenset(entities),
        quantities=quantities(text),
        negated=bool(NEGATION.search(text)),
        predicates=frozenset(predicates),
        vector=vector,
    )
