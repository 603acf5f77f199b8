"""Publishing our reviews: an editor writes the review of a decided claim (headline and text,
the decision's rationale to start from), publishes it, and may withdraw it. Only published
reviews have a public page and appear in the ClaimReview feed."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.domain.errors import Conflict, InvalidInput, NotFound
from service.models import Claim, Event, PublishedReview
from service.operations.actors import Actor
from service.operations.claims import review_flags
from service.operations.events import record_event, snapshot
from service.reports.exports import RATINGS, written_for


def _decision_rationale(session: Session, claim_id: int) -> str | None:
    return session.scalar(
        select(Event.reason)
        .where(
            Event.entity_type == "claims",
            Event.entity_id == claim_id,
            Event.action == "claim.status_changed",
        )
        .order_by(Event.id.desc())
        .limit(1)
    )


def _written_for(session: Session, review: PublishedReview) -> str | None:
    """The verdict a review's words were written for: kept since they are (written_for), or
    for a review saved before, the status its withdrawal event says it was withdrawn from."""
    return review.written_for or written_for(session, [review.claim_id]).get(review.claim_id)


def _check_headline_verdict(headline: str, status: str) -> None:
    """A headline that opens with a verdict ("Verified: …", as drafts start) names the
    claim's own: "Verified: …" over an Unverifiable rating tells readers the opposite."""
    said = headline.split(":", 1)[0].strip().casefold() if ":" in headline else ""
    own = RATINGS[status][1] if status in RATINGS else None
    for label in (label for _, label in RATINGS.values() if label != own):
        if said == label.casefold():
            raise InvalidInput(
                "headline",
                f"the headline gives the verdict {label!r}; the claim is {status}: "
                "say its verdict, or none",
            )


def draft_of(session: Session, claim: Claim) -> PublishedReview:
    """The claim's review as stored, or a fresh draft from its decision (not stored)."""
    found = session.get(PublishedReview, claim.id)
    if found is not None:
        return found
    return PublishedReview(
        claim_id=claim.id,
        headline=f"{RATINGS[claim.status][1]}: {claim.text}"[:300]
        if claim.status in RATINGS
        else claim.text[:300],
        body=_decision_rationale(session, claim.id) or "",
        published_at=None,
        version=0,
        written_for=claim.status,
    )


def save_review(
    session: Session,
    actor: Actor,
    claim_id: int,
    *,
    headline: str | None,
    body: str | None,
    published: bool | None,
    version: int,
) -> PublishedReview:
    """Edit the review text and publish or withdraw it. Only a decided claim has a review;
    a review cannot be published with an empty text. `version`: the one the editor's form
    was filled in on (0 for a draft not stored yet): another editor's save since is a 409,
    not overwritten."""
    claim = session.get(Claim, claim_id, with_for_update={"of": Claim})
    if claim is None:
        raise NotFound(f"no claim {claim_id}")
    if claim.status not in RATINGS:
        raise Conflict(f"claim {claim_id} is {claim.status}: only a decided claim has a review")
    stored = session.get(PublishedReview, claim_id, with_for_update=True)
    if version != (stored.version if stored else 0):
        raise Conflict(
            f"the review of claim {claim_id} changed while you were writing (now version "
            f"{stored.version if stored else 0}): yours was not saved; read theirs and save again"
        )
    review = stored or draft_of(session, claim)
    before = snapshot(stored) if stored else None
    rewritten = (headline is not None and headline.strip() != review.headline) or (
        body is not None and body.strip() != review.body
    )
    if published is True and review.published_at is None and stored and not rewritten:
        was = _written_for(session, stored)
        if was is not None and was != claim.status:
            # Withdrawn because the verdict changed: its words still give the old one (a
            # "Verified: …" headline over an "Unverifiable" badge).
            raise InvalidInput(
                "headline",
                f"this review was written when the claim was {was}; it is {claim.status} now: "
                "edit the headline and text to say so before publishing it again",
            )
    if published is True and review.published_at is None:
        warning = claim.review_flag or review_flags(session, [claim]).get(claim.id)
        if warning:
            # A published review tells the public the verdict holds: not while the service
            # says it may not (its text moved, its support is gone).
            raise Conflict(
                f"claim {claim_id} is to be looked at again before its review is published: "
                f"{warning}. Decide it again (the decision clears this), then publish"
            )
    if headline is not None:
        review.headline = headline.strip()
        _check_headline_verdict(review.headline, claim.status)
    if body is not None:
        review.body = body.strip()
    if rewritten or stored is None:
        review.written_for = claim.status
    if published is True and review.published_at is None:
        review.published_at = datetime.now(UTC)
    elif published is False:
        review.published_at = None
    if review.published_at is not None and not (review.headline and review.body):
        raise InvalidInput("body", "a published review needs a headline and a text")
    if stored is None:
        review.version = 1
        session.add(review)
    else:
        review.version += 1
    session.flush()
    action = (
        "review.published"
        if review.published_at and (before is None or before["published_at"] is None)
        else "review.withdrawn"
        if before and before["published_at"] and review.published_at is None
        else "review.edited"
    )
    record_event(session, actor, action, review, before=before, after=snapshot(review))
    return review


def published_review(session: Session, claim_id: int) -> tuple[Claim, PublishedReview]:
    """A review the public may read; NotFound for a draft, a withdrawn review, or none."""
    found = session.execute(
        select(Claim, PublishedReview)
        .join(PublishedReview, PublishedReview.claim_id == Claim.id)
        .where(Claim.id == claim_id, PublishedReview.published_at.is_not(None))
    ).first()
    if found is None or found[0].status not in RATINGS:
        raise NotFound(f"no published review of claim {claim_id}")
    return found[0], found[1]
