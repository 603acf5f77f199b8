"""Claims: creation anchored to an exact span, edits, editorial decisions and their history."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any, Protocol

from sqlalchemy import (
    Select,
    and_,
    bindparam,
    exists,
    func,
    literal_column,
    or_,
    select,
    text,
    union,
    union_all,
)
from sqlalchemy.dialects.postgresql.psycopg import dialect as psycopg_dialect
from sqlalchemy.orm import Session, aliased, joinedload

from service.db import among, driver_rows
from service.domain.enums import (
    Attribution,
    ClaimOrigin,
    ClaimStatus,
    DatePrecision,
    LinkRelation,
    LinkState,
    Role,
)
from service.domain.errors import Forbidden, InvalidInput, NotFound, RuleViolation
from service.domain.independence import independent_origins
from service.domain.rules import DecisionFacts, check_transition, verdict_holds
from service.domain.urls import web_url_problem
from service.extraction.dates import resolve_date
from service.linking import semantic, vectors
from service.models import (
    Claim,
    ClaimLink,
    Document,
    Event,
    Evidence,
    FactCheckMatch,
    Outlet,
    PublishedReview,
    Speaker,
)
from service.operations.actors import Actor
from service.operations.events import entity_history, record_created, record_event, snapshot
from service.operations.links import drop_suggestions_of
from service.operations.origins import claim_origins_and_possible_copies, lineage
from service.operations.pagination import cursor_at, keyset_page
from service.operations.speakers import get_speaker, resolve_speaker

#: Characters of context kept either side of a span (W3C TextQuoteSelector prefix/suffix).
CONTEXT_CHARS = 32


@dataclass(frozen=True)
class SpeakerChoice:
    """Either an existing speaker by id, or a name to resolve (or create), or explicitly none."""

    speaker_id: int | None = None
    name: str | None = None


@dataclass(frozen=True)
class NewClaim:
    document_id: int
    span_start: int
    span_end: int
    text: str | None = None
    speaker: SpeakerChoice | None = None
    attribution: Attribution = Attribution.AUTHOR
    cue: str | None = None
    claim_date: date | None = None
    date_precision: DatePrecision | None = None
    checkworthiness: float = 0.5
    reasons: list[Any] = field(default_factory=list)
    origin: ClaimOrigin = ClaimOrigin.MANUAL
    extractor_version: str | None = None
    #: The name as the text gave it (extraction), when it differs from the speaker's.
    speaker_as_written: str | None = None
    #: A vector computed by the caller (extraction embeds a document's claims in batches).
    embedding: bytes | None = None


@dataclass(frozen=True)
class ClaimFilters:
    document_id: int | None = None
    outlet_id: int | None = None
    speaker_id: int | None = None
    status: str | None = None
    attribution: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    q: str | None = None
    #: Only claims that need another look: flagged by a revision, or decided and no longer
    #: holding what their verdict needed (verdict_warning).
    needs_review: bool = False


@dataclass(frozen=True)
class EvidenceItem:
    url: str | None = None
    document_id: int | None = None
    note: str | None = None


def _check_span(body: str, start: int, end: int, text: str | None) -> str:
    """The exact text at [start, end) of body, or InvalidInput naming what is wrong."""
    if start < 0:
        raise InvalidInput("span", "start must be 0 or more")
    if end <= start:
        raise InvalidInput("span", "end must be greater than start")
    if end > len(body):
        raise InvalidInput("span", f"end {end} lies beyond the body ({len(body)} characters)")
    exact = body[start:end]
    if text is not None and text != exact:
        raise InvalidInput("text", f"text must equal the body at [{start}, {end}): {exact[:80]!r}")
    if not exact.strip():
        raise InvalidInput("span", "the span covers only white space")
    return exact


def _check_date(claim_date: date | None, precision: DatePrecision | None) -> None:
    if (claim_date is None) != (precision is None):
        raise InvalidInput("date_precision", "claim_date and date_precision go together")


#: A speaker named by id where a name is asked for: "#31", as the workspace lists them.
_BY_ID = re.compile(r"^\s*#(\d{1,9})\s*$")


def _resolve(session: Session, actor: Actor, choice: SpeakerChoice | None) -> int | None:
    if choice is None:
        return None
    by_id = _BY_ID.match(choice.name or "") if choice.speaker_id is None else None
    if by_id:
        # "#31" is speaker 31, not a new speaker named "#31".
        field = "speaker_name"
        choice = SpeakerChoice(speaker_id=int(by_id.group(1)))
    else:
        field = "speaker_id"
    if choice.speaker_id is not None:
        try:
            found = get_speaker(session, choice.speaker_id)
        except NotFound as exc:
            raise InvalidInput(field, f"no speaker {choice.speaker_id}") from exc
        # A merged speaker's claims belong to the entity it was merged into.
        return found.merged_into_id or found.id
    if choice.name is not None:
        return resolve_speaker(session, actor, choice.name).id
    return None


def _embedding(text: str, checkworthiness: float, origin: str) -> bytes | None:
    if not semantic.wanted(checkworthiness, origin):
        return None
    return semantic.stored_vectors([text])[0]


def _lock_documents(session: Session, document_ids: set[int]) -> None:
    """Share-lock the documents claims are about to be placed on, reading their current
    text: a revision (which locks its document for update) either commits first, and the
    span is checked against its new text, or waits until these claims are in, and
    re-anchors them with the rest."""
    session.execute(
        select(Document)
        .where(Document.id.in_(sorted(document_ids)))
        .with_for_update(read=True, of=Document)
        .execution_options(populate_existing=True)
    ).all()


def _build_claim(session: Session, actor: Actor, new: NewClaim) -> Claim:
    """A claim checked against its document (locked by the caller), not yet added."""
    document = session.get(Document, new.document_id)
    if document is None:
        raise InvalidInput("document_id", f"no document {new.document_id}")
    exact = _check_span(document.body, new.span_start, new.span_end, new.text)
    _check_date(new.claim_date, new.date_precision)
    return Claim(
        document_id=document.id,
        speaker_id=_resolve(session, actor, new.speaker),
        text=exact,
        span_start=new.span_start,
        span_end=new.span_end,
        prefix=document.body[max(0, new.span_start - CONTEXT_CHARS) : new.span_start],
        suffix=document.body[new.span_end : new.span_end + CONTEXT_CHARS],
        attribution=new.attribution.value,
        cue=new.cue,
        claim_date=new.claim_date,
        date_precision=new.date_precision.value if new.date_precision else None,
        checkworthiness=new.checkworthiness,
        reasons=new.reasons,
        status=ClaimStatus.UNREVIEWED.value,
        origin=new.origin.value,
        extractor_version=new.extractor_version,
        speaker_as_written=new.speaker_as_written,
        embedding=new.embedding or _embedding(exact, new.checkworthiness, new.origin.value),
        revision=document.revision,
    )


def create_claim(session: Session, actor: Actor, new: NewClaim) -> Claim:
    _lock_documents(session, {new.document_id})
    claim = _build_claim(session, actor, new)
    session.add(claim)
    session.flush()
    if claim.embedding is not None:
        vectors.store(session, [(claim.id, claim.embedding)])
    record_event(session, actor, "claim.created", claim, after=snapshot(claim))
    return claim


def create_claims(session: Session, actor: Actor, news: list[NewClaim]) -> list[Claim]:
    """Many claims at once: one INSERT for the claims, one for their vectors and one for
    their events, instead of three round trips a claim."""
    if news:
        _lock_documents(session, {new.document_id for new in news})
    claims = [_build_claim(session, actor, new) for new in news]
    session.add_all(claims)
    session.flush()
    vectors.store(session, [(c.id, c.embedding) for c in claims if c.embedding is not None])
    record_created(session, actor, "claim.created", claims)
    return claims


def get_claim(session: Session, claim_id: int, *, for_update: bool = False) -> Claim:
    options = [joinedload(Claim.speaker)] if not for_update else []
    claim = session.get(Claim, claim_id, with_for_update=for_update, options=options)
    if claim is None:
        raise NotFound(f"no claim {claim_id}")
    return claim


def list_claims(
    session: Session,
    filters: ClaimFilters,
    *,
    after: str | None,
    limit: int,
    reading_order: bool = False,
    judge_at_most: int | None = None,
) -> tuple[list[Claim | Flagged], str | None]:
    """Claims matching the filters, by id (or by position in the text for one document); a
    claim whose verdict lost its support comes Flagged. `judge_at_most`: with needs_review,
    how many candidates one call may judge (default _SCAN_MAX) before it returns a short page
    and a cursor."""
    stmt = select(Claim).options(joinedload(Claim.speaker))
    if filters.document_id is not None:
        stmt = stmt.where(Claim.document_id == filters.document_id)
    if filters.outlet_id is not None:
        stmt = stmt.where(
            Claim.document_id.in_(
                select(Document.id).where(Document.outlet_id == filters.outlet_id)
            )
        )
    if filters.speaker_id is not None:
        # A merged speaker's id stands for the one it went into, which holds its claims (the
        # id a newsroom tool kept still finds them).
        merged_into = (
            select(Speaker.merged_into_id).where(Speaker.id == filters.speaker_id).scalar_subquery()
        )
        stmt = stmt.where(Claim.speaker_id == func.coalesce(merged_into, filters.speaker_id))
    if filters.status:
        stmt = stmt.where(Claim.status == filters.status)
    if filters.attribution:
        stmt = stmt.where(Claim.attribution == filters.attribution)
    if filters.date_from:
        stmt = stmt.where(Claim.claim_date >= filters.date_from)
    if filters.date_to:
        stmt = stmt.where(Claim.claim_date <= filters.date_to)
    if filters.q:
        stmt = stmt.where(Claim.tsv.bool_op("@@")(func.websearch_to_tsquery("english", filters.q)))
    keys = [Claim.span_start, Claim.id] if reading_order else [Claim.id]
    if filters.needs_review:
        return _needing_review(
            session, stmt.where(_may_need_review()), keys, after, limit, judge_at_most or _SCAN_MAX
        )
    claims, cursor = keyset_page(session, stmt, keys, after=after, limit=limit)
    return flagged(session, claims), cursor


class Flagged:
    """A listed claim whose verdict lost its support, shown with the warning GET /claims/{id}
    gives as its review_flag; the stored column is left alone (a read writes nothing)."""

    def __init__(self, claim: Claim, review_flag: str) -> None:
        self._claim = claim
        self.review_flag = review_flag

    def __getattr__(self, name: str) -> Any:
        if name == "_claim":  # not set yet (a copy under construction)
            raise AttributeError(name)
        return getattr(self._claim, name)


def flagged(session: Session, claims: list[Claim]) -> list[Claim | Flagged]:
    """The claims, each whose verdict no longer holds shown with its warning (review_flags)."""
    flags = review_flags(session, claims)
    return [Flagged(c, flags[c.id]) if c.id in flags else c for c in claims]


_VERDICTS = (ClaimStatus.VERIFIED, ClaimStatus.DISPUTED, ClaimStatus.FALSE)


def _rests_on_links() -> Any:
    """A decided claim with no evidence URL and no confirmed fact-check match: its verdict
    rests on its confirmed links alone, so taking one back can leave it without support."""
    return and_(
        Claim.status.in_(_VERDICTS),
        ~exists().where(Evidence.claim_id == Claim.id, Evidence.url.is_not(None)),
        ~exists().where(FactCheckMatch.claim_id == Claim.id, FactCheckMatch.state == "confirmed"),
    )


#: The verdicts written into the SQL as literals: the planner can match a prepared statement
#: (psycopg prepares one run five times) to the partial index's predicate only with the values
#: in its text; with them bound, the generic plan walked the primary key instead.
_VERDICTS_SQL = text(f"claims.status IN ({', '.join(repr(str(s)) for s in _VERDICTS)})")


def _may_need_review() -> Any:
    """The claims a review flag can be shown on: the first term is the predicate of the
    partial index ix_claims_may_need_review (so the scan reads only these), the second the
    narrower rule."""
    return and_(
        or_(Claim.review_flag.is_not(None), _VERDICTS_SQL),
        or_(Claim.review_flag.is_not(None), _rests_on_links()),
    )


class _Judged(Protocol):
    """What review_flags reads of a claim: an ORM Claim, or a report's row of one."""

    @property
    def id(self) -> int: ...
    @property
    def status(self) -> str: ...
    @property
    def review_flag(self) -> str | None: ...


