"""A fetch made for a person vets the URL and every redirect before following it (a public
page must not bounce the server onto its own network)."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator

import pytest

from service.domain.errors import InvalidInput
from service.ingest.fetch import fetch


class _Pages(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/moved":
            self.send_response(302)
            self.send_header("Location", "/inside")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(b"<p>inside</p>")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def site() -> Iterator[str]:
    server = http.server.HTTPServer(("127.0.0.1", 0), _Pages)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()
    server.server_close()


def _refuse_inside(url: str) -> None:
    if url.endswith("/inside"):
        raise InvalidInput("url", f"{url} is not public")


def test_a_redirect_is_vetted_before_it_is_followed(site: str) -> None:
    assert fetch(f"{site}/moved").text == "<p>inside</p>"  # unvetted: the CLI's fetch
    with pytest.raises(InvalidInput, match="inside is not public"):
        fetch(f"{site}/moved", vet=_refuse_inside)
    with pytest.raises(InvalidInput, match="not public"):
        fetch(f"{site}/inside", vet=_refuse_inside)
    assert fetch(f"{site}/elsewhere", vet=_refuse_inside).text == "<p>inside</p>"


def test_a_vetted_fetch_connects_to_the_address_it_vetted_not_to_the_name_again(
    site: str,
) -> None:
    """DNS rebinding: a name may answer a public address to the check and a private one to
    the connection. The fetch connects to the address the check returned: here a name that
    resolves nowhere, pinned to the test server's address, is fetched from that address."""
    port = site.rsplit(":", 1)[1]
    asked: list[str] = []

    def pinned(url: str) -> list[str]:
        _refuse_inside(url)
        asked.append(url)
        return ["127.0.0.1"]

    page = fetch(f"http://rebind.invalid:{port}/elsewhere", vet=pinned)
    assert page.text == "<p>inside</p>"
    assert page.content_type == "text/html"
    # A redirect is vetted (and pinned) before it is followed.
    with pytest.raises(InvalidInput, match="inside is not public"):
        fetch(f"http://rebind.invalid:{port}/moved", vet=pinned)
    assert asked == [
        f"http://rebind.invalid:{port}/elsewhere",
        f"http://rebind.invalid:{port}/moved",
    ]
