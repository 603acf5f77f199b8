"""Machine-readable outputs: schema.org ClaimReview, W3C Web Annotation, NDJSON export.

ClaimReview rating scale (documented in the API): 1 False, 2 Disputed, 3 Unverifiable,
4 Verified; worstRating 1, bestRating 4. The textual rating (alternateName) is what search
engines show; the number orders verdicts for tools.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Text,
    case,
    cast,
    func,
    literal,
    literal_column,
    or_,
    select,
    text,
    tuple_,
)
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.orm import Session

from service.domain.enums import ClaimStatus, SpeakerKind
from service.domain.errors import Conflict, InvalidInput, NotFound
from service.models import Claim, ClaimLink, Document, Event, Outlet, PublishedReview, Speaker
from service.operations.claims import claim_clusters, review_flags
from service.operations.events import OWN_TXID, SNAPSHOT_XMIN
from service.operations.pagination import decode_cursor

#: A verdict's place on the 1 (False) to 4 (Verified) scale, and its name. "Unverifiable" is
#: no point on a scale of truth (a 3 read as "mostly true"): it is given by name only.
RATINGS: dict[str, tuple[int | None, str]] = {
    ClaimStatus.FALSE.value: (1, "False"),
    ClaimStatus.DISPUTED.value: (2, "Disputed"),
    ClaimStatus.UNVERIFIABLE.value: (None, "Unverifiable"),
    ClaimStatus.VERIFIED.value: (4, "Verified"),
}
#: Rows fetched per round trip by the streaming export.
EXPORT_BATCH = 2000


def _iso(x: date | datetime | None) -> str | None:
    return x.isoformat() if x else None


def _person(name: str | None, kind: str | None) -> dict[str, Any] | None:
    if not name:
        return None
    kind_type = "Organization" if kind == SpeakerKind.ORGANISATION else "Person"
    return {"@type": kind_type, "name": name}


#: Decided claims reviewed per batch by the ClaimReview export.
REVIEW_BATCH = 500


def _review(
    row: Any,
    decided: tuple[datetime, str | None] | None,
    appearances: list[dict[str, Any]],
    organisation: dict[str, str],
    public_url: str,
    stale: bool = False,
) -> dict[str, Any]:
    """`stale`: the stored review's words were written for another verdict (written_for)."""
    claim, speaker, kind, published_on, outlet, published = row
    value, label = RATINGS[claim.status]
    works = [
        {
            k: v
            for k, v in {
                "@type": "CreativeWork",
                "headline": a["document_title"],
                "datePublished": _iso(a["published_on"]),
                "author": {"@type": "Organization", "name": a["outlet"]} if a["outlet"] else None,
                "url": a["document_url"],
            }.items()
            if v is not None
        }
        for a in appearances
    ]
    author = _person(speaker, kind) or (
        {"@type": "Organization", "name": outlet} if outlet else None
    )
    item: dict[str, Any] = {
        "@type": "Claim",
        "author": author,
        # When the claim entered public discourse: the day its document appeared. A claim's
        # own date is the date of the event or statement it speaks of ("in 2022" is a year,
        # stored as its first day): only a day-precise date stands in, for an undated text.
        "datePublished": _iso(
            published_on or (claim.claim_date if claim.date_precision == "day" else None)
        ),
        "appearance": works,
        "firstAppearance": works[0] if works else None,
    }
    review: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        # The public page of the review (/reviews/{id}); it answers once an editor publishes.
        "url": review_url(public_url, claim.id),
        "claimReviewed": claim.text,
        "itemReviewed": {k: v for k, v in item.items() if v is not None},
        "author": {"@type": "Organization", **organisation},
        "datePublished": _iso(decided[0].date() if decided else claim.updated_at.date()),
        "reviewRating": {
            "@type": "Rating",
            **({} if value is None else {"ratingValue": value, "bestRating": 4, "worstRating": 1}),
            "alternateName": label,
            "name": label,
        },
    }
    if published is not None and published.published_at is not None:
        review["headline"] = published.headline
        review["reviewBody"] = published.body
        review["datePublished"] = _iso(published.published_at.date())
        review["creativeWorkStatus"] = "Published"
        return review
    # Until an editor publishes it, the review is a draft (creativeWorkStatus): it has no page
    # yet and no date of publication, so neither `url` nor `datePublished` is given.
    review["creativeWorkStatus"] = "Draft"
    del review["url"], review["datePublished"]
    if published is not None and not stale:
        review["headline"] = published.headline
        review["reviewBody"] = published.body
    else:
        # No words of the editor's yet, or words a verdict change withdrew (they give the old
        # verdict): the draft says the verdict and its rationale, as a new draft starts.
        review["headline"] = f"{label}: {claim.text}"[:300]
        if decided and decided[1]:
            review["reviewBody"] = decided[1]
    return review


