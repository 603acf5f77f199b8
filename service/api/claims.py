"""Claims: create, list, get, edit and decide, each write guarded by roles and ETags."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from sqlalchemy.orm import Session

from schemas.claims import (
    ClaimCreate,
    ClaimDetailOut,
    ClaimHistoryQuery,
    ClaimOut,
    ClaimPatch,
    ClaimQuery,
    ClusterMemberOut,
    StatusChange,
    SuggestionOut,
)
from schemas.common import EventSchema
from service.api.blueprint import Blueprint
from service.api.context import (
    bearer_actor,
    current_actor,
    db_session,
    next_link,
    readable,
    requires,
)
from service.domain.enums import Attribution, ClaimStatus, DatePrecision, Role
from service.operations.claims import (
    ClaimChanges,
    ClaimFilters,
    EvidenceItem,
    NewClaim,
    SpeakerChoice,
    claim_cluster,
    claim_history,
    claim_view,
    create_claim,
    decide_status,
    edit_claim,
    get_claim,
    list_claims,
)
from service.operations.events import REVIEW_ENTITIES
from service.operations.suggestions import suggestions_view

_DETAIL = ClaimDetailOut()

blp = Blueprint(
    "claims",
    __name__,
    url_prefix="/api/v1/claims",
    description="Check-worthy claims anchored to spans of documents.",
)


def check_claim_etag(session: Session, claim_id: int) -> None:
    """412 unless If-Match names the claim as it is now, whole representation included.

    The ETag of a claim is the hash of what GET shows (flask-smorest computes it from the
    response), so it changes with the claim's version and also with its corroboration or its
    speaker's name: an editor who decided on a stale view is asked to look again."""
    blp.check_etag(_DETAIL.dump(claim_view(session, claim_id)))


@blp.route("")
class Claims(MethodView):
    @readable
    @blp.arguments(ClaimQuery, location="query")
    @blp.response(200, ClaimOut(many=True))
    def get(self, query: dict[str, Any]) -> Any:
        """List claims with filters (document, outlet, speaker, status, attribution, dates, q,
        needs_review)."""
        limit, after = query.pop("limit"), query.pop("after", None)
        claims, cursor = list_claims(db_session(), ClaimFilters(**query), after=after, limit=limit)
        return claims, 200, next_link(cursor)

    @requires(Role.REVIEWER)
    @blp.etag
    @blp.arguments(ClaimCreate)
    @blp.response(201, ClaimDetailOut)
    def post(self, data: dict[str, Any]) -> Any:
        """Add a claim by hand: its span must lie in the body and `text` equal that slice."""
        session = db_session()
        speaker = None
        if "speaker_id" in data or "speaker_name" in data:
            speaker = SpeakerChoice(data.pop("speaker_id", None), data.pop("speaker_name", None))
        span = data.pop("span")
        precision = data.pop("date_precision", None)
        claim = create_claim(
            session,
            current_actor(),
            NewClaim(
                span_start=span["start"],
                span_end=span["end"],
                speaker=speaker,
                attribution=Attribution(data.pop("attribution")),
                date_precision=DatePrecision(precision) if precision else None,
                **data,
            ),
        )
        session.commit()
        return (
            claim_view(session, claim.id),
            201,
            {"Location": f"/api/v1/claims/{claim.id}"},
        )


@blp.route("/<int:claim_id>")
class ClaimById(MethodView):
    @readable
    @blp.etag
    @blp.response(200, ClaimDetailOut)
    def get(self, claim_id: int) -> Any:
        """One claim, with its evidence; the ETag is what edits and decisions must send back."""
        return claim_view(db_session(), claim_id)

    @requires(Role.REVIEWER)
    @blp.etag
    @blp.arguments(ClaimPatch)
    @blp.response(200, ClaimDetailOut)
    def patch(self, data: dict[str, Any], claim_id: int) -> Any:
        """Correct a claim's span, speaker, attribution, date or scores (If-Match required)."""
        session = db_session()
        claim = get_claim(session, claim_id, for_update=True)
        check_claim_etag(session, claim.id)
        reason = data.pop("reason", None)
        edit_claim(session, current_actor(), claim, ClaimChanges(data), reason)
        session.commit()
        return claim_view(session, claim.id)


@blp.route("/<int:claim_id>/status")
class ClaimStatusView(MethodView):
    @requires(Role.REVIEWER)
    @blp.etag
    @blp.arguments(StatusChange)
    @blp.response(200, ClaimDetailOut)
    def put(self, data: dict[str, Any], claim_id: int) -> Any:
        """Decide a claim's status under the editorial rules (If-Match required).

        Verdicts need the editor role; rejecting or restoring a candidate needs a reviewer.
        `verified` needs independent corroboration or an evidence URL; `disputed` and `false`
        need a confirmed conflict or an evidence URL; every change needs a rationale.
        """
        session = db_session()
        # Lock the row first: of two requests holding the same ETag, the second waits here,
        # then sees the new version and gets 412.
        claim = get_claim(session, claim_id, for_update=True)
        check_claim_etag(session, claim.id)
        evidence = [EvidenceItem(**item) for item in data["evidence"]]
        decide_status(
            session,
            current_actor(),
            claim,
            ClaimStatus(data["status"]),
            data["rationale"],
            evidence,
        )
        session.commit()
        return claim_view(session, claim.id)


@blp.route("/<int:claim_id>/history")
class ClaimHistory(MethodView):
    @readable
    @blp.arguments(ClaimHistoryQuery, location="query")
    @blp.response(200, EventSchema(many=True))
    def get(self, args: dict[str, Any], claim_id: int) -> Any:
        """Every change to the claim, oldest first: who, when, what, before, after, why.

        Still answers for a claim that re-extraction replaced: its history outlives it. With
        `links=true`, the life of each of its links too (a deleted link's included). The
        events of its review's text (drafts) are given with a key only.
        """
        events = claim_history(db_session(), claim_id, links=args["links"])
        if bearer_actor() is None:
            events = [e for e in events if e.entity_type not in REVIEW_ENTITIES]
        return events


@blp.route("/<int:claim_id>/suggestions")
class ClaimSuggestions(MethodView):
    @readable
    @blp.response(200, SuggestionOut(many=True))
    def get(self, claim_id: int) -> Any:
        """Fresh link suggestions for the claim (top 10), each with its relation guess and why.

        Claims of other documents found by full-text search or sharing the speaker, scored on
        shared words, entities, numbers and dates; reviewed pairs are left out."""
        session = db_session()
        return suggestions_view(session, get_claim(session, claim_id))


@blp.route("/<int:claim_id>/cluster")
class ClaimClusterView(MethodView):
    @readable
    @blp.response(200, ClusterMemberOut(many=True))
    def get(self, claim_id: int) -> Any:
        """Every appearance of the same claim across documents, earliest first."""
        return claim_cluster(db_session(), claim_id)
