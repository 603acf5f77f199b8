"""The review queue: what waits for a person across documents. Suggested links, best first,
and unreviewed check-worthy claims, most check-worthy first, filterable by outlet and
speaker, in keyset pages; and bulk actions, each item its own event, all in one transaction
(a refused item refuses the batch and says which)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import and_, func, or_, select, tuple_
from sqlalchemy.orm import Session, aliased, joinedload

from service.domain.enums import ClaimStatus, LinkState
from service.domain.errors import Conflict, DomainError, InvalidInput
from service.extraction import CHECKWORTHY
from service.models import Claim, ClaimLink, Document, Outlet
from service.operations.actors import Actor
from service.operations.claims import decide_status, get_claim
from service.operations.links import get_link, review_link
from service.operations.speakers import speakers_named

PAGE = 100
#: At most this many items in one bulk action.
MAX_BULK = 500


@dataclass(frozen=True)
class QueuedClaim:
    claim: Claim
    title: str | None
    outlet: str | None


@dataclass(frozen=True)
class QueuedLink:
    link: ClaimLink
    a: Claim
    b: Claim
    a_outlet: str | None
    b_outlet: str | None


def _about(claim: Any, story: str) -> Any:
    """The claim's text matches the story's words (web search syntax, as story reports)."""
    return claim.tsv.bool_op("@@")(func.websearch_to_tsquery("english", story))


def _cursor(after: str | None) -> tuple[float, int] | None:
    """'score:id' of the last item shown."""
    if not after:
        return None
    try:
        score, ident = after.split(":")
        return float(score), int(ident)
    except ValueError:
        raise InvalidInput("after", "not a cursor this page gave") from None


T = TypeVar("T")


def _paged(
    rows: list[T], limit: int, key: Callable[[T], tuple[float, int]]
) -> tuple[list[T], str | None]:
    """A page of `limit` rows (one more was read to know), and the cursor of the next."""
    if len(rows) <= limit:
        return rows, None
    score, ident = key(rows[limit - 1])
    return rows[:limit], f"{score!r}:{ident}"


def queued_claims(
    session: Session,
    *,
    outlet: str | None = None,
    speaker: str | None = None,
    story: str | None = None,
    status: ClaimStatus = ClaimStatus.UNREVIEWED,
    after: str | None = None,
    limit: int = PAGE,
) -> tuple[list[QueuedClaim], str | None]:
    """Check-worthy claims in `status` (unreviewed, or rejected to restore), most
    check-worthy first (a partial index serves each), and the cursor of the next page."""
    stmt = (
        select(Claim, Document.title, Outlet.name)
        .join(Document, Document.id == Claim.document_id)
        .outerjoin(Outlet, Outlet.id == Document.outlet_id)
        .where(Claim.status == status, Claim.checkworthiness >= CHECKWORTHY)
        .options(joinedload(Claim.speaker))
        .order_by(Claim.checkworthiness.desc(), Claim.id.desc())
        .limit(limit + 1)
    )
    if outlet:
        stmt = stmt.where(Outlet.name == outlet)
    if speaker:
        stmt = stmt.where(Claim.speaker_id.in_(speakers_named(speaker)))
    if story:
        stmt = stmt.where(_about(Claim, story))
    cursor = _cursor(after)
    if cursor is not None:
        stmt = stmt.where(tuple_(Claim.checkworthiness, Claim.id) < tuple_(*cursor))
    rows = [QueuedClaim(c, t, o) for c, t, o in session.execute(stmt).unique()]
    return _paged(rows, limit, lambda r: (r.claim.checkworthiness, r.claim.id))


def queued_links(
    session: Session,
    *,
    outlet: str | None = None,
    speaker: str | None = None,
    story: str | None = None,
    after: str | None = None,
    limit: int = PAGE,
) -> tuple[list[QueuedLink], str | None]:
    """Suggested links, most confident first, with both claims and their outlets; filtered
    by an outlet, a speaker or a story's words on either side."""
    a, b = aliased(Claim), aliased(Claim)
    da, db = aliased(Document), aliased(Document)
    oa, ob = aliased(Outlet), aliased(Outlet)
    # A link suggested by hand has no score: it sorts as 0 (the index is on this expression).
    score = func.coalesce(ClaimLink.score, 0.0)
    stmt = (
        select(ClaimLink, a, b, oa.name, ob.name)
        .join(a, a.id == ClaimLink.claim_a_id)
        .join(b, b.id == ClaimLink.claim_b_id)
        .join(da, da.id == a.document_id)
        .join(db, db.id == b.document_id)
        .outerjoin(oa, oa.id == da.outlet_id)
        .outerjoin(ob, ob.id == db.outlet_id)
        .where(
            ClaimLink.state == LinkState.SUGGESTED,
            # Rejecting a claim deletes its suggestions; these are older than that rule.
            a.status != ClaimStatus.REJECTED,
            b.status != ClaimStatus.REJECTED,
        )
        .order_by(score.desc(), ClaimLink.id.desc())
        .limit(limit + 1)
    )
    if outlet:
        stmt = stmt.where(or_(oa.name == outlet, ob.name == outlet))
    if speaker:
        named = speakers_named(speaker)
        stmt = stmt.where(or_(a.speaker_id.in_(named), b.speaker_id.in_(named)))
    if story:
        stmt = stmt.where(or_(_about(a, story), _about(b, story)))
    cursor = _cursor(after)
    if cursor is not None:
        stmt = stmt.where(
            or_(score < cursor[0], and_(score == cursor[0], ClaimLink.id < cursor[1]))
        )
    rows = [QueuedLink(*row) for row in session.execute(stmt)]
    return _paged(rows, limit, lambda r: (r.link.score or 0.0, r.link.id))


def _ids(shown: dict[int, int]) -> list[int]:
    unique = sorted(shown)  # locked in id order: two bulk actions cannot deadlock
    if not unique:
        raise InvalidInput("_schema", "tick at least one item in the list first")
    if len(unique) > MAX_BULK:
        raise InvalidInput("_schema", f"at most {MAX_BULK} items at once: tick fewer")
    return unique


def _unchanged(version: int, shown: int) -> None:
    if version != shown:
        raise Conflict(f"it changed since the queue was shown (version {shown}, now {version})")


def _refused(kind: str, ident: int, exc: DomainError) -> DomainError:
    exc.detail = f"{kind} {ident}: {exc.detail}. Nothing was changed."
    return exc


def bulk_claim_status(
    session: Session, actor: Actor, shown: dict[int, int], status: ClaimStatus, rationale: str
) -> list[Claim]:
    """Reject candidates, or restore rejected ones (or any status the rules allow), one
    event per claim, under the same editorial rules as one at a time. `shown` maps each
    claim's id to the version the person saw: a claim changed since is refused."""
    done = []
    for ident in _ids(shown):
        try:
            claim = get_claim(session, ident, for_update=True)
            _unchanged(claim.version, shown[ident])
            done.append(decide_status(session, actor, claim, status, rationale, []))
        except DomainError as exc:
            raise _refused("claim", ident, exc) from exc
    return done


def bulk_review_links(
    session: Session, actor: Actor, shown: dict[int, int], state: LinkState, rationale: str
) -> list[ClaimLink]:
    """Confirm or reject suggested links, one event per link (`shown` as above)."""
    done = []
    for ident in _ids(shown):
        try:
            link = get_link(session, ident, for_update=True)
            _unchanged(link.version, shown[ident])
            done.append(
                review_link(session, actor, link, state=state, relation=None, rationale=rationale)
            )
        except DomainError as exc:
            raise _refused("link", ident, exc) from exc
    return done
