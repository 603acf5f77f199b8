"""Rate limits: writes per key, sign-in per address; reads never; 429 is problem+json."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Connection, text

from service.app import create_app
from service.config import Settings
from service.domain.enums import Role


def _client(settings: Settings, connection: Connection, **limits: str | None) -> FlaskClient:
    return create_app(replace(settings, **limits), bind=connection).test_client()


def test_writes_are_limited_per_key_and_reads_are_not(
    settings: Settings, connection: Connection, make_key: Callable[[Role], dict[str, str]]
) -> None:
    client = _client(settings, connection, write_rate_limit="3/minute")
    first, second = make_key(Role.REVIEWER), make_key(Role.REVIEWER)
    answers = [
        client.post("/api/v1/speakers", json={"name": f"Person {n}"}, headers=first)
        for n in range(4)
    ]
    assert [a.status_code for a in answers] == [201, 201, 201, 429]
    # Retry-After means "wait": only on the refusal, not on the accepted writes (flask-limiter
    # adds it to every answer; a client would wait a minute after each create).
    assert [("Retry-After" in a.headers) for a in answers] == [False, False, False, True]
    assert answers[0].headers["X-RateLimit-Remaining"] == "2"
    refused = client.post("/api/v1/speakers", json={"name": "Person 9"}, headers=first)
    assert refused.mimetype == "application/problem+json"
    assert refused.json["status"] == 429
    assert int(refused.headers["Retry-After"]) > 0
    # Another key has its own allowance; reads are not counted at all.
    assert (
        client.post("/api/v1/speakers", json={"name": "Other"}, headers=second).status_code == 201
    )
    assert all(client.get("/api/v1/speakers").status_code == 200 for _ in range(5))


def test_a_refused_write_changes_nothing(
    settings: Settings, connection: Connection, make_key: Callable[[Role], dict[str, str]]
) -> None:
    client = _client(settings, connection, write_rate_limit="1/minute")
    key = make_key(Role.REVIEWER)
    assert client.post("/api/v1/speakers", json={"name": "Kept"}, headers=key).status_code == 201
    assert client.post("/api/v1/speakers", json={"name": "Lost"}, headers=key).status_code == 429
    names = [s["name"] for s in client.get("/api/v1/speakers?q=Lost").json]
    assert "Lost" not in names


def test_sign_in_is_limited_per_address(settings: Settings, connection: Connection) -> None:
    client = _client(settings, connection, sign_in_rate_limit="2/minute", write_rate_limit=None)
    page = client.get("/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    form = {"name": "nobody", "password": "wrong", "csrf_token": token.group(1)}
    statuses = [client.post("/sign-in", data=form).status_code for _ in range(3)]
    assert statuses == [401, 401, 429]
    # A browser's form is told on a page, with when to try again; a tool gets problem+json.
    browser = client.post("/sign-in", data=form, headers={"Accept": "text/html,*/*;q=0.8"})
    assert browser.status_code == 429
    assert browser.mimetype == "text/html"
    assert "Retry-After" in browser.headers
    assert "429" in browser.get_data(as_text=True)
    tool = client.post("/sign-in", data=form, headers={"Accept": "application/json"})
    assert tool.mimetype == "application/problem+json"


def test_limits_can_be_turned_off(
    settings: Settings, connection: Connection, make_key: Callable[[Role], dict[str, str]]
) -> None:
    client = _client(settings, connection, write_rate_limit=None, sign_in_rate_limit=None)
    key = make_key(Role.REVIEWER)
    statuses = {
        client.post("/api/v1/speakers", json={"name": f"P {n}"}, headers=key).status_code
        for n in range(15)
    }
    assert statuses == {201}


def test_limits_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLAIMDESK_WRITE_RATE_LIMIT", "off")
    monkeypatch.setenv("CLAIMDESK_SIGN_IN_RATE_LIMIT", "5/hour")
    settings = Settings.from_env()
    assert settings.write_rate_limit is None
    assert settings.sign_in_rate_limit == "5/hour"


def test_processes_share_one_allowance_in_the_database(
    settings: Settings, connection: Connection, make_key: Callable[[Role], dict[str, str]]
) -> None:
    """Two apps (two gunicorn workers, or two hosts) on one database count against one
    allowance; with per-process memory each would have allowed the full limit."""
    assert settings.rate_limit_storage == "database"  # the default
    first, second = (_client(settings, connection, write_rate_limit="3/minute") for _ in range(2))
    key = make_key(Role.REVIEWER)
    statuses = [
        client.post("/api/v1/speakers", json={"name": f"Shared {n}"}, headers=key).status_code
        for n, client in enumerate((first, second, first, second))
    ]
    assert statuses == [201, 201, 201, 429]
    apart = [
        _client(settings, connection, write_rate_limit="3/minute", rate_limit_storage="memory://")
        for _ in range(2)
    ]
    other = make_key(Role.REVIEWER)
    statuses = [
        client.post("/api/v1/speakers", json={"name": f"Apart {n}"}, headers=other).status_code
        for n, client in enumerate(apart * 2)
    ]
    assert statuses == [201, 201, 201, 201]


def test_a_window_that_ended_starts_again_and_old_counters_are_deleted(
    settings: Settings, connection: Connection, make_key: Callable[[Role], dict[str, str]]
) -> None:
    client = _client(settings, connection, write_rate_limit="1/minute")
    key = make_key(Role.REVIEWER)
    assert client.post("/api/v1/speakers", json={"name": "One"}, headers=key).status_code == 201
    assert client.post("/api/v1/speakers", json={"name": "Two"}, headers=key).status_code == 429
    counted = "SELECT key, count FROM rate_limit_counters WHERE key LIKE :like"
    prefix = key["Authorization"].split("_")[1]
    key_id = connection.execute(
        text("SELECT id FROM api_keys WHERE prefix = :prefix"), {"prefix": prefix}
    ).scalar_one()
    mine = f"%/key:{key_id}/%"
    (counter,) = connection.execute(text(counted), {"like": mine}).all()
    assert counter.count == 2  # the refused request counted too
    # Its window ends (as a minute passing would end it) and a stranger's long-ended window
    # lies about: the next count starts a fresh window, and deletes the stranger's row.
    connection.execute(text("UPDATE rate_limit_counters SET expires_at = now() - interval '1 s'"))
    connection.execute(
        text("INSERT INTO rate_limit_counters VALUES ('stranger', 5, now() - interval '1 h')")
    )
    assert client.post("/api/v1/speakers", json={"name": "Three"}, headers=key).status_code == 201
    assert connection.execute(text(counted), {"like": mine}).one().count == 1
    assert connection.execute(text(counted), {"like": "stranger"}).all() == []


def test_only_a_checked_key_spends_its_allowance(
    settings: Settings, connection: Connection, make_key: Callable[[Role], dict[str, str]]
) -> None:
    """Someone who knows a key's public prefix but not its secret cannot use up the key's
    allowance: made-up keys count against their sender's address."""
    client = _client(settings, connection, write_rate_limit="3/minute")
    victim = make_key(Role.REVIEWER)
    mark, prefix, _ = victim["Authorization"].removeprefix("Bearer ").split("_", 2)
    forged = {"Authorization": f"Bearer {mark}_{prefix}_{'0' * 40}"}
    statuses = [
        client.post("/api/v1/speakers", json={"name": f"F {n}"}, headers=forged).status_code
        for n in range(4)
    ]
    assert statuses == [401, 401, 401, 429]  # the address's allowance, not the key's
    made_up = {"Authorization": f"Bearer {mark}_{'f' * len(prefix)}_{'0' * 40}"}
    assert client.post("/api/v1/speakers", json={"name": "M"}, headers=made_up).status_code == 429
    kept = client.post("/api/v1/speakers", json={"name": "Victim"}, headers=victim)
    assert kept.status_code == 201
    assert kept.headers["X-RateLimit-Remaining"] == "2"


def _sign_in_statuses(client: FlaskClient, forwarded_for: str, tries: int) -> list[int]:
    page = client.get("/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    form = {"name": "nobody", "password": "wrong", "csrf_token": token.group(1)}
    headers = {"X-Forwarded-For": forwarded_for}
    return [client.post("/sign-in", data=form, headers=headers).status_code for _ in range(tries)]


def test_behind_a_trusted_proxy_each_client_address_has_its_own_allowance(
    settings: Settings, connection: Connection
) -> None:
    limits = {"sign_in_rate_limit": "2/minute", "write_rate_limit": None}
    behind = create_app(replace(settings, proxy_hops=1, **limits), bind=connection).test_client()
    assert _sign_in_statuses(behind, "203.0.113.7", 3) == [401, 401, 429]
    assert _sign_in_statuses(behind, "203.0.113.8", 1) == [401]  # another reader, not locked out
    # Without a trusted proxy the header is anybody's to send: it is ignored, and the
    # address is the peer's.
    direct = _client(settings, connection, **limits)
    assert _sign_in_statuses(direct, "198.51.100.1", 2) == [401, 401]
    assert _sign_in_statuses(direct, "198.51.100.2", 1) == [429]
