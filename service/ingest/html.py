"""An HTML page → the article's text and metadata (trafilatura)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class HtmlArticle:
    body: str
    title: str | None
    author: str | None
    site: str | None
    published_on: date | None
    url: str | None
    html_sha256: str


def html_sha256(html: str) -> str:
    return hashlib.sha256(html.encode("utf-8", "surrogatepass")).hexdigest()


def from_html(html: str, url: str | None = None) -> HtmlArticle | None:
    """The main text of a page (navigation, ads and boilerplate left out by trafilatura) with
    its title, author, site name, date and canonical URL; None when no article text is found."""
    # Imported here: trafilatura (with courlan and htmldate) is a tenth of a second of every
    # process's start, and only a page import needs it.
    import trafilatura

    extracted = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        # The date from the page's markup (meta tags, <time>, the URL), never a year found in
        # its text: "the levy raised 4.1 million euros in 2022" made a page with no date
        # "published 2022-01-01".
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    if extracted is None:
        return None
    found = extracted if isinstance(extracted, dict) else extracted.as_dict()
    if not (found.get("text") or "").strip():
        return None
    published = None
    if found.get("date"):
        try:
            published = date.fromisoformat(str(found["date"])[:10])
        except ValueError:
            published = None
    return HtmlArticle(
        body=str(found["text"]).strip() + "\n",
        title=found.get("title") or None,
        author=found.get("author") or None,
        site=found.get("sitename") or None,
        published_on=published,
        url=found.get("url") or url,
        html_sha256=html_sha256(html),
    )