def _stale(review: PublishedReview | None, withdrawn_from: str | None, status: str) -> bool:
    """Whether a stored review's words were written for a verdict other than `status`."""
    if review is None:
        return False
    was = review.written_for or withdrawn_from
    return was is not None and was != status


def written_for(session: Session, claim_ids: list[int]) -> dict[int, str]:
    """{claim id: the verdict its review's words were written for} for the reviews a verdict
    change withdrew and nobody has saved since: the status their last event says they were
    withdrawn from. One query however many claims."""
    found = {}
    for claim_id, action, reason in session.execute(
        select(Event.entity_id, Event.action, Event.reason)
        .where(Event.entity_type == "published_reviews", Event.entity_id.in_(claim_ids))
        .order_by(Event.entity_id, Event.id.desc())
        .ext(distinct_on(Event.entity_id))
    ):
        was = re.match(r"the verdict changed from (\w+) to", reason or "")
        if action == "review.withdrawn" and was:
            found[int(claim_id)] = was.group(1)
    return found


def review_url(public_url: str, claim_id: int) -> str:
    """Where the public reads our review of a claim (CLAIMDESK_PUBLIC_URL is the base)."""
    return f"{public_url.rstrip('/')}/reviews/{claim_id}"


def claim_reviews(
    session: Session, claim_ids: list[int], organisation: dict[str, str], public_url: str
) -> list[dict[str, Any]]:
    """ClaimReview JSON-LD for decided claims, in the order given, in four queries for the
    whole batch (claims, latest decisions, clusters, their documents). Undecided or missing
    claims are left out."""
    rows = {
        r[0].id: r
        for r in session.execute(
            select(
                Claim,
                Speaker.name,
                Speaker.kind,
                Document.published_on,
                Outlet.name,
                PublishedReview,
            )
            .join(Document, Document.id == Claim.document_id)
            .outerjoin(Outlet, Outlet.id == Document.outlet_id)
            .outerjoin(Speaker, Speaker.id == Claim.speaker_id)
            .outerjoin(PublishedReview, PublishedReview.claim_id == Claim.id)
            .where(Claim.id.in_(claim_ids), Claim.status.in_(list(RATINGS)))
        )
    }
    decisions = {
        entity_id: (occurred_at, reason)
        for entity_id, occurred_at, reason in session.execute(
            select(Event.entity_id, Event.occurred_at, Event.reason)
            .where(
                Event.entity_type == "claims",
                Event.entity_id.in_(list(rows)),
                Event.action == "claim.status_changed",
            )
            .order_by(Event.entity_id, Event.id.desc())
            .ext(distinct_on(Event.entity_id))
        )
    }
    clusters = claim_clusters(session, list(rows))
    # Reviews saved before their verdict was kept: their withdrawal events say it.
    drafts = [
        i
        for i, r in rows.items()
        if r[5] is not None and r[5].published_at is None and r[5].written_for is None
    ]
    words_for = written_for(session, drafts) if drafts else {}
    return [
        _review(
            rows[i],
            decisions.get(i),
            clusters.get(i, []),
            organisation,
            public_url,
            stale=_stale(rows[i][5], words_for.get(i), rows[i][0].status),
        )
        for i in claim_ids
        if i in rows
    ]


def claim_review(
    session: Session, claim_id: int, organisation: dict[str, str], public_url: str
) -> dict[str, Any]:
    """ClaimReview JSON-LD for a decided claim; Conflict (409) while it is undecided."""
    status = session.scalar(select(Claim.status).where(Claim.id == claim_id))
    if status is None:
        raise NotFound(f"no claim {claim_id}")
    if status not in RATINGS:
        raise Conflict(f"claim {claim_id} is {status}: only decided claims have a review")
    return claim_reviews(session, [claim_id], organisation, public_url)[0]