def review_flags(session: Session, claims: Sequence[_Judged]) -> dict[int, str]:
    """{claim id: warning} for the claims without a stored flag whose verdict no longer holds,
    as verdict_warning() finds it for one claim, in at most three statements however many
    claims: those whose verdict rests on links alone, their confirmed links to claims not
    rejected, and (for a verified one with such support) the lineage independence needs."""
    ids = [c.id for c in claims if c.review_flag is None and c.status in _VERDICTS]
    if not ids:
        return {}
    resting = {
        int(i): (ClaimStatus(st), int(doc))
        for i, st, doc in session.execute(
            select(Claim.id, Claim.status, Claim.document_id).where(
                among(Claim.id, ids), _rests_on_links()
            )
        )
    }
    if not resting:
        return {}
    other = aliased(Claim)
    conflicts: set[int] = set()
    supporting: dict[int, list[int]] = {}
    for a, b, relation, doc_a, doc_b in session.execute(
        select(
            ClaimLink.claim_a_id,
            ClaimLink.claim_b_id,
            ClaimLink.relation,
            Claim.document_id,
            other.document_id,
        )
        .join(Claim, Claim.id == ClaimLink.claim_a_id)
        .join(other, other.id == ClaimLink.claim_b_id)
        .where(
            or_(among(ClaimLink.claim_a_id, resting), among(ClaimLink.claim_b_id, resting)),
            ClaimLink.state == LinkState.CONFIRMED,
            Claim.status != ClaimStatus.REJECTED,
            other.status != ClaimStatus.REJECTED,
        )
    ):
        for mine, theirs in ((a, doc_b), (b, doc_a)):
            if mine not in resting:
                continue
            if relation == LinkRelation.CONFLICTS:
                conflicts.add(mine)
            else:
                supporting.setdefault(mine, []).append(theirs)
    verified = [i for i, (st, _) in resting.items() if st == ClaimStatus.VERIFIED]
    docs = {resting[i][1] for i in verified if i in supporting}
    docs |= {d for i in verified for d in supporting.get(i, ())}
    found = lineage(session, docs) if docs else {}
    out = {}
    for claim_id, (status, own) in resting.items():
        facts = DecisionFacts(
            independent_corroborations=independent_origins(
                [own], supporting.get(claim_id, ()), found
            )
            if status == ClaimStatus.VERIFIED and claim_id in supporting
            else 0,
            confirmed_conflicts=int(claim_id in conflicts),
            evidence_urls=0,
        )
        warning = _lost_support(status, facts)
        if warning:
            out[claim_id] = warning
    return out


