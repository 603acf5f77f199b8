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
from service.extraction.speakers import looks_like_person, strip_titles

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


#: The heading over a blog's comments: "Comments", "3 comments", "Reader comments (12)".
_COMMENTS_HEADING = re.compile(
    r"^(?:\d+\s+)?(?:reader\s+|readers['’]\s+)?(?:comments?|responses?|replies)"
    r"(?:\s*\(\d+\))?\s*:?$",
    re.I,
)
#: A comment that opens with its writer: "Greg Tolland wrote on December 2, 2026: …",
#: "Maria says: …", "Dan P. (Dec. 3): …".
_COMMENT_OPENER = re.compile(
    r"^(?P<name>[A-Z][\w.'’\-]*(?:\s+[A-Z][\w.'’\-]*){0,3})\s*"
    r"(?:(?:wrote|writes|said|says|commented|comments|replied|replies|posted)"
    r"(?:\s+(?:on|at)\s+[^:\n]{1,40})?|\([^()\n]{1,40}\))\s*:\s+(?=\S)"
)


#: What only a comment's signature says: that it was written or posted, or when.
_SIGNED = re.compile(
    r"\b(?:wrote|writes|commented|comments|replied|replies|posted)\b|\([^()]*\d[^()]*\)",
    re.I,
)


def named_comments(all_blocks: list[Span]) -> dict[int, str]:
    """A blog's comments whose writers are named: from a comments heading on (or, with no
    heading, once two lines open with a writer), a line opening "<Name> wrote …:" is that
    writer's comment, and the lines after it are too until the next writer's."""
    heading = next(
        (i for i, b in enumerate(all_blocks) if _COMMENTS_HEADING.match(b.text.strip())), None
    )
    openers = {
        i: m.group("name")
        for i, b in enumerate(all_blocks)
        if (m := _COMMENT_OPENER.match(b.text))
        and (i > heading if heading is not None else bool(_SIGNED.search(m.group())))
    }
    # Without a heading, only a comment's own signature counts ("X wrote on …:", "X (Dec.
    # 3):"), not "Mayor Jones said: …" quoting someone in the post, and the comments are
    # the post's last lines: nothing but comments after the first of them.
    if heading is None and (len(openers) < 2 or len(all_blocks) - min(openers) > 3 * len(openers)):
        return {}
    if not openers:
        return {}
    out: dict[int, str] = {}
    writer: str | None = None
    for index in range(min(openers), len(all_blocks)):
        writer = openers.get(index, writer)
        if writer is not None:
            out[index] = writer
    return out


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
    heading: bool = False  # the page's headline or deck (see `leading_headings`)


#: How far into a page its headline and deck are looked for: a headline, a dateline or
#: byline, a deck.
HEADING_SPAN = 4


#: A page's time stamp or filing line ("Updated: 9 Sep 2013 11:25 GMT", "POSTED: 1052 GMT",
#: "Last updated yesterday at noon", "Posted by …", "Filed under Ferries"): when the page
#: changed or where it is kept, which no reader checks.
_TIMESTAMP = re.compile(
    r"^(?:last\s+|first\s+)?(?:updated|published|posted|modified|edited|written|filed|"
    r"reported)\b(?:\s+(?:on|by|in|under|at|yesterday|today)\b|\s*:|.*\d)",
    re.I,
)
#: A byline ("By Mia Lund", "By MIA LUND, Harbour Gazette").
_BYLINE = re.compile(r"^by\s+[A-Z][\w.'’\-]*(?:\s+[A-Z][\w.'’\-]*){0,3}\s*(?:[,|/—–-].*)?$", re.I)
#: A list item ("- Why …", "• Inside …"): an index of other pages, not this page's headline.
_LIST_ITEM = re.compile(r"^(?:[-–—•*·]|\d{1,2}[.)])\s")


def leading_headings(texts: list[str], author: str | None = None) -> set[int]:
    """The indices of a page's headline and deck: its leading lines that end no sentence
    ("Three killed as rioters bomb bank", "Robbers crash car into store, before setting it
    ablaze"), before its first paragraph of running text, three words to thirty. A headline is
    the claim most readers of the page read, and the one other outlets' reports are most often
    linked to; whether it asserts anything (a verb, a count) the parse decides. Bylines,
    datelines and prompts among them keep their own reasons and stay skipped."""
    out: set[int] = set()
    for index, text in enumerate(texts[:HEADING_SPAN]):
        reason = skip_reason(text, author=author)
        if reason is None or reason == "navigation":
            # Running text, or a list of other pages ("Most read"): the headings are above.
            break
        if (
            reason == "no sentence"
            and 3 <= len(text.split()) <= 30
            and not _TIMESTAMP.match(text)
            and not _BYLINE.match(text)
            and not _LIST_ITEM.match(text)
        ):
            out.add(index)
    return out


