"""Recognise text that is not editorial: ads, sign-up prompts, disclaimers, credits, debris.

Rules look at a whole block (a line or paragraph) and say why it is skipped, so a
reviewer can see it; sentence-level trimming removes trailing photo credits.
"""

from __future__ import annotations

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
    ("credit", re.compile(r"^\s*(?:photo|image|illustration|credit)s?\s*[:/]", re.I)),
]

#: A parenthesised photo credit at the end of a caption: "(Drew Angerer / AFP via Getty Images)".
PHOTO_CREDIT = re.compile(
    r"\s*\((?:photo:?\s*)?[^()]{0,80}?(?:/|\bvia\b)[^()]{0,80}\)\s*$|"
    r"\s*\([^()]*(?:Getty Images|AFP|AP Photo|Reuters|Shutterstock)[^()]*\)\s*$",
    re.I,
)

_LETTERS = re.compile(r"[A-Za-z]")
_END = re.compile(r"[.!?…][\"”’')\]]*$")


def skip_reason(text: str, *, author: str | None = None) -> str | None:
    """Why this block is not editorial text, or None if it is."""
    for reason, pattern in _PATTERNS:
        if pattern.search(text):
            return reason
    if not _LETTERS.search(text):
        return "debris"
    if author and text.startswith(author + " is "):
        return "author bio"
    words = text.split()
    body = PHOTO_CREDIT.sub("", text)
    if not _END.search(body):
        # Headlines, bylines, logos, datelines, list items: no sentence ends here.
        return "no sentence" if len(words) < 40 else None
    if len(words) < 3:
        return "fragment"
    return None


def trim_credit(text: str) -> str:
    """The text without a trailing photo credit."""
    return PHOTO_CREDIT.sub("", text)