#: Candidates judged at a time while looking for claims that need review, and at most in
#: one request: past that, the page comes back short (even empty) with a `next` link at the
#: last candidate judged, so a request's cost is bounded however few claims need review.
_SCAN = 200
_SCAN_MAX = 5_000


def _needing_review(
    session: Session,
    stmt: Any,
    keys: list[Any],
    after: str | None,
    limit: int,
    judge_at_most: int,
) -> tuple[list[Claim | Flagged], str | None]:
    """A page of the claims of `stmt` (already narrowed to those that may need review) that
    do: the candidates are read in key order and judged, a chunk at a time, until one more
    than a page is found, the candidates run out, or `judge_at_most` were judged."""
    kept: list[Claim | Flagged] = []
    cursor = after
    judged = 0
    while True:
        page, cursor = keyset_page(session, stmt, keys, after=cursor, limit=_SCAN)
        flags = review_flags(session, page)
        for claim in page:
            judged += 1
            if claim.review_flag is not None or claim.id in flags:
                if len(kept) == limit:
                    return kept, cursor_at(kept[-1], keys)
                kept.append(Flagged(claim, flags[claim.id]) if claim.id in flags else claim)
            if judged >= judge_at_most and cursor is not None:
                return kept, cursor_at(claim, keys)
        if cursor is None:
            return kept, None


