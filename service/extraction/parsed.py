"""Extraction from a parse: attribution, speakers and check-worthiness read off spaCy's
tokens, parts of speech, dependencies and entities.

Attribution is the subject of a speech or cognition verb (by lemma, in any tense or order:
"X said", "said X", "…," writes X) governing a clause or a quotation; "according to X";
anonymous and documentary subjects by the shape of their noun phrase. Direct quotes are the
spans between quotation marks; a sentence that is all quotation takes the speaker named in
its quotation, the sentence beside it, or the paragraph before or after ("X, a reporter,
explains …"). Pronouns resolve to people only, by gender and distance; "I"/"we" in a quotation
are the quotation's speaker.
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from service.extraction.attribution import ANONYMOUS, INSTITUTION_NOUNS, says_unnamed
from service.extraction.boilerplate import dateline_alone, dateline_length, trim_credit
from service.extraction.checkworthiness import is_instruction
from service.extraction.dates import resolve_date
from service.extraction.document import (
    SOURCING,
    Block,
    TurnLabel,
    editorial_blocks,
    fallback_speaker,
    label_cut,
    mend,
    name_transcript_voices,
    script_labels,
)
from service.extraction.model import Candidate, DocumentContext, ResolvedDate
from service.extraction.nlp import doc_text, ents_of
from service.extraction.scoring import nothing_checkable, score_tokens
from service.extraction.segment import Span, checkable, sentences
from service.extraction.speakers import TITLES, is_role_noun, looks_like_person, strip_titles

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Token
    from spacy.tokens import Span as TokenSpan


def _lexicon(words: str) -> frozenset[str]:
    return frozenset(words.split())


#: Verbs that report speech, writing or thought, by lemma. A verb here attributes only
#: when it governs a clause or a quotation, so "she told a story" attributes nothing.
SPEECH_LEMMAS = _lexicon(
    """
    say tell ask reply respond write argue warn deny insist estimate add note explain claim
    state announce confirm acknowledge admit predict believe think report suggest stress
    emphasize emphasise recall reveal disclose concede caution counter contend testify tweet
    post describe accuse allege maintain assert complain conclude agree promise vow urge
    declare observe remark comment recount indicate mention boast lament propose recommend
    repeat reiterate reckon concur dispute doubt expect forecast project calculate find show
    suggest explain answer continue joke quip muse wonder hope fear worry feel acknowledge
    signal caution predict estimate project remind cite compare call reject remember
    highlight characterize characterise detail outline point refer hint speak
    """
)
#: Reporting verbs whose object is what they report ("X noted the proposal's focus on …",
#: "Exxon denied the report", "she called the plan reckless"); "told a story", "wrote a
#: book", "asked a question" report nothing.
OBJECT_REPORTS = _lexicon(
    """
    note deny confirm acknowledge admit reveal disclose predict estimate forecast cite
    dispute reject compare call describe announce claim allege report stress emphasize
    emphasise find show
    """
)
#: Reporting verbs whose report comes as a prepositional object: "X points to the deal",
#: "she warned of a crisis", "he referred to the leak", "they hinted at a deal".
PREP_REPORTS: dict[str, tuple[str, ...]] = {
    "point": ("to",),
    "warn": ("of", "against", "about"),
    "refer": ("to",),
    "hint": ("at",),
    "complain": ("about", "of"),
    "insist": ("on",),
    "speak": ("of", "about"),
}
#: Verbs that report through an infinitive ("X claimed to have …"); "urged X to", "asked X
#: to", "promised to" are acts the author reports, not claims of the subject.
XCOMP_REPORTS = frozenset({"claim", "deny", "admit", "expect", "estimate", "predict"})
#: Of those, the ones a document rather than a person "does": "the study found", "data show".
EVIDENCE_LEMMAS = frozenset({"find", "show", "suggest", "indicate", "estimate", "conclude"})
#: Head nouns of a subject that is a document, data or a study rather than a person.
DOCUMENT_NOUNS = _lexicon(
    """
    data datum document draft record filing figure statistic poll survey memo report study
    analysis research paper estimate review audit census chart model projection assessment
    investigation ranking index statement release announcement letter
    """
)
_CLAUSAL = frozenset({"ccomp", "parataxis", "oprd"})
_SUBJECTS = frozenset({"nsubj", "nsubjpass"})
_QUOTE_CHARS = "\"“”‘’'"
_PERSONAL = {"he": "m", "him": "m", "his": "m", "she": "f", "her": "f"}
_HONORIFIC = {"mr": "m", "mr.": "m", "mrs": "f", "mrs.": "f", "ms": "f", "ms.": "f"}
_SELF = frozenset({"i", "we", "me", "us", "my", "our"})
#: Nouns by which a page speaks of itself or its parts: their "X describes …" is the author's.
_THIS_PAGE = frozenset({"text", "article", "quote", "episode", "passage", "section", "page"})
#: How much nearer a person who last spoke (the subject of a reporting verb) counts than a
#: mere mention, in characters: "he added" continues the last speaker far more often than
#: it turns to someone merely named in between.
_SPEAKER_BONUS = 400
#: How far back (characters) a pronoun looks for the one it stands for.
_PRONOUN_REACH = 1500


# --- quotations -------------------------------------------------------------------------


def _overlapping(regions: list[tuple[int, int]], a: int, b: int) -> list[tuple[int, int]]:
    """The quotation regions (sorted and disjoint, as `quote_regions` gives them) that overlap
    [a, b): a bisection, so a block of n sentences and n quotations costs n log n, not n²."""
    hi = bisect_left(regions, (b,))
    lo = hi
    while lo > 0 and regions[lo - 1][1] > a:
        lo -= 1
    return regions[lo:hi]


def quote_regions(text: str) -> list[tuple[int, int]]:
    """Spans of `text` inside quotation marks (marks included): curly pairs, straight pairs,
    and single marks that open after a space and close before one (not apostrophes). A quote
    left open runs to the end of the paragraph, as a quote continued into the next one does."""
    out: list[tuple[int, int]] = []
    opened: int | None = None
    straight = False
    for i, ch in enumerate(text):
        if opened is None:
            if ch == "“" or (ch == '"'):
                opened, straight = i, ch == '"'
            elif ch == "‘" or (ch == "'" and (i == 0 or text[i - 1] in " (—–-")):
                # A single mark opens a quotation only if it closes before a space/end.
                close = _closing_single(text, i)
                if close is not None:
                    out.append((i, close + 1))
        elif (straight and ch == '"') or (not straight and ch == "”"):
            out.append((opened, i + 1))
            opened = None
    if opened is not None:
        out.append((opened, len(text)))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(out):
        if merged and start < merged[-1][1]:
            continue  # a single quotation nested in a double one belongs to the outer speaker
        merged.append((start, end))
    return merged


def _closing_single(text: str, at: int) -> int | None:
    for j in range(at + 2, min(len(text), at + 600)):
        if text[j] in "’'" and (j + 1 == len(text) or not text[j + 1].isalnum()):
            if text[j - 1] in "sS" and j + 1 < len(text) and text[j + 1] == " ":
                continue  # a plural possessive ("the workers' union") is not the close
            inner = text[at + 1 : j]
            return j if " " in inner.strip() else None
    return None


# --- people -----------------------------------------------------------------------------


@dataclass
class People:
    """People named in one document: full names by surname, mentions in order, genders,
    roles, and who last spoke as an organisation or group (for "they")."""

    full: dict[str, str] = field(default_factory=dict)
    mentions: list[tuple[int, str]] = field(default_factory=list)
    gender: dict[str, str] = field(default_factory=dict)
    roles: dict[str, str] = field(default_factory=dict)
    groups: list[tuple[int, str]] = field(default_factory=list)
    #: Every entity name seen, to expand a short form ("Exxon" → "ExxonMobil").
    names: set[str] = field(default_factory=set)
    #: The titles mentions put before names ("president" of "President Maria Lopez"), in
    #: reading order, whether or not that person spoke: what "the President" refers to.
    titles: list[tuple[int, str, str]] = field(default_factory=list)  # (offset, name, title)
    #: Names the text gave a person's role ("Fauzi, an official …") where the parse did not
    #: take them for a person.
    persons: set[str] = field(default_factory=set)

    def learn(self, doc: Doc, offset: int) -> None:
        """Record the people a parsed block names (PERSON entities), with the gender an
        honorific gives them."""
        for ent in doc.ents:
            if ent.label_ in ("ORG", "PERSON"):
                self.names.add(clean_name(ent))
            if ent.label_ != "PERSON":
                continue
            name = clean_name(ent)
            if not name:
                continue
            parts = name.split()
            if len(parts) > 1:
                self.full.setdefault(parts[-1], name)
            full = self.canonical(name)
            self.mentions.append((offset + ent.start_char, full))
            title = _title_before(ent)
            if title:
                self.titles.append((offset + ent.start_char, full, title))
            before = doc[ent.start - 1].lower_ if ent.start > 0 else ""
            if before in _HONORIFIC:
                self.gender.setdefault(full, _HONORIFIC[before])

    def canonical(self, name: str) -> str:
        parts = name.split()
        if len(parts) == 1 and parts[0] in self.full:
            return self.full[parts[0]]
        if len(parts) == 1:
            longer = sorted(
                n
                for n in self.names
                if " " not in n and n.startswith(name) and n[len(name) :][:1].isupper()
            )
            if longer:
                return longer[0]
        return name

    def full_name(self, name: str) -> str:
        """A full name for a first name or surname the text gives in full elsewhere."""
        parts = name.split()
        if len(parts) == 1:
            if parts[0] in self.full:
                return self.full[parts[0]]
            firsts = sorted({n for _, n in self.mentions if n.split()[0] == name and " " in n})
            if len(firsts) == 1:
                return firsts[0]
        return name

    def is_person(self, name: str) -> bool:
        return (
            name in self.persons
            or any(n == name for _, n in self.mentions)
            or name.split()[-1] in self.full
        )

    def pronoun(
        self, word: str, before: int, speakers: list[tuple[int, str]]
    ) -> tuple[int, str] | None:
        """The person a third-person pronoun at `before` refers to, with how far back: the
        nearest person named before it whose gender fits, one who last spoke counting as
        nearer."""
        wanted = _PERSONAL.get(word.lower())
        best: tuple[int, str] | None = None
        for pool, bonus in ((self.mentions, 0), (speakers, _SPEAKER_BONUS)):
            for offset, name in reversed(pool):
                if offset >= before:
                    continue
                distance = before - offset - bonus
                if before - offset > _PRONOUN_REACH or (best is not None and distance >= best[0]):
                    break
                known = self.gender.get(name)
                if self.is_person(name) and (wanted is None or known in (None, wanted)):
                    best = (distance, name)
                    break
        return best

    def learn_genders(self, docs: list[tuple[int, Doc]]) -> None:
        """Genders the text itself gives: a sentence naming one person and using "he"/"his"
        or "she"/"her" (or the sentence after it, naming nobody, unless someone else is its
        subject: "A nurse … said she …") votes for that person."""
        votes: dict[str, dict[str, int]] = {}
        for _, doc in docs:
            last: str | None = None
            for sent in doc.sents:
                persons = {
                    self.canonical(clean_name(e)) for e in ents_of(sent) if e.label_ == "PERSON"
                }
                genders = [_PERSONAL[t.lower_] for t in sent if t.lower_ in _PERSONAL]
                target = next(iter(persons)) if len(persons) == 1 else (None if persons else last)
                if not persons and _common_noun_subject(sent):
                    target = None  # the pronoun is most likely that subject's
                if target and genders:
                    tally = votes.setdefault(target, {})
                    for g in genders:
                        tally[g] = tally.get(g, 0) + 1
                last = next(iter(persons)) if len(persons) == 1 else (None if persons else last)
        for name, tally in votes.items():
            if name not in self.gender:
                self.gender[name] = max(sorted(tally), key=lambda g: tally[g])


def _common_noun_subject(sent: TokenSpan) -> bool:
    """Whether a sentence's main subject is a person or thing named by a common noun ("A
    nurse, who asked not to be named, said …"), not a pronoun or a name."""
    subject = next((c for c in sent.root.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    return subject is not None and subject.pos_ == "NOUN"


def _title_before(ent: TokenSpan) -> str | None:
    """The title words a name is given in the mention ("President" in "President Maria Lopez",
    inside the entity or just before it)."""
    office = TITLES | _OTHER_OFFICE
    words: list[str] = []
    for t in ent:
        if t.lower_ not in office:
            break
        words.append(t.lower_)
    i = ent.start - 1
    # "former President Barack Obama", "Vice President Kamala Harris": every office word, and
    # what an office is of ("Secretary of State Marco Rubio").
    while i >= 0:
        t = ent.doc[i]
        if t.lower_ in office:
            words.insert(0, t.lower_)
            i -= 1
        elif (
            t.lower_ == "of"
            and i >= 1
            and ent.doc[i - 1].lower_ in office
            and (words or ent.doc[i + 1].is_title)
        ):
            if not words:  # "Secretary of State", "State" no office word of its own
                words = [ent.doc[i + 1].lower_]
            words[:0] = [ent.doc[i - 1].lower_, "of"]
            i -= 2
        elif not words and t.is_title and i >= 2 and ent.doc[i - 1].lower_ == "of":
            i -= 1  # what an office is of ("Commerce"): taken with the "of" before it
        else:
            break
    # "Ms. Lopez" says nothing of her office.
    kept = [w for w in words if w.rstrip(".") not in _HONORIFIC_WORDS]
    return " ".join(kept) or None


_HONORIFIC_WORDS = frozenset({"mr", "ms", "mrs", "dr", "sir"})


def clean_name(span: TokenSpan) -> str:
    """An entity's text without a possessive, a leading article or an honorific."""
    tokens = [t for t in span if t.tag_ != "POS" and t.lower_ not in ("'s", "’s")]
    while tokens and (tokens[0].lower_ in _HONORIFIC or tokens[0].pos_ in ("DET", "ADP")):
        tokens = tokens[1:]
    text = join_tokens(tokens)
    return re.sub(r"[’']s$", "", text).strip(" ,.'’\"“”")


# --- attribution ------------------------------------------------------------------------


@dataclass(frozen=True)
class Said:
    """Who a sentence says asserts it."""

    speaker: str | None
    kind: str  # direct_quote | indirect | anonymous | document
    cue: str | None
    confidence: float
    role: str | None = None
    is_person: bool = False


def _subject(verb: Token) -> Token | None:
    for child in verb.children:
        if child.dep_ in _SUBJECTS:
            return child
        if child.dep_ == "agent":  # "was told by X"
            for grand in child.children:
                if grand.dep_ == "pobj":
                    return grand
    if verb.dep_ in ("conj", "xcomp") and verb.head is not verb:
        return _subject(verb.head)  # "She laughed and said …", "He went on to say …"
    return None


def _governs_content(verb: Token, quoted: bool) -> bool:
    """A reporting verb attributes when it governs a clause, or stands beside a quotation,
    or is the parenthetical of an inverted report ("…, said X", parsed as parataxis/ROOT)."""
    if quoted:
        return True
    lemma = verb.lemma_.lower()
    for child in verb.children:
        if child.dep_ in _CLAUSAL:
            return True
        if child.dep_ == "xcomp" and lemma in XCOMP_REPORTS:
            return True
        if child.dep_ == "dobj" and (lemma in OBJECT_REPORTS or child.lower_ in ("that", "this")):
            return True
        if child.dep_ == "prep" and child.lower_ in PREP_REPORTS.get(lemma, ()):
            return True
    return verb.dep_ == "parataxis"


def _opening_name(sent: TokenSpan) -> Token | None:
    """The head of a PERSON or ORG entity that opens the sentence (after an article)."""
    for ent in ents_of(sent):
        opening = all(t.is_punct or t.pos_ == "DET" for t in sent.doc[sent.start : ent.start])
        if opening and ent.label_ in ("PERSON", "ORG"):
            return ent.root
        break
    return None


def _entity_of(token: Token) -> TokenSpan | None:
    doc = token.doc
    for ent in doc.ents:
        if ent.start <= token.i < ent.end:
            return ent
    return None


def _phrase(token: Token, drop: Iterable[str] = ("relcl", "acl", "punct", "appos")) -> str:
    """The text of the phrase a token heads, without relative clauses, appositions and
    punctuation (as written: "dockworkers' union"), and without a trailing possessive."""
    dropped = set(drop)
    words: list[Token] = []

    def walk(t: Token) -> None:
        for left in t.lefts:
            if left.dep_ not in dropped:
                walk(left)
        words.append(t)
        for right in t.rights:
            if right.dep_ not in dropped:
                walk(right)

    walk(token)
    while words and words[-1].tag_ == "POS":
        words.pop()
    return join_tokens(words).strip()


def join_tokens(tokens: list[Token]) -> str:
    """Tokens as written, with a space where words were left out between two of them
    ("familiar with the inspection, who spoke" without its comma is not "inspectionwho")."""
    out: list[str] = []
    last: Token | None = None
    for t in tokens:
        if last is not None and t.i != last.i + 1 and not last.whitespace_:
            out.append(" ")
        out.append(t.text_with_ws)
        last = t
    return "".join(out)


class Attributor:
    """Attribution for the sentences of one document, in reading order."""

    def __init__(self, context: DocumentContext, people: People) -> None:
        self.context = context
        self.people = people
        self.speakers: list[tuple[int, str]] = []  # (offset, person) subjects of reporting
        #: Unnamed sources that spoke: (offset, how the text calls them, plural or not, the
        #: gender its own sentence gives it or None).
        self.unnamed: list[tuple[int, str, bool, str | None]] = []

    def _last_unnamed(
        self, at: int, plural: bool, pronoun: str | None = None
    ) -> tuple[int, str, str | None] | None:
        """The unnamed source of that number (and of the pronoun's gender, where both are
        known) that last spoke before `at`, with how far back (counted as a speaker is),
        within a pronoun's reach."""
        wanted = _PERSONAL.get(pronoun or "")
        for offset, phrase, many, gender in reversed(self.unnamed):
            if at - offset > _PRONOUN_REACH:
                return None
            if offset < at and many == plural and (None in (wanted, gender) or wanted == gender):
                return at - offset - _SPEAKER_BONUS, phrase, gender
        return None

    def _holder_of_role(self, subj: Token, at: int) -> tuple[str, str] | None:
        """The person last mentioned before `at` whom the text gave the office the subject
        names, with that role: a title the same words ("the President" is no "Vice
        President" or "former President"), or a role whose head word is the subject's, with
        no other office's modifier ("official" in "an official from the local disaster
        agency", not "research" in "head of research", not a "deputy official"). An
        organisation's noun ("the company") names no person."""
        words = _office(subj)
        if not words or words[-1] in ORGANISATION_NOUNS:
            return None
        holders: dict[str, str] = {}
        for offset, name, title in self.people.titles:
            # The office's own words, what it is of aside ("secretary" of "secretary of state").
            if offset < at and _role_words(title) == words:
                holders[name] = title
        for name, role in self.people.roles.items():
            head = _role_words(role)
            if (
                head
                and head[-1] == words[-1]
                and set(words) <= set(head)
                and not (set(head) & _OTHER_OFFICE)
            ):
                holders.setdefault(name, role)
        # Whoever the parse took them for: a name given a role is a person even where the
        # parse did not know it as one ("Fauzi, an official …" as a group).
        seen = self.people.mentions + self.speakers + self.people.groups
        for offset, name in sorted(seen, reverse=True):
            if offset < at and name in holders:
                return (name, holders[name]) if at - offset <= _PRONOUN_REACH else None
        return None

    def speaker(
        self, subj: Token, offset: int, *, in_quote_of: str | None, verb: Token | None = None
    ) -> Said | None:
        """The speaker a subject token names, or None if it names nobody we can tell. `verb`
        is the reporting verb the subject goes with, when there is one."""
        lower = subj.lower_
        at = offset + subj.idx
        if lower in _SELF:
            # "I"/"we" in a quotation are its speaker; outside one, the writer's own words.
            return Said(in_quote_of, "indirect", None, 0.8, is_person=True) if in_quote_of else None
        if lower in _PERSONAL:
            found = self.people.pronoun(lower, at, self.speakers)
            unnamed = self._last_unnamed(at, plural=False, pronoun=lower)
            if unnamed is not None and (found is None or unnamed[0] < found[0]):
                # "An engineer, speaking on condition of anonymity, said … 'We warned them,'
                # she said": the pronoun stands for the unnamed source, not the last name.
                self.unnamed.append((at, unnamed[1], False, unnamed[2] or _PERSONAL[lower]))
                return Said(None, "anonymous", unnamed[1], 0.7)
            if found:
                self.speakers.append((at, found[1]))
                return Said(found[1], "indirect", None, 0.7, is_person=True)
            return None
        if lower in ("they", "it"):
            unnamed = self._last_unnamed(at, plural=True) if lower == "they" else None
            group = self.people.groups[-1] if self.people.groups else None
            if unnamed is not None and (group is None or at - group[0] > unnamed[0]):
                self.unnamed.append((at, unnamed[1], True, None))
                return Said(None, "anonymous", unnamed[1], 0.7)
            return Said(group[1], "indirect", None, 0.6) if group else None
        appos = next((c for c in subj.children if c.dep_ == "appos" and c.pos_ == "PROPN"), None)
        if subj.pos_ != "PROPN" and appos is not None:
            # "The company's chief executive, Satya Nadella, said …"
            said = self.speaker(appos, offset, in_quote_of=in_quote_of)
            if said:
                role = _phrase(subj)
                self.people.roles.setdefault(said.speaker or "", role)
                return Said(said.speaker, said.kind, None, said.confidence, role, said.is_person)
        not_named = subj.pos_ == "NOUN" and says_unnamed(_described(subj, verb))
        if not not_named and _definite_singular(subj):
            # "Fauzi, an official from the disaster agency, told AFP … said the official";
            # "President Maria Lopez signed … The President said": the person the text last
            # gave that role or title.
            holder = self._holder_of_role(subj, at)
            if holder is not None:
                name, role = holder
                self.people.persons.add(name)  # a person, whatever the parse said
                self.speakers.append((at, name))
                role = self.people.roles.get(name) or role
                return Said(name, "indirect", None, 0.7, role, True)
        if subj.pos_ == "PROPN" or subj.ent_type_ in ("PERSON", "ORG", "GPE", "NORP"):
            return self._named(subj, offset)
        if subj.lemma_.lower() in _THIS_PAGE:
            return None  # "The text describes …", "This quote introduces …": the page itself
        phrase = _phrase(subj, drop=("punct", "appos"))
        if not_named or ANONYMOUS.search(phrase) or _anonymous_noun(subj):
            plural = subj.tag_ == "NNS" or subj.lemma_.lower() in ("people", "sources")
            self.unnamed.append((at, phrase, plural, None if plural else _gender_after(subj)))
            return Said(None, "anonymous", phrase, 0.75)
        if subj.lemma_.lower() in DOCUMENT_NOUNS:
            # A document speaks for whoever issued it ("a report released Tuesday by the
            # state auditor's office", "a statement from the port authority", "the
            # ministry's figures"); with no issuer named, nobody named asserts it: "report"
            # is not a speaker (two unrelated reports were one speaker).
            issuer = _issuer(subj)
            if issuer is None and any(c.dep_ == "compound" for c in subj.children):
                # "Port data", "Census Bureau figures": the words name the source.
                return Said(_strip_det(_phrase(subj)), "document", None, 0.7)
            if issuer is None:
                return Said(None, "document", _phrase(subj), 0.6)
            return Said(
                _strip_det(_phrase(issuer, drop=("relcl", "punct", "appos"))), "document", None, 0.7
            )
        if subj.pos_ in ("NOUN", "PROPN"):
            name = _strip_det(_phrase(subj))
            self.people.groups.append((at, name))
            return Said(name, "indirect", None, 0.6)
        return None

    def _named(self, subj: Token, offset: int) -> Said:
        ent = _entity_of(subj)
        title = None
        if ent is not None:
            # A title the entity took in ("Councilmember Derek Holt", "Lt. Ana Ruiz") is the
            # speaker's role, not part of the name.
            name, title = _title_apart(clean_name(ent))
            label = ent.label_
            first = ent.start
        else:
            run = [t for t in subj.subtree if t.pos_ == "PROPN" and t.i <= subj.i]
            # The proper-noun run that ends at the head: "Chad Myers" in "meteorologist Chad Myers".
            names: list[Token] = []
            for t in reversed(run):
                if names and t.i != names[0].i - 1:
                    break
                names.insert(0, t)
            name = join_tokens(names).strip() or subj.text
            name, title = _title_apart(re.sub(r"[’']s$", "", name))
            label = ""
            first = names[0].i if names else subj.i
        name = self.people.canonical(name)
        person = label == "PERSON" or self.people.is_person(name)
        # The words before the name that describe it, however deep the parse put them
        # ("Governor" hangs from "Tomas" in "Governor Tomas Reyes", not from "Reyes").
        role_words = [
            t
            for t in subj.subtree
            if t.i < first and t.dep_ in ("compound", "amod", "nmod", "poss") and t.tag_ != "POS"
        ]
        # Each with what hangs from it ("U.S. Special Envoy"), taken once: from a name word.
        role_parts = [title or ""] + [_phrase(t) for t in role_words if t.head.i >= first]
        for child in subj.rights:
            if child.dep_ == "appos":
                # "Sam Ortiz, 34, a welder": the age is no part of the role.
                role_parts.append(_AGE.sub("", _phrase(child)))
            elif child.dep_ == "prep" and child.lower_ in ("of", "at", "from"):
                role_parts.append(_phrase(child).split(" ", 1)[-1])  # "of PIIE" → "PIIE"
        role = " ".join(p for p in role_parts if p) or None
        if role:
            self.people.roles.setdefault(name, role)
        if person:
            self.speakers.append((offset + subj.idx, name))
        else:
            self.people.groups.append((offset + subj.idx, name))
        return Said(name, "indirect", None, 0.8, self.people.roles.get(name), person)

    def attribute(
        self, sent: TokenSpan, offset: int, regions: list[tuple[int, int]]
    ) -> tuple[Said | None, float, Said | None]:
        """The attribution of one sentence (None: the author's own), the share of its
        characters inside quotation marks, and whom a reporting verb with no reported clause
        introduces ("Ana Ruiz, an analyst, explains the deal": the voice of a quotation
        standing before it)."""
        introduced: Said | None = None
        base = sent.doc[0].idx if len(sent.doc) else 0
        s0, s1 = sent.start_char, sent.end_char
        inside = sum(min(e, s1) - max(s, s0) for s, e in _overlapping(regions, s0, s1))
        share = inside / max(1, len(sent.text.strip()))
        # A quotation of a clause, not a scare-quoted phrase ("a 'red carpet'"): four words.
        text = doc_text(sent.doc)
        # Only the quotations that overlap this sentence: testing each token against every
        # quotation of the block would cost (tokens × quotations), quadratic in the block.
        local = _overlapping(regions, s0 - base, s1 - base)
        clause = any(
            len(text[max(s, s0 - base) : min(e, s1 - base)].split()) >= 4 for s, e in local
        )

        def quoted(t: Token) -> bool:
            return any(s <= t.idx < e for s, e in local)

        best: Said | None = None
        according: Said | None = None
        for token in sent:
            if quoted(token):
                continue
            lemma = token.lemma_.lower()
            if token.pos_ == "VERB" and lemma == "accord" and token.i + 1 < len(sent.doc):
                # "according to X"
                to = next((c for c in token.children if c.lower_ == "to"), None)
                obj = next((c for c in to.children if c.dep_ == "pobj"), None) if to else None
                if obj is not None and according is None:
                    found = self.speaker(obj, offset - base, in_quote_of=None)
                    if found:
                        kind = found.kind if found.kind in ("anonymous", "document") else "indirect"
                        according = _with(found, kind, "according to")
                continue
            # A root with a nominal subject is a verb whatever its tag ("Hinshaw points to").
            misread = token.dep_ == "ROOT" and any(c.dep_ == "nsubj" for c in token.children)
            if token.pos_ != "VERB" and not misread:
                continue
            if lemma not in SPEECH_LEMMAS and not _reports_that_clause(token):
                continue
            if not _governs_content(token, share > 0):
                subj = _subject(token)
                if introduced is None and subj is not None and subj.pos_ in ("PROPN", "NOUN"):
                    introduced = self.speaker(subj, offset - base, in_quote_of=None, verb=token)
                continue
            subj = _subject(token)
            if (
                subj is None
                and token.dep_ in ("acl", "advcl", "pcomp")
                and (token.head.lemma_.lower() in DOCUMENT_NOUNS)
            ):
                subj = token.head  # "with Bloomberg data showing …", "a study finding …"
            if subj is None or subj.pos_ not in ("NOUN", "PROPN", "PRON", "NUM"):
                # The parse gave the verb no usable subject ("Thomas Graham of CFR, author of
                # *A Book*, noted …" split in two): a person or organisation opening the
                # sentence is its subject.
                subj = _opening_name(sent)
            if subj is None:
                continue
            if (
                lemma in EVIDENCE_LEMMAS
                and subj.lemma_.lower() not in DOCUMENT_NOUNS
                and subj.pos_ != "PROPN"
                and subj.ent_type_ not in ("ORG", "PERSON")
            ):
                continue  # "the tool shows wear": an evidence verb needs a document
            found = self.speaker(subj, offset - base, in_quote_of=None, verb=token)
            if found is None:
                continue
            kind = found.kind
            if (share >= 0.3 or clause) and kind == "indirect":
                kind = "direct_quote"
            candidate = _with(found, kind, token.text.lower())
            if best is None or token.dep_ == "ROOT":
                best = candidate
        if best is not None and best.kind != "anonymous":
            # An unnamed source in a clause the sentence does not rest on ("Kelly said …, but
            # a source said …") is not what a later "he" stands for.
            self.unnamed = [u for u in self.unnamed if u[0] < s0 - base + offset]
        if according is not None and (best is None or best.kind in ("anonymous", "document")):
            # "X said …, according to a city audit": X asserts it and cites the audit; the
            # source "according to" names speaks only where no one else reports.
            return according, share, None
        if best is None:
            m = ANONYMOUS.search(sent.text)
            at = m.start() + s0 - base if m else 0
            if m and not _overlapping(regions, at, at + 1):
                best = Said(None, "anonymous", m.group("cue").strip(), 0.75)
        return best, share, introduced


#: Verbs that take a that-clause without reporting anyone's words or thoughts.
_NOT_REPORTING = frozenset({"be", "mean", "ensure", "make", "see", "seem", "appear", "happen"})


def _reports_that_clause(verb: Token) -> bool:
    """A verb outside the lexicon that reports all the same: a named or personal subject and a
    that-clause ("Rundle theorized in 2017 that …", "she figured that …")."""
    if verb.lemma_.lower() in _NOT_REPORTING:
        return False
    subject = next((c for c in verb.children if c.dep_ == "nsubj"), None)
    if subject is None or not (subject.pos_ == "PROPN" or subject.lower_ in _PERSONAL):
        return False
    return any(
        c.dep_ == "ccomp" and any(m.dep_ == "mark" and m.lower_ == "that" for m in c.children)
        for c in verb.children
    )


def _with(found: Said, kind: str, cue: str) -> Said:
    return Said(
        found.speaker, kind, found.cue or cue, found.confidence, found.role, found.is_person
    )


#: Verbs of issuing a document: "a report released by …", "figures published by …".
_ISSUED = frozenset(
    {"release", "publish", "issue", "prepare", "commission", "produce", "compile", "conduct"}
)


def _issuer(document: Token) -> Token | None:
    """Who issued a document a noun names: its possessor ("the ministry's figures"), the
    object of its "by"/"from" ("a statement from the port authority"), or the agent of a
    verb of issuing beside it ("a report released Tuesday by the auditor's office")."""
    for child in document.children:
        if child.dep_ == "poss" and child.pos_ in ("PROPN", "NOUN"):
            return child
        if child.dep_ == "prep" and child.lower_ in ("by", "from"):
            found = next((c for c in child.children if c.dep_ == "pobj"), None)
            if found is not None:
                return found
        if child.dep_ == "acl" and child.lemma_.lower() in _ISSUED:
            for prep in child.children:
                if prep.dep_ == "agent" or (prep.dep_ == "prep" and prep.lower_ == "by"):
                    found = next((c for c in prep.children if c.dep_ == "pobj"), None)
                    if found is not None:
                        return found
    return None


def _title_apart(name: str) -> tuple[str, str | None]:
    """A person's name without the titles before it, and those titles ("Derek Holt",
    "Councilmember"); an organisation keeps its words ("White House", "State Department")."""
    person, title = strip_titles(name)
    return (person, title) if title and looks_like_person(person) else (name, None)


def _strip_det(phrase: str) -> str:
    return re.sub(r"^(?:the|a|an|its|their|his|her)\s+", "", phrase, flags=re.I).strip()


def _described(subj: Token, verb: Token | None) -> str:
    """What the sentence says of a subject outside what it reports: the subject's phrase, the
    words between it and its reporting verb, and the verb's modifiers other than its reported
    clause ("An engineer who worked on it, speaking on condition of anonymity, said …";
    "…, said one witness, who declined to give her name")."""
    doc = subj.doc
    end = subj.right_edge.i
    if verb is not None and verb.i > subj.i:
        end = max(end, verb.i - 1)
    parts = [doc[subj.left_edge.i : end + 1].text]
    if verb is not None:
        parts += [
            _phrase(c, drop=())
            for c in verb.children
            if c.dep_ in ("advcl", "acl", "prep", "npadvmod") and c.i > verb.i
        ]
    return " ".join(parts)


def _normalised_office(words: list[str]) -> list[str]:
    """Office words with one name for one office ("chief executive officer" is "ceo")."""
    text = " ".join(w.lower().strip(".’'") for w in words)
    text = re.sub(r"\bchief executive(?: officer)?\b", "ceo", text)
    return text.split()


def _role_words(role: str) -> list[str]:
    """The words of a role up to its head, the last before any "of", "at", "from" …:
    ["local", "official"] of "a local official from the agency", ["oakland", "county",
    "sheriff"] of "Oakland County Sheriff"; articles and possessives left out."""
    before = re.split(r"[,;(]|\s(?:of|at|from|for|in|with|to|on|who|and)\s", role, maxsplit=1)[0]
    words = [w for w in before.split() if w.lower() not in ("a", "an", "the", "its", "their")]
    return _normalised_office([w for w in words if not w.endswith(("'s", "’s"))])


def _office(subj: Token) -> list[str]:
    """The office a definite subject names: "prime minister" of "the Prime Minister", "ceo"
    of "the chief executive", "official" of "the official"."""
    before = [c for c in subj.children if c.dep_ in ("compound", "amod") and c.i < subj.i]
    return _normalised_office([t.text for t in before] + [subj.text])


def _gender_after(subj: Token) -> str | None:
    """The gender the subject's own sentence gives it: its first "he" or "she" after it ("a
    nurse, who asked not to be named, said she …")."""
    for t in subj.sent:
        if t.i > subj.i and t.lower_ in ("he", "she"):
            return _PERSONAL[t.lower_]
    return None


#: Words that make a role another office than the bare one ("Vice President", "deputy
#: director", "former minister").
_OTHER_OFFICE = frozenset({"vice", "deputy", "former", "ex", "assistant", "associate", "acting"})
#: Nouns for organisations: "the company said" names no person the text gave that role.
ORGANISATION_NOUNS = INSTITUTION_NOUNS | frozenset(
    [
        "organisation",
        "organization",
        "newspaper",
        "network",
        "team",
        "club",
        "university",
        "school",
        "hospital",
        "city",
        "state",
        "country",
        "administration",
        "business",
        "airline",
        "charity",
        "foundation",
        "institute",
        "website",
        "paper",
    ]
)

#: An age set after a name ("Sam Ortiz, 34, a welder"): a bare number opening an apposition,
#: alone or before an article ("34 a welder" once the parse dropped the comma), not "2 years".
_AGE = re.compile(r"^\d{1,3}(?:\s*,)?(?:\s+(?=(?:a|an|the)\b)|\s*$)")


def _definite_singular(subj: Token) -> bool:
    """'the official', 'the spokeswoman', 'the President': one of a kind the text has already
    introduced (a common noun, or a title alone: not 'the White House')."""
    if not any(c.dep_ == "det" and c.lower_ == "the" for c in subj.children):
        return False
    if subj.tag_ == "NN":
        return subj.lower_ not in ORGANISATION_NOUNS
    return (
        subj.tag_ == "NNP"
        and subj.lower_ in TITLES
        and all(c.lower_ in TITLES for c in subj.children if c.dep_ == "compound")
    )


def _anonymous_noun(subj: Token) -> bool:
    """'an official', 'a source', 'officials' with no name: unnamed sources."""
    if subj.lemma_.lower() not in ("official", "source", "aide", "insider", "diplomat", "person"):
        return False
    return not any(c.dep_ in ("compound", "appos") and c.pos_ == "PROPN" for c in subj.children)


# --- transcripts ------------------------------------------------------------------------

#: A voice naming itself: "I'm Ana Ruiz.", "My name is Ana Ruiz", "This is Ana Ruiz, in Oslo."
_SELF_INTRO = re.compile(
    r"\b(?:I'm|I’m|I am|my name is|this is)\s+(?P<name>[A-Z][\w’'\-]+(?:\s+[A-Z][\w’'\-]+){0,2})"
)
#: A turn handed over by name: "Drew, can you …?" or "… what happened next, Drew?"
_HAND_OVER = re.compile(
    r"^(?:So,?\s+|And\s+|Now,?\s+)?(?P<first>[A-Z][a-z]+),\s+[^?]*\?|,\s+(?P<last>[A-Z][a-z]+)\?\s*$"
)


#: Marks of talk rather than script: contractions, first and second person, fillers and
#: openers. A reporter answering speaks this way; a host's scripted narration rarely does.
_SPOKEN = re.compile(
    r"\b(?:I|we|our|us|you|your|\w+(?:'|’)(?:s|re|ve|ll|d|t)|effectively|really|basically|"
    r"actually|kind of|sort of|of course|I mean|you know)\b|^(?:So|Now|And|But|Well|Look|Yeah|"
    r"Yes|Okay|Right)\b"
)


@dataclass(frozen=True)
class Voice:
    name: str | None
    cue: str | None
    confidence: float
    kind: str = "transcript_turn"
    role: str | None = None  # what a label says the voice is ("host", "Sen.")


def transcript_voices(texts: list[str], host: str | None, people: People) -> list[Voice]:
    """Who speaks each line of an unlabeled transcript. Narration and questions are the
    host's; a question that hands the turn to someone by name ("Drew, can you …?") makes
    the lines after it theirs until the next question, except scripted narration after the
    answer (a line with no mark of talk: no contraction, person, filler or opener), which is
    the host's; a
    voice that names itself ("I'm X") speaks its line. Guesses from turn order say so with a
    low confidence."""
    out: list[Voice] = []
    guest: str | None = None
    answering = False  # the line after a question answers it
    for text in texts:
        was_answering, answering = answering, False
        intro = _SELF_INTRO.search(text)
        if intro and intro.start() < 40:
            name = people.full_name(intro.group("name"))
            guest = None if name == host else name
            out.append(Voice(name, "names itself", 0.9))
            continue
        if text.rstrip().endswith("?"):
            m = _HAND_OVER.search(text.strip())
            addressed = m and (m.group("first") or m.group("last"))
            if addressed and addressed.lower() not in ("so", "and", "now", "well", "okay"):
                guest = people.full_name(addressed)
            out.append(Voice(host, "asks the question", 0.6))
            answering = True
            continue
        if guest and (was_answering or _SPOKEN.search(text)):
            out.append(Voice(guest, "turn handed over", 0.6))
        else:
            out.append(Voice(host, "the host's narration", 0.5))
    return out


#: A question-and-answer line's label: "Q: …", "A. …", "Q — …".
QA_LABEL = re.compile(r"^\s*(?P<mark>[QA])\s*(?::|\.|—|–|-)\s+")


def qa_marks(texts: list[str]) -> dict[int, tuple[str, int]]:
    """The lines of a question-and-answer section, by their labels ("Q: …", "A: …"): line
    index -> ("Q" or "A", the label's length). Empty unless the text has at least two of each
    (a lone "A." is an initial)."""
    found = {
        i: (m.group("mark"), m.end()) for i, text in enumerate(texts) if (m := QA_LABEL.match(text))
    }
    marks = [mark for mark, _ in found.values()]
    return found if marks.count("Q") >= 2 and marks.count("A") >= 2 else {}


def interview_voices(
    texts: list[str],
    author: str | None,
    people: People,
    marks: dict[int, tuple[str, int]] | None = None,
) -> list[Voice]:
    """Who speaks each line of a question-and-answer interview: the introduction and every
    question are the interviewer's (the author); the lines after a question, up to the next
    one, are the interviewee's own words, a direct quote. Lines labelled "Q:" and "A:" say
    which they are. The interviewee is the person the piece names most often, the author
    aside, a full name before a single word ("Kessler" of "the Kessler bridge" is not one)."""
    counts: dict[str, int] = {}
    for _, name in people.mentions:
        if name != author:
            counts[name] = counts.get(name, 0) + 1
    full = [n for n in counts if " " in n]
    pool = sorted(full or counts)
    guest = max(pool, key=lambda n: counts[n]) if pool else None
    marks = marks or {}
    out: list[Voice] = []
    asked = False
    for i, text in enumerate(texts):
        mark = marks.get(i, ("", 0))[0]
        if mark == "A" and guest:
            asked = True
            out.append(Voice(guest, "answer in an interview", 0.7, "direct_quote"))
        elif mark == "Q" or text.rstrip().endswith("?"):
            asked = True
            out.append(Voice(author, "the interviewer's question", 0.8, "author"))
        elif asked and guest:
            out.append(Voice(guest, "answer in an interview", 0.7, "direct_quote"))
        else:
            out.append(Voice(author, "the interviewer's introduction", 0.7, "author"))
    return out


# --- the document -----------------------------------------------------------------------


@dataclass
class _Sentence:
    span: Span
    tokens: TokenSpan
    block: int
    said: Said | None
    share: float  # of its characters inside quotation marks
    open_quote: bool  # inside a quotation that began before it
    introduced: Said | None  # whom a reporting verb without a reported clause names


#: spaCy does not promise that one pipeline may parse in two threads at once; a worker that
#: runs two jobs at once (`--concurrency 2`) parses one document at a time, while its other
#: job embeds, scores or waits on Postgres.
_PARSING = threading.Lock()


def extract_parsed(body: str, context: DocumentContext, nlp: Language) -> list[Candidate]:
    """The candidate claims of a document, read off a parse of each editorial block."""
    all_blocks, editorial = editorial_blocks(body, context)
    kept, overflow = _within_budget(list(editorial))
    with _PARSING:
        docs = list(nlp.pipe([b.span.text for b in kept], batch_size=64))
    people = People()
    # A headline's capitals mislead the tagger ("Troy, Michigan Office Shooting …"): who is
    # a person, and their gender, are learnt from running text only.
    running = [(b, d) for b, d in zip(kept, docs, strict=True) if not b.heading]
    for block, doc in running:
        people.learn(doc, block.span.start)
    people.learn_genders([(b.span.start, d) for b, d in running])
    attributor = Attributor(context, people)
    labels = script_labels(all_blocks, context)
    # "Q:" / "A:" lines, in an interview or a news story with a Q&A in it: their labels are
    # no part of a claim, and they say who speaks.
    marks = {} if labels else qa_marks([b.text for b in all_blocks])
    cuts = {i: TurnLabel(None, end) for i, (_, end) in marks.items()}
    rows: list[_Sentence] = []
    headings = {b.index for b in kept if b.heading}
    for block, doc in zip(kept, docs, strict=True):
        regions = quote_regions(block.span.text)
        opens = True  # the paragraph's first sentence, or one after a lone dateline
        for whole in mend(sentences(block.span), body):
            sent = label_cut(whole, block.span, labels.get(block.index) or cuts.get(block.index))
            if sent is None:
                continue
            text = trim_credit(sent.text)
            lead = dateline_length(text, opens=opens)
            text = text[lead:]
            opens = dateline_alone(text)
            if len(text.split()) < 3 or opens:
                continue
            span = Span(sent.start + lead, sent.start + lead + len(text), text)
            tokens = doc.char_span(
                span.start - block.span.start,
                span.end - block.span.start,
                alignment_mode="expand",
            )
            if tokens is None or _only_a_date(tokens):
                continue
            if block.heading and not _headline_asserts(tokens, nlp):
                continue
            # A headline is read by an attributor of its own: what it says of sources must
            # not become the antecedent of the first paragraph's "they".
            reader = Attributor(context, people) if block.heading else attributor
            said, share, introduced = reader.attribute(tokens, block.span.start, regions)
            if block.heading:
                said = _headline_said(said, text, people, body)
            rel = span.start - block.span.start
            open_quote = any(s < rel for s, _ in _overlapping(regions, rel, rel + 1))
            rows.append(_Sentence(span, tokens, block.index, said, share, open_quote, introduced))
    # A quoted headline is no voice for the first paragraph's quotations.
    _settle_quotes([r for r in rows if r.block not in headings])
    voices: dict[int, Voice] = {}
    if labels:
        voices = {
            i: Voice(
                people.full_name(label.speaker) if label.speaker else None,
                "labelled turn" if label.end else "the labelled turn above",
                0.9 if label.end else 0.8,
                role=label.role,
            )
            for i, label in labels.items()
        }
    elif context.kind == "transcript":
        # Over every line, sponsor reads included: a hand-over can sit beside an ad.
        found = transcript_voices([b.text for b in all_blocks], context.author, people)
        voices = dict(enumerate(found))
    elif context.kind == "interview" or marks:
        found = interview_voices([b.text for b in all_blocks], context.author, people, marks)
        voices = dict(enumerate(found))
    out: list[Candidate] = []
    block_of: list[int] = []
    by_index = {b.index: b for b in kept}
    previous: Candidate | None = None
    for row in rows:
        block = by_index[row.block]
        if previous is not None and block_of and block_of[-1] == row.block:
            if SOURCING.match(row.span.text):
                # "That's according to …" sources the claim before it.
                if row.said and row.said.kind == "anonymous":
                    previous.attribution, previous.cue = "anonymous", row.said.cue
                    previous.confidence = 0.7
                elif row.said:
                    previous.speaker, previous.attribution = row.said.speaker, "indirect"
                    previous.cue, previous.confidence = "according to", 0.7
                continue
        else:
            previous = None
        candidate = _candidate(
            row,
            block.caption,
            block.comment,
            context,
            people,
            None if block.heading else voices.get(row.block),
        )
        if candidate is None:
            continue
        if block.heading and candidate.attribution in ("author", "transcript_turn"):
            # The page's own heading, a transcript's episode title too: nobody's spoken turn.
            candidate.speaker = context.author or context.outlet
            candidate.attribution, candidate.cue = "author", "the page's headline"
        if previous is not None and previous.claim_date and candidate.claim_date is None:
            if _continues_quotation(previous, candidate):
                # A quotation's later sentences were said when its first one was.
                how = "carried from the quotation's first sentence"
            else:
                how = ""
            if how:
                dated = previous.claim_date
                candidate.claim_date = ResolvedDate(dated.value, dated.precision, how)
        out.append(candidate)
        block_of.append(row.block)
        previous = candidate
    if context.kind == "transcript":
        out = name_transcript_voices(out, block_of, all_blocks)
    if overflow:
        out = sorted(out + _by_rules(body, context, overflow), key=lambda c: c.start)
    return out


#: A block longer than this is not parsed (spaCy's own limit is 1,000,000 characters, and a
#: parse of that size takes minutes); nor is text past the budget of one document. Those blocks
#: get the rules' attribution instead: nothing is dropped, the request stays bounded.
MAX_BLOCK_CHARS = 100_000
PARSE_BUDGET_CHARS = 600_000


def _within_budget(blocks: list[Block]) -> tuple[list[Block], list[Block]]:
    parsed: list[Block] = []
    rest: list[Block] = []
    budget = 0
    for block in blocks:
        size = len(block.span.text)
        if size > MAX_BLOCK_CHARS or budget + size > PARSE_BUDGET_CHARS:
            rest.append(block)
        else:
            budget += size
            parsed.append(block)
    return parsed, rest


def _by_rules(body: str, context: DocumentContext, blocks: list[Block]) -> list[Candidate]:
    """The rules extractor's candidates inside the given blocks."""
    from service.extraction import extract_rules

    spans = [(b.span.start, b.span.end) for b in blocks]
    return [c for c in extract_rules(body, context) if any(s <= c.start < e for s, e in spans)]


#: A headline's speech verb ("…, sources say", "Officials warn …"): without one, what the
#: attributor reads as an unnamed source in a headline is its title case.
_SAYS = re.compile(
    r"\b(?:say|says|said|tell|tells|told|warn|warns|warned|claim|claims|claimed|"
    r"report|reports|reported|according to)\b",
    re.I,
)


#: A headline's label saying who speaks it: "Sheriff: Gunman acted alone", "Mayor Ann Holt:
#: Pool will stay open", "Police: 3 dead in crash".
_HEADLINE_LABEL = re.compile(r"^(?P<who>[A-Z][\w.'’\-]*(?:\s+[A-Z][\w.'’\-]*){0,3})\s*:\s+\S")
#: Who else speaks in a headline's label, beside offices and organisations.
_LABEL_VOICES = frozenset({"sheriff", "police", "prosecutors", "witnesses", "coroner", "doctors"})


def _headline_said(said: Said | None, text: str, people: People, body: str) -> Said | None:
    """Who a headline says speaks it: its own source when it names one with a speech verb
    ("…, witnesses say"), else its label's (`_headline_label`), else what the attributor read
    if that is someone named. Title case reads as unnamed sources ("Three People Shot In …"):
    a headline's unnamed source needs its verb ("…, sources say")."""
    says = _SAYS.search(text) is not None
    if said is not None and says:
        return said
    labelled = _headline_label(text, people, body)
    if labelled is not None:
        return labelled
    return None if said is not None and not said.speaker and not says else said


def _headline_label(text: str, people: People, body: str) -> Said | None:
    """The speaker a headline's label names. A person with a title, whom the running text
    names ("Mayor Ann Holt:"); an organisation the running text names the same way ("City
    Council:"); one office ("Sheriff:"), which is the person the running text gives it when
    only one has it; or an unnamed group ("Officials:", an anonymous source). A section name
    ("US Open Final:", "Box Office:", "World Leaders:") is none of these."""
    m = _HEADLINE_LABEL.match(text)
    if m is None:
        return None
    who = m.group("who")
    if who.isupper():
        who = who.title()
    person, title = strip_titles(who)
    if title and person != who and people.is_person(person):
        role = None if title.casefold() in _HONORIFIC else title
        return Said(people.full_name(person), "indirect", "headline label", 0.7, role, True)
    words = who.split()
    last = words[-1].casefold()
    if len(words) > 1:
        # An organisation's name as the running text writes it, after the headline.
        named = last in INSTITUTION_NOUNS and who in body[m.end() :]
        return Said(who, "indirect", "headline label", 0.6) if named else None
    if last in INSTITUTION_NOUNS:
        return Said(last, "indirect", "headline label", 0.6)
    if not (last in _LABEL_VOICES or is_role_noun(last)):
        return None
    if last.endswith("s") and last != "police":
        return Said(None, "anonymous", "headline label", 0.6)
    # An office the text gives one person ("Sheriff Dana Cole said …") is that person.
    holders = {name: given for _, name, given in people.titles if _role_words(given) == [last]}
    if len(holders) == 1:
        ((name, given),) = holders.items()
        return Said(name, "indirect", "headline label", 0.6, role=given, is_person=True)
    return Said(last, "indirect", "headline label", 0.6)


def _headline_asserts(tokens: TokenSpan, nlp: Language) -> bool:
    """A headline or deck that states something: a verb ("Gunman kills 1"; see `_states`)
    outside a date. A title ("A Journey to Python 3"), a date line or a credit ("According to
    wire reports") states nothing. A headline in capitals ("Two Workers Shot In …") misleads
    the tagger, which reads its words as names: it is read again in lower case."""
    if _states(tokens):
        return True
    words = [t.text for t in tokens if t.is_alpha]
    capitals = sum(1 for w in words if w[:1].isupper())
    if capitals * 2 <= len(words):
        return False
    with _PARSING:
        lowered = nlp(tokens.text.lower())
    # Only its inflected verbs: in lower case the recogniser no longer tells a date's numbers
    # from a count, and a month is read as a bare verb ("apr 12, 2007").
    return _states(lowered[:], lowered=True)


def _states(tokens: TokenSpan, *, lowered: bool = False) -> bool:
    """A finite verb or a participle ("kills", "hit by", "shot"), or a bare verb after "to"
    with a subject (the headline future: "Council to drop levy"). A bare verb elsewhere is an
    imperative or a how-to ("Share this article", "How to save on fares", "Things to do"): a
    prompt or a title. A sum, a share or a measure states something without a verb ("Thieves
    in $2m raid"); a bare count ("Page 1 of 3", "10 Best Beaches") does not."""
    for t in tokens:
        if not lowered and t.like_num and t.ent_type_ in ("MONEY", "PERCENT", "QUANTITY"):
            return True
        if t.ent_type_ in ("DATE", "TIME") or t.pos_ not in ("VERB", "AUX") or t.dep_ == "prep":
            continue
        if t.tag_ in ("VBD", "VBN", "VBZ", "VBP", "MD"):
            return True
        if t.tag_ == "VB" and t.i > 0 and t.doc[t.i - 1].lower_ == "to" and _has_subject(t):
            return True
    return False


def _has_subject(verb: Token) -> bool:
    """ "Fares to rise" (the verb qualifies the noun before "to") or "Council to vote" (the
    verb has a subject)."""
    if verb.dep_ == "acl":
        return verb.head.pos_ in ("NOUN", "PROPN")
    return verb.dep_ == "ROOT" and any(c.dep_ in ("nsubj", "nsubjpass") for c in verb.children)


def _only_a_date(tokens: TokenSpan) -> bool:
    """ "Monday, 6 January 2020" left over from a page's header: a dateline, not a claim."""
    words = [t for t in tokens if not t.is_punct]
    return bool(words) and all(t.ent_type_ in ("DATE", "TIME") for t in words)


def _continues_quotation(previous: Candidate, candidate: Candidate) -> bool:
    """The candidate goes on with the previous sentence's quotation."""
    return (
        previous.attribution == candidate.attribution == "direct_quote"
        and previous.speaker == candidate.speaker
        and candidate.cue == previous.cue
        and candidate.confidence < 0.9
    )


def _settle_quotes(rows: list[_Sentence]) -> None:
    """A sentence that is all quotation with no reporting verb of its own takes the speaker
    of its quotation's other sentences, of the sentence beside it, or of the paragraph
    before ("He said:") or after ("X, a reporter, explains …"). Two passes, forward and
    back, so a voice named after a quotation of several sentences reaches all of them."""
    order = [*range(len(rows)), *reversed(range(len(rows)))]
    for i in order:
        row = rows[i]
        if row.said is not None or row.share < 0.6:
            continue
        found: Said | None = None
        for j in (i - 1, i + 1):
            near_said = rows[j].said if 0 <= j < len(rows) else None
            if near_said is None or not near_said.speaker:
                continue
            near = rows[j]
            same_block = near.block == row.block
            continued = j == i - 1 and (row.open_quote or near.block == row.block - 1)
            # Beside a quotation of the same voice, or after "It's easy, she says, …".
            quoting = near_said.kind == "direct_quote" or (j == i - 1 and near_said.is_person)
            if quoting and (same_block or (continued and near_said.kind == "direct_quote")):
                found = near_said
                break
        if found is None:
            # The next paragraph names the voice: "Ana Ruiz, an analyst, explains the deal."
            nxt = rows[i + 1] if i + 1 < len(rows) else None
            if nxt and nxt.block == row.block + 1 and nxt.share < 0.3:
                found = nxt.said or nxt.introduced
            prev = rows[i - 1] if i > 0 else None
            if (
                found is None
                and prev
                and prev.block == row.block - 1
                and prev.said
                and prev.span.text.rstrip().endswith(":")
            ):
                found = prev.said
        if found is not None and found.speaker:
            row.said = Said(
                found.speaker, "direct_quote", found.cue, 0.7, found.role, found.is_person
            )


def _candidate(
    row: _Sentence,
    caption: bool,
    comment: str | None,
    context: DocumentContext,
    people: People,
    voice: Voice | None = None,
) -> Candidate | None:
    text = row.span.text
    if not checkable(text):
        return None
    said = row.said
    if voice is not None and (said is None or said.kind != "direct_quote"):
        # In a transcript every sentence is someone's spoken turn; who reports what inside it
        # ("X says …") does not change whose turn it is.
        said = None
    speaker: str | None
    cue: str | None
    role: str | None = None
    if comment and (said is None or said.kind != "direct_quote"):
        speaker, kind, cue, confidence = comment, "author", "reader comment", 0.5
    elif said is not None:
        speaker, kind, cue, confidence = said.speaker, said.kind, said.cue, said.confidence
        role = said.role or (people.roles.get(said.speaker) if said.speaker else None)
    elif voice is not None:
        speaker, kind, cue, confidence = voice.name, voice.kind, voice.cue, voice.confidence
        role = voice.role
    elif caption:
        speaker, kind, cue, confidence = context.outlet, "author", "photo caption", 0.6
    else:
        speaker, kind = fallback_speaker(context)
        cue, confidence = None, 0.6
    if kind == "direct_quote" and said is not None and row.share >= 0.3 and said.confidence >= 0.8:
        confidence = 0.9
    when = resolve_date(text, context.published_on)
    if is_instruction(text) and kind != "direct_quote":
        return None
    value, reasons, values = score_tokens(
        row.tokens,
        attributed=said is not None or (kind == "transcript_turn" and speaker is not None),
        dated=when is not None,
        quoted=kind == "direct_quote",
    )
    if said is None and nothing_checkable(values):
        return None
    return Candidate(
        start=row.span.start,
        end=row.span.end,
        text=text,
        speaker=speaker,
        attribution=kind,
        cue=cue,
        confidence=confidence,
        claim_date=when,
        checkworthiness=value,
        reasons=reasons,
        speaker_role=role,
        features=values,
    )
