"""The review queue page: suggested links and unreviewed check-worthy claims across every
document, with bulk actions (each item still one event, the batch one transaction)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import redirect, render_template, request, url_for
from flask_login import login_required

from service.api.context import db_session
from service.domain.enums import ClaimStatus, LinkState, Role
from service.domain.errors import DomainError
from service.operations.inbox import outlets
from service.operations.queue import (
    bulk_claim_status,
    bulk_review_links,
    queued_claims,
    queued_links,
)
from service.web import _role, blp, person_actor_of


def _args() -> Any:
    return request.args if request.method == "GET" else request.form


def _filters() -> dict[str, str | None]:
    args = _args()
    return {
        "outlet": args.get("outlet", "").strip()[:200] or None,
        "speaker": args.get("speaker", "").strip()[:200] or None,
        "story": args.get("story", "").strip()[:200] or None,
    }


def _page(problem: str | None = None, status: int = 200, done: str | None = None) -> Any:
    session = db_session()
    filters = _filters()
    outlet, speaker, story = filters["outlet"], filters["speaker"], filters["story"]
    rejected = bool(_args().get("rejected"))
    claims, claims_next = queued_claims(
        session,
        outlet=outlet,
        speaker=speaker,
        story=story,
        status=ClaimStatus.REJECTED if rejected else ClaimStatus.UNREVIEWED,
        after=request.args.get("claims_after"),
    )
    links, links_next = queued_links(
        session, outlet=outlet, speaker=speaker, story=story, after=request.args.get("links_after")
    )
    return (
        render_template(
            "queue.html",
            claims=claims,
            claims_next=claims_next,
            links=links,
            links_next=links_next,
            filters=filters,
            outlets=outlets(db_session()),
            problem=problem,
            done=done or request.args.get("done", "")[:80],
            typed=request.form if request.method == "POST" else {},
            picked=set(request.form.getlist("link") + request.form.getlist("claim")),
            rejected=rejected,
            can_review=_role().allows(Role.REVIEWER),
        ),
        status,
    )


@blp.get("/queue")
@login_required
def queue_page() -> Any:
    return _page()


def _shown(prefix: str) -> dict[int, int]:
    """The ticked items with the version each was shown at ('id:version')."""
    out = {}
    for value in request.form.getlist(prefix):
        ident, _, version = value.partition(":")
        if ident.isdigit() and version.isdigit():
            out[int(ident)] = int(version)
    return out


@blp.post("/queue")
@login_required
def queue_submit() -> Any:
    if not _role().allows(Role.REVIEWER):
        return _page("Reviewing the queue needs the reviewer role.", 403)
    session = db_session()
    action = request.form.get("action", "")
    rationale = request.form.get("rationale", "")
    actor = person_actor_of(session)
    try:
        if action in ("reject-claims", "restore-claims"):
            status = ClaimStatus.REJECTED if action == "reject-claims" else ClaimStatus.UNREVIEWED
            count = len(bulk_claim_status(session, actor, _shown("claim"), status, rationale))
            said = "restored to unreviewed" if status == ClaimStatus.UNREVIEWED else status
            done = f"{count} claim{'' if count == 1 else 's'} {said}"
        elif action in ("confirm-links", "reject-links"):
            state = LinkState.CONFIRMED if action == "confirm-links" else LinkState.REJECTED
            count = len(bulk_review_links(session, actor, _shown("link"), state, rationale))
            done = f"{count} link{'' if count == 1 else 's'} {state}"
        else:
            return _page("Choose an action.", 422)
    except DomainError as exc:
        session.rollback()
        return _page(exc.detail, exc.status)
    session.commit()
    kept: dict[str, str] = {k: v for k, v in _filters().items() if v}
    if action == "restore-claims":
        kept["rejected"] = "1"
    return redirect(url_for("web.queue_page") + "?" + urlencode({"done": done, **kept}))
