"""Blocks (lines and paragraphs) and sentences, each with exact offsets into the body."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pysbd


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str


_LINE = re.compile(r"[^\n]+")

#: A "sentence" longer than this is text without sentence punctuation (a dump, a table
#: flattened to one line), not a claim a reviewer could check: it yields no candidate, and
#: the per-sentence rules never scan megabytes.
MAX_SENTENCE_CHARS = 3_000


def checkable(text: str) -> bool:
    return len(text) <= MAX_SENTENCE_CHARS


def blocks(body: str) -> list[Span]:
    """Non-empty lines, trimmed of surrounding white space (offsets kept exact)."""
    out = []
    for m in _LINE.finditer(body):
        raw = m.group()
        left = len(raw) - len(raw.lstrip())
        text = raw.strip()
        if text:
            start = m.start() + left
            out.append(Span(start, start + len(text), text))
    return out


@lru_cache(maxsize=1)
def _segmenter() -> pysbd.Segmenter:
    return pysbd.Segmenter(language="en", clean=False, char_span=False)


def _pysbd_sentences(text: str) -> list[str]:
    """pysbd's sentences without its character spans. `Segmenter.segment` always computes
    them, by searching the whole block again for each sentence: quadratic, 45 s for a 200 KB
    block. They are not needed: each sentence is found afresh in `sentences`. (pysbd is
    pinned; `processor` is the step `segment` runs before the spans.)"""
    return [str(s) for s in _segmenter().processor(text).process()]


_INNER_END = re.compile(r"[.!?…]")


def sentences(block: Span) -> list[Span]:
    """Sentences of one block (pysbd), trimmed, with offsets into the body."""
    if not _INNER_END.search(block.text.rstrip(".!?…\"”’') ")):
        # No sentence end before the last character: one sentence, no need for pysbd.
        return [block]
    out: list[Span] = []
    cursor = 0
    for text in _pysbd_sentences(block.text):
        stripped = text.strip()
        if not stripped:
            continue
        # pysbd's own offsets can overlap on repeated text ("! ! !"); find each sentence
        # afresh after the previous one, so spans are exact and in order, never overlapping.
        found = block.text.find(stripped, cursor)
        if found < 0:
            continue
        cursor = found + len(stripped)
        start = block.start + found
        out.append(Span(start, start + len(stripped), stripped))
    return out