@dataclass(frozen=True)
class ClaimChanges:
    """A partial edit; `sent` names the fields present, so that null can clear a value."""

    values: dict[str, Any]

    def has(self, name: str) -> bool:
        return name in self.values


#: Statuses a person decided: a verdict, or that nothing can settle it.
DECIDED = (*_VERDICTS, ClaimStatus.UNVERIFIABLE)


def _moved_under_verdict(session: Session, actor: Actor, claim: Claim) -> None:
    """New words under a decided claim: the verdict was taken on the old ones. Only an
    editor may do it (a reviewer could otherwise put a published "Verified" over any
    sentence); the claim is flagged for another look and its published review withdrawn."""
    if not actor.role.allows(Role.EDITOR):
        raise Forbidden(
            f"claim {claim.id} is {claim.status}: changing the words under a verdict needs "
            "the editor role (its verdict was taken on the old words)"
        )
    claim.review_flag = (
        f"its words were edited after it was marked {claim.status}: check the verdict still holds"
    )
    _withdraw_review(
        session,
        actor,
        claim,
        claim.status,
        why=f"the claim's words were edited after it was marked {claim.status}",
    )


def edit_claim(
    session: Session, actor: Actor, claim: Claim, changes: ClaimChanges, reason: str | None
) -> Claim:
    """Edit what a reviewer may correct; the status has its own rules (decide_status)."""
    before = snapshot(claim)
    v = changes.values
    if "span" in v or "text" in v:
        span = v.get("span") or {"start": claim.span_start, "end": claim.span_end}
        body = claim.document.body
        claim.text = _check_span(body, span["start"], span["end"], v.get("text"))
        claim.span_start, claim.span_end = span["start"], span["end"]
        claim.prefix = body[max(0, claim.span_start - CONTEXT_CHARS) : claim.span_start]
        claim.suffix = body[claim.span_end : claim.span_end + CONTEXT_CHARS]
        if claim.revision != claim.document.revision or claim.anchor_state == "orphaned":
            # Placed by hand on the current text: an orphan is anchored again.
            claim.anchor_state = "anchored"
            claim.revision = claim.document.revision
        if claim.text != before["text"]:
            claim.text_changed_at = datetime.now(UTC)
            if claim.status in DECIDED:
                _moved_under_verdict(session, actor, claim)
    if "speaker_id" in v or "speaker_name" in v:
        speaker_before = claim.speaker_id
        claim.speaker_id = _resolve(
            session, actor, SpeakerChoice(v.get("speaker_id"), v.get("speaker_name"))
        )
        if claim.speaker_id != speaker_before and "cue" not in v:
            # The words that led the extractor to the old speaker ("the host's narration",
            # "according to") do not explain the speaker a person chose.
            claim.cue = None
    for name in ("attribution", "cue", "checkworthiness", "reasons"):
        if name in v:
            # The API sends the attribution as text, the workspace as the enum: both are taken.
            setattr(claim, name, Attribution(v[name]).value if name == "attribution" else v[name])
    if "claim_date" in v or "date_precision" in v:
        new_date = v.get("claim_date", claim.claim_date)
        new_precision = v.get("date_precision", claim.date_precision)
        _check_date(new_date, new_precision)
        claim.claim_date = new_date
        claim.date_precision = DatePrecision(new_precision).value if new_precision else None
    if claim.status in DECIDED and not actor.role.allows(Role.EDITOR):
        # Who said it, when, and on whose word are what a published verdict (its ClaimReview's
        # claimant and date) stands on: under a verdict they are an editor's to change.
        changed = [
            name
            for name in ("speaker_id", "attribution", "claim_date", "date_precision")
            if getattr(claim, name) != before[name] and str(getattr(claim, name)) != before[name]
        ]
        if changed:
            raise Forbidden(
                f"claim {claim.id} is {claim.status}: changing its {', '.join(changed)} needs "
                "the editor role (the verdict stands on them)"
            )
    if {"span", "text", "checkworthiness"} & v.keys():
        claim.embedding = _embedding(claim.text, claim.checkworthiness, claim.origin)
        vectors.store(session, [(claim.id, claim.embedding)])
    session.flush()
    after = snapshot(claim)
    # The version moves whenever the row is written (a vector recomputed for the same
    # checkworthiness), so it does not count as a change.
    if {**after, "version": None} == {**before, "version": None}:
        raise InvalidInput("_schema", "the edit changes nothing")
    record_event(session, actor, "claim.edited", claim, before=before, after=after, reason=reason)
    return claim


def _links_of(session: Session, claim_id: int) -> list[tuple[str, str, int]]:
    """(relation, state, document of the other claim) for every link of a claim to a claim
    not rejected: a rejected candidate is not a claim, and backs or contradicts nothing."""
    other = func.coalesce(func.nullif(ClaimLink.claim_a_id, claim_id), ClaimLink.claim_b_id)
    rows = session.execute(
        select(ClaimLink.relation, ClaimLink.state, Claim.document_id)
        .join(Claim, Claim.id == other)
        .where(
            or_(ClaimLink.claim_a_id == claim_id, ClaimLink.claim_b_id == claim_id),
            Claim.status != ClaimStatus.REJECTED,
        )
    ).all()
    return [(rel, state, doc) for rel, state, doc in rows]


