"""ClaimReview items from where fact-checkers publish them. Pure: no database.

- HTML pages: the JSON-LD blocks (`<script type="application/ld+json">`), read with
  `extruct` (not regular expressions); ClaimReview items are found at the top level, in
  `@graph`, and in lists.
- Feeds: a JSON document holding ClaimReview items — the DataCommons feed
  (`{"dataFeedElement": [{"item": [...]}]}`), a list, a single item, the Google Fact Check
  Tools shape (`{"claims": [{"text", "claimant", "claimReview": [...]}]}`) — or NDJSON, one
  item a line.

Each item becomes a `Review` or an `ItemError` naming the item and the field; callers store
nothing when any item is in error (an import is one transaction)."""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from service.domain.text import lone_surrogate
from service.domain.urls import web_url_problem

#: Verdict labels installed by default (lower case). Editable: the rating_labels table.
DEFAULT_LABELS: dict[str, str] = {
    "false": "false",
    "pants on fire": "false",
    "pants on fire!": "false",
    "fake": "false",
    "incorrect": "false",
    "wrong": "false",
    "fabricated": "false",
    "four pinocchios": "false",
    "mostly false": "disputed",
    "misleading": "disputed",
    "half true": "disputed",
    "half-true": "disputed",
    "partly false": "disputed",
    "partially false": "disputed",
    "mixture": "disputed",
    "missing context": "disputed",
    "distorts the facts": "disputed",
    "exaggerated": "disputed",
    "out of context": "disputed",
    "three pinocchios": "disputed",
    "two pinocchios": "disputed",
    "true": "verified",
    "correct": "verified",
    "accurate": "verified",
    "mostly true": "verified",
    "geppetto checkmark": "verified",
    "unproven": "unverifiable",
    "unverified": "unverifiable",
    "unsupported": "unverifiable",
    "no evidence": "unverifiable",
    "research in progress": "unverifiable",
}


class ItemError(ValueError):
    """An item that is not a usable ClaimReview; `where` says which item, `field` which part."""

    def __init__(self, where: str, field: str, message: str) -> None:
        super().__init__(f"{where}: {field}: {message}")
        self.where = where
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Review:
    url: str
    claim_reviewed: str
    headline: str | None
    claimant: str | None
    claim_date: date | None
    review_date: date | None
    publisher: str
    publisher_url: str | None
    rating_name: str | None
    rating_value: float | None
    best_rating: float | None
    worst_rating: float | None
    language: str | None
    raw: dict[str, Any]
    #: The opening of the review article, where the review came from its page (`page_body`).
    body: str | None = None

    @property
    def claim_sha256(self) -> str:
        return hashlib.sha256(" ".join(self.claim_reviewed.split()).encode()).hexdigest()


def _is_claim_review(node: Any) -> bool:
    if not isinstance(node, dict):
        return False
    kind = node.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return any(str(k).rsplit("/", 1)[-1] == "ClaimReview" for k in kinds)


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, list):
        for item in node:
            yield from _walk(item)
    elif isinstance(node, dict):
        if _is_claim_review(node):
            yield node
        for key in ("@graph", "itemListElement", "item", "mainEntity"):
            if key in node:
                yield from _walk(node[key])


def items_from_html(html: str, base_url: str | None = None) -> list[dict[str, Any]]:
    """The ClaimReview items of a page's JSON-LD."""
    import extruct

    try:
        found = extruct.extract(html, base_url=base_url, syntaxes=["json-ld"], uniform=False)
    except Exception as exc:  # extruct raises whatever its parsers raise on broken markup
        raise ItemError("page", "html", f"its JSON-LD could not be read ({exc})") from None
    try:
        return _storable(list(_walk(found.get("json-ld", []))))
    except RecursionError:
        raise ItemError("page", "html", "its JSON-LD is nested too deeply") from None


def page_body(html: str) -> str | None:
    """The opening of a fact-check page's article (its main text, by trafilatura, without
    navigation or comments), as much of it as matching reads; None where there is none."""
    import trafilatura

    from service.factchecks.matching import BODY_CHARS

    try:
        found = trafilatura.extract(html, include_comments=False, include_tables=False)
    except Exception:  # a page whose JSON-LD was readable keeps its review without a body
        return None
    body = " ".join(found.split()) if found else ""
    return body[:BODY_CHARS] or None


