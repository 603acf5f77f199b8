"""Run the extractor on a stored document and keep its candidates as claims."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, replace
from itertools import accumulate

from rapidfuzz import fuzz
from sqlalchemy import Select, delete, exists, or_, select
from sqlalchemy.orm import Session

from service.domain.enums import (
    AnchorState,
    Attribution,
    ClaimOrigin,
    ClaimStatus,
    DatePrecision,
    DocumentState,
    LinkState,
    SpeakerKind,
)
from service.extraction import Candidate, DocumentContext, extract, extractor_version
from service.linking import semantic
from service.linking.scoring import SUGGEST_MIN
from service.models import Claim, ClaimLink, Document, Evidence, Speaker, SpeakerAlias
from service.operations.actors import Actor
from service.operations.claims import NewClaim, SpeakerChoice, create_claims
from service.operations.events import record_event, snapshot
from service.operations.factchecks import match_new_claims
from service.operations.speakers import add_alias, create_speaker, normalize_name
from service.operations.suggestions import store_suggestions

#: A name this close to a known speaker's name or alias is taken to be that speaker.
SAME_NAME = 88.0
#: A lone surname this close to the surname of a known full name is that person.
SAME_SURNAME = 85.0


@dataclass(frozen=True)
class SpeakerMatch:
    speaker_id: int
    score: float


def context_of(document: Document) -> DocumentContext:
    return DocumentContext(
        published_on=document.published_on,
        author=document.author,
        outlet=document.outlet.name if document.outlet else None,
        kind=document.kind,
    )


def match_speaker(name: str, aliases: list[tuple[int, str]]) -> SpeakerMatch | None:
    """The known speaker a name most likely refers to (name variants, surname only), among
    (speaker id, normalized alias) pairs."""
    norm = normalize_name(name)
    digits = re.sub(r"\D", "", norm)
    best: SpeakerMatch | None = None
    for speaker_id, normalized in aliases:
        if normalized == norm:
            return SpeakerMatch(speaker_id, 100.0)
        if re.sub(r"\D", "", normalized) != digits:
            continue  # "Reader comment 1" is not "Reader comment 2"
        score = fuzz.ratio(norm, normalized)
        name_tokens, alias_tokens = norm.split(), normalized.split()
        if len(name_tokens) == 1 and len(alias_tokens) > 1:
            score = fuzz.ratio(norm, alias_tokens[-1]) if score < SAME_NAME else score
            if score < SAME_SURNAME:
                continue
        elif len(name_tokens) > 1 and len(alias_tokens) > 1 and name_tokens[0] != alias_tokens[0]:
            # "Steve Witkoff" and "Jared Witkoff" are different people.
            continue
        elif score < SAME_NAME:
            continue
        if best is None or score > best.score:
            best = SpeakerMatch(speaker_id, score)
    return best


#: The last word of a name that makes it an organisation's: "Linden Falls Transportation
#: Department", "Harbour Port Authority", "Acme Corp" are not people. Words that end
#: people's names too ("Court", "Trust", "Fund", "Party", "Group") are left out.
ORGANISATION_HEADS = frozenset(
    {
        "department",
        "ministry",
        "agency",
        "office",
        "authority",
        "council",
        "commission",
        "committee",
        "board",
        "bank",
        "company",
        "corporation",
        "corp",
        "corp.",
        "inc",
        "inc.",
        "ltd",
        "ltd.",
        "llc",
        "plc",
        "university",
        "college",
        "police",
        "association",
        "union",
        "institute",
        "bureau",
        "administration",
        "foundation",
        "organisation",
        "organization",
        "hospital",
        "government",
        "service",
        "services",
        "coalition",
        "federation",
    }
)


@dataclass
class _Planned:
    """What resolving one name decided: a known speaker (id > 0) or the k-th new one
    (id -(k + 1)), and whether the name becomes an alias of it (with its match score)."""

    ref: int
    alias_score: float | None = None


class SpeakerResolver:
    """Resolves extracted names to speaker entities, creating or aliasing as needed.

    Names are matched first, without locks; then the known speakers they matched are locked
    in id order, each once, in one pass (FOR NO KEY UPDATE where the name becomes an alias,
    FOR SHARE otherwise); only then are speakers created and aliases written. A merge locks
    its two speakers in id order too (`speakers.lock_for_merge`), so an extraction and a merge
    wait for each other instead of deadlocking, as they did when the extraction locked
    speakers in the order the text named them."""

    def __init__(self, session: Session, actor: Actor, document: Document) -> None:
        self.session, self.actor, self.document = session, actor, document
        # The names to match against as plain rows: loading every speaker and its aliases as
        # entities cost 0.3 s a document with 5,000 speakers; only a match is loaded.
        self.aliases: list[tuple[int, str]] = [
            (int(i), str(n))
            for i, n in session.execute(
                select(SpeakerAlias.speaker_id, SpeakerAlias.normalized)
                .join(Speaker, Speaker.id == SpeakerAlias.speaker_id)
                .where(Speaker.merged_into_id.is_(None))
                .order_by(SpeakerAlias.speaker_id, SpeakerAlias.id)
            )
        ]

    def _kind(self, name: str, attribution: str) -> SpeakerKind:
        outlet = self.document.outlet.name if self.document.outlet else None
        if name == outlet or name.split()[-1].casefold() in ORGANISATION_HEADS:
            return SpeakerKind.ORGANISATION
        if attribution == Attribution.DOCUMENT or " " not in name:
            return SpeakerKind.UNKNOWN
        return SpeakerKind.PERSON

    def _name(self, candidate: Candidate) -> str:
        assert candidate.speaker is not None
        if candidate.cue == "reader comment" and candidate.speaker.startswith("Reader comment "):
            # Commenters numbered for want of a name are particular to their page: never
            # merged across pages. A commenter who signs is resolved like any name.
            return f"{candidate.speaker} on document {self.document.id}"
        return candidate.speaker

    def _lock(self, speaker_id: int, *, writing: bool) -> Speaker:
        """The speaker under a row lock (a merge locks it for update: this waits for one
        under way, and holds off one that comes after), followed to the speaker it was
        merged into if a merge committed since the names were read: a document's claims
        never go to a merged speaker. That one hop is locked out of id order; it can meet
        only a merge into a merged speaker, which is refused anyway."""
        mode = {"key_share": True} if writing else {"read": True}
        found = self.session.get(Speaker, speaker_id, with_for_update=mode, populate_existing=True)
        assert found is not None
        if found.merged_into_id is not None:
            found = self.session.get(
                Speaker, found.merged_into_id, with_for_update=mode, populate_existing=True
            )
            assert found is not None
        return found

    def resolve_all(self, candidates: list[Candidate]) -> list[int | None]:
        """The speaker id of each candidate (None where it names no speaker)."""
        planned: dict[str, _Planned] = {}
        new: list[tuple[str, Candidate]] = []
        for candidate in candidates:
            if candidate.speaker is None or (name := self._name(candidate)) in planned:
                continue
            match = match_speaker(name, self.aliases)
            if match is None:
                new.append((name, candidate))
                plan = _Planned(-len(new))
            else:
                score = match.score / 100 if match.score < 100.0 else None
                plan = _Planned(match.speaker_id, score)
            self.aliases.append((plan.ref, normalize_name(name)))
            planned[name] = plan
        writing = {p.ref for p in planned.values() if p.alias_score is not None}
        speakers = {
            ref: self._lock(ref, writing=ref in writing)
            for ref in sorted({p.ref for p in planned.values() if p.ref > 0})
        }
        for k, (name, candidate) in enumerate(new, start=1):
            speakers[-k] = create_speaker(
                self.session,
                self.actor,
                name,
                kind=self._kind(name, candidate.attribution),
                role=candidate.speaker_role,
            )
        for name, plan in planned.items():
            if plan.alias_score is not None:
                speaker = speakers[plan.ref]
                if normalize_name(name) not in {a.normalized for a in speaker.aliases}:
                    add_alias(self.session, self.actor, speaker, name, match_score=plan.alias_score)
        return [
            speakers[planned[self._name(c)].ref].id if c.speaker is not None else None
            for c in candidates
        ]


def _new_claim(document: Document, candidate: Candidate, speaker_id: int | None) -> NewClaim:
    reasons: list[str] = list(candidate.reasons)
    if candidate.claim_date:
        reasons.append(f"date: {candidate.claim_date.how}")
    reasons.append(f"attribution confidence {candidate.confidence:.2f}")
    return NewClaim(
        document_id=document.id,
        span_start=candidate.start,
        span_end=candidate.end,
        text=candidate.text,
        speaker=SpeakerChoice(speaker_id=speaker_id) if speaker_id else None,
        attribution=Attribution(candidate.attribution),
        cue=candidate.cue[:200] if candidate.cue else None,
        claim_date=candidate.claim_date.value if candidate.claim_date else None,
        date_precision=DatePrecision(candidate.claim_date.precision)
        if candidate.claim_date
        else None,
        checkworthiness=round(candidate.checkworthiness, 3),
        reasons=reasons,
        origin=ClaimOrigin.EXTRACTED,
        extractor_version=extractor_version(),
        speaker_as_written=candidate.speaker[:300] if candidate.speaker else None,
    )


def _overlap_test(spans: set[tuple[int, int]]) -> Callable[[int, int], bool]:
    """Whether a span [start, end) overlaps any of `spans`: a bisection over their starts
    and the running maximum of their ends, so a long document's re-extraction does not
    compare every candidate with every kept claim."""
    ordered = sorted(spans)
    starts = [s for s, _ in ordered]
    reach = list(accumulate((e for _, e in ordered), max))

    def overlaps(start: int, end: int) -> bool:
        before = bisect_left(starts, end)  # the spans starting before `end`
        return before > 0 and reach[before - 1] > start

    return overlaps


def _untouched(document_id: int) -> Select[int]:
    """Extracted candidates no person has touched: never edited, decided, evidenced, or in a
    link a person confirmed or rejected (machine suggestions do not count as a touch)."""
    return select(Claim.id).where(
        Claim.document_id == document_id,
        Claim.origin == ClaimOrigin.EXTRACTED,
        Claim.version == 1 + Claim.machine_edits,
        Claim.status == ClaimStatus.UNREVIEWED,
        ~exists().where(
            or_(ClaimLink.claim_a_id == Claim.id, ClaimLink.claim_b_id == Claim.id),
            ClaimLink.state != LinkState.SUGGESTED,
        ),
        ~exists().where(Evidence.claim_id == Claim.id),
    )


@dataclass(frozen=True)
class ExtractionResult:
    created: list[Claim]
    kept: int
    replaced: int
    suggested: int


def extract_claims(
    session: Session,
    actor: Actor,
    document: Document,
    suggest_min: float = SUGGEST_MIN,
    *,
    keep_existing: bool = False,
) -> ExtractionResult:
    """(Re-)extract a document: untouched candidates are replaced, touched claims kept; link
    suggestions of at least `suggest_min` confidence are stored for the new claims. With
    `keep_existing` (after a revision) every claim on the text stays as it is. Either way,
    only text no kept claim covers gives new candidates."""
    # Replacing must not race a reviewer. Lock the untouched candidates (editing a claim,
    # deciding it, and creating or reviewing a link on it all lock the claim first, so they
    # wait), then ask again with a fresh snapshot: a claim edited, decided or linked by a
    # transaction that committed before the lock was granted is touched, and stays.
    locked = (
        []
        if keep_existing
        else list(
            session.scalars(_untouched(document.id).order_by(Claim.id).with_for_update(of=Claim))
        )
    )
    untouched_ids = (
        list(session.scalars(_untouched(document.id).where(Claim.id.in_(locked)))) if locked else []
    )
    for claim in session.scalars(select(Claim).where(Claim.id.in_(untouched_ids))):
        record_event(
            session,
            actor,
            "claim.replaced",
            claim,
            before=snapshot(claim),
            reason=f"re-extracted with {extractor_version()}",
        )
    # Their pending suggestions go with them, each recorded (the cascade would be silent).
    for link in session.scalars(
        select(ClaimLink).where(
            or_(ClaimLink.claim_a_id.in_(untouched_ids), ClaimLink.claim_b_id.in_(untouched_ids))
        )
    ):
        record_event(
            session,
            actor,
            "link.deleted",
            link,
            before=snapshot(link),
            reason="its claim was replaced by re-extraction",
        )
        session.delete(link)
    if untouched_ids:
        session.flush()
        session.execute(delete(Claim).where(Claim.id.in_(untouched_ids)))
    kept = session.execute(
        select(Claim.span_start, Claim.span_end, Claim.status).where(
            Claim.document_id == document.id,
            Claim.anchor_state.is_distinct_from(AnchorState.ORPHANED),
        )
    ).all()
    kept_spans = {(start, end) for start, end, _ in kept}
    resolver = SpeakerResolver(session, actor, document)
    # A candidate over text a kept claim already covers would be its duplicate: a claim a
    # reviewer trimmed or added by hand, or one a revision kept, has a span of its own that
    # the extractor's sentence overlaps without matching. A rejected claim keeps out what
    # overlaps it too (the same sentence, trimmed or cut at another boundary), except a
    # candidate lying wholly inside it: rejecting two sentences glued into one must not stop
    # each of them being extracted on its own.
    covered = _overlap_test(
        {(start, end) for start, end, status in kept if status != ClaimStatus.REJECTED}
    )
    rejected = [(start, end) for start, end, status in kept if status == ClaimStatus.REJECTED]

    def turned_down(start: int, end: int) -> bool:
        return any(
            s < end and start < e and not (s <= start and end <= e and (start, end) != (s, e))
            for s, e in rejected
        )

    fresh = [
        c
        for c in extract(document.body, context_of(document))
        if not covered(c.start, c.end) and not turned_down(c.start, c.end)
    ]
    # One batched pass of the embedding model for the claims that get vectors.
    # The bar reads the score as it is stored (rounded), so that no stored claim over it is
    # left without a vector.
    worthy = [
        i
        for i, c in enumerate(fresh)
        if semantic.wanted(round(c.checkworthiness, 3), ClaimOrigin.EXTRACTED)
    ]
    vectors: list[bytes | None] = [None] * len(fresh)
    # The parse path encoded every sentence to score it: those vectors are kept, and only
    # what it did not encode (the rules' path, no encoder) is asked for here.
    missing = [i for i in worthy if fresh[i].vector is None]
    for i, vector in zip(
        missing, semantic.stored_vectors([fresh[i].text for i in missing]), strict=True
    ):
        vectors[i] = vector
    for i in worthy:
        if fresh[i].vector is not None:
            vectors[i] = semantic.to_bytes(fresh[i].vector)
    news = [
        replace(_new_claim(document, candidate, speaker_id), embedding=vector)
        for candidate, vector, speaker_id in zip(
            fresh, vectors, resolver.resolve_all(fresh), strict=True
        )
    ]
    created = create_claims(session, actor, news)
    suggested = store_suggestions(session, actor, created, suggest_min)
    match_new_claims(session, actor, created)
    return ExtractionResult(
        created=created, kept=len(kept_spans), replaced=len(untouched_ids), suggested=suggested
    )


def mark_ready(
    session: Session,
    actor: Actor,
    doc: Document,
    result: ExtractionResult,
    before: dict[str, object],
) -> None:
    """The document's claims are in: it is ready, and the history (and any webhook
    subscribed to `document.ready`) says so, with what extraction made."""
    doc.state = DocumentState.READY
    doc.error = None
    session.flush()
    record_event(
        session,
        actor,
        "document.extracted",
        doc,
        before=before,
        after=snapshot(doc),
        reason=f"{len(result.created)} claims, {result.suggested} suggestions",
    )
