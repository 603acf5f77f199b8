"""Recognise text that is not editorial: ads, sign-up prompts, disclaimers, credits, debris.

Rules look at a whole block (a line or paragraph) and say why it is skipped, so a
reviewer can see it; sentence-level trimming removes trailing photo credits.
"""

from __future__ import annotations

import itertools
import re

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "disclaimer",
        re.compile(
            r"^\s*disclaimer\b|not (?:financial|investment) advice|"
            r"assumes no responsibility|for general information purposes? only",
            re.I,
        ),
    ),
    ("editor's note", re.compile(r"^\s*editor[’']?s note\b", re.I)),
    (
        "sign-up prompt",
        re.compile(
            r"\bsign up\b|\bnewsletter\b|\bsubscribe\b|\bfollow us\b|"
            r"\bdownload (?:the|our) app\b",
            re.I,
        ),
    ),
    (
        "ad read",
        re.compile(
            r"\bad choices\b|\bbrought to you by\b|\bpromo code\b|\bsponsored by\b|"
            r"\bthis (?:episode|podcast) is (?:sponsored|supported)\b|"
            r"\bfree trial\b|\bvisit [a-z0-9-]+\.(?:com|fm|org|net)\b|"
            r"\b\d+% off\b|\buse code\b",
            re.I,
        ),
    ),
    (
        "navigation",
        re.compile(
            r"^\s*(?:read more|most (?:discussed|read|popular)|related|"
            r"further listening|share this|advertisement|transcript|"
            r"press play and read along|tl;dr|deep dive|key quotes|"
            r"\d+ min read)\s*:?\s*$",
            re.I,
        ),
    ),
    # "Our Standards: The Thomson Reuters Trust Principles.", "This article originally
    # appeared on VICE US.": the outlet's policy links and syndication notes.
    (
        "publisher's note",
        re.compile(
            r"^\s*our (?:standards|policies|principles|editorial (?:standards|policy))\b|"
            r"\boriginally (?:appeared|published|ran) (?:on|in|at)\b",
            re.I,
        ),
    ),
    # "… it would probably be […]": a truncated excerpt of another page (related posts,
    # sponsored teasers), not this article's text.
    ("teaser", re.compile(r"\[(?:…|\.\.\.)\]\s*$")),
    ("credit", re.compile(r"^\s*(?:photo|image|illustration|credit)s?\s*[:/]", re.I)),
    (
        "credits",
        re.compile(
            r"\btheme music\b|\b(?:produced|edited|mixed|engineered|hosted) by\b|"
            r"\b(?:show|episode|podcast|programme|program) is made by\b|"
            r"\bfact[- ]checking (?:this week |today )?by\b|\bco-production of\b|"
            r"\bour (?:senior |executive )?producers?\b|\bthat's all for today\b|"
            r"\bsee you (?:on|tomorrow|next)\b|\bwelcome to [A-Z][\w ]+, (?:our|the) show\b|"
            r"\bcoming up on the show\b|^I'm [A-Z][a-z]+ [A-Z][a-z]+\.?$",
            re.I,
        ),
    ),
]

#: Sponsor-read markers: a block with one opens an ad run (see ad_blocks).
AD_MARKER = re.compile(
    r"\bmember,? fdic\b|\bcopyright \d{4}\b|\bnmls\b|\bterms (?:apply|and conditions)\b|"
    r"\bsubject to (?:credit )?approval\b|\blimited[- ]time offer\b|\blearn more at\b|"
    r"\bexpires\b|\bpromo\b|\b[a-z0-9-]+\.(?:com|fm)(?:/|\b)|\bin the app\b|\bfree shipping\b|"
    r"\bget started (?:today|now)\b|\bsponsor(?:ed)?\b",
    re.I,
)
_SECOND_PERSON = re.compile(r"\byou(?:r|'ll|'re|'ve)?\b", re.I)


def ad_blocks(texts: list[str]) -> set[int]:
    """Indexes of blocks inside sponsor reads: each block with an ad marker, plus the
    neighbouring blocks that address the listener ("you get…") or are short slogans, and
    whatever lies between two ad blocks a few lines apart."""
    ads = {
        i
        for i, t in enumerate(texts)
        if len(t) <= MAX_BOILERPLATE_CHARS and (AD_MARKER.search(t) or skip_reason(t) == "ad read")
    }
    # A sponsor read is bracketed: "brought to you by X" … "learn more at x.com".
    ordered = sorted(ads)
    for a, b in itertools.pairwise(ordered):
        if b - a <= 5:
            ads.update(range(a, b))
    for start in sorted(ads):
        for step in (-1, 1):
            i = start + step
            while (
                0 <= i < len(texts)
                and i not in ads
                and len(texts[i]) <= MAX_BOILERPLATE_CHARS
                and (_SECOND_PERSON.search(texts[i]) or len(texts[i].split()) <= 5)
            ):
                ads.add(i)
                i += step
    return ads


