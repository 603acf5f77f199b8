"""Settings read from the environment."""

from __future__ import annotations

import pytest

from service.config import Settings


def test_the_organisation_is_where_the_service_is_reached_unless_named(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CLAIMDESK_ORG_URL", raising=False)
    monkeypatch.setenv("CLAIMDESK_PUBLIC_URL", "http://127.0.0.1:8765")
    settings = Settings.from_env()
    assert (settings.public_url, settings.organisation_url) == (
        "http://127.0.0.1:8765",
        "http://127.0.0.1:8765/",
    )
    monkeypatch.setenv("CLAIMDESK_ORG_URL", "https://news.example/")
    assert Settings.from_env().organisation_url == "https://news.example/"
