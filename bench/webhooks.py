"""Webhooks at idle: the delay from a write's commit (its HTTP answer) to the receiver's receipt
of the signed delivery, through the outbox and a real worker process, against the same
receiver called directly from this process (the baseline: one signed POST). Also what the
outbox adds to a write: the same claim edit with a matching subscription and with none.

Runs on its own scratch database (a sibling of the bench database), committed for real."""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast

import urllib3
from sqlalchemy import text
from sqlalchemy.orm import Session

from service.app import create_app
from service.config import PROJECT_ROOT, Settings
from service.db import create_db_engine, sibling_database_url, split_database
from service.domain.enums import Role
from service.migrate import upgrade
from service.operations.actors import SYSTEM
from service.operations.auth import create_api_key
from service.webhooks import signing

N_WRITES = int(os.environ.get("BENCH_WEBHOOK_WRITES", "60"))


def _p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]


def _more_than(received: dict[str, float], n: int) -> bool:
    return len(received) > n


def main(bench_url: str) -> None:
    url = sibling_database_url(bench_url, split_database(bench_url)[1] + "_webhooks")
    engine = create_db_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade(conn)
    os.environ["CLAIMDESK_WEBHOOK_ALLOW_PRIVATE"] = "1"
    received: dict[str, float] = {}
    arrived = threading.Condition()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            with arrived:
                received[self.headers["webhook-id"]] = time.perf_counter()
                arrived.notify_all()
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    hook_url = f"http://127.0.0.1:{server.server_address[1]}/hook"

    with Session(engine) as session:
        _, secret = create_api_key(session, SYSTEM, name="bench", role=Role.ADMIN)
        session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    app = create_app(Settings(database_url=url, write_rate_limit=None), bind=engine)
    client = app.test_client()
    body = "The port authority said it moved 4 million tonnes in 2024."
    doc = cast(
        dict[str, Any],
        client.post(
            "/api/v1/documents?wait=true",
            json={"body": body, "outlet": "Bench", "extract": False},
            headers=headers,
        ).json,
    )
    claim = cast(
        dict[str, Any],
        client.post(
            "/api/v1/claims",
            json={"document_id": doc["id"], "span": {"start": 0, "end": len(body)}},
            headers=headers,
        ).json,
    )

    def edit(i: int) -> float:
        """One If-Match edit; returns the perf_counter time its answer came back."""
        etag = client.get(f"/api/v1/claims/{claim['id']}").headers["ETag"]
        response = client.patch(
            f"/api/v1/claims/{claim['id']}",
            json={"cue": f"edit {i}"},
            headers=headers | {"If-Match": etag},
        )
        assert response.status_code == 200, response.json
        return time.perf_counter()

    def write_cost(n: int) -> float:
        started = time.perf_counter()
        for i in range(n):
            edit(i)
        return (time.perf_counter() - started) / n

    write_cost(10)  # warm-up
    without = write_cost(N_WRITES)
    client.post(
        "/api/v1/webhooks", json={"url": hook_url, "event_types": ["claim.edited"]}, headers=headers
    )
    env = dict(os.environ, DATABASE_URL=url)
    worker = subprocess.Popen(
        [sys.executable, "-m", "service.worker", "--queue", "webhooks"],
        env=env,
        cwd=PROJECT_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        delays = []
        for i in range(N_WRITES):
            committed = edit(1000 + i)
            with arrived:
                arrived.wait_for(partial(_more_than, received, i), timeout=30)
            last = max(received.values())
            delays.append(last - committed)
            time.sleep(0.05)
        with_hook = write_cost(N_WRITES)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)

    http = urllib3.PoolManager()
    direct = []
    for i in range(N_WRITES):
        payload = b'{"type":"bench"}'
        sent = time.perf_counter()
        http.request(
            "POST",
            hook_url,
            body=payload,
            headers=signing.headers(signing.new_secret(), f"bench_{i}", int(time.time()), payload),
        )
        direct.append(time.perf_counter() - sent)
    server.shutdown()
    server.server_close()
    engine.dispose()

    p50, p95 = _p(delays, 50), _p(delays, 95)
    print(f"webhooks at idle ({N_WRITES} writes, one at a time, a worker on the webhooks queue):")
    print(
        f"  commit -> receipt   p50 {p50 * 1000:7.1f} ms   p95 {p95 * 1000:7.1f} ms (target < 2000)"
    )
    print(
        f"  baseline: a signed POST from this process p95 {_p(direct, 95) * 1000:.1f} ms; "
        f"delivery p95 = {p95 / _p(direct, 95):.0f}x of it"
    )
    print(
        f"  a claim edit: {without * 1000:.1f} ms without a subscription, "
        f"{with_hook * 1000:.1f} ms with one ({with_hook / without:.2f}x: the outbox's cost)"
    )


if __name__ == "__main__":
    from bench.common import bench_database_url

    main(bench_database_url())
