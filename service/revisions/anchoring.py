"""Re-anchoring stored claims when an article is revised. Pure: no Flask, no database.

A claim is stored as a W3C TextQuoteSelector (the exact text, a little text before and after
it) plus its old position. Given the old and the new body, each claim ends in one state:

- ``anchored``: its exact text is in the new body; when the text occurs more than once, the
  occurrence is chosen by how well the text around it matches the stored prefix and suffix and
  by where a character alignment of the two bodies (rapidfuzz ``Indel.opcodes``) puts the old
  position. Several old copies of one text share the new copies one to one.
- ``moved``: the exact text is gone but a passage of the new body is a close edit of it: the
  new span and its text are returned.
- ``orphaned``: nothing is close enough, or two places are about as close (no margin), or the
  closest passage is better explained as another old passage (unchanged elsewhere in the old
  body, or more like another old sentence than like this claim). A claim is never silently
  moved onto a different sentence.

Fuzzy candidates are runs of one to a few sentence-like units of the new body (a regular
expression on ``.!?`` and newlines) and, inside units much longer than the claim, the best
partial alignment; similarity is rapidfuzz's normalised Indel ratio. Deterministic: every
choice is ordered by score, then position.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

from rapidfuzz import fuzz
from rapidfuzz.distance import Indel

__all__ = [
    "MARGIN",
    "SCORE_FLOOR",
    "Reanchored",
    "Selector",
    "reanchor",
    "selector",
]

State = Literal["anchored", "moved", "orphaned"]

# A fuzzy place needs a score of at least SCORE_FLOOR and must beat the best other place (one
# that does not overlap it and is not better explained by other old text) by at least MARGIN;
# otherwise the claim is orphaned. Chosen on the dev split only (`python -m evals.reanchoring
# --scores` and `--sweep`: 8 real articles, 96 seeded revisions, 2,604 claims, plus 48 stress
# revisions with two or three words replaced per edited sentence):
# - a sentence with one word replaced scores 0.76-0.99 at its new place (5th percentile 0.84);
#   with three words replaced, down to 0.62 (5th percentile 0.71);
# - a wrong place (a deleted claim's best place, an edited claim's runner-up) scores at most
#   0.49; most claims have none that passes the prefilter at all.
# 0.70 sits 0.2 above the best wrong place and loses no one-word edit; what it costs is short
# sentences with half their words replaced (9 of 168 stress edits orphaned; 0.60 would keep 7
# of them). No floor from 0.55 to 0.85 put a claim on a wrong sentence on dev.
# The margin cannot be tuned on dev: its articles have no near-duplicate sentences, every
# margin from 0 to 0.2 gave the same figures, and the smallest lead of a correct move over its
# runner-up was 0.41 (0.21 in the stress revisions). 0.10 is half of the latter: two places
# closer than that (the text alone differs by little more than a word) are a guess, and the
# unit tests pin that an even near-duplicate is orphaned.
SCORE_FLOOR = 0.70
MARGIN = 0.10

# How a place is scored (all parts in 0..1): mostly the text itself, then the stored prefix
# and suffix against the text around the place, then closeness to where the alignment of the
# two bodies maps the old position (1 at the mapped offset, 0.5 at POSITION_SCALE characters).
TEXT_WEIGHT = 0.75
CONTEXT_WEIGHT = 0.15
POSITION_WEIGHT = 0.10
POSITION_SCALE = 200.0

#: Fuzzy candidates are runs of at most this many units, 0.5-2 times the claim's length.
_MAX_UNITS = 4
_MIN_LENGTH_RATIO = 0.5
_MAX_LENGTH_RATIO = 2.0
#: Candidates whose raw text similarity is under this are not scored further.
_PREFILTER = 0.5
#: Above this many character-pairs, align line by line (difflib) instead of by character.
_CHAR_ALIGN_LIMIT = 400_000_000
#: Exact copies of one text considered on each side (see _Revision.place).
_MAX_OCCURRENCES = 32
#: Equal runs shorter than this do not fix the boundaries of a refined span.
_ANCHOR_RUN = 4

_TOKEN = re.compile(r"\S+")
_CLOSE = "[\"'”’)\\]]*"
#: A prefix that ends a sentence or a line: the claim started on a sentence boundary.
_STARTS_SENTENCE = re.compile(rf"(?:[.!?]{_CLOSE}\s+|\n\s*)$")
#: Text that ends like a sentence.
_ENDS_SENTENCE = re.compile(rf"[.!?]{_CLOSE}$")
_UNIT = re.compile(rf"[^\n]*?(?:[.!?]{_CLOSE}(?=\s)|\n|$)")


@dataclass(frozen=True)
class Selector:
    """W3C TextQuoteSelector (exact, prefix, suffix) plus the old position as a hint."""

    exact: str
    prefix: str
    suffix: str
    start: int
    end: int


@dataclass(frozen=True)
class Reanchored:
    """Where a claim went: ``new_body[start:end] == text``; no span when orphaned. ``score``
    is that of the place chosen, or for an orphan of the best place found (under the floor, or
    without the margin over ``runner_up``; 0 when no place came near)."""

    state: str
    start: int | None
    end: int | None
    text: str | None
    score: float
    runner_up: float


def selector(body: str, start: int, end: int, context: int = 32) -> Selector:
    """The selector of ``body[start:end]`` with ``context`` code points either side."""
    if not 0 <= start < end <= len(body):
        raise ValueError(f"span [{start}, {end}) is empty or outside a body of {len(body)}")
    if context < 0:
        raise ValueError("context must be >= 0")
    return Selector(
        exact=body[start:end],
        prefix=body[max(0, start - context) : start],
        suffix=body[end : end + context],
        start=start,
        end=end,
    )


def reanchor(old_body: str, new_body: str, selectors: Sequence[Selector]) -> list[Reanchored]:
    """Each selector of ``old_body`` found again in ``new_body``, in the selectors' order."""
    revision = _Revision(old_body, new_body)
    return [revision.place(s) for s in selectors]


