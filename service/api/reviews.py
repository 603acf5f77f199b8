"""Our reviews: an editor writes and publishes the review of a decided claim."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from schemas.reviews import ReviewOut, ReviewSave
from service.api.blueprint import Blueprint
from service.api.context import current_actor, db_session, requires, settings
from service.domain.enums import Role
from service.models import PublishedReview
from service.operations.claims import get_claim
from service.operations.reviews import draft_of, save_review
from service.reports.exports import review_url

blp = Blueprint(
    "reviews",
    __name__,
    url_prefix="/api/v1/claims",
    description="The review of a decided claim, as the public will read it; published, it "
    "has a public page (/reviews/{claim_id}) and is in the ClaimReview feed.",
)


def _shown(review: PublishedReview) -> dict[str, Any]:
    return {
        "claim_id": review.claim_id,
        "headline": review.headline,
        "body": review.body,
        "published": review.published_at is not None,
        "published_at": review.published_at,
        "url": review_url(settings().public_url, review.claim_id),
        "version": review.version,
    }


@blp.route("/<int:claim_id>/review")
class ClaimReviewText(MethodView):
    @requires(Role.REVIEWER)
    @blp.response(200, ReviewOut)
    def get(self, claim_id: int) -> Any:
        """The review as saved, or a draft from the decision (headline from the verdict,
        text from its rationale) when none was saved."""
        session = db_session()
        return _shown(draft_of(session, get_claim(session, claim_id)))

    @requires(Role.EDITOR)
    @blp.arguments(ReviewSave)
    @blp.response(200, ReviewOut)
    def put(self, data: dict[str, Any], claim_id: int) -> Any:
        """Edit the review's headline and text, publish it or withdraw it (editors). Only a
        decided claim has a review (409 otherwise)."""
        session = db_session()
        review = save_review(
            session,
            current_actor(),
            claim_id,
            headline=data.get("headline"),
            body=data.get("body"),
            published=data.get("published"),
            version=data["version"],
        )
        session.commit()
        return _shown(review)
