"""The NDJSON export over the 100k-claim bench database: claims per second and peak memory
growth, against baselines in the same process: the export's own keyset SQL with its rows
dropped, and the plain keyset select of the same columns (no JSON at all, what the export
read before Postgres wrote its lines)."""

from __future__ import annotations

import resource
import time
import tracemalloc
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from service.db import create_db_engine
from service.models import Claim
from service.operations.pagination import encode_cursor
from service.reports import exports
from service.reports.query import claims_in_context


def _plain_batch(after: tuple[int, int]) -> Any:
    return (
        claims_in_context(
            Claim.txid,
            Claim.version,
            Claim.updated_at,
            Claim.revision,
            exports._LINKS.label("links"),
        )
        .where(tuple_(Claim.txid, Claim.id) > tuple_(*after))
        .order_by(Claim.txid, Claim.id)
        .limit(exports.EXPORT_BATCH)
    )


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(url: str) -> float:
    from werkzeug.test import Client

    from service.app import create_app
    from service.config import Settings

    engine = create_db_engine(url, autocommit=True)
    client = Client(create_app(Settings(database_url=url)))
    with Session(engine) as session:
        # Warm the code paths on the last few rows only, then measure the export first, so
        # that its peak memory is not hidden under a high-water mark an earlier run left.
        top = session.execute(
            select(Claim.txid, Claim.id).order_by(Claim.txid.desc(), Claim.id.desc()).limit(1)
        ).first()
        last = (top.txid, top.id - 50) if top else (0, 0)
        list(exports.export_claims(session, encode_cursor(last, exports.EXPORT_TAG)))
        before = _peak_rss_mb()
        start = time.perf_counter()
        n = sum(chunk.count("\n") for chunk in exports.export_claims(session, None))
        full = time.perf_counter() - start
        growth = _peak_rss_mb() - before
        start = time.perf_counter()
        after, raw_rows = exports.export_position(None), 0
        frontier = exports.export_frontier(session)
        while rows := session.execute(exports._export_batch(after, frontier)).all():
            after, raw_rows = (rows[-1].txid, rows[-1].id), raw_rows + len(rows)
        raw = time.perf_counter() - start
        start = time.perf_counter()
        after = exports.export_position(None)
        while rows := session.execute(_plain_batch(after)).all():
            after = (rows[-1].txid, rows[-1].id)
        plain = time.perf_counter() - start
        tracemalloc.start()
        for _ in exports.export_claims(session, None):
            pass
        python_peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    start = time.perf_counter()
    response = client.get("/api/v1/exports/claims.ndjson", buffered=False)
    streamed = sum(chunk.count(b"\n") for chunk in response.iter_encoded())
    api = time.perf_counter() - start
    engine.dispose()
    print(f"NDJSON export of {n} claims")
    print(f"  keyset SQL alone (baseline)        {raw_rows / raw:9.0f} claims/s")
    print(f"  plain keyset select, no JSON       {raw_rows / plain:9.0f} claims/s")
    print(f"  export as JSON lines               {n / full:9.0f} claims/s  (target >= 20000)")
    print(f"  GET /api/v1/exports/claims.ndjson  {streamed / api:9.0f} claims/s (WSGI, no socket)")
    print(f"  peak RSS growth while exporting    {growth:9.1f} MB  (target < 50 MB)")
    print(f"  peak Python allocations (tracemalloc) {python_peak:6.1f} MB")
    print(f"  speed relative to SQL alone = {raw / full:.2f}   (target >= 0.8)")
    print(f"  speed relative to the plain select = {plain / full:.2f}")
    return raw / full