def _orphaned(score: float = 0.0, runner_up: float = 0.0) -> Reanchored:
    return Reanchored("orphaned", None, None, None, round(score, 4), round(runner_up, 4))


def _similarity(a: str, b: str) -> float:
    if not a and not b:
        return 1.0
    return fuzz.ratio(a, b) / 100.0


def _occurrences(body: str, text: str) -> list[int]:
    out: list[int] = []
    i = body.find(text)
    while i >= 0:
        out.append(i)
        i = body.find(text, i + 1)
    return out


def _overlaps(a0: int, a1: int, b0: int, b1: int) -> bool:
    return min(a1, b1) > max(a0, b0)


def _units(body: str) -> list[tuple[int, int]]:
    """Sentence-like spans, stripped of surrounding white space, in order."""
    out: list[tuple[int, int]] = []
    for m in _UNIT.finditer(body):
        s, e = m.start(), m.end()
        while s < e and body[s].isspace():
            s += 1
        while e > s and body[e - 1].isspace():
            e -= 1
        if e > s and (not out or out[-1] != (s, e)):
            out.append((s, e))
    return out


def _windows(units: list[tuple[int, int]]) -> list[tuple[int, int]]:
    return [
        (units[i][0], units[j][1])
        for i in range(len(units))
        for j in range(i, min(len(units), i + _MAX_UNITS))
    ]


def _snap(body: str, start: int, end: int, lo: int, hi: int) -> tuple[int, int]:
    """Widen a span to whole words (within [lo, hi]) and drop white space at its ends."""
    while start > lo and start < len(body) and body[start - 1].isalnum() and body[start].isalnum():
        start -= 1
    while end < hi and end > 0 and body[end - 1].isalnum() and body[end].isalnum():
        end += 1
    while start < end and body[start].isspace():
        start += 1
    while end > start and body[end - 1].isspace():
        end -= 1
    return start, end