def editorial_blocks(body: str, context: DocumentContext) -> tuple[list[Span], Iterator[Block]]:
    """Every block of the body, and the editorial ones in order (boilerplate, sponsor reads
    and verbatim repeats skipped)."""
    all_blocks = blocks(body)

    def walk() -> Iterator[Block]:
        ads = ad_blocks([b.text for b in all_blocks])
        comments = (
            (named_comments(all_blocks) or reader_comments(all_blocks))
            if context.kind == "blog"
            else {}
        )
        headings = leading_headings([b.text for b in all_blocks], context.author)
        seen: set[str] = set()
        for index, block in enumerate(all_blocks):
            if index in ads:
                continue
            heading = index in headings
            skipped = not heading and skip_reason(block.text, author=context.author)
            if skipped or block.text in seen:
                # A caption repeated verbatim (image and lightbox) is one claim, not two.
                continue
            seen.add(block.text)
            # A photo caption speaks for the outlet, not for the op-ed's author (a headline
            # the first sentence repeats is still the headline).
            caption = not heading and (
                bool(PHOTO_CREDIT.search(block.text)) or body.count(block.text) > 1
            )
            comment = None if heading else comments.get(index)
            yield Block(index, block, caption, comment, heading)

    return all_blocks, walk()


# --- labelled transcripts ---------------------------------------------------------------

#: A transcript line that opens with who speaks it: "HOST:", "DANA WHITFIELD:", "Dr. Amy
#: Chen:", "RACHEL MARTIN, HOST:", "SEN. MARIA LOPEZ (D-CA):".
_LABEL = re.compile(
    r"^(?P<name>[A-Z][\w.'’\-]*(?:[ \t]+[A-Z][\w.'’\-]*){0,4})"
    r"(?:,[ \t]*(?P<role>[A-Za-z][A-Za-z\- \t]{1,30}?))?"
    r"(?:[ \t]*\([^()\n]{1,40}\))?[ \t]*:[ \t]+(?=\S)"
)
#: Labels that name the show's own voice: the host (the document's author, when it has one).
HOST_LABELS = frozenset(
    {
        "host",
        "co-host",
        "cohost",
        "anchor",
        "presenter",
        "moderator",
        "narrator",
        "interviewer",
        "q",
    }
)
#: Labels that name a voice without saying whose it is.
NAMELESS_LABELS = frozenset(
    {
        "a",
        "guest",
        "caller",
        "reporter",
        "correspondent",
        "announcer",
        "speaker",
        "voice",
        "audience member",
        "crowd",
        "unidentified",
        "unidentified man",
        "unidentified woman",
        "unidentified male",
        "unidentified female",
        "unidentified person",
        "unidentified speaker",
    }
)
#: Words that head a line as a heading, not as a voice ("Update: …", "Editor's note: …").
NOT_LABELS = frozenset(
    {
        "update",
        "updated",
        "correction",
        "clarification",
        "note",
        "editor's note",
        "editor’s note",
        "transcript",
        "source",
        "sources",
        "summary",
        "background",
        "related",
        "disclaimer",
        "warning",
        "advertisement",
        "sponsor",
        "music",
        "photo",
        "video",
        "audio",
        "tags",
        "topics",
        "read more",
        "watch",
        "listen",
        "episode",
        "credits",
        # Fact boxes: "WHAT: …", "WHEN: …", "WHERE: …"
        "what",
        "when",
        "where",
        "who",
        "why",
        "how",
        "key facts",
        "facts",
        "timeline",
        "by the numbers",
        "details",
        "cost",
        "price",
        "tickets",
        "location",
        "date",
        "time",
    }
)


@dataclass(frozen=True)
class TurnLabel:
    """Whose turn a transcript line is, from a label (`end` > 0: the label's length, which
    is not part of any claim) or carried from the last label above it (`end` 0)."""

    speaker: str | None
    end: int
    role: str | None = None


def _label_name(raw: str) -> str:
    name = " ".join(raw.split())
    return name.title() if name.isupper() else name