def _supporting(links: list[tuple[str, str, int]]) -> list[int]:
    """Documents of the claims confirmed as corroborating it or as the same claim."""
    return [
        doc
        for rel, state, doc in links
        if state == LinkState.CONFIRMED
        and rel in (LinkRelation.CORROBORATES, LinkRelation.SAME_CLAIM)
    ]


def _corroboration(
    session: Session, claim_id: int, links: list[tuple[str, str, int]]
) -> dict[str, int]:
    """Independent origins backing a claim (one lineage query, only when it has confirmed
    support), its confirmed and open conflicts, and its links by state."""
    independent, possible_copies = (
        claim_origins_and_possible_copies(session, claim_id) if _supporting(links) else (0, 0)
    )
    return {
        "independent_origins": independent,
        "possible_copies": possible_copies,
        "confirmed_links": sum(1 for _, state, _ in links if state == LinkState.CONFIRMED),
        "confirmed_conflicts": sum(
            1
            for rel, state, _ in links
            if state == LinkState.CONFIRMED and rel == LinkRelation.CONFLICTS
        ),
        "open_conflicts": sum(
            1
            for rel, state, _ in links
            if rel == LinkRelation.CONFLICTS and state != LinkState.REJECTED
        ),
        "suggested_links": sum(1 for _, state, _ in links if state == LinkState.SUGGESTED),
    }


def corroboration(
    session: Session, claim_id: int, links: list[tuple[str, str, int]] | None = None
) -> dict[str, int]:
    """Independent origins backing the claim (confirmed corroborates/same_claim links) and
    its open conflicts (confirmed conflicts links, and suggested ones flagged as conflicts).
    `links`: the claim's links (`_links_of`), when the caller has read them already."""
    return corroboration_and_warning(session, claim_id, None, 0, links)[0]


def corroboration_and_warning(
    session: Session,
    claim_id: int,
    status: str | None,
    evidence_urls: int,
    links: list[tuple[str, str, int]] | None = None,
    *,
    fact_checks: int | None = None,
) -> tuple[dict[str, int], str | None]:
    """corroboration(), and verdict_warning() for a claim of that status with that many
    evidence URLs (None for a status that is not a verdict) and, when the caller has read
    them, confirmed fact-check matches."""
    if links is None:
        links = _links_of(session, claim_id)
    found = _corroboration(session, claim_id, links)
    warning = (
        verdict_warning(session, claim_id, status, found, evidence_urls, fact_checks)
        if status
        else None
    )
    return found, warning


def decision_facts(
    session: Session, claim: Claim, new_evidence: list[EvidenceItem]
) -> DecisionFacts:
    found = _corroboration(session, claim.id, _links_of(session, claim.id))
    urls = (
        session.scalar(
            select(func.count())
            .select_from(Evidence)
            .where(Evidence.claim_id == claim.id, Evidence.url.is_not(None))
        )
        or 0
    )
    urls += _confirmed_fact_checks(session, claim.id)
    now = DecisionFacts(
        independent_corroborations=found["independent_origins"],
        confirmed_conflicts=found["confirmed_conflicts"],
        evidence_urls=urls,
    )
    fresh = sum(1 for item in new_evidence if item.url)
    last = session.scalar(
        select(Event.after["status"].astext)
        .where(
            Event.entity_type == "claims",
            Event.entity_id == claim.id,
            Event.action == "claim.status_changed",
            Event.after["status"].astext.in_(
                [ClaimStatus.VERIFIED, ClaimStatus.DISPUTED, ClaimStatus.FALSE]
            ),
        )
        .order_by(Event.id.desc())
        .limit(1)
    )
    return replace(
        now,
        evidence_urls=urls + fresh,
        new_evidence_urls=fresh,
        last_verdict=ClaimStatus(last) if last else None,
        # A verdict that lost its support may be given again, as one a revision flagged.
        needs_review=claim.review_flag is not None
        or _lost_support(ClaimStatus(claim.status), now) is not None,
    )


def _confirmed_fact_checks(session: Session, claim_id: int) -> int:
    """A fact-check published elsewhere that a reviewer confirmed checks this claim is
    evidence an editor may cite, as a URL is."""
    return (
        session.scalar(
            select(func.count())
            .select_from(FactCheckMatch)
            .where(FactCheckMatch.claim_id == claim_id, FactCheckMatch.state == "confirmed")
        )
        or 0
    )


def _lost_support(status: ClaimStatus, facts: DecisionFacts) -> str | None:
    if verdict_holds(status, facts):
        return None
    # Computed when read, the flag cannot know which change took the support away; it says
    # what the verdict lacks now, and the claim's history (its links' events included) says
    # what changed.
    needed = (
        "confirmed corroboration from an independent outlet"
        if status == ClaimStatus.VERIFIED
        else "confirmed conflicting claim"
    )
    return (
        f"it is marked {status}, and what that verdict needs is gone: it has no {needed}, "
        "evidence URL or confirmed fact-check now (its history shows what changed): check "
        "it still holds"
    )