#: A parenthesised photo credit at the end of a caption: "(Drew Angerer / AFP via Getty Images)".
PHOTO_CREDIT = re.compile(
    r"\s*\((?:photo:?\s*)?[^()]{0,80}?(?:/|\bvia\b)[^()]{0,80}\)\s*$|"
    r"\s*\([^()]*(?:Getty Images|AFP|AP Photo|Reuters|Shutterstock)[^()]*\)\s*$",
    re.I,
)

#: "- Rosneft - Russia's biggest state oil company.": an entry of a people/entities list.
_ENTRY = re.compile(r"^[-•*]\s+[^.!?]{1,60}?\s[-–—]\s+(?P<about>\S.*)$")
#: An entry that only says where the page mentions it ("- X - Mentioned as related
#: listening") states nothing about the entity.
_META = re.compile(r"^(?:mentioned|discussed|referenced|cited|listed|related|see also)\b", re.I)
_LETTERS = re.compile(r"[A-Za-z]")
_END = re.compile(r"[.!?…][\"”’')\]]*$")


#: Boilerplate is short: a byline, a credit, a footer, a sponsor read is a line or a short
#: paragraph. A longer block is not tested against the patterns (on a block of megabytes
#: they cost seconds each), only for letters.
MAX_BOILERPLATE_CHARS = 3_000


def skip_reason(text: str, *, author: str | None = None) -> str | None:
    """Why this block is not editorial text, or None if it is."""
    if len(text) > MAX_BOILERPLATE_CHARS:
        return None if _LETTERS.search(text) else "debris"
    for reason, pattern in _PATTERNS:
        if pattern.search(text):
            return reason
    if not _LETTERS.search(text):
        return "debris"
    entry = _ENTRY.match(text)
    if entry:
        # An entry that states a role or a fact is a claim about the entity.
        about = entry.group("about")
        return "glossary entry" if _META.match(about) or len(about.split()) < 2 else None
    if author and re.match(re.escape(author) + r" (?:is|was|covers|writes|reports|has)\b", text):
        return "author bio"
    words = text.split()
    body = PHOTO_CREDIT.sub("", text)
    if not _END.search(body):
        # Headlines, bylines, logos, datelines, list items: no sentence ends here. A long
        # line in running lower case is a sentence that lost its full stop in extraction.
        lower = sum(1 for w in words if w[:1].islower())
        running = len(words) >= 15 and lower * 2 > len(words)
        return None if len(words) >= 40 or running else "no sentence"
    if len(words) < 3:
        return "fragment"
    return None


#: A wire dateline: "LOS ANGELES (Reuters) - ", "BERLIN (AP) — ", "SPRINGFIELD, Dec. 2
#: (Reuters) - ": a place in capitals, its state or date, the agency, then a dash.
DATELINE = re.compile(
    r"^[A-Z][A-Z.'’\-][A-Z .'’\-]{0,40}?(?:,\s+[A-Z][\w.]{1,15}(?:\s[\w.]{1,15})?)?"
    r"\s\([A-Z][\w .&]{1,30}\)\s*[-–—]+\s*"
)
#: A dateline with no agency ("HARROW BAY — The council …", "PORTLAND, Ore. — Officials"):
#: only where a paragraph opens, a place of three capitals or more, a dash with spaces round
#: it, and a capital after. Anywhere else "NATO—not the EU—sent …" or "FEMA — which …" would
#: lose their subject.
_PLACE_DATELINE = re.compile(
    r"^[A-Z][A-Z.'’\-][A-Z .'’\-]{1,40}?(?:,\s+[A-Z][\w.]{1,15}(?:\s[\w.]{1,15})?)?"
    r"\s+(?:—|–|--|-)\s+(?=[A-Z])"
)


def trim_credit(text: str) -> str:
    """The text without a trailing photo credit."""
    return PHOTO_CREDIT.sub("", text)


#: What is left of a dateline the sentence splitter cut after its state ("PORTLAND, Ore." |
#: "— Officials said …"): a sentence does not open with a dash.
_DASH_LEFT = re.compile(r"^[—–]\s*")


#: A dateline the sentence splitter cut off on its own ("HARROW BAY, Wash." | "— The council
#: …"): a place in capitals and its state or date, no claim.
_DATELINE_ALONE = re.compile(
    r"^[A-Z][A-Z.'’\-][A-Z .'’\-]{0,40},\s+[A-Z][\w.]{1,15}(?:\s[\w.]{1,15})?\s*$"
)


def dateline_alone(text: str) -> bool:
    return bool(_DATELINE_ALONE.match(text.strip()))


def dateline_length(text: str, *, opens: bool = False) -> int:
    """How many leading characters are a dateline (0 if none). `opens`: the sentence opens
    its paragraph, or follows a dateline the splitter cut off alone; only there is a place
    and a dash without an agency a dateline."""
    m = DATELINE.match(text)
    if m is None and opens:
        m = _PLACE_DATELINE.match(text) or _DASH_LEFT.match(text)
    return m.end() if m else 0
