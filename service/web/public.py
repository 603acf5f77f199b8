"""The public page of a published review (no sign-in), carrying its ClaimReview JSON-LD."""

from __future__ import annotations

import json
from typing import Any

from flask import render_template

from service.api.context import db_session, settings
from service.domain.errors import DomainError
from service.operations.reviews import published_review
from service.reports.exports import claim_review
from service.web import blp


@blp.get("/reviews/<int:claim_id>")
def public_review_page(claim_id: int) -> Any:
    """Our review of a claim, for anybody (no sign-in): only once an editor published it.
    It carries the same ClaimReview JSON-LD as the feed, which points here."""
    session = db_session()
    try:
        claim, review = published_review(session, claim_id)
    except DomainError as exc:
        return render_template("public_missing.html", reason=exc.detail), exc.status
    config = settings()
    organisation = {"name": config.organisation_name, "url": config.organisation_url}
    json_ld = claim_review(session, claim_id, organisation, config.public_url)
    return render_template(
        "public_review.html",
        claim=claim,
        review=review,
        json_ld=script_json(json_ld),
        rating=json_ld["reviewRating"]["alternateName"],
        speaker=json_ld["itemReviewed"].get("author", {}).get("name"),
        # When it was said, as the JSON-LD has it (the document's date), not the date the
        # claim speaks of ("lent 84,000 books in 2025" read as claimed on 2025-01-01).
        said_on=json_ld["itemReviewed"].get("datePublished"),
        appearances=json_ld["itemReviewed"].get("appearance", []),
        organisation=organisation,
    )


def script_json(value: Any) -> str:
    """JSON to sit inside a <script> element: every <, > and & as a \\u escape, so no text of
    an article ("</script>", "<!--<script>") can end the element or change how the HTML
    parser reads it; JSON parsers read the escapes as the same characters."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
