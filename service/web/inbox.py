"""The inbox: "my work", documents newest first with what waits in each, and claim search."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user, login_required

from service.api.context import db_session
from service.domain.enums import ClaimStatus, DocumentKind
from service.domain.errors import InvalidInput
from service.operations.assignments import my_work
from service.operations.inbox import inbox, outlets, search_claims, verdicts_to_review
from service.web import blp

#: Claim search results per page, and how deep the pages go (by offset).
SEARCH_PAGE = 50
MAX_SEARCH_PAGE = 200


@blp.get("/")
@login_required
def inbox_page() -> str:
    session = db_session()
    args = request.args
    q = args.get("q", "").strip()[:200]
    kind = args.get("kind") if args.get("kind") in set(DocumentKind) else None
    status = args.get("status") if args.get("status") in set(ClaimStatus) else None
    outlet = args.get("outlet", "").strip()[:200] or None
    page = min(max(args.get("page", 1, type=int) or 1, 1), MAX_SEARCH_PAGE)
    review_after = args.get("review_after", "")[:200] or None
    try:
        to_review, review_next = verdicts_to_review(session, after=review_after)
    except InvalidInput:  # a cursor this list did not issue (edited, or from another list)
        review_after = None
        to_review, review_next = verdicts_to_review(session)
    found = search_claims(session, q, SEARCH_PAGE + 1, (page - 1) * SEARCH_PAGE) if q else []
    return render_template(
        "inbox.html",
        mine=my_work(session, current_user.user_id),
        to_review=to_review,
        review_after=review_after,
        review_next=review_next,
        rows=inbox(session, outlet=outlet, kind=kind, status=status),
        found=found[:SEARCH_PAGE],
        page=page,
        more=len(found) > SEARCH_PAGE and page < MAX_SEARCH_PAGE,
        q=q,
        kind=kind,
        status=status,
        outlet=outlet,
        kinds=list(DocumentKind),
        statuses=list(ClaimStatus),
        outlets=outlets(session),
    )
