"""Syndicated copies: the near-duplicates found at ingest, and a reviewer's decision on each."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from schemas.copies import CopyOut, CopyReview
from service.api.blueprint import Blueprint
from service.api.context import current_actor, db_session, readable, requires
from service.domain.enums import LinkState, Role
from service.models import DocumentCopy
from service.operations.copies import get_copy, review_copy

blp = Blueprint(
    "copies",
    __name__,
    url_prefix="/api/v1/copies",
    description="Near-duplicate documents (a wire story reprinted) proposed as derived "
    "from the earlier one; confirmed, they count as one origin.",
)


def copy_etag(found: DocumentCopy) -> dict[str, int]:
    return {"id": found.id, "version": found.version}


@blp.route("/<int:copy_id>")
class CopyById(MethodView):
    @readable
    @blp.etag
    @blp.response(200, CopyOut)
    def get(self, copy_id: int) -> Any:
        """One copy suggestion with its resemblance and state."""
        found = get_copy(db_session(), copy_id)
        blp.set_etag(copy_etag(found))
        return found

    @requires(Role.REVIEWER)
    @blp.etag
    @blp.arguments(CopyReview)
    @blp.response(200, CopyOut)
    def patch(self, data: dict[str, Any], copy_id: int) -> Any:
        """Confirm (the copy derives from its source: independence counts one origin) or
        reject (never proposed again), with a rationale (If-Match)."""
        session = db_session()
        found = get_copy(session, copy_id, for_update=True)
        blp.check_etag(copy_etag(found))
        review_copy(session, current_actor(), copy_id, LinkState(data["state"]), data["rationale"])
        session.commit()
        blp.set_etag(copy_etag(found))
        return found