def verdict_warning(
    session: Session,
    claim_id: int,
    status: str,
    backing: dict[str, int],
    evidence_urls: int,
    fact_checks: int | None = None,
) -> str | None:
    """Why a decided claim needs another look now, though nobody flagged it: the rule its
    verdict was taken under no longer holds. Computed when read, from what the claim view
    already holds (its confirmed fact-check matches included: `fact_checks`; a caller that
    has not read them leaves it None, and they are counted only when the rest falls short),
    so no write, lock or event is needed wherever support changes (links, claims, copies,
    fact-checks)."""
    if status not in _VERDICTS:
        return None
    facts = DecisionFacts(
        independent_corroborations=backing["independent_origins"],
        confirmed_conflicts=backing["confirmed_conflicts"],
        evidence_urls=evidence_urls,
    )
    if verdict_holds(ClaimStatus(status), facts):
        return None
    if fact_checks is None:
        fact_checks = _confirmed_fact_checks(session, claim_id)
    facts = replace(facts, evidence_urls=evidence_urls + fact_checks)
    return _lost_support(ClaimStatus(status), facts)


def _check_evidence(item: EvidenceItem) -> None:
    if item.url is None and item.document_id is None:
        raise InvalidInput("evidence", "evidence needs a url or a document_id")
    problem = web_url_problem(item.url) if item.url is not None else None
    if problem:
        raise InvalidInput("evidence", f"the evidence URL is {problem}")


def add_evidence(session: Session, actor: Actor, claim: Claim, item: EvidenceItem) -> Evidence:
    _check_evidence(item)
    if item.document_id is not None and session.get(Document, item.document_id) is None:
        raise InvalidInput("evidence", f"no document {item.document_id}")
    evidence = Evidence(
        claim_id=claim.id,
        url=item.url,
        document_id=item.document_id,
        note=item.note,
        created_by=actor.key_id,
    )
    session.add(evidence)
    session.flush()
    record_event(session, actor, "evidence.added", evidence, after=snapshot(evidence))
    return evidence


def decide_status(
    session: Session,
    actor: Actor,
    claim: Claim,
    status: ClaimStatus,
    rationale: str | None,
    evidence: list[EvidenceItem],
) -> Claim:
    """Move a claim to `status` if the editorial rules allow it; evidence is stored with it."""
    for item in evidence:
        _check_evidence(item)  # before it counts towards the rules
    facts = decision_facts(session, claim, evidence)
    check_transition(actor.role, ClaimStatus(claim.status), status, rationale, facts)
    for item in evidence:
        add_evidence(session, actor, claim, item)
    before = snapshot(claim)
    claim.status = status.value
    claim.review_flag = None  # a fresh decision is the re-review a revision asked for
    session.flush()
    record_event(
        session,
        actor,
        "claim.status_changed",
        claim,
        before=before,
        after=snapshot(claim),
        reason=rationale,
    )
    if before["status"] != status.value:
        _withdraw_review(session, actor, claim, before["status"])
    if status == ClaimStatus.REJECTED:
        drop_suggestions_of(session, actor, claim.id, f"claim {claim.id} rejected: {rationale}")
    return claim


def _withdraw_review(
    session: Session, actor: Actor, claim: Claim, was: str, why: str | None = None
) -> None:
    """A published review was written for the verdict it was published under: once the
    verdict changes, its headline and text no longer say what the claim's rating does, so it
    is withdrawn (a `review.withdrawn` event) until an editor publishes it again. `why`: any
    other reason (the claim's words were edited)."""
    review = session.get(PublishedReview, claim.id, with_for_update=True)
    if review is None or review.published_at is None:
        return
    before = snapshot(review)
    review.published_at = None
    review.version += 1
    session.flush()
    record_event(
        session,
        actor,
        "review.withdrawn",
        review,
        before=before,
        after=snapshot(review),
        reason=why or f"the verdict changed from {was} to {claim.status}: the review says {was}",
    )


def claim_history(session: Session, claim_id: int, links: bool = False) -> list[Event]:
    """The claim's events, and with `links` those of every link either side of which it is
    (suggested, reviewed, deleted), of its published review and of its fact-check matches,
    oldest first, in one statement; NotFound if there never was such a claim."""
    if not links:
        events = entity_history(session, "claims", claim_id)
    else:
        events = list(session.scalars(history_statement(claim_id)))
    if not any(e.entity_type == "claims" for e in events):
        raise NotFound(f"no claim {claim_id}")
    return events


def history_statement(claim_id: int) -> Select[Event]:
    """The claim's events and its links': a link's are found by the claims its events'
    snapshots name (indexes ix_events_link_claim_a/_b), so a link deleted since is there."""
    mentioned = [
        select(Event.entity_id).where(
            Event.entity_type == "claim_links",
            # As the indexes spell it, so that the planner uses them.
            literal_column(f"((coalesce(events.after, events.before) ->> '{side}_id')::bigint)")
            == claim_id,
        )
        for side in ("claim_a", "claim_b")
    ]
    # Two branches each on its own index, not one OR: the planner cannot use an index for
    # "entity_type = 'claim_links' AND entity_id IN (subquery)" inside an OR, and scanned
    # every event (340 ms at 1.6M events; under 2 ms this way).
    both = union_all(
        # Its own events and its review's (a review is keyed by its claim's id).
        select(Event).where(
            Event.entity_type.in_(("claims", "published_reviews")), Event.entity_id == claim_id
        ),
        select(Event).where(
            Event.entity_type == "claim_links",
            Event.entity_id.in_(union(*mentioned).scalar_subquery()),
        ),
        # What reviewers said of the fact-checks proposed for it (matches are never deleted).
        select(Event).where(
            Event.entity_type == "fact_check_matches",
            Event.entity_id.in_(
                select(FactCheckMatch.id).where(FactCheckMatch.claim_id == claim_id)
            ),
        ),
    ).subquery()
    events = aliased(Event, both)
    return select(events).order_by(events.id)


