"""External fact-checks: import ClaimReview, read it, and review its matches with claims."""

from __future__ import annotations

import json
from typing import Any

from flask.views import MethodView
from sqlalchemy import select

from schemas.factchecks import (
    ClaimMatchesQuery,
    FactCheckFullOut,
    FactCheckImport,
    FactCheckOut,
    FactCheckQuery,
    ImportOut,
    LabelOut,
    LabelSet,
    MatchOut,
    MatchReview,
)
from service.api.blueprint import Blueprint
from service.api.context import current_actor, db_session, next_link, readable, requires
from service.domain.enums import LinkState, Role
from service.domain.errors import InvalidInput
from service.factchecks.claimreview import (
    ItemError,
    items_from_feed,
    review_of,
    reviews_from_html,
)
from service.models import FactCheck, FactCheckMatch, RatingLabel
from service.operations.factchecks import (
    get_fact_check,
    get_match,
    import_reviews,
    matches_of,
    review_match,
    set_label,
)
from service.operations.pagination import keyset_page

blp = Blueprint(
    "factchecks",
    __name__,
    url_prefix="/api/v1",
    description="Fact-checks published elsewhere (ClaimReview): imported, matched with our "
    "claims, confirmed or rejected by a reviewer.",
)


def _reviews(data: dict[str, Any]) -> tuple[list[Any], str]:
    try:
        if "html" in data:
            reviews = reviews_from_html(data["html"], data.get("url"))
            if not reviews:
                raise InvalidInput("html", "the page has no ClaimReview in its JSON-LD")
            return reviews, "html"
        feed = data["feed"]
        text = feed if isinstance(feed, str) else json.dumps(feed)
        items = items_from_feed(text)
        if not items:
            raise InvalidInput("feed", "no ClaimReview item in the feed")
        return [review_of(item, f"item {n}") for n, item in enumerate(items, start=1)], "feed"
    except ItemError as exc:
        raise InvalidInput(
            "html" if "html" in data else "feed", f"{exc.where}: {exc.field}: {exc.message}"
        ) from None


@blp.route("/fact-checks")
class FactChecks(MethodView):
    @readable
    @blp.arguments(FactCheckQuery, location="query")
    @blp.response(200, FactCheckOut(many=True))
    def get(self, query: dict[str, Any]) -> Any:
        """Imported fact-checks, oldest first."""
        stmt = select(FactCheck)
        if query.get("publisher"):
            stmt = stmt.where(FactCheck.publisher == query["publisher"])
        checks, cursor = keyset_page(
            db_session(), stmt, [FactCheck.id], after=query.get("after"), limit=query["limit"]
        )
        return checks, 200, next_link(cursor)

    @requires(Role.REVIEWER)
    @blp.arguments(FactCheckImport)
    @blp.response(200, ImportOut)
    def post(self, data: dict[str, Any]) -> Any:
        """Import ClaimReview from a fact-check page (its JSON-LD) or a feed. Idempotent by
        review URL and claim: the same items again change nothing. Every item is checked
        first; one broken item stores nothing (422 names it and its field)."""
        session = db_session()
        reviews, source = _reviews(data)
        result = import_reviews(session, current_actor(), reviews, source)
        session.commit()
        return {
            "created": len(result.created),
            "updated": len(result.updated),
            "unchanged": len(result.unchanged),
            "matches": result.matches,
            "fact_checks": result.created + result.updated + result.unchanged,
        }


@blp.route("/fact-checks/<int:fact_check_id>")
class FactCheckById(MethodView):
    @readable
    @blp.response(200, FactCheckFullOut)
    def get(self, fact_check_id: int) -> Any:
        """One fact-check, with its ClaimReview JSON-LD verbatim."""
        return get_fact_check(db_session(), fact_check_id)


@blp.route("/claims/<int:claim_id>/fact-checks")
class ClaimFactChecks(MethodView):
    @readable
    @blp.arguments(ClaimMatchesQuery, location="query")
    @blp.response(200, MatchOut(many=True))
    def get(self, query: dict[str, Any], claim_id: int) -> Any:
        """Fact-checks published elsewhere that may check this claim: confirmed first, then
        the most likely; rejected ones only with `rejected=true`, last."""
        return matches_of(db_session(), claim_id, rejected=query["rejected"])


def _match_etag(found: FactCheckMatch) -> Any:
    """The match as shown, fact-check included: a re-import that changes the review's
    rating changes what a client sees, and so its ETag (the match's version does not move)."""
    return MatchOut().dump(found)


@blp.route("/fact-check-matches/<int:match_id>")
class MatchById(MethodView):
    @readable
    @blp.etag
    @blp.response(200, MatchOut)
    def get(self, match_id: int) -> Any:
        """One match between a claim and a fact-check."""
        found = get_match(db_session(), match_id)
        blp.set_etag(_match_etag(found))
        return found

    @requires(Role.REVIEWER)
    @blp.etag
    @blp.arguments(MatchReview)
    @blp.response(200, MatchOut)
    def patch(self, data: dict[str, Any], match_id: int) -> Any:
        """Confirm (the review checks this claim: evidence an editor may cite) or reject
        (never proposed again), with a rationale (If-Match)."""
        session = db_session()
        found = get_match(session, match_id, for_update=True)
        blp.check_etag(_match_etag(found))
        review_match(
            session, current_actor(), match_id, LinkState(data["state"]), data["rationale"]
        )
        session.commit()
        blp.set_etag(_match_etag(found))
        return found


@blp.route("/rating-labels")
class RatingLabels(MethodView):
    @readable
    @blp.response(200, LabelOut(many=True))
    def get(self) -> Any:
        """How publishers' rating labels read in our vocabulary."""
        return db_session().scalars(select(RatingLabel).order_by(RatingLabel.label)).all()


@blp.route("/rating-labels/<string:label>")
class RatingLabelByName(MethodView):
    @requires(Role.ADMIN)
    @blp.arguments(LabelSet)
    @blp.response(200, LabelOut)
    def put(self, data: dict[str, Any], label: str) -> Any:
        """Set what a rating label means (admins); stored fact-checks with it follow."""
        session = db_session()
        found = set_label(session, current_actor(), label, data["status"])
        session.commit()
        return found
