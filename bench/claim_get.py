"""GET /api/v1/claims/{id} through the whole stack vs a bare psycopg + json.dumps endpoint.

Both are WSGI apps served by one gunicorn process over keep-alive HTTP (the headline), and
driven by the same werkzeug test client in this process, over the same database, so the ratio
isolates what the service costs on top of the SQL itself. The plain read is answered beneath
Flask (service/api/fast_reads.py: the same statement, schema, ETag and headers); the Flask
view that answers everything else is measured too, in process, for comparison.
"""

from __future__ import annotations

import json
import os
import random
from collections.abc import Callable, Iterable
from typing import Any

import psycopg
from psycopg.rows import dict_row
from werkzeug.test import Client

from bench.common import bench_database_url, build_claims_database, compare
from service.app import create_app
from service.config import Settings
from service.db import libpq_url

BARE_SQL = """
SELECT c.id, c.document_id, c.text, json_build_object('start', c.span_start, 'end', c.span_end)
       AS span, c.prefix, c.suffix,
       CASE WHEN s.id IS NULL THEN NULL ELSE json_build_object('id', s.id, 'name', s.name) END
       AS speaker,
       c.attribution, c.cue, c.claim_date, c.date_precision, c.checkworthiness, c.reasons,
       c.status, c.origin, c.extractor_version, c.version, c.created_at, c.updated_at,
       COALESCE((SELECT json_agg(json_build_object('id', e.id, 'url', e.url, 'document_id',
                 e.document_id, 'note', e.note, 'created_at', e.created_at) ORDER BY e.id)
                 FROM evidence e WHERE e.claim_id = c.id), '[]') AS evidence,
       (SELECT count(*) FROM fact_check_matches m
         WHERE m.claim_id = c.id AND m.state = 'confirmed') AS confirmed_fact_checks
FROM claims c LEFT JOIN speakers s ON s.id = c.speaker_id
WHERE c.id = %s
"""
#: A claim with links reads them too (relation, state, the other claim's document) in its
#: statement, and the service reads the lineage of its backers' documents in a second: the bare
#: endpoint for such claims runs the same two statements (the lineage as the service's own SQL),
#: so that the ratio is the service's cost on top of the SQL, as it is for a claim without links.
BARE_LINKED_SQL = BARE_SQL.replace(
    "FROM claims c LEFT JOIN",
    """, (SELECT COALESCE(json_agg(json_build_array(l.relation, l.state, o.document_id)), '[]')
          FROM claim_links l
          JOIN claims o
            ON o.id = CASE WHEN l.claim_a_id = c.id THEN l.claim_b_id ELSE l.claim_a_id END
         WHERE l.claim_a_id = c.id OR l.claim_b_id = c.id) AS links
FROM claims c LEFT JOIN""",
)


def bare_app(url: str) -> Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]:
    from service.operations.claims import _supporting
    from service.operations.origins import _CLAIM_LINEAGE_AND_COPIES

    conn = psycopg.connect(libpq_url(url), autocommit=True, row_factory=dict_row)

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ["PATH_INFO"]
        claim_id = int(path.rsplit("/", 1)[1])
        linked = path.startswith("/bare/linked/")
        row = conn.execute(BARE_LINKED_SQL if linked else BARE_SQL, (claim_id,)).fetchone()
        # As the service does: the lineage only for a claim with confirmed support.
        if linked and row is not None and _supporting(row["links"]):
            row["lineage"] = conn.execute(
                _CLAIM_LINEAGE_AND_COPIES, {"claim_id": claim_id}
            ).fetchall()
        body = json.dumps(row, default=str).encode()
        start_response("200 OK", [("Content-Type", "application/json")])
        return [body]

    return app


def over_http(url: str, ids: list[int], seconds: float) -> float:
    """Both endpoints served by one gunicorn process, called over keep-alive HTTP."""
    import http.client
    import socket
    import subprocess
    import sys
    import time

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--worker-class",
            "gthread",
            "--threads",
            "1",
            "--keep-alive",
            "30",
            "--log-level",
            "warning",
            "bench.claim_get_app:app",
        ],
        env=dict(os.environ, BENCH_DATABASE_URL=url),
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        conn = http.client.HTTPConnection("127.0.0.1", port)

        def get(path: str) -> None:
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            assert response.status == 200, response.status

        ratio = compare(
            ("bare over HTTP (baseline)", lambda i: get(f"/bare/claims/{i}")),
            ("full over HTTP", lambda i: get(f"/api/v1/claims/{i}")),
            ids,
            seconds,
        )
        conn.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"  ratio full/bare over HTTP = {ratio:.2f}   (target >= 0.6)")
    return ratio


def main(n_claims: int = 100_000, seconds: float = 5.0) -> float:
    url = bench_database_url()
    print(f"GET one claim, {n_claims:,} claims stored ({seconds:.0f} s per side)")
    ids = build_claims_database(url, n_claims)
    random.Random(7).shuffle(ids)
    ratio = over_http(url, ids, seconds)
    print("  in-process (werkzeug test client, no HTTP), for the framework's own cost:")
    full = Client(create_app(Settings(database_url=url)))
    bare = Client(bare_app(url))

    def via_full(i: int) -> None:
        response = full.get(f"/api/v1/claims/{i}")
        assert response.status_code == 200, response.status_code

    def via_bare(i: int) -> None:
        response = bare.get(f"/bare/claims/{i}")
        assert response.status_code == 200

    in_process = compare(
        ("bare: psycopg + json.dumps (baseline)", via_bare),
        ("full app (the read answered beneath Flask)", via_full),
        ids,
        seconds,
    )
    print(f"  ratio full/bare in process = {in_process:.2f}")
    flask_view = Client(full.application.wsgi_app.downstream)  # type: ignore[attr-defined]

    def via_flask(i: int) -> None:
        response = flask_view.get(f"/api/v1/claims/{i}")
        assert response.status_code == 200, response.status_code

    beneath = compare(
        ("bare: psycopg + json.dumps (baseline)", via_bare),
        ("the Flask view (Flask + smorest + ORM session)", via_flask),
        ids,
        seconds,
    )
    print(f"  ratio Flask view/bare in process = {beneath:.2f}   (the path every other read takes)")
    # Claims with confirmed links: their view adds corroboration (links and one lineage query).
    with psycopg.connect(libpq_url(url)) as conn:
        linked = [
            r[0]
            for r in conn.execute(
                "SELECT DISTINCT claim_a_id FROM claim_links WHERE state = 'confirmed' LIMIT 5000"
            )
        ]
    if linked:

        def via_bare_linked(i: int) -> None:
            response = bare.get(f"/bare/linked/{i}")
            assert response.status_code == 200

        with_links = compare(
            ("bare, the same statements (baseline)", via_bare_linked),
            ("full, claims with confirmed links", via_full),
            linked,
            seconds,
        )
        print(f"  ratio full/bare for linked claims = {with_links:.2f}   (target >= 0.6)")
        against_plain = compare(
            ("bare, the claim's statement only", via_bare),
            ("full, claims with confirmed links", via_full),
            linked,
            seconds,
        )
        print(
            f"  ratio against the bare read of a claim without links = {against_plain:.2f}"
            "   (the lineage statement included)"
        )
    return ratio


if __name__ == "__main__":
    main(int(os.environ.get("BENCH_CLAIMS", "100000")))
