"""What the service accepts as a web address it will show as a link and publish: pure."""

from __future__ import annotations

from urllib.parse import urlsplit

#: As the API's schemas limit them.
MAX_URL = 2000


def web_url_problem(value: str) -> str | None:
    """Why `value` is not an absolute http(s) address (None when it is one). Every path that
    stores an address a page will link to and a ClaimReview will publish (evidence, a
    document's URL) asks this, the API's schema and the workspace's forms alike: a
    `javascript:` or a bare word must not reach a link, nor count as evidence."""
    if len(value) > MAX_URL:
        return f"longer than {MAX_URL} characters"
    if any(c.isspace() or ord(c) < 32 for c in value):
        return "holds white space or control characters"
    try:
        parts = urlsplit(value)
    except ValueError:
        return "not a URL"
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return "not an absolute http(s) URL"
    return None
