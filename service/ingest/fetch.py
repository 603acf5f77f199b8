"""Fetching a page or a feed: http(s) only, a timeout, a size cap, and a named client."""

from __future__ import annotations

import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any
from urllib.error import URLError

from service.domain.errors import InvalidInput

TIMEOUT_S = 15.0
MAX_BYTES = 5 * 1024 * 1024
USER_AGENT = "Claimdesk/0.1 (newsroom claim tracking)"


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    text: str
    content_type: str


class _VettedRedirects(urllib.request.HTTPRedirectHandler):
    """Every redirect target is vetted like the first URL."""

    def __init__(self, vet: Callable[[str], None]) -> None:
        self.vet = vet

    def redirect_request(
        self, req: Any, fp: IO[bytes], code: int, msg: str, headers: Any, newurl: str
    ) -> Any:
        self.vet(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch(
    url: str,
    *,
    timeout: float = TIMEOUT_S,
    max_bytes: int = MAX_BYTES,
    vet: Callable[[str], None] | None = None,
) -> Fetched:
    """GET a URL; refuse other schemes, bodies over `max_bytes`, and non-text content.
    `vet` (raising InvalidInput) judges the URL and every redirect before it is followed:
    what a request from the web must pass (the operator's CLI fetches anything)."""
    if not url.startswith(("http://", "https://")):
        raise InvalidInput("url", "only http and https URLs can be fetched")
    if vet is not None:
        vet(url)
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    opener = urllib.request.build_opener(*([_VettedRedirects(vet)] if vet else []))
    try:
        with opener.open(request, timeout=timeout) as response:
            content_type = response.headers.get_content_type()
            if not (
                content_type.startswith("text/")
                or "xml" in content_type
                or "html" in content_type
                or "json" in content_type
            ):
                raise InvalidInput("url", f"{url} is {content_type}, not a page or a feed")
            data = response.read(max_bytes + 1)
            if len(data) > max_bytes:
                raise InvalidInput("url", f"{url} is larger than {max_bytes} bytes")
            charset = response.headers.get_content_charset() or "utf-8"
            return Fetched(response.geturl(), data.decode(charset, errors="replace"), content_type)
    except (URLError, TimeoutError, OSError) as exc:
        raise InvalidInput("url", f"{url} could not be fetched: {exc}") from exc
