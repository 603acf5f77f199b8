"""The NDJSON export over the 100k-claim bench database: claims per second and peak memory
growth, against a baseline in the same process (the same rows fetched by the same keyset
SQL and dropped, no JSON)."""

from __future__ import annotations

import resource
import time

from sqlalchemy.orm import Session

from service.db import create_db_engine
from service.reports import exports


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(url: str) -> float:
    engine = create_db_engine(url, autocommit=True)
    with Session(engine) as session:
        start = time.perf_counter()
        after, raw_rows = 0, 0
        while rows := session.execute(exports._export_batch(after)).all():
            after, raw_rows = rows[-1].id, raw_rows + len(rows)
        raw = time.perf_counter() - start
        before = _peak_rss_mb()
        start = time.perf_counter()
        n = sum(1 for _ in exports.export_claims(session, None))
        full = time.perf_counter() - start
        growth = _peak_rss_mb() - before
    engine.dispose()
    print(f"NDJSON export of {n} claims (GET /api/v1/exports/claims.ndjson without HTTP)")
    print(f"  keyset SQL alone (baseline)   {raw_rows / raw:9.0f} claims/s")
    print(f"  export with JSON lines        {n / full:9.0f} claims/s  (target >= 20000)")
    print(f"  peak RSS growth while exporting {growth:.1f} MB  (target < 50 MB)")
    print(f"  speed relative to SQL alone = {raw / full:.2f}")
    return raw / full