def _refine(
    exact: str, body: str, start: int, end: int, keep_start: bool, keep_end: bool
) -> tuple[int, int]:
    """Trim a candidate span to the part that lines up with ``exact``. The first and the last
    equal run of a few characters (an Indel alignment) fix the ends; the claim's words before
    the first run and after the last one (edited ends) are taken as as many words of the new
    text, so that a replaced first or last word stays whole and extra text goes. An end the
    claim had on a sentence boundary (``keep_start``, ``keep_end``) stays where it is."""
    if keep_start and keep_end:
        return start, end
    window = body[start:end]
    runs = [
        op
        for op in Indel.opcodes(exact, window)
        if op.tag == "equal" and op.src_end - op.src_start >= _ANCHOR_RUN
    ]
    if not runs:
        return start, end
    first, last = runs[0], runs[-1]
    a = 0 if keep_start else first.dest_start
    head = 0 if keep_start else len(_TOKEN.findall(exact, 0, first.src_start))
    if head:
        starts = [m.start() for m in _TOKEN.finditer(window, 0, first.dest_start)]
        a = starts[-head] if len(starts) >= head else 0
    b = len(window) if keep_end else last.dest_end
    tail = 0 if keep_end else len(_TOKEN.findall(exact, last.src_end))
    if tail:
        ends = [m.end() for m in _TOKEN.finditer(window, last.dest_end)]
        b = ends[tail - 1] if len(ends) >= tail else len(window)
    a, b = _snap(body, start + a, start + b, start, end)
    return (a, b) if b > a else (start, end)


class _Alignment:
    """Old offset → new offset, from an alignment of the two bodies."""

    def __init__(self, old: str, new: str) -> None:
        blocks: list[tuple[bool, int, int, int, int]] = []
        if len(old) * len(new) <= _CHAR_ALIGN_LIMIT:
            for op in Indel.opcodes(old, new):
                blocks.append(
                    (op.tag == "equal", op.src_start, op.src_end, op.dest_start, op.dest_end)
                )
        else:
            old_lines, new_lines = old.splitlines(True), new.splitlines(True)
            old_at, new_at = _offsets(old_lines), _offsets(new_lines)
            matcher = SequenceMatcher(None, old_lines, new_lines, autojunk=False)
            for tag, i1, i2, j1, j2 in matcher.get_opcodes():
                blocks.append((tag == "equal", old_at[i1], old_at[i2], new_at[j1], new_at[j2]))
        # Only blocks that cover old text can hold an old offset.
        self._blocks = [b for b in blocks if b[2] > b[1]]
        self._starts = [b[1] for b in self._blocks]
        self._new_length = len(new)

    def map(self, offset: int) -> int:
        i = bisect.bisect_right(self._starts, offset) - 1
        if i < 0:
            return 0
        equal, s0, s1, d0, d1 = self._blocks[i]
        if offset >= s1:
            return d1 if i == len(self._blocks) - 1 else self._blocks[i + 1][3]
        if equal:
            return d0 + (offset - s0)
        return min(d1, d0 + (offset - s0))


def _offsets(lines: list[str]) -> list[int]:
    out = [0]
    for line in lines:
        out.append(out[-1] + len(line))
    return out


@dataclass(frozen=True)
class _Place:
    start: int
    end: int
    text_score: float
    score: float


