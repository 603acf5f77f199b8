"""Which addresses the service stores as links (service/domain/urls.py)."""

from __future__ import annotations

from service.domain.urls import web_url_problem


def test_only_absolute_web_addresses_are_links() -> None:
    for good in ("https://port.example/report", "http://a.example/x?y=1#z"):
        assert web_url_problem(good) is None, good
    for bad in (
        "n/a",
        "javascript:alert(1)",
        "JAVASCRIPT://a.example/%0aalert(1)",
        "data:text/html,<b>",
        "//a.example/x",
        "https:///no-host",
        "https://a.example/with space",
        "https://a.example/" + "x" * 2000,
    ):
        assert web_url_problem(bad) is not None, bad