def script_labels(all_blocks: list[Span], context: DocumentContext) -> dict[int, TurnLabel]:
    """The turn labels of a transcript; of another text only when it reads as one (at least
    three lines labelled, and half of all, or a third when at least two labels are in
    capitals): a transcript filed as news. An interview keeps its questions-and-answers
    reading."""
    if context.kind == "transcript":
        return turn_labels(all_blocks, context.author)
    if context.kind == "interview":
        return {}
    found = turn_labels(all_blocks, context.author)
    labelled = [i for i, label in found.items() if label.end]
    # Outside a transcript, a script has two voices at least, each named by a person's name
    # or as the host: "WHERE: …"-like boxes of one word are no voices.
    voices = {
        found[i].speaker or found[i].role
        for i in labelled
        if found[i].role == "host" or " " in (found[i].speaker or "")
    }
    if len(voices) < 2:
        return {}
    # Script labels are written in capitals ("HOST:", "DANA WHITFIELD:"); a news story's
    # "Name: …" lines are not. A third of the lines so labelled reads as a transcript (a
    # pasted podcast has a title, an introduction and notes around its turns).
    shouted = sum(
        1 for i in labelled if (m := _LABEL.match(all_blocks[i].text)) and m.group("name").isupper()
    )
    if len(labelled) >= 3 and shouted >= 2 and len(labelled) * 3 >= len(all_blocks):
        return found
    return found if len(labelled) >= 3 and len(labelled) * 2 >= len(all_blocks) else {}


def _person_of(name: str) -> tuple[str, str | None]:
    """A label's name without its titles, and the titles ("Maria Lopez", "Sen.")."""
    person, title = strip_titles(name)
    return (person, title) if title and looks_like_person(person) else (name, None)


def turn_labels(all_blocks: list[Span], host: str | None) -> dict[int, TurnLabel]:
    """The voices of a transcript whose lines are labelled with their speakers, by block:
    a labelled line is its label's, and the unlabelled lines after it are the same voice's
    until the next label or a heading ("Note: …", which is nobody's turn). A host label is
    the document's author (or the name a label gives: "RACHEL MARTIN, HOST:"); "GUEST:" or
    "UNIDENTIFIED MALE:" is a voice nobody named; a lone surname or first name is the
    labelled full name it ends or opens ("MARTIN:" after "RACHEL MARTIN, HOST:"), and a
    lone title-case word is a label only then. Empty unless at least two lines carry a
    label: one "Update:" does not make a script."""
    headings: set[int] = set()
    strong: dict[int, tuple[re.Match[str], str, str | None]] = {}
    weak: dict[int, tuple[re.Match[str], str, str | None]] = {}
    for index, block in enumerate(all_blocks):
        m = _LABEL.match(block.text)
        if m is None:
            continue
        name, raw_role = _label_name(m.group("name")), m.group("role")
        role = raw_role.casefold().strip() if raw_role else None
        if name.casefold() in NOT_LABELS or role in NOT_LABELS:
            headings.add(index)
        elif (
            name.casefold() in HOST_LABELS | NAMELESS_LABELS
            or role in HOST_LABELS | NAMELESS_LABELS
            or m.group("name").isupper()
            or looks_like_person(name)
        ):
            strong[index] = (m, name, role)
        elif " " not in name:
            weak[index] = (m, name, role)
    # Each full name as its turns give it (titles off: "Sen. Maria Lopez" is "Maria Lopez"),
    # with what its label says the voice is, for a later lone surname's turns.
    full: dict[str, str | None] = {}
    for _, n, r in strong.values():
        person, title = _person_of(n)
        if " " in person:
            full.setdefault(person, r or (title.casefold() if title else None))
    found = strong | {
        i: w for i, w in weak.items() if any(w[1] in (f.split()[0], f.split()[-1]) for f in full)
    }
    if len(found) < 2:
        return {}
    hosts = [
        n for _, n, r in found.values() if r in HOST_LABELS and n.casefold() not in HOST_LABELS
    ]
    out: dict[int, TurnLabel] = {}
    current: TurnLabel | None = None
    for index in range(len(all_blocks)):
        if index in headings:
            current = None
        if index not in found:
            if current is not None:
                out[index] = TurnLabel(current.speaker, 0, current.role)
            continue
        m, name, role = found[index]
        person, title = _person_of(name)
        speaker: str | None = person
        key = name.casefold()
        if key in HOST_LABELS:
            speaker, role = (hosts[0] if hosts else host), "host"
        elif key in NAMELESS_LABELS:
            speaker, role = None, key
        elif " " not in name:
            ends = sorted(f for f in full if name in (f.split()[0], f.split()[-1]))
            if len(ends) == 1:
                speaker, role = ends[0], role or full[ends[0]]
        current = TurnLabel(speaker, m.end(), role or (title.casefold() if title else None))
        out[index] = current
    return out


def label_cut(sentence: Span, block: Span, label: TurnLabel | None) -> Span | None:
    """The sentence without the turn label its line opens with (None when it is only the
    label): "DANA WHITFIELD: Thanks, Rob." is Dana Whitfield's "Thanks, Rob."."""
    if label is None or not label.end:
        return sentence
    cut = block.start + label.end - sentence.start
    if cut <= 0:
        return sentence
    if cut >= len(sentence.text):
        return None
    return Span(sentence.start + cut, sentence.end, sentence.text[cut:])