class _Revision:
    """One old body, one new body; what every selector needs, computed once and lazily."""

    def __init__(self, old: str, new: str) -> None:
        self.old = old
        self.new = new
        self._alignment: _Alignment | None = None
        self._new_units: list[tuple[int, int]] | None = None
        self._new_windows: list[tuple[int, int]] | None = None
        self._old_windows: list[tuple[int, int]] | None = None
        self._in_old: dict[tuple[int, int], list[int]] = {}

    # -- shared, lazily computed -------------------------------------------------------------

    @property
    def alignment(self) -> _Alignment:
        if self._alignment is None:
            self._alignment = _Alignment(self.old, self.new)
        return self._alignment

    @property
    def new_units(self) -> list[tuple[int, int]]:
        if self._new_units is None:
            self._new_units = _units(self.new)
        return self._new_units

    @property
    def new_windows(self) -> list[tuple[int, int]]:
        if self._new_windows is None:
            self._new_windows = _windows(self.new_units)
        return self._new_windows

    @property
    def old_windows(self) -> list[tuple[int, int]]:
        if self._old_windows is None:
            self._old_windows = _windows(_units(self.old))
        return self._old_windows

    def in_old(self, start: int, end: int) -> list[int]:
        """Where the new text ``new[start:end]`` occurs verbatim in the old body."""
        key = (start, end)
        if key not in self._in_old:
            self._in_old[key] = _occurrences(self.old, self.new[start:end])
        return self._in_old[key]

    # -- scoring ----------------------------------------------------------------------------

    def context(self, prefix: str, suffix: str, start: int, end: int) -> float:
        before = self.new[max(0, start - len(prefix)) : start]
        after = self.new[end : end + len(suffix)]
        return (_similarity(prefix, before) + _similarity(suffix, after)) / 2

    @staticmethod
    def position(mapped: int, start: int) -> float:
        return 1.0 / (1.0 + abs(mapped - start) / POSITION_SCALE)

    def combined(self, text: float, prefix: str, suffix: str, mapped: int, s: int, e: int) -> float:
        return (
            TEXT_WEIGHT * text
            + CONTEXT_WEIGHT * self.context(prefix, suffix, s, e)
            + POSITION_WEIGHT * self.position(mapped, s)
        )

    # -- one selector -----------------------------------------------------------------------

    def place(self, sel: Selector) -> Reanchored:
        exact = sel.exact
        if not exact:
            return _orphaned()
        olds = _occurrences(self.old, exact)
        own: int | None
        if sel.start in olds:
            own = sel.start
        elif olds:
            own = min(olds, key=lambda o: (abs(o - sel.start), o))
        else:
            own = None
        hint = own if own is not None else sel.start
        taken: list[tuple[int, int]] = []
        news = _occurrences(self.new, exact)
        if len(olds) > _MAX_OCCURRENCES or len(news) > _MAX_OCCURRENCES:
            # A text repeated this often is not sentence-like; only the copies nearest the
            # claim (old) and nearest where it maps to (new) take part, to bound the time.
            mapped = self.alignment.map(hint)
            olds = sorted(sorted(olds, key=lambda o: (abs(o - hint), o))[:_MAX_OCCURRENCES])
            news = sorted(sorted(news, key=lambda n: (abs(n - mapped), n))[:_MAX_OCCURRENCES])
        if news:
            found = self.exact_place(sel, olds, own, news)
            if found is not None:
                return found
            taken = [(n, n + len(exact)) for n in news]
        return self.fuzzy_place(sel, hint, taken)

    def exact_place(
        self, sel: Selector, olds: list[int], own: int | None, news: list[int]
    ) -> Reanchored | None:
        """The exact occurrence this claim's old occurrence gets when the old copies of the
        text share the new copies one to one, best pairs first; None if none is left."""
        length = len(sel.exact)
        before, after = len(sel.prefix), len(sel.suffix)
        sources: list[tuple[int, str, str]] = []
        if own is None:
            sources.append((sel.start, sel.prefix, sel.suffix))
        for o in olds:
            if o == own:
                sources.append((o, sel.prefix, sel.suffix))
            else:
                prefix = self.old[max(0, o - before) : o]
                sources.append((o, prefix, self.old[o + length : o + length + after]))
        mine = sel.start if own is None else own
        pairs: list[tuple[float, int, int]] = []
        for o, prefix, suffix in sources:
            mapped = self.alignment.map(o)
            for n in news:
                score = self.combined(1.0, prefix, suffix, mapped, n, n + length)
                pairs.append((score, o, n))
        pairs.sort(key=lambda p: (-p[0], p[1], p[2]))
        used_old: set[int] = set()
        used_new: set[int] = set()
        for score, o, n in pairs:
            if o in used_old or n in used_new:
                continue
            used_old.add(o)
            used_new.add(n)
            if o == mine:
                runner_up = max((p[0] for p in pairs if p[1] == o and p[2] != n), default=0.0)
                return Reanchored(
                    "anchored", n, n + length, sel.exact, round(score, 4), round(runner_up, 4)
                )
        return None

    def candidates(self, sel: Selector) -> list[tuple[int, int]]:
        """Spans of the new body worth scoring against the claim: runs of whole units, cut
        where the claim did not start or end on a sentence boundary, and the best part of
        each unit much longer than the claim."""
        exact = sel.exact
        keep_start = not sel.prefix or bool(_STARTS_SENTENCE.search(sel.prefix))
        keep_end = (
            not sel.suffix
            or sel.suffix[0] == "\n"
            or (sel.suffix[0].isspace() and bool(_ENDS_SENTENCE.search(exact)))
        )
        length = len(exact)
        lo, hi = _MIN_LENGTH_RATIO * length, _MAX_LENGTH_RATIO * length
        cutoff = _PREFILTER * 100
        spans: set[tuple[int, int]] = set()
        for s, e in self.new_windows:
            if lo <= e - s <= hi and fuzz.ratio(exact, self.new[s:e], score_cutoff=cutoff):
                spans.add(_refine(exact, self.new, s, e, keep_start, keep_end))
        for s, e in self.new_units:
            if e - s > hi:
                found = fuzz.partial_ratio_alignment(exact, self.new[s:e], score_cutoff=cutoff)
                if found is not None:
                    a, b = _snap(self.new, s + found.dest_start, s + found.dest_end, s, e)
                    if b > a:
                        spans.add(_refine(exact, self.new, a, b, False, False))
        return sorted(spans)

    def elsewhere(self, own: tuple[int, int], place: _Place) -> bool:
        """Whether the new passage is better explained by old text other than the claim: it is
        verbatim in the old body away from the claim, or more like another old passage."""
        start, end, text_score = place.start, place.end, place.text_score
        if any(not _overlaps(o, o + end - start, *own) for o in self.in_old(start, end)):
            return True
        text = self.new[start:end]
        lo, hi = _MIN_LENGTH_RATIO * len(text), _MAX_LENGTH_RATIO * len(text)
        cutoff = text_score * 100
        for s, e in self.old_windows:
            if lo <= e - s <= hi and not _overlaps(s, e, *own):
                other = fuzz.ratio(text, self.old[s:e], score_cutoff=cutoff)
                if other > cutoff:
                    return True
        return False

    def fuzzy_place(self, sel: Selector, hint: int, taken: list[tuple[int, int]]) -> Reanchored:
        exact = sel.exact
        own = (hint, hint + len(exact))
        mapped = self.alignment.map(hint)
        places: list[_Place] = []
        for s, e in self.candidates(sel):
            if any(_overlaps(s, e, t0, t1) for t0, t1 in taken):
                continue
            text_score = _similarity(exact, self.new[s:e])
            score = self.combined(text_score, sel.prefix, sel.suffix, mapped, s, e)
            places.append(_Place(s, e, text_score, score))
        ranked = sorted(places, key=lambda p: (-p.score, p.start, p.end))
        # The place: the best-scoring candidate not better explained by other old text.
        # Candidates under SCORE_FLOOR - MARGIN can neither be chosen nor matter as a
        # runner-up, so the search stops there.
        place: _Place | None = None
        for p in ranked:
            if p.score < SCORE_FLOOR - MARGIN:
                return _orphaned(p.score)
            if not self.elsewhere(own, p):
                place = p
                break
        if place is None:
            return _orphaned()
        # Its extent: of the candidates overlapping it (the same place, cut differently), the
        # one whose text is most like the claim's; context and position only chose the place.
        best = place
        for p in sorted(places, key=lambda p: (-p.text_score, -p.score, p.start, p.end)):
            if p.text_score <= place.text_score:
                break
            if _overlaps(p.start, p.end, place.start, place.end) and not self.elsewhere(own, p):
                best = p
                break
        runner_up = 0.0
        for p in ranked:
            if _overlaps(p.start, p.end, best.start, best.end) or _overlaps(
                p.start, p.end, place.start, place.end
            ):
                continue
            if not self.elsewhere(own, p):
                runner_up = p.score
                break
        if best.score < SCORE_FLOOR or best.score - runner_up < MARGIN:
            return _orphaned(best.score, runner_up)
        text = self.new[best.start : best.end]
        state: State = "anchored" if text == exact else "moved"
        return Reanchored(
            state, best.start, best.end, text, round(best.score, 4), round(runner_up, 4)
        )