def page_title(html: str) -> str | None:
    """The page's title (trafilatura's reading of its metadata: og:title, <title>, <h1>)."""
    import trafilatura

    try:
        found = trafilatura.extract_metadata(html)
    except Exception:  # a page whose JSON-LD was readable keeps its review without a title
        return None
    title = " ".join((found.title or "").split()) if found is not None else ""
    return title[:500] or None


def reviews_from_html(html: str, base_url: str | None = None) -> list[Review]:
    """The page's reviews, each with the page's article opening, and the page's title as
    its headline where the JSON-LD names none (most name none: the page's <h1> is it)."""
    body = None
    title = None
    reviews = []
    for n, item in enumerate(items_from_html(html, base_url), start=1):
        if body is None:
            body = page_body(html) or ""
            title = page_title(html)
        review = review_of(item, f"item {n}")
        reviews.append(replace(review, body=body or None, headline=review.headline or title))
    return reviews


def _int(digits: str) -> int | float:
    """A JSON integer; one too long for Python to read (over 4,300 digits: a ValueError, not
    a JSONDecodeError) is infinite, which a rating refuses by name."""
    return int(digits) if len(digits) <= 4000 else math.inf


def items_from_feed(text: str) -> list[dict[str, Any]]:
    """ClaimReview items of a JSON feed (DataCommons, Google Fact Check Tools, a list, one
    item) or of NDJSON."""
    stripped = text.strip()
    if not stripped:
        return []
    try:
        try:
            document: Any = json.loads(stripped, parse_int=_int)
        except json.JSONDecodeError:
            document = None
            lines = []
            # Lines end at "\n" only: U+2028, U+2029 and U+0085, which splitlines() also
            # breaks at, are legal unescaped inside a JSON string.
            for number, line in enumerate(stripped.split("\n"), start=1):
                if not line.strip():
                    continue
                try:
                    lines.append(json.loads(line.rstrip("\r"), parse_int=_int))
                except json.JSONDecodeError as exc:
                    raise ItemError(f"line {number}", "json", f"not JSON ({exc.msg})") from None
            document = lines
        if isinstance(document, dict) and isinstance(document.get("claims"), list):
            items = list(_from_google(document["claims"]))
        elif isinstance(document, dict) and isinstance(document.get("dataFeedElement"), list):
            items = list(
                _walk(
                    [e.get("item", []) for e in document["dataFeedElement"] if isinstance(e, dict)]
                )
            )
        else:
            items = list(_walk(document))
    except RecursionError:
        raise ItemError("feed", "json", "nested too deeply to be a feed") from None
    return _storable(items)


