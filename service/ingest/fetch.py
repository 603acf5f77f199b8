"""Fetching a page or a feed: http(s) only, a timeout, a size cap, and a named client."""

from __future__ import annotations

import codecs
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any
from urllib.error import URLError
from urllib.parse import urljoin

import urllib3

from service.domain.errors import InvalidInput
from service.webhooks.targets import pinned_pool

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

    def __init__(self, vet: Callable[[str], object]) -> None:
        self.vet = vet

    def redirect_request(
        self, req: Any, fp: IO[bytes], code: int, msg: str, headers: Any, newurl: str
    ) -> Any:
        self.vet(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


#: Redirects followed at most, each vetted like the first URL.
MAX_REDIRECTS = 5


def fetch(
    url: str,
    *,
    timeout: float = TIMEOUT_S,
    max_bytes: int = MAX_BYTES,
    vet: Callable[[str], list[str] | None] | None = None,
) -> Fetched:
    """GET a URL; refuse other schemes, bodies over `max_bytes`, and non-text content.
    `vet` (raising InvalidInput) judges the URL and every redirect before it is followed:
    what a request from the web must pass (the operator's CLI fetches anything). When it
    returns the addresses it vetted, the connection goes to one of them, never to the name
    resolved again: a name that answers a public address to the check and a private one to
    the connection (DNS rebinding) cannot point the server at its own network."""
    if not url.startswith(("http://", "https://")):
        raise InvalidInput("url", "only http and https URLs can be fetched")
    if vet is not None:
        addresses = vet(url)
        if addresses:
            return _pinned(url, addresses, vet, timeout, max_bytes)
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    opener = urllib.request.build_opener(*([_VettedRedirects(vet)] if vet else []))
    try:
        with opener.open(request, timeout=timeout) as response:
            content_type = response.headers.get_content_type()
            _check_kind(url, content_type)
            data = response.read(max_bytes + 1)
            if len(data) > max_bytes:
                raise InvalidInput("url", f"{url} is larger than {max_bytes} bytes")
            charset = response.headers.get_content_charset() or "utf-8"
            return Fetched(response.geturl(), data.decode(charset, errors="replace"), content_type)
    except (URLError, TimeoutError, OSError) as exc:
        raise InvalidInput("url", f"{url} could not be fetched: {exc}") from exc


def _pinned(
    url: str,
    addresses: list[str],
    vet: Callable[[str], list[str] | None],
    timeout: float,
    max_bytes: int,
) -> Fetched:
    """GET through connections to vetted addresses (the name as Host and for TLS), following
    at most MAX_REDIRECTS redirects, each vetted and pinned in turn."""
    for _ in range(MAX_REDIRECTS + 1):
        pool, path, host = pinned_pool(url, addresses[0], timeout)
        headers = {"Host": host, "User-Agent": USER_AGENT}
        try:
            with pool:
                response = pool.urlopen(
                    "GET", path, headers=headers, redirect=False, preload_content=False
                )
                try:
                    location = response.headers.get("Location")
                    if response.status in (301, 302, 303, 307, 308) and location:
                        url = urljoin(url, location)
                        if not url.startswith(("http://", "https://")):
                            raise InvalidInput("url", "a redirect left http and https")
                        addresses = vet(url) or addresses
                        continue
                    if response.status >= 400:
                        raise InvalidInput(
                            "url", f"{url} could not be fetched: HTTP {response.status}"
                        )
                    content_type = response.headers.get("Content-Type") or "text/plain"
                    kind = content_type.split(";", 1)[0].strip().lower()
                    _check_kind(url, kind)
                    data = response.read(max_bytes + 1)
                    if len(data) > max_bytes:
                        raise InvalidInput("url", f"{url} is larger than {max_bytes} bytes")
                    charset = _charset(content_type)
                    return Fetched(url, data.decode(charset, errors="replace"), kind)
                finally:
                    response.release_conn()
        except urllib3.exceptions.HTTPError as exc:
            raise InvalidInput("url", f"{url} could not be fetched: {exc}") from exc
    raise InvalidInput("url", f"more than {MAX_REDIRECTS} redirects")


def _check_kind(url: str, kind: str) -> None:
    """A page or a feed: text, HTML, XML or JSON; InvalidInput for anything else."""
    if not (kind.startswith("text/") or "xml" in kind or "html" in kind or "json" in kind):
        raise InvalidInput("url", f"{url} is {kind}, not a page or a feed")


def _charset(content_type: str) -> str:
    for part in content_type.split(";")[1:]:
        name, _, value = part.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip('"')
            try:
                codecs.lookup(charset)
            except LookupError:
                return "utf-8"
            return charset
    return "utf-8"
