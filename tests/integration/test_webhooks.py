"""Webhooks end to end: subscriptions through the API, deliveries written by the outbox in the
event's own transaction, sent by real worker processes to a real HTTP receiver on loopback,
signed (verified with the `standardwebhooks` package), in order per claim, retried, replayed,
and not lost when a worker is killed mid-delivery.

The delivery tests commit for real, on a scratch database migrated for each test."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session
from standardwebhooks import Webhook

from service.app import create_app
from service.config import PROJECT_ROOT, Settings
from service.domain.enums import Role
from service.operations.actors import SYSTEM
from service.operations.auth import create_api_key
from service.operations.speakers import create_speaker

# ---------------------------------------------------------------- the receiver


@dataclass
class Receiver:
    """A Standard Webhooks receiver on loopback: verifies every signature, answers 500 while
    `failing`, holds requests while `hold` is clear, and records what it acknowledged."""

    secret: str = ""
    failing: bool = False
    hold: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    acknowledged: list[tuple[str, dict[str, Any], float]] = field(default_factory=list)
    refused: int = 0
    bad_signatures: int = 0
    url: str = ""

    def __post_init__(self) -> None:
        self.hold.set()

    def arrived_for(self, entity_id: int) -> list[int]:
        """Event ids acknowledged about one entity, in the order they arrived."""
        with self.lock:
            return [
                body["data"]["event_id"]
                for _, body, _ in self.acknowledged
                if body["data"]["entity_id"] == entity_id
            ]

    def unique(self) -> dict[str, dict[str, Any]]:
        with self.lock:
            return {message_id: body for message_id, body, _ in self.acknowledged}


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            try:
                payload = Webhook(state.secret).verify(body, dict(self.headers.items()))
            except Exception:
                with state.lock:
                    state.bad_signatures += 1
                self.send_response(401)
                self.end_headers()
                return
            state.hold.wait(60)
            if state.failing:
                with state.lock:
                    state.refused += 1
                self.send_response(500)
                self.end_headers()
                self.wfile.write(b"receiver down")
                return
            with state.lock:
                state.acknowledged.append((self.headers["webhook-id"], payload, time.time()))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    state.hold.set()
    server.shutdown()
    server.server_close()


# ---------------------------------------------------------------- the service


@pytest.fixture
def api(
    migrated_scratch: tuple[Engine, str], monkeypatch: pytest.MonkeyPatch
) -> tuple[FlaskClient, dict[str, str]]:
    monkeypatch.setenv("CLAIMDESK_WEBHOOK_ALLOW_PRIVATE", "1")
    engine, url = migrated_scratch
    with Session(engine) as session:
        _, secret = create_api_key(session, SYSTEM, name="hooks", role=Role.ADMIN)
        session.commit()
    settings = Settings(database_url=url, data_dir=PROJECT_ROOT / ".data", write_rate_limit=None)
    app = create_app(settings, bind=engine)
    return app.test_client(), {"Authorization": f"Bearer {secret}"}


Worker = Callable[..., subprocess.Popen[bytes]]


@pytest.fixture
def start_worker(migrated_scratch: tuple[Engine, str]) -> Iterator[Worker]:
    _, url = migrated_scratch
    started: list[subprocess.Popen[bytes]] = []

    def start(*args: str, **env: str) -> subprocess.Popen[bytes]:
        environment = dict(
            os.environ,
            DATABASE_URL=url,
            CLAIMDESK_WEBHOOK_ALLOW_PRIVATE="1",
            CLAIMDESK_WEBHOOK_RETRY_SCHEDULE="1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1",
            **env,
        )
        process = subprocess.Popen(
            [sys.executable, "-m", "service.worker", "--queue", "webhooks", *args],
            env=environment,
            cwd=PROJECT_ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def _until(predicate: Callable[[], bool], timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def _subscribe(
    api: tuple[FlaskClient, dict[str, str]], receiver: Receiver, **fields: Any
) -> dict[str, Any]:
    client, headers = api
    response = client.post("/api/v1/webhooks", json={"url": receiver.url} | fields, headers=headers)
    assert response.status_code == 201, response.json
    receiver.secret = response.json["secret"]
    return response.json  # type: ignore[no-any-return]


def _document_with_claims(api: tuple[FlaskClient, dict[str, str]], n: int) -> list[int]:
    client, headers = api
    sentences = " ".join(f"Sentence number {i} says the port moved {i} tonnes." for i in range(n))
    doc = client.post(
        "/api/v1/documents?wait=true",
        json={"body": sentences, "outlet": "Gazette", "extract": False},
        headers=headers,
    ).json
    ids = []
    start = 0
    for _ in range(n):
        end = sentences.index(".", start) + 1
        made = client.post(
            "/api/v1/claims",
            json={"document_id": doc["id"], "span": {"start": start, "end": end}},
            headers=headers,
        )
        assert made.status_code == 201, made.json
        ids.append(made.json["id"])
        start = end + 1
    return ids


def _edit(api: tuple[FlaskClient, dict[str, str]], claim_id: int, cue: str) -> bool:
    """One If-Match edit; False when another writer got there first (412)."""
    client, headers = api
    current = client.get(f"/api/v1/claims/{claim_id}")
    response = client.patch(
        f"/api/v1/claims/{claim_id}",
        json={"cue": cue, "reason": "webhook test"},
        headers=headers | {"If-Match": current.headers["ETag"]},
    )
    assert response.status_code in (200, 412), response.json
    return response.status_code == 200


def _events(engine: Engine, action: str) -> list[tuple[int, int]]:
    with engine.connect() as conn:
        return [
            (row[0], row[1])
            for row in conn.execute(
                text("SELECT id, entity_id FROM events WHERE action = :a ORDER BY id"),
                {"a": action},
            )
        ]


# ---------------------------------------------------------------- tests


def test_subscriptions_are_admin_only_checked_and_show_their_secret_once(
    api: tuple[FlaskClient, dict[str, str]],
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client, headers = api
    made = _subscribe(api, receiver, event_types=["claim.created", "claim.status_changed"])
    assert made["secret"].startswith("whsec_")
    listed = client.get("/api/v1/webhooks", headers=headers).json
    assert [s["id"] for s in listed] == [made["id"]]
    assert "secret" not in listed[0]
    # The history never holds the secret.
    query = f"/api/v1/events?entity_type=webhook_subscriptions&entity_id={made['id']}"
    history = client.get(query, headers=headers)
    assert [e["action"] for e in history.json["events"]] == ["webhook.created"]
    assert made["secret"] not in json.dumps(history.json)
    # Receivers are the newsroom's: the open feed does not list them.
    assert client.get(query).json["events"] == []

    bad = client.post(
        "/api/v1/webhooks",
        json={"url": receiver.url, "event_types": ["claim.eaten"]},
        headers=headers,
    )
    assert bad.status_code == 422
    assert "event_types" in bad.json["errors"]["json"]
    ftp = client.post("/api/v1/webhooks", json={"url": "ftp://example.org/x"}, headers=headers)
    assert ftp.status_code == 422
    monkeypatch.delenv("CLAIMDESK_WEBHOOK_ALLOW_PRIVATE")
    private = client.post("/api/v1/webhooks", json={"url": receiver.url}, headers=headers)
    assert private.status_code == 422
    assert "loopback" in private.json["errors"]["json"]["url"][0]

    reviewer = create_api_key_headers(client, headers, "reviewer")
    assert client.get("/api/v1/webhooks", headers=reviewer).status_code == 403
    assert (
        client.post("/api/v1/webhooks", json={"url": receiver.url}, headers=reviewer).status_code
        == 403
    )

    stale = client.patch(
        f"/api/v1/webhooks/{made['id']}",
        json={"active": False},
        headers=headers | {"If-Match": '"x"'},
    )
    assert stale.status_code == 412
    etag = client.get(f"/api/v1/webhooks/{made['id']}", headers=headers).headers["ETag"]
    paused = client.patch(
        f"/api/v1/webhooks/{made['id']}",
        json={"active": False},
        headers=headers | {"If-Match": etag},
    )
    assert paused.status_code == 200
    assert paused.json["active"] is False
    rotated = client.post(f"/api/v1/webhooks/{made['id']}/secret", headers=headers)
    assert rotated.status_code == 200
    assert rotated.json["secret"] != made["secret"]
    assert client.delete(f"/api/v1/webhooks/{made['id']}", headers=headers).status_code == 204
    assert client.get(f"/api/v1/webhooks/{made['id']}", headers=headers).status_code == 404


def create_api_key_headers(client: FlaskClient, admin: dict[str, str], role: str) -> dict[str, str]:
    key = client.post("/api/v1/keys", json={"name": f"a {role}", "role": role}, headers=admin)
    return {"Authorization": f"Bearer {key.json['key']}"}


def test_the_outbox_writes_deliveries_and_jobs_with_the_events_and_only_what_matches(
    migrated_scratch: tuple[Engine, str],
    api: tuple[FlaskClient, dict[str, str]],
    receiver: Receiver,
) -> None:
    engine, _ = migrated_scratch
    client, headers = api
    everything = _subscribe(api, receiver)
    only_status = _subscribe(api, receiver, event_types=["claim.status_changed"])
    claims = _document_with_claims(api, 2)
    other_doc = client.post(
        "/api/v1/documents?wait=true",
        json={
            "body": "Another outlet said the port moved 9 tonnes.",
            "outlet": "Tribune",
            "extract": False,
        },
        headers=headers,
    ).json
    one_doc = _subscribe(api, receiver, document_id=other_doc["id"])
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT d.subscription_id, d.event_type, d.entity_key, j.lock, j.status "
                "FROM webhook_deliveries d JOIN procrastinate_jobs j "
                "ON (j.args->>'delivery_id')::bigint = d.id ORDER BY d.id"
            )
        ).all()
    created = [r for r in rows if r[1] == "claim.created"]
    assert {r[2] for r in created} == {f"claims:{i}" for i in claims}
    assert all(r[0] == everything["id"] for r in created)
    assert all(r[3] == f"webhook:{everything['id']}:{r[2]}" and r[4] == "todo" for r in created)
    assert not [r for r in rows if r[0] in (only_status["id"], one_doc["id"])]
    before = len(rows)

    def deliveries() -> int:
        with engine.connect() as conn:
            return int(conn.scalar(text("SELECT count(*) FROM webhook_deliveries")) or 0)

    # An event written by a transaction that rolls back leaves no delivery and no job.
    with Session(engine) as session:
        create_speaker(session, SYSTEM, "Rolled Back")
        session.flush()
        session.rollback()
    assert deliveries() == before
    # A savepoint rolled back inside a transaction does not lose the events written before
    # it: they are delivered when the transaction commits.
    with Session(engine) as session:
        create_speaker(session, SYSTEM, "Kept Anyway")
        with contextlib.suppress(RuntimeError), session.begin_nested():
            create_speaker(session, SYSTEM, "Inside The Savepoint")
            raise RuntimeError("the savepoint rolls back")
        session.commit()
    assert deliveries() == before + 1
    with engine.connect() as conn:
        last = conn.execute(
            text("SELECT event_type, status FROM webhook_deliveries ORDER BY id DESC LIMIT 1")
        ).one()
    assert tuple(last) == ("speaker.created", "pending")


def test_every_event_arrives_once_signed_and_in_order_per_claim_under_8_writers(
    migrated_scratch: tuple[Engine, str],
    api: tuple[FlaskClient, dict[str, str]],
    receiver: Receiver,
    start_worker: Worker,
) -> None:
    engine, _ = migrated_scratch
    _subscribe(api, receiver, event_types=["claim.edited"])
    claims = _document_with_claims(api, 4)
    start_worker("--concurrency", "4")
    stop = time.monotonic() + 6

    def writer(n: int) -> None:
        i = 0
        while time.monotonic() < stop or i < 3:
            _edit(api, claims[(n + i) % len(claims)], f"writer {n} edit {i}")
            i += 1

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    edits = _events(engine, "claim.edited")
    assert len(edits) >= 24
    _until(lambda: len(receiver.unique()) >= len(edits))
    time.sleep(1)  # nothing more arrives
    unique = receiver.unique()
    assert receiver.bad_signatures == 0
    assert sorted(body["data"]["event_id"] for body in unique.values()) == [e for e, _ in edits]
    # No duplicates without a receiver failure, and per claim in event order.
    assert len(receiver.acknowledged) == len(unique)
    for claim_id in claims:
        arrived = receiver.arrived_for(claim_id)
        assert arrived == sorted(arrived)
        assert arrived == [e for e, c in edits if c == claim_id]
    with engine.connect() as conn:
        statuses = conn.execute(
            text("SELECT status, count(*) FROM webhook_deliveries GROUP BY 1")
        ).all()
    assert dict(statuses) == {"delivered": len(edits)}


def test_a_receiver_that_is_down_gets_everything_in_order_once_it_is_back(
    migrated_scratch: tuple[Engine, str],
    api: tuple[FlaskClient, dict[str, str]],
    receiver: Receiver,
    start_worker: Worker,
) -> None:
    engine, _ = migrated_scratch
    client, headers = api
    sub = _subscribe(api, receiver, event_types=["claim.edited", "claim.created"])
    receiver.failing = True
    claims = _document_with_claims(api, 2)
    for i in range(3):
        for claim_id in claims:
            assert _edit(api, claim_id, f"edit {i}")
    start_worker("--concurrency", "2")
    _until(lambda: receiver.refused >= 6)
    log = client.get(f"/api/v1/webhooks/{sub['id']}/deliveries?status=retrying", headers=headers)
    assert log.status_code == 200
    assert log.json
    assert all(d["last_status_code"] == 500 for d in log.json)
    assert "receiver down" in log.json[0]["last_error"]
    receiver.failing = False
    expected = [e for e, _ in _events(engine, "claim.created") + _events(engine, "claim.edited")]
    _until(lambda: len(receiver.unique()) >= len(expected))
    for claim_id in claims:
        arrived = receiver.arrived_for(claim_id)
        assert arrived == sorted(arrived)
    assert sorted(b["data"]["event_id"] for b in receiver.unique().values()) == sorted(expected)

    def statuses() -> set[str]:
        listed = client.get(f"/api/v1/webhooks/{sub['id']}/deliveries", headers=headers).json
        return {d["status"] for d in listed}

    # The receiver has a delivery before the worker records its answer: wait for the record.
    _until(lambda: statuses() == {"delivered"})
    delivered = client.get(f"/api/v1/webhooks/{sub['id']}/deliveries", headers=headers).json
    assert max(d["attempts"] for d in delivered) >= 2
    assert (
        client.get(f"/api/v1/webhooks/{sub['id']}", headers=headers).json["failing_since"] is None
    )


def test_kill_9_of_the_worker_mid_delivery_loses_nothing(
    migrated_scratch: tuple[Engine, str],
    api: tuple[FlaskClient, dict[str, str]],
    receiver: Receiver,
    start_worker: Worker,
) -> None:
    engine, _ = migrated_scratch
    _subscribe(api, receiver, event_types=["claim.created", "claim.edited"])
    receiver.hold.clear()  # the receiver keeps the first request waiting
    claims = _document_with_claims(api, 3)
    first = start_worker("--stalled-after", "3")
    _until(
        lambda: (
            _scalar(engine, "SELECT count(*) FROM procrastinate_jobs WHERE status = 'doing'") >= 1
        )
    )
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    receiver.hold.set()  # the killed worker's request completes; its result was never recorded
    start_worker("--stalled-after", "3")
    _until(lambda: len(receiver.unique()) >= len(claims))
    unique = receiver.unique()
    assert sorted(b["data"]["entity_id"] for b in unique.values()) == sorted(claims)
    # A duplicate (the killed worker's POST went through, its result was never recorded)
    # carries the same webhook-id: one id per event, however often it arrived.
    ids_by_event: dict[int, set[str]] = {}
    for message_id, body, _ in receiver.acknowledged:
        ids_by_event.setdefault(body["data"]["event_id"], set()).add(message_id)
    assert all(len(ids) == 1 for ids in ids_by_event.values())
    assert len(ids_by_event) == len(claims)
    _until(
        lambda: (
            _scalar(engine, "SELECT count(*) FROM webhook_deliveries WHERE status <> 'delivered'")
            == 0
        )
    )


def _scalar(engine: Engine, sql: str) -> Any:
    with engine.connect() as conn:
        return conn.scalar(text(sql))


def test_a_subscription_failing_for_its_limit_is_disabled_then_replayed(
    migrated_scratch: tuple[Engine, str],
    api: tuple[FlaskClient, dict[str, str]],
    receiver: Receiver,
    start_worker: Worker,
) -> None:
    engine, _ = migrated_scratch
    client, headers = api
    sub = _subscribe(api, receiver, event_types=["claim.created"])
    receiver.failing = True
    claims = _document_with_claims(api, 3)
    # "A day" is 2 s here.
    start_worker(CLAIMDESK_WEBHOOK_DISABLE_AFTER_SECONDS="2")
    _until(
        lambda: client.get(f"/api/v1/webhooks/{sub['id']}", headers=headers).json["active"] is False
    )
    shown = client.get(f"/api/v1/webhooks/{sub['id']}", headers=headers).json
    assert shown["disabled_at"] is not None
    assert "disabled after failing since" in shown["disabled_reason"]
    _until(
        lambda: (
            _scalar(
                engine,
                "SELECT count(*) FROM webhook_deliveries WHERE status IN ('pending', 'retrying')",
            )
            == 0
        )
    )
    assert receiver.unique() == {}
    # A replay of a disabled subscription is refused with the reason; enabled, it goes.
    refused = client.post(
        f"/api/v1/webhooks/{sub['id']}/replay", json={"since_event_id": 0}, headers=headers
    )
    assert refused.status_code == 422
    receiver.failing = False
    etag = client.get(f"/api/v1/webhooks/{sub['id']}", headers=headers).headers["ETag"]
    enabled = client.patch(
        f"/api/v1/webhooks/{sub['id']}", json={"active": True}, headers=headers | {"If-Match": etag}
    )
    assert enabled.json["active"] is True
    assert enabled.json["disabled_reason"] is None
    replay = client.post(
        f"/api/v1/webhooks/{sub['id']}/replay", json={"since_event_id": 0}, headers=headers
    )
    assert replay.status_code == 202
    assert replay.json["queued"] == len(claims)
    assert replay.json["through_event_id"] >= max(
        d["event_id"]
        for d in client.get(f"/api/v1/webhooks/{sub['id']}/deliveries", headers=headers).json
    )
    _until(lambda: len(receiver.unique()) == len(claims))
    assert sorted(b["data"]["entity_id"] for b in receiver.unique().values()) == sorted(claims)
    # One delivery again, by id: the same webhook-id arrives a second time.
    first = client.get(f"/api/v1/webhooks/{sub['id']}/deliveries", headers=headers).json[0]
    again = client.post(
        f"/api/v1/webhooks/{sub['id']}/deliveries/{first['id']}/replay", headers=headers
    )
    assert again.status_code == 202
    _until(lambda: len(receiver.acknowledged) == len(claims) + 1)
    assert receiver.acknowledged[-1][0] == f"msg_{first['id']}"
