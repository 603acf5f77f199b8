"""Links between claims: create, list, confirm or reject, delete."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from schemas.links import LinkCreate, LinkDelete, LinkOut, LinkQuery, LinkReview
from service.api.blueprint import Blueprint
from service.api.context import current_actor, db_session, next_link, readable, requires
from service.domain.enums import LinkRelation, LinkState, Role
from service.models import ClaimLink
from service.operations.links import (
    LinkFilters,
    NewLink,
    create_link,
    delete_link,
    get_link,
    list_links,
    review_link,
)

blp = Blueprint(
    "links",
    __name__,
    url_prefix="/api/v1/links",
    description="Corroborating, conflicting and same-claim links across documents.",
)


def link_etag(link: ClaimLink) -> dict[str, int]:
    return {"link": link.id, "version": link.version}


@blp.route("")
class Links(MethodView):
    @readable
    @blp.arguments(LinkQuery, location="query")
    @blp.response(200, LinkOut(many=True))
    def get(self, query: dict[str, Any]) -> Any:
        """List links by claim, relation and state."""
        limit, after = query.pop("limit"), query.pop("after", None)
        links, cursor = list_links(db_session(), LinkFilters(**query), after=after, limit=limit)
        return links, 200, next_link(cursor)

    @requires(Role.REVIEWER)
    @blp.etag
    @blp.arguments(LinkCreate)
    @blp.response(201, LinkOut)
    def post(self, data: dict[str, Any]) -> Any:
        """Link two claims of different documents (one link per unordered pair)."""
        session = db_session()
        link = create_link(
            session,
            current_actor(),
            NewLink(
                claim_ids=(data["claim_a_id"], data["claim_b_id"]),
                relation=LinkRelation(data["relation"]),
                state=LinkState(data["state"]),
                rationale=data.get("rationale"),
            ),
        )
        session.commit()
        blp.set_etag(link_etag(link))
        return link, 201, {"Location": f"/api/v1/links/{link.id}"}


@blp.route("/<int:link_id>")
class LinkById(MethodView):
    @readable
    @blp.etag
    @blp.response(200, LinkOut)
    def get(self, link_id: int) -> Any:
        """One link."""
        link = get_link(db_session(), link_id)
        blp.set_etag(link_etag(link))
        return link

    @requires(Role.REVIEWER)
    @blp.etag
    @blp.arguments(LinkReview)
    @blp.response(200, LinkOut)
    def patch(self, data: dict[str, Any], link_id: int) -> Any:
        """Confirm or reject a link, optionally correcting its relation (If-Match required)."""
        session = db_session()
        link = get_link(session, link_id, for_update=True)
        blp.check_etag(link_etag(link))
        relation = LinkRelation(data["relation"]) if "relation" in data else None
        review_link(
            session,
            current_actor(),
            link,
            state=LinkState(data["state"]),
            relation=relation,
            rationale=data["rationale"],
        )
        session.commit()
        blp.set_etag(link_etag(link))
        return link

    @requires(Role.EDITOR)
    @blp.etag
    @blp.arguments(LinkDelete)
    @blp.response(204)
    def delete(self, data: dict[str, Any], link_id: int) -> Any:
        """Delete a link (editors only, If-Match required, with a reason); its history is
        kept."""
        session = db_session()
        link = get_link(session, link_id, for_update=True)
        blp.check_etag(link_etag(link))
        delete_link(session, current_actor(), link, data.get("reason") or data.get("rationale"))
        session.commit()