_CLAIMS = Claim.__table__
_EVIDENCE = Evidence.__table__
_SPEAKERS = Speaker.__table__
_CLAIM_COLUMNS = [c for c in _CLAIMS.c if c.key not in ("tsv", "embedding", "txid")]
_EVIDENCE_COLUMNS = ("id", "url", "document_id", "note", "created_at")
_OTHER = ClaimLink.__table__.alias("l")
_OTHER_CLAIM = _CLAIMS.alias("other")
#: The claim's links as [relation, state, document of the other claim], read with the claim.
_LINKS = (
    select(
        func.json_agg(
            func.json_build_array(_OTHER.c.relation, _OTHER.c.state, _OTHER_CLAIM.c.document_id)
        )
    )
    .select_from(_OTHER)
    .join(
        _OTHER_CLAIM,
        _OTHER_CLAIM.c.id
        == func.coalesce(func.nullif(_OTHER.c.claim_a_id, _CLAIMS.c.id), _OTHER.c.claim_b_id),
    )
    .where(
        or_(_OTHER.c.claim_a_id == _CLAIMS.c.id, _OTHER.c.claim_b_id == _CLAIMS.c.id),
        _OTHER_CLAIM.c.status != literal_column("'rejected'"),
    )
    .scalar_subquery()
    .label("links")
)
_MATCHES = FactCheckMatch.__table__.alias("m")
#: Its confirmed fact-check matches, counted with the claim: evidence a verdict may rest on,
#: which the review flag of a decided claim without other support needs (verdict_warning).
#: As a second statement through the ORM it cost such a claim 2 ms, more than the claim view.
_FACT_CHECKS = (
    select(func.count())
    .select_from(_MATCHES)
    .where(_MATCHES.c.claim_id == _CLAIMS.c.id, _MATCHES.c.state == literal_column("'confirmed'"))
    .scalar_subquery()
    .label("confirmed_fact_checks")
)
_CLAIM_VIEW = (
    select(
        *_CLAIM_COLUMNS,
        _SPEAKERS.c.name.label("speaker_name"),
        _LINKS,
        _FACT_CHECKS,
        *(_EVIDENCE.c[name].label(f"evidence_{name}") for name in _EVIDENCE_COLUMNS),
    )
    .select_from(_CLAIMS)
    .outerjoin(_SPEAKERS, _SPEAKERS.c.id == _CLAIMS.c.speaker_id)
    .outerjoin(_EVIDENCE, _EVIDENCE.c.claim_id == _CLAIMS.c.id)
    .where(_CLAIMS.c.id == bindparam("claim_id"))
    .order_by(_EVIDENCE.c.id)
)


def claim_view(session: Session, claim_id: int) -> dict[str, Any]:
    """The claim as the API shows it (speaker, evidence and links included), in one round
    trip; a claim with confirmed support takes one more, for the lineage of its backers.

    A prebuilt Core statement rather than ORM loading: this is the hottest read, and
    building a statement and its cache key, then entities and their identity map, costs
    several times the query itself (measured by bench/claim_get.py).
    """
    rows = driver_rows(session, _CLAIM_VIEW_SQL, {"claim_id": claim_id})
    if not rows:
        raise NotFound(f"no claim {claim_id}")
    first = rows[0]
    view: dict[str, Any] = dict(zip(_CLAIM_KEYS, first, strict=False))
    view["span"] = {"start": view["span_start"], "end": view["span_end"]}
    speaker_id = view["speaker_id"]
    view["speaker"] = {"id": speaker_id, "name": first[_SPEAKER_NAME]} if speaker_id else None
    links = [(str(r), str(s), int(d)) for r, s, d in first[_LINKS_AT] or ()]
    view["evidence"] = [
        dict(zip(_EVIDENCE_COLUMNS, row[_EVIDENCE_AT:], strict=True))
        for row in rows
        if row[_EVIDENCE_AT] is not None
    ]
    view["corroboration"], warning = corroboration_and_warning(
        session,
        claim_id,
        view["status"],
        sum(1 for e in view["evidence"] if e["url"]),
        links,
        fact_checks=int(first[_FACT_CHECKS_AT]),
    )
    view["review_flag"] = view["review_flag"] or warning
    return view


_CLAIM_KEYS = [c.key for c in _CLAIM_COLUMNS]
_SPEAKER_NAME = len(_CLAIM_KEYS)
_LINKS_AT = _SPEAKER_NAME + 1
_FACT_CHECKS_AT = _LINKS_AT + 1
_EVIDENCE_AT = _FACT_CHECKS_AT + 1


#: The claim view's SQL as psycopg takes it, compiled once (every engine is psycopg's:
#: service.db.sqlalchemy_url): the hottest read runs on the session's own connection with
#: plain tuple rows (service.db.driver_rows).
_CLAIM_VIEW_SQL = str(_CLAIM_VIEW.compile(dialect=psycopg_dialect()))  # type: ignore[no-untyped-call]