def all_claim_reviews(
    session: Session, organisation: dict[str, str], public_url: str, *, published_only: bool = False
) -> Iterator[dict[str, Any]]:
    """Every decided claim's review (with `published_only`, those an editor published), by
    id, a batch at a time (keyset over ids)."""
    after = 0
    while True:
        stmt = select(Claim.id).where(Claim.status.in_(list(RATINGS)), Claim.id > after)
        if published_only:
            stmt = stmt.join(PublishedReview, PublishedReview.claim_id == Claim.id).where(
                PublishedReview.published_at.is_not(None)
            )
        ids = list(session.scalars(stmt.order_by(Claim.id).limit(REVIEW_BATCH)))
        if not ids:
            return
        yield from claim_reviews(session, ids, organisation, public_url)
        after = ids[-1]


def annotation(session: Session, claim_id: int, public_url: str) -> dict[str, Any]:
    """The claim as a W3C Web Annotation on its document: the quote with its context
    (TextQuoteSelector) and its character offsets (TextPositionSelector)."""
    row = session.execute(
        select(Claim, Document.url, Speaker.name)
        .join(Document, Document.id == Claim.document_id)
        .outerjoin(Speaker, Speaker.id == Claim.speaker_id)
        .where(Claim.id == claim_id)
    ).first()
    if row is None:
        raise NotFound(f"no claim {claim_id}")
    claim, document_url, speaker = row
    base = public_url.rstrip("/")
    body = [
        {"type": "TextualBody", "purpose": "tagging", "value": "claim"},
        {"type": "TextualBody", "purpose": "assessing", "value": claim.status},
    ]
    if speaker:
        body.append(
            {"type": "TextualBody", "purpose": "describing", "value": f"speaker: {speaker}"}
        )
    return {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": f"{base}/api/v1/claims/{claim.id}/annotation",
        "type": "Annotation",
        "motivation": "highlighting",
        "created": _iso(claim.created_at),
        "modified": _iso(claim.updated_at),
        "body": body,
        "target": {
            "source": document_url or f"{base}/api/v1/documents/{claim.document_id}",
            "selector": [
                {
                    "type": "TextQuoteSelector",
                    "exact": claim.text,
                    "prefix": claim.prefix,
                    "suffix": claim.suffix,
                },
                # An orphan's offsets belong to an earlier revision of the text: only its
                # quote is given, which is what a reader re-anchors from anyway.
                *(
                    []
                    if claim.anchor_state == "orphaned"
                    else [
                        {
                            "type": "TextPositionSelector",
                            "start": claim.span_start,
                            "end": claim.span_end,
                        }
                    ]
                ),
            ],
        },
    }


_LINKS = (
    select(
        func.coalesce(
            func.jsonb_agg(
                func.jsonb_build_object(
                    "id",
                    ClaimLink.id,
                    "other_claim_id",
                    func.coalesce(
                        func.nullif(ClaimLink.claim_a_id, Claim.id), ClaimLink.claim_b_id
                    ),
                    "relation",
                    ClaimLink.relation,
                    "state",
                    ClaimLink.state,
                )
            ),
            func.jsonb_build_array(),
        )
    )
    .where(or_(ClaimLink.claim_a_id == Claim.id, ClaimLink.claim_b_id == Claim.id))
    .correlate(Claim)
    .scalar_subquery()
)


#: The export's frontier: the oldest transaction running anywhere on the server when the
#: export starts, read once (a frontier read again per batch could move past a claim that
#: committed between two batches under it).
_FRONTIER = text(f"SELECT {SNAPSHOT_XMIN}")


def _settled(frontier: int) -> Any:
    """The claims every later snapshot sees as they are now: written by transactions older
    than the frontier (and the reader's own, for a test nested in one). In (txid, id) order
    they come first. A claim a transaction still running writes sorts after all of them once
    it commits, so the export lists every committed claim, but a claim past the frontier
    carries the frontier's cursor, (frontier - 1, the largest id): resuming from it lists
    those claims again with whatever committed late among them. At least once, never lost,
    never held back."""
    return or_(Claim.txid < frontier, Claim.txid == literal_column(OWN_TXID))


#: The list the export's cursors name (service.operations.pagination.encode_cursor).
EXPORT_TAG = "export"


def _cursor_sql(txid: Any, claim_id: Any) -> Any:
    """encode_cursor([txid, id], EXPORT_TAG) computed by Postgres: base64url of
    "kexport:<txid>.<id>", unpadded."""
    raw = func.encode(
        func.convert_to(func.concat(f"k{EXPORT_TAG}:", txid, ".", claim_id), "UTF8"), "base64"
    )
    return func.rtrim(func.translate(raw, "+/", "-_"), "=")


