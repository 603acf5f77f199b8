"""Names in running text: find them, split titles off, map surnames and pronouns to people."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_CAP = r"(?:[A-Z]\.(?:[A-Z]\.)+|[A-ZÀ-Ý][\w’'\-]*\.?)"
NAME = re.compile(_CAP + r"(?:\s+(?:(?:de|van|von|bin|al|da|di|le|la)\s+)?" + _CAP + r")*")

#: Words that open a capitalised run but are titles, roles or descriptors, not the name.
TITLES = {
    "president",
    "senator",
    "sen.",
    "secretary",
    "minister",
    "prime",
    "envoy",
    "special",
    "spokesperson",
    "spokesman",
    "spokeswoman",
    "ambassador",
    "gov.",
    "governor",
    "rep.",
    "representative",
    "chancellor",
    "general",
    "gen.",
    "dr.",
    "mr.",
    "ms.",
    "mrs.",
    "sir",
    "chairman",
    "chair",
    "director",
    "ceo",
    "king",
    "queen",
    "pope",
    "judge",
    "justice",
    "mayor",
    "commissioner",
    "deputy",
    "vice",
    "foreign",
    "defense",
    "defence",
    "state",
    "former",
    "u.s.",
    "us",
    "uk",
    "eu",
    "white",
    "house",
    "economic",
    "host",
    "reporter",
    "correspondent",
    "colleague",
    "lawmaker",
    "leader",
    "officer",
    "official",
    # Local and legislative offices, ranks ("Councilmember Derek Holt", "Lt. Ana Ruiz").
    "councilmember",
    "councilman",
    "councilwoman",
    "councillor",
    "councilor",
    "alderman",
    "alderwoman",
    "assemblymember",
    "assemblyman",
    "assemblywoman",
    "congressman",
    "congresswoman",
    "sheriff",
    "prosecutor",
    "superintendent",
    "treasurer",
    "auditor",
    "lt.",
    "lt",
    "lieutenant",
    "sgt.",
    "sgt",
    "sergeant",
    "capt.",
    "captain",
    "col.",
    "colonel",
    "det.",
    "detective",
    "insp.",
    "inspector",
}
#: Capitalised words that are sentence furniture, directions, months and days rather than
#: people. No place or organisation names: the parse (spaCy entities) tells those apart; this
#: list serves only the rules fallback.
NOT_PEOPLE = {
    "the",
    "a",
    "an",
    "in",
    "on",
    "at",
    "but",
    "and",
    "or",
    "if",
    "when",
    "while",
    "during",
    "after",
    "before",
    "since",
    "as",
    "so",
    "yet",
    "this",
    "that",
    "these",
    "those",
    "it",
    "its",
    "he",
    "she",
    "they",
    "we",
    "i",
    "you",
    "his",
    "her",
    "their",
    "our",
    "my",
    "even",
    "earlier",
    "later",
    "still",
    "also",
    "then",
    "now",
    "here",
    "there",
    "what",
    "who",
    "why",
    "how",
    "among",
    "for",
    "with",
    "without",
    "from",
    "to",
    "by",
    "of",
    "no",
    "not",
    "most",
    "many",
    "some",
    "all",
    "both",
    "each",
    "every",
    "more",
    "less",
    "about",
    "west",
    "western",
    "east",
    "eastern",
    "north",
    "south",
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
}
NATIONALITY = re.compile(r"(?:ian|ean|ese|ish|ic|i)$", re.I)
AGENT_NOUN = re.compile(r"^[A-Z][a-z]+(?:er|or|ist|yst|ian|ant|ent|ary|ive)$")
_ROLE_NOUN = (
    r"(?:spokesperson|spokesman|spokeswoman|envoy|minister|secretary|leader|executive|analyst|"
    r"economist|director|chief|head|president|senator|governor|mayor|ambassador|adviser|advisor|"
    r"official|reporter|correspondent|host|founder|chairman|chairwoman|chair|ceo|engineer|"
    r"professor|fellow|general|commander|negotiator|investor|banker|lawyer|judge)"
)
_ROLE_WORD = re.compile(_ROLE_NOUN + r"s?", re.I)


def is_role_noun(word: str) -> bool:
    """A word that names an office or a trade people speak in ("minister", "officials")."""
    return _ROLE_WORD.fullmatch(word) is not None


#: Role words just before a name: "White House spokesperson Anna Kelly", "Energy minister X".
ROLE_BEFORE = re.compile(
    r"((?:[A-Z][\w.’'&\-]*\s+){0,3}(?:[a-z][\w\-]*\s+){0,2}" + _ROLE_NOUN + r")\s+$"
)
#: An appositive after a name: "Rob Dannenberg, former head of the CIA’s Eurasia Division,".
ROLE_AFTER = re.compile(
    r"^,\s+((?:a\s+|an\s+|the\s+)?(?:former\s+|then-|acting\s+|deputy\s+|senior\s+)?"
    + _ROLE_NOUN
    + r"\b[^,;]{0,80}?)(?:,|;|\.|$)",
    re.I,
)
#: An affiliation after a name: "Elina Ribakova of PIIE".
AFFILIATION = re.compile(r"^\s+(?:of|at|from)\s+((?:the\s+)?[A-Z][\w.&\-]*(?:\s+[A-Z][\w.&\-]*)*)")

PRONOUNS = {"he": "m", "him": "m", "his": "m", "she": "f", "her": "f"}


def strip_titles(run: str) -> tuple[str, str | None]:
    """('Donald Trump', 'U.S. President') from 'U.S. President Donald Trump'."""
    tokens = run.split()
    cut = 0
    while cut < len(tokens) - 1 and (
        tokens[cut].lower().strip(",") in TITLES
        or (NATIONALITY.search(tokens[cut]) and tokens[cut].lower() in NOT_PEOPLE)
    ):
        cut += 1
    # "Engineer Karen Ostby", "Economist Ana Ruiz": an agent noun opening a run of three.
    while len(tokens) - cut >= 3 and AGENT_NOUN.search(tokens[cut]):
        cut += 1
    role = " ".join(tokens[:cut]) or None
    name = re.sub(r"(?:[’']s)?[.,]*$", "", " ".join(tokens[cut:]))
    return name.strip(), role


def looks_like_person(name: str) -> bool:
    tokens = [t.lower().strip(".,’'") for t in name.split()]
    if not tokens or any(t in NOT_PEOPLE for t in tokens):
        return False
    return 2 <= len(tokens) <= 4


@dataclass
class PeopleTracker:
    """People mentioned so far in one document, in order, to resolve surnames and pronouns."""

    full_names: dict[str, str] = field(default_factory=dict)  # surname → full name
    mentions: list[tuple[int, str]] = field(default_factory=list)  # (offset, full name)
    gender: dict[str, str] = field(default_factory=dict)
    #: Every capitalised word seen, to expand a short form ("Exxon" → "ExxonMobil").
    words: set[str] = field(default_factory=set)
    #: What the text says a person is: title, role or affiliation, first mention wins.
    roles: dict[str, str] = field(default_factory=dict)

    def _note_role(self, name: str, title: str | None, text: str, start: int, end: int) -> None:
        if name in self.roles:
            return
        after = text[end:]
        for found in (
            ROLE_AFTER.match(after),
            ROLE_BEFORE.search(text[max(0, start - 60) : start]),
            AFFILIATION.match(after),
        ):
            if found:
                self.roles[name] = found.group(1).strip()
                return
        if title:
            self.roles[name] = title

    def observe(self, text: str, offset: int) -> None:
        """Record every person-like name in a stretch of text starting at `offset`."""
        for m in NAME.finditer(text):
            self.words.update(m.group().split())
            name, role = strip_titles(m.group())
            if looks_like_person(name):
                self.full_names.setdefault(name.split()[-1], name)
                self.mentions.append((offset + m.start(), name))
                self._note_role(name, role, text, m.start(), m.end())
            elif (
                len(name.split()) == 1
                and name.lower() not in NOT_PEOPLE
                and (role or name in self.full_names)
            ):
                # "President Putin" is a person; so is "Putin" once we know him.
                full = self.full_names.setdefault(name, name)
                self.mentions.append((offset + m.start(), full))

    def canonical(self, name: str) -> str:
        """The fullest form of a name seen so far ('Dannenberg' → 'Rob Dannenberg')."""
        name, _ = strip_titles(name)
        if len(name.split()) == 1:
            if name in self.full_names:
                return self.full_names[name]
            longer = sorted(
                w for w in self.words if w.startswith(name) and w[len(name) :].isalpha()
            )
            return longer[0] if longer and longer[0][len(name)].isupper() else name
        return name

    def pronoun(self, word: str, before: int) -> str | None:
        """The most recent person before `before` compatible with the pronoun's gender."""
        wanted = PRONOUNS.get(word.lower())
        for offset, name in reversed(self.mentions):
            if offset >= before:
                continue
            known = self.gender.get(name)
            if wanted is None or known is None or known == wanted:
                return name
        return None

    def learn_gender(self, name: str, word: str) -> None:
        if word.lower() in PRONOUNS:
            self.gender.setdefault(name, PRONOUNS[word.lower()])