#: Every claim reachable from the given ones by confirmed same_claim links: (start, member).
_CLUSTERS = text(
    """
    WITH RECURSIVE reach(root, member) AS (
        SELECT id, id FROM unnest(CAST(:ids AS bigint[])) AS id
      UNION
        SELECT r.root,
               CASE WHEN l.claim_a_id = r.member THEN l.claim_b_id ELSE l.claim_a_id END
          FROM reach r
          JOIN claim_links l
            ON (l.claim_a_id = r.member OR l.claim_b_id = r.member)
           AND l.relation = 'same_claim' AND l.state = 'confirmed'
          JOIN claims m
            ON m.id = CASE WHEN l.claim_a_id = r.member THEN l.claim_b_id ELSE l.claim_a_id END
           AND m.status <> 'rejected'
    )
    SELECT root, member FROM reach
    """
)


def claim_clusters(session: Session, claim_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """For each claim, every appearance of the same claim (confirmed same_claim links,
    transitively), earliest publication first: the first is the claim's first appearance.
    Two queries for any number of claims."""
    if not claim_ids:
        return {}
    pairs = session.execute(_CLUSTERS, {"ids": claim_ids}).all()
    members = {m for _, m in pairs}
    rows = session.execute(
        select(
            Claim.id,
            Claim.text,
            Claim.claim_date,
            Speaker.id,
            Speaker.name,
            Document.id,
            Document.title,
            Document.published_on,
            Document.url,
            Outlet.name,
        )
        .join(Document, Document.id == Claim.document_id)
        .outerjoin(Outlet, Outlet.id == Document.outlet_id)
        .outerjoin(Speaker, Speaker.id == Claim.speaker_id)
        .where(Claim.id.in_(members))
    ).all()
    appearance = {
        r[0]: {
            "claim_id": r[0],
            "text": r[1],
            "claim_date": r[2],
            "speaker": {"id": r[3], "name": r[4]} if r[3] is not None else None,
            "document_id": r[5],
            "document_title": r[6],
            "published_on": r[7],
            "document_url": r[8],
            "outlet": r[9],
        }
        for r in rows
    }
    clusters: dict[int, list[dict[str, Any]]] = {}
    for root, member in pairs:
        if member in appearance:
            clusters.setdefault(root, []).append(appearance[member])
    for found in clusters.values():
        found.sort(
            key=lambda a: (
                a["published_on"] is None,
                a["published_on"] or date.min,
                a["claim_id"],
            )
        )
    return clusters


def claim_cluster(session: Session, claim_id: int) -> list[dict[str, Any]]:
    """Every appearance of the same claim, earliest publication first."""
    get_claim(session, claim_id)
    return claim_clusters(session, [claim_id]).get(claim_id, [])


def _part_date(claim: Claim, text: str) -> tuple[date | None, str | None]:
    """A split part's date: read again from its own words when the whole claim's date was
    the one its words gave ("approved it in 2022, | but it was not due to open until 2029":
    the second part is not 2022); a date a person set stays on both parts."""
    published = claim.document.published_on
    whole = resolve_date(claim.text, published)
    read = (whole.value, whole.precision) if whole else (None, None)
    if (claim.claim_date, claim.date_precision) != read:
        return claim.claim_date, claim.date_precision
    found = resolve_date(text, published)
    return (found.value, found.precision) if found else (None, None)


def split_claim(session: Session, actor: Actor, claim: Claim, at: int) -> tuple[Claim, Claim]:
    """Split an unreviewed candidate at a body offset into two claims made by hand (same
    speaker, attribution and date); the original is kept, rejected, pointing at both."""
    if claim.anchor_state == "orphaned":
        raise RuleViolation(
            "split-orphan",
            "this claim is not in the current text (a revision orphaned it): place it first",
            "at",
        )
    if claim.status != ClaimStatus.UNREVIEWED:
        raise RuleViolation(
            "split-unreviewed-only",
            f"only an unreviewed candidate can be split; this is {claim.status}",
            "at",
        )
    if not claim.span_start < at < claim.span_end:
        raise InvalidInput("at", "split inside the claim, leaving text on both sides")
    body = claim.document.body
    parts = []
    for start, end in ((claim.span_start, at), (at, claim.span_end)):
        while start < end and body[start].isspace():
            start += 1
        while end > start and body[end - 1].isspace():
            end -= 1
        parts.append((start, end))
    if any(s >= e for s, e in parts):
        raise InvalidInput("at", "split inside the claim, leaving text on both sides")
    made = [
        create_claim(
            session,
            actor,
            NewClaim(
                document_id=claim.document_id,
                span_start=start,
                span_end=end,
                speaker=SpeakerChoice(speaker_id=claim.speaker_id) if claim.speaker_id else None,
                attribution=Attribution(claim.attribution),
                cue=claim.cue,
                claim_date=dated[0],
                date_precision=DatePrecision(dated[1]) if dated[1] else None,
                checkworthiness=claim.checkworthiness,
                reasons=[f"split from claim {claim.id}"],
            ),
        )
        for start, end in parts
        for dated in [_part_date(claim, body[start:end])]
    ]
    decide_status(
        session,
        actor,
        claim,
        ClaimStatus.REJECTED,
        f"split into claims {made[0].id} and {made[1].id}",
        [],
    )
    return made[0], made[1]