def _line_sql(frontier: int) -> Any:
    """One export line as JSON text, built by Postgres (json_build_object keeps the key
    order): the row never becomes Python objects, so the export costs little more than its
    query. Dates as ISO 8601 (the `date` and `timestamp` types' own JSON form)."""
    speaker = case(
        (
            Speaker.id.is_not(None),
            func.json_build_object("id", Speaker.id, "name", Speaker.name),
        ),
        else_=None,
    )
    document = func.json_build_object(
        "id",
        Claim.document_id,
        "title",
        Document.title,
        "url",
        Document.url,
        "published_on",
        Document.published_on,
        "outlet",
        Outlet.name,
    )
    return cast(
        func.json_build_object(
            "id",
            Claim.id,
            "text",
            Claim.text,
            "span",
            func.json_build_object("start", Claim.span_start, "end", Claim.span_end),
            "revision",
            Claim.revision,
            "anchor_state",
            Claim.anchor_state,
            "attribution",
            Claim.attribution,
            "claim_date",
            Claim.claim_date,
            "date_precision",
            Claim.date_precision,
            "status",
            Claim.status,
            # The stored flag (the text under a verdict changed); a verdict whose links no
            # longer hold it gets its warning in export_claims (review_flags).
            "review_flag",
            Claim.review_flag,
            "checkworthiness",
            Claim.checkworthiness,
            "version",
            Claim.version,
            "updated_at",
            Claim.updated_at,
            "speaker",
            speaker,
            "document",
            document,
            "links",
            _LINKS,
            "cursor",
            case(
                (_settled(frontier), _cursor_sql(Claim.txid, Claim.id)),
                else_=_cursor_sql(literal(frontier - 1, BigInteger), MAX_BIGINT),
            ),
        ),
        Text,
    )


MAX_BIGINT = 2**63 - 1


def _export_batch(after: tuple[int, int], frontier: int) -> Any:
    return (
        select(
            Claim.txid,
            Claim.id,
            Claim.status,
            Claim.review_flag,
            _line_sql(frontier).label("line"),
        )
        .join(Document, Document.id == Claim.document_id)
        .outerjoin(Outlet, Outlet.id == Document.outlet_id)
        .outerjoin(Speaker, Speaker.id == Claim.speaker_id)
        .where(tuple_(Claim.txid, Claim.id) > tuple_(*after))
        .order_by(Claim.txid, Claim.id)
        .limit(EXPORT_BATCH)
    )


def export_position(since: str | None) -> tuple[int, int]:
    """Where an export resumes: after the (txid, id) of the cursor. A cursor from before
    claims kept their transaction (one id) resumes after that id among the claims stored
    then, and repeats those stored since under a smaller id: at least once, never lost."""
    if not since:
        return (-1, 0)
    try:
        txid, claim_id = decode_cursor(since, 2, EXPORT_TAG, "since")
    except InvalidInput as exc:
        if "another list" in exc.detail:
            raise
        return (0, decode_cursor(since, 1, EXPORT_TAG, "since")[0])
    return (txid, claim_id)


def export_frontier(session: Session) -> int:
    return int(session.execute(_FRONTIER).scalar_one())


def export_claims(session: Session, since: str | None) -> Iterator[str]:
    """Every claim after the cursor as NDJSON lines, oldest first, each with its speaker,
    document and links and the cursor that resumes after it.

    Keyset batches of EXPORT_BATCH rows, ordered by the writing transaction and then the id
    (see _settled for the cursors): memory stays flat however many claims there are, and no
    transaction or server-side cursor is held open while a slow client reads (the read
    sessions autocommit)."""
    after = export_position(since)
    frontier = export_frontier(session)
    while True:
        rows = session.execute(_export_batch(after, frontier)).all()
        if not rows:
            return
        after = (rows[-1].txid, rows[-1].id)
        # Each line carries the review flag GET /claims/{id} gives: the stored one is in the
        # line already; a verdict whose support is gone is found for the batch at once.
        flags = review_flags(session, rows)
        yield "".join(
            f"{_flagged(row.line, flags[row.id]) if row.id in flags else row.line}\n"
            for row in rows
        )


def _flagged(line: str, flag: str) -> str:
    """An export line with its review flag set (the few verdicts whose support is gone)."""
    found = json.loads(line)
    found["review_flag"] = flag
    return json.dumps(found, ensure_ascii=False)
