"""The page URLs a sitemap, an RSS feed or an Atom feed lists."""

from __future__ import annotations

from defusedxml import ElementTree


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def listed_urls(xml: str) -> list[str] | None:
    """URLs of the pages a sitemap (<loc>), an RSS feed (<item><link>) or an Atom feed
    (<entry><link href>) lists, in order; None when the text is none of those."""
    try:
        root = ElementTree.fromstring(xml.encode("utf-8"))
    except ElementTree.ParseError:
        return None
    kind = _local(root.tag)
    out: list[str] = []
    if kind in ("urlset", "sitemapindex"):
        out = [(e.text or "").strip() for e in root.iter() if _local(e.tag) == "loc"]
    elif kind == "rss":
        for item in root.iter():
            if _local(item.tag) == "item":
                link = next((c for c in item if _local(c.tag) == "link"), None)
                if link is not None and link.text:
                    out.append(link.text.strip())
    elif kind == "feed":
        for entry in root.iter():
            if _local(entry.tag) == "entry":
                for link in entry:
                    if _local(link.tag) == "link" and link.get("rel", "alternate") == "alternate":
                        out.append(link.get("href", "").strip())
                        break
    else:
        return None
    return [u for u in dict.fromkeys(out) if u.startswith(("http://", "https://"))]
