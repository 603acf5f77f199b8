"""Claim dates: explicit dates, weekdays and relative periods ("yesterday", "last week",
"earlier this month", "last year") resolved against the publication date, with precision.

The publication date is never a claim date by itself; a sentence with no date words
gets none. Periods without an anchor ("recently", "in recent years") are left undated.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from service.extraction.model import ResolvedDate

MONTHS = {
    name: i + 1
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ]
    )
    for name in names
}
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]

_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY_FIRST = re.compile(
    r"\b(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH + r"(?:,?\s+(?P<year>\d{4}))?\b", re.I
)
_MONTH_DAY = re.compile(
    r"\b" + _MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(?P<year>\d{4}))?", re.I
)
_MONTH_YEAR = re.compile(r"\b" + _MONTH + r"\s+(?:of\s+)?(?P<year>\d{4})\b", re.I)
_MONTH_IN_YEAR = re.compile(
    r"\b(?P<month>"
    + "|".join(n for n in MONTHS if len(n) > 3)
    + r")\b[^.;]{0,60}?\bin\s+(?P<year>\d{4})\b",
    re.I,
)
_WEEKDAY = re.compile(
    r"\b(?:on\s+|last\s+|this\s+|next\s+)?(?P<wd>" + "|".join(WEEKDAYS) + r")\b", re.I
)
_FUTURE = re.compile(r"\b(?:will|would|is set to|are set to|plans? to|is going to|next)\b", re.I)
#: Verbs in the window before a date that put it in the past or in the future: the one
#: nearest the date decides ("… will reopen," she said at a briefing on Monday: past).
_NEAR_FUTURE = re.compile(
    r"\b(?:will|shall|would|\w+['’]ll|(?:is|are|was|were)\s+(?:set|scheduled|expected|due|slated|"
    r"going)|plans?\s+to|next)\b",
    re.I,
)
_NEAR_PAST = re.compile(
    r"\b(?:said|says|told|announced|reported|confirmed|stated|added|noted|met|was|were|did|had|"
    r"spoke|wrote|gave|made|took|held|began|went|came|saw|won|lost|sold|paid|left|fell|rose|"
    r"sank|broke|found|led)\b",
    re.I,
)
#: A regular past verb right before the date ("reopened on Friday", "voted Tuesday"): a word
#: in -ed further off is as often an adjective ("the proposed rule", "its delayed report")
#: and says nothing of the tense. "will be reopened on Friday" stays future.
_ED_BESIDE = re.compile(
    r"(?P<passive>\b(?:will|would|shall|to)\s+be\s+)?\b\w+ed\s+"
    r"(?:(?:on|in|at|by|from|since|until|last|this|early|late)\s+)?$",
    re.I,
)
#: A past verb a short object away from the date, with no future marker before it: "voted 5-2
#: on Monday", "closed the northbound lanes on Friday" (_past_before_object). Words in -ed
#: that are not such a verb, by the word before them: after an article, a possessive or a
#: form of "be" it is an adjective or a passive ("the proposed changes", "its delayed report",
#: "will be reopened"); after a preposition, an adjective ("with reserved seating").
_NOT_BEFORE_A_PAST_VERB = frozenset(
    {
        "the",
        "a",
        "an",
        "its",
        "their",
        "his",
        "her",
        "our",
        "your",
        "my",
        "this",
        "that",
        "these",
        "those",
        "be",
        "been",
        "being",
        "is",
        "are",
        "was",
        "were",
        "with",
        "to",
        "for",
        "of",
        "in",
        "on",
        "at",
        "by",
        "from",
    }
)
#: ...and by the word after: "planned for", "scheduled to", "expected by" say when something
#: is to happen.
_NOT_AFTER_A_PAST_VERB = frozenset(["for", "to", "until", "by"])
#: Words in -ed that are no past verb ("hundred"; "speed", "exceed": -eed), and participles
#: that schedule what is to come.
_NOT_A_PAST_VERB = frozenset(
    {
        "hundred",
        "planned",
        "scheduled",
        "slated",
        "expected",
        "intended",
        "supposed",
        "designed",
        "timed",
    }
)
_DATE_PREPOSITION = frozenset(["on", "at", "by", "last", "this", "early", "late"])


def _past_before_object(window: str) -> bool:
    """Whether a regular past verb stands one to three words before the date (and its
    preposition) at the end of `window`: lower case, in -ed, not in -eed, with neither the
    word before nor the word after marking it as an adjective, a passive or a schedule."""
    words = window.split()
    if words and words[-1].lower() in _DATE_PREPOSITION:
        words = words[:-1]
    for back in range(2, 5):  # one to three words between the verb and the date
        if len(words) < back + 1:
            break
        verb, before, after = words[-back], words[-back - 1], words[-back + 1]
        if (
            len(verb) >= 5
            and verb.isalpha()
            and verb.islower()
            and verb.endswith("ed")
            and not verb.endswith("eed")
            and verb not in _NOT_A_PAST_VERB
            and before.lower().strip(",") not in _NOT_BEFORE_A_PAST_VERB
            and after.lower() not in _NOT_AFTER_A_PAST_VERB
            and not any(c in before for c in ",;:")
        ):
            return True
    return False


#: How far before a date its verb is looked for, within its clause (a quotation mark or a
#: semicolon ends the window).
_TENSE_WINDOW = 60


def _tense_before(sentence: str, start: int) -> str | None:
    """'past' or 'future' by the verb nearest before the date at `start`, or None."""
    window = sentence[max(0, start - _TENSE_WINDOW) : start]
    window = re.split(r"[\"“”;]", window)[-1]
    past = [m.end() for m in _NEAR_PAST.finditer(window)]
    future = [m.end() for m in _NEAR_FUTURE.finditer(window)]
    beside = _ED_BESIDE.search(window)
    if beside:
        (future if beside.group("passive") else past).append(beside.end())
    # "was set to", "were expected": the future reading is the nearer, later match.
    if not past and not future:
        return "past" if _past_before_object(window) else None
    if future and (not past or future[-1] >= past[-1]):
        return "future"
    return "past"


def _ahead(sentence: str, start: int) -> bool:
    """Whether the date at `start` is read as future: by the verb nearest before it, and
    failing one, by any future marker in the sentence."""
    tense = _tense_before(sentence, start)
    return tense == "future" or (tense is None and bool(_FUTURE.search(sentence)))


_YEAR = re.compile(
    r"\bin\s+(?P<year>(?:1[5-9]|20)\d{2})\b|^(?P<lead>(?:1[5-9]|20)\d{2})\b|"
    r"\b(?:in|during|by|since) the (?P<decade>(?:1[5-9]|20)\d0)s\b",
    re.I,
)
#: A month with no day and no year ("In December, …"): the latest such month up to
#: publication, or the next one when the verb beside it is in the future tense.
_MONTH_ALONE = re.compile(
    r"\b(?:in|since|last|this|next|early|late|mid-?)\s+(?P<month>"
    + "|".join(n for n in MONTHS if len(n) > 3 and n != "march")
    + r"|(?-i:March|May))\b(?!\s+\d)",
    re.I,
)
_RELATIVE = re.compile(
    r"\b(?P<rel>yesterday|today|(?:last|next|earlier this|later this|this) (?:week|month|year))\b",
    re.I,
)


_ISO_DAY = re.compile(r"\b(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})\b")


def written_date(text: str) -> tuple[date, int, int] | None:
    """The first date `text` writes out whole, day, month and year ("April 10, 2007", "10th
    April 2007", "2007-04-10"), with where it stands (start, end); None if there is none."""
    for pattern in (_MONTH_DAY, _DAY_FIRST, _ISO_DAY):
        for m in pattern.finditer(text):
            if not m.group("year"):
                continue
            month = m.group("month")
            found = _safe(
                int(m.group("year")),
                int(month) if month.isdigit() else MONTHS[month.lower()],
                int(m.group("day")),
            )
            if found is not None:
                return found, m.start(), m.end()
    return None


def _safe(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def resolve_date(sentence: str, published: date | None) -> ResolvedDate | None:
    """The date of the event or statement a sentence reports, if its words give one.

    A date that would fall outside the calendar Python and Postgres hold (a publication date
    of 9999-12-31, a common "unknown", read with "next year"; 0001-01-01 with "yesterday")
    leaves the sentence undated instead of failing the document's extraction."""
    try:
        return _resolve(sentence, published)
    except (OverflowError, ValueError):
        return None


def _resolve(sentence: str, published: date | None) -> ResolvedDate | None:
    for pattern in (_MONTH_DAY, _DAY_FIRST):
        m = pattern.search(sentence)
        if m:
            month = MONTHS[m.group("month").lower()]
            day = int(m.group("day"))
            if m.group("year"):
                found = _safe(int(m.group("year")), month, day)
                how = f"explicit date {m.group().strip()!r}"
            elif published:
                year = published.year
                found = _safe(year, month, day)
                how = f"{m.group().strip()!r} with the year of publication"
                ahead = _ahead(sentence, m.start())
                if found and ahead and found < published:
                    # "will vote on Jan. 15" in a December article: next year's (the verb
                    # next to the date decides, as for a weekday).
                    found = _safe(year + 1, month, day)
                    how = f"{m.group().strip()!r}: the next one after publication"
                elif found and found > published + timedelta(days=31) and not ahead:
                    # "Dec 30" read in a January article is last year's.
                    found = _safe(year - 1, month, day)
            else:
                found, how = None, ""
            if found:
                return ResolvedDate(found, "day", how)
    for pattern in (_MONTH_YEAR, _MONTH_IN_YEAR):
        m = pattern.search(sentence)
        if m:
            found = _safe(int(m.group("year")), MONTHS[m.group("month").lower()], 1)
            if found:
                return ResolvedDate(found, "month", f"month and year {m.group().strip()!r}")
    m = _WEEKDAY.search(sentence)
    if m and published:
        return _weekday(m, sentence, published)
    m = _RELATIVE.search(sentence)
    if m and published:
        return _relative(m.group("rel").lower(), published)
    m = _MONTH_ALONE.search(sentence)
    if m and published:
        month = MONTHS[m.group("month").lower()]
        ahead = month > published.month and bool(_FUTURE.search(sentence))
        year = published.year if month <= published.month or ahead else published.year - 1
        how = f"{m.group().strip()!r}: the {'next' if ahead else 'last'} one from publication"
        return ResolvedDate(date(year, month, 1), "month", how)
    m = _YEAR.search(sentence)
    if m:
        year = int(m.group("year") or m.group("lead") or m.group("decade"))
        return ResolvedDate(date(year, 1, 1), "year", f"year {m.group().strip()!r}")
    return None


def _relative(phrase: str, published: date) -> ResolvedDate:
    """'yesterday', 'last week', 'earlier this month', 'next year' … from the publication date."""
    how = f"{phrase!r} from the publication date"
    if phrase == "yesterday":
        return ResolvedDate(published - timedelta(days=1), "day", how)
    if phrase == "today":
        return ResolvedDate(published, "day", how)
    step = {"last": -1, "next": 1}.get(phrase.split()[0], 0)
    unit = phrase.split()[-1]
    if unit == "week":
        monday = published - timedelta(days=published.weekday()) + timedelta(weeks=step)
        return ResolvedDate(monday, "week", how)
    if unit == "month":
        months = published.year * 12 + published.month - 1 + step
        return ResolvedDate(date(months // 12, months % 12 + 1, 1), "month", how)
    return ResolvedDate(date(published.year + step, 1, 1), "year", how)


def _weekday(m: re.Match[str], sentence: str, published: date) -> ResolvedDate:
    """A weekday: the last one up to publication, or the next one for future tense."""
    target = WEEKDAYS.index(m.group("wd").lower())
    prefix = m.group().lower()
    # "… will be scrapped, the mayor said at a briefing on Monday": the verb nearest the
    # day decides.
    past = prefix.startswith("last")
    if not past and (_ahead(sentence, m.start()) or prefix.startswith("next")):
        delta = (target - published.weekday()) % 7 or 7
        found = published + timedelta(days=delta)
        how = f"{m.group().strip()!r}: the next one after publication"
    else:
        delta = (published.weekday() - target) % 7
        if prefix.startswith("last") and delta == 0:
            delta = 7
        found = published - timedelta(days=delta)
        how = f"{m.group().strip()!r}: the last one up to publication"
    return ResolvedDate(found, "day", how)