def _storable(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The items, or ItemError naming the first field no database text can hold (a JSON
    \\ud800 escape without its pair, inside a feed or a page's JSON-LD)."""
    for n, item in enumerate(items, start=1):  # counted as a person counts them
        broken = lone_surrogate(item)
        if broken:
            raise ItemError(
                f"item {n}", broken, "holds a lone UTF-16 surrogate (an unpaired \\ud800 escape)"
            )
    return items


def _from_google(claims: list[Any]) -> Iterator[dict[str, Any]]:
    """Google Fact Check Tools' claim search shape, as ClaimReview items."""
    for claim in claims:
        if not isinstance(claim, dict):
            continue
        reviews = claim.get("claimReview")
        for review in reviews if isinstance(reviews, list) else []:
            if not isinstance(review, dict):
                continue
            found = review.get("publisher")
            publisher = found if isinstance(found, dict) else {"name": found}
            yield {
                "@context": "https://schema.org",
                "@type": "ClaimReview",
                "url": review.get("url"),
                "claimReviewed": claim.get("text"),
                "name": review.get("title"),
                "datePublished": review.get("reviewDate"),
                "inLanguage": review.get("languageCode"),
                "itemReviewed": {
                    "@type": "Claim",
                    "author": {"@type": "Person", "name": claim.get("claimant")},
                    "datePublished": claim.get("claimDate"),
                },
                "author": {
                    "@type": "Organization",
                    "name": publisher.get("name"),
                    "url": publisher.get("site"),
                },
                "reviewRating": {"@type": "Rating", "alternateName": review.get("textualRating")},
            }


def _text(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value")
    if isinstance(value, list):
        value = next((_text(v) for v in value if _text(v)), None)
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def _date(value: Any, where: str, field: str) -> date | None:
    text = _text(value)
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise ItemError(where, field, f"not a date: {text[:40]!r}") from None


def _number(value: Any, where: str, field: str) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        number = math.nan
    if not math.isfinite(number):
        raise ItemError(where, field, f"not a number: {str(value)[:40]!r}")
    return number


def _web_url(value: Any) -> str | None:
    """A publisher's address, kept only if it is one a page may link to."""
    text = _text(value)
    return text if text and web_url_problem(text) is None else None


def _language(value: Any) -> str | None:
    """A language tag ("en", "pt-BR"); a Language object's name ("Portuguese (Brazil)") or
    anything longer than a tag is left out rather than refusing the review."""
    text = _text(value)
    if isinstance(value, dict):
        text = _text(value.get("alternateName")) or text
    return text if text and len(text) <= 16 and " " not in text else None


def review_of(item: dict[str, Any], where: str) -> Review:
    """A Review from one ClaimReview item, or ItemError naming the missing or broken part.
    Required: the review's `url`, `claimReviewed`, and its `author` (the publisher)."""
    url = _text(item.get("url"))
    if not url or not url.startswith(("http://", "https://")):
        raise ItemError(where, "url", "the review's URL (http or https) is required")
    claim = _text(item.get("claimReviewed"))
    if not claim:
        raise ItemError(where, "claimReviewed", "the claim reviewed is required")
    author = item.get("author")
    if isinstance(author, list):
        author = author[0] if author else None
    publisher = _text(author)
    if not publisher:
        raise ItemError(where, "author", "the publisher (author.name) is required")
    found_reviewed, found_rating = item.get("itemReviewed"), item.get("reviewRating")
    reviewed: dict[str, Any] = found_reviewed if isinstance(found_reviewed, dict) else {}
    rating: dict[str, Any] = found_rating if isinstance(found_rating, dict) else {}
    claimant = _text(reviewed.get("author"))
    return Review(
        url=url[:2000],
        claim_reviewed=claim,
        headline=_text(item.get("name") or item.get("headline")),
        claimant=claimant[:500] if claimant else None,
        claim_date=_date(reviewed.get("datePublished"), where, "itemReviewed.datePublished"),
        review_date=_date(item.get("datePublished"), where, "datePublished"),
        publisher=publisher[:300],
        publisher_url=_web_url(author.get("url")) if isinstance(author, dict) else None,
        rating_name=(_text(rating.get("alternateName")) or _text(rating.get("name")) or "")[:300]
        or None,
        rating_value=_number(rating.get("ratingValue"), where, "reviewRating.ratingValue"),
        best_rating=_number(rating.get("bestRating"), where, "reviewRating.bestRating"),
        worst_rating=_number(rating.get("worstRating"), where, "reviewRating.worstRating"),
        language=_language(item.get("inLanguage")),
        raw=item,
    )


def normalize_label(label: str) -> str:
    return " ".join(label.split()).lower()


def status_of(review: Review, labels: dict[str, str]) -> str | None:
    """Our verdict for a review: its rating's label in the map; else its value's place on its
    scale (bottom quarter false, below the middle disputed, top quarter verified, the rest
    unverifiable); else None (shown as the publisher's own words)."""
    if review.rating_name:
        found = labels.get(normalize_label(review.rating_name))
        if found:
            return found
    value, best, worst = review.rating_value, review.best_rating, review.worst_rating
    if value is None or best is None or worst is None or best == worst:
        return None
    place = (value - worst) / (best - worst)
    if place <= 0.25:
        return "false"
    if place < 0.5:
        return "disputed"
    if place >= 0.75:
        return "verified"
    return "unverifiable"
