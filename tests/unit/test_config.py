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


def test_a_webhook_delivery_to_try_again_is_logged_in_one_line() -> None:
    import logging
    import sys

    from service.webhooks.delivery import DeliveryFailed
    from service.worker import expected_failures

    def record(exc: Exception) -> logging.LogRecord:
        try:
            raise exc
        except Exception:
            info = sys.exc_info()
        return logging.LogRecord("procrastinate", logging.ERROR, "", 0, "job %s", ("7",), info)

    retried = record(DeliveryFailed("503 from the receiver"))
    assert expected_failures(retried)
    assert (retried.exc_info, retried.levelname) == (None, "WARNING")
    assert retried.getMessage() == "job 7: 503 from the receiver"
    crashed = record(RuntimeError("a bug"))
    assert expected_failures(crashed)
    assert crashed.exc_info is not None
    assert crashed.levelname == "ERROR"
