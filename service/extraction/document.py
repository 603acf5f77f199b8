"""What both extractors share: the document's editorial blocks, reader comments, transcript
voices named after they are heard, sourcing follow-ups, and the "not a claim" rule."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from service.extraction.attribution import Attribution
from service.extraction.boilerplate import PHOTO_CREDIT, ad_blocks, skip_reason
from service.extraction.model import Candidate, DocumentContext
from service.extraction.segment import Span, blocks, sentences

#: Below this, a sentence with no number is taken as opinion or speculation, not a claim.
NOT_A_CLAIM = 0.25


def fallback_speaker(context: DocumentContext) -> tuple[str | None, str]:
    if context.kind == "transcript":
        return None, "transcript_turn"
    return context.author or context.outlet, "author"


def not_a_claim(value: float, reasons: list[str], *, attributed: bool) -> bool:
    """Pure speculation ("relations could sour again"), the author's advice to the reader
    ("they should be") or a to-do item ("Audit the contracts") states nothing checkable: no
    candidate at all."""
    if "instruction, not an assertion" in reasons:
        return True
    if any(r.startswith("number") for r in reasons):
        return False
    return value < NOT_A_CLAIM or ("opinion marker" in reasons and not attributed)


def mend(spans: list[Span], body: str) -> list[Span]:
    """Rejoin a sentence the splitter cut after an abbreviation ('the U.S. | in April')."""
    out: list[Span] = []
    for span in spans:
        if out and span.text[0].islower():
            out[-1] = Span(out[-1].start, span.end, body[out[-1].start : span.end])
        else:
            out.append(span)
    return out


def reader_comments(all_blocks: list[Span]) -> dict[int, str]:
    """Trailing blocks of a blog post written in short, conversational sentences: reader
    comments, which speak for their commenters (numbered, as no names are given)."""
    found: list[int] = []
    for index in range(len(all_blocks) - 1, 0, -1):
        parts = sentences(all_blocks[index])
        words = sum(len(p.text.split()) for p in parts)
        if not parts or words / len(parts) >= 10:
            break
        found.append(index)
    return {index: f"Reader comment {n}" for n, index in enumerate(sorted(found), 1)}


#: Audio journalism names a voice after it is heard: "… That's our colleague Joe Parkinson."
THATS = re.compile(
    r"^That(?:'s|’s| is| was)\s+(?:our\s+(?:colleague|correspondent|reporter|producer|host)\s+)?"
    r"(?P<name>[A-Z][\w’'\-]+(?:\s+[A-Z][\w’'\-]+){1,2})\b"
)


#: A sentence that only says where the previous one comes from: "That's according to people
#: familiar with the talks." It is that sentence's sourcing, not a claim of its own.
SOURCING = re.compile(
    r"^(?:That|This|It)(?:'s|’s| is| was)\s+(?:all\s+|also\s+)?"
    r"according\s+to\s+[^.;:]{2,100}[.!]?$",
    re.I,
)


def source_previous(previous: Candidate, found: Attribution | None) -> None:
    """Give the previous claim the sourcing a follow-up sentence names."""
    if found is None:
        return
    if found.kind == "anonymous":
        previous.attribution, previous.cue, previous.confidence = "anonymous", found.cue, 0.7
    elif found.speaker:
        previous.speaker, previous.attribution = found.speaker, "indirect"
        previous.cue, previous.confidence = "according to", 0.7


def name_transcript_voices(
    claims: list[Candidate], blocks_of: list[int], all_blocks: list[Span]
) -> list[Candidate]:
    """In a transcript, give the turns before "That's <Name>" to that name: the sentences
    before it on its line, or the line before when it opens its line. The identifying
    sentence itself is attribution, not a claim, and is dropped."""
    kept: list[tuple[Candidate, int]] = []
    for claim, block in zip(claims, blocks_of, strict=True):
        m = THATS.match(claim.text)
        if not m:
            kept.append((claim, block))
            continue
        opens_line = claim.start == all_blocks[block].start
        turns = [c for c, b in kept if b == (block - 1 if opens_line else block)]
        for turn in turns:
            # A voice guessed from the turn order (confidence below 0.7) gives way to a name.
            if turn.attribution == "transcript_turn" and (
                turn.speaker is None or turn.confidence < 0.7
            ):
                turn.speaker, turn.cue, turn.confidence = m.group("name"), "that's", 0.7
    return [c for c, _ in kept]


@dataclass(frozen=True)
class Block:
    index: int
    span: Span
    caption: bool
    comment: str | None  # the reader comment's speaker, on a blog


def editorial_blocks(body: str, context: DocumentContext) -> tuple[list[Span], Iterator[Block]]:
    """Every block of the body, and the editorial ones in order (boilerplate, sponsor reads
    and verbatim repeats skipped)."""
    all_blocks = blocks(body)

    def walk() -> Iterator[Block]:
        ads = ad_blocks([b.text for b in all_blocks])
        comments = reader_comments(all_blocks) if context.kind == "blog" else {}
        seen: set[str] = set()
        for index, block in enumerate(all_blocks):
            if index in ads:
                continue
            if skip_reason(block.text, author=context.author) or block.text in seen:
                # A caption repeated verbatim (image and lightbox) is one claim, not two.
                continue
            seen.add(block.text)
            # A photo caption speaks for the outlet, not for the op-ed's author.
            caption = bool(PHOTO_CREDIT.search(block.text)) or body.count(block.text) > 1
            yield Block(index, block, caption, comments.get(index))

    return all_blocks, walk()
