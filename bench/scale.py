"""What changes with the size of the database (run it with BENCH_CLAIMS=1000000), each figure
beside a baseline measured in the same run:

- the ClaimReview export of the decided claims (10k verdicts) vs the SQL that reads them;
- list paging: p99 of page 1 vs the page 10,000 pages in (keyset: it should not grow);
- app start (import, create_app, first /healthz) vs a bare Python start;
- ingest through the job queue with two worker processes vs extraction alone in one
  process, and the workers' peak RSS;
- one core's whole ingest job per article (extraction, vectors, suggestions against
  everything stored, fact-check matching, writes) vs parsing and embedding alone: in this
  process, one job after the other (`per_article`), and through the queue to one worker
  process held to one core (`per_core`), with one job at a time and with two (one job's
  waits on Postgres are then the other's parsing).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid

from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session
from werkzeug.test import Client

from service.app import create_app
from service.config import PROJECT_ROOT, Settings
from service.db import create_db_engine
from service.domain.enums import ClaimOrigin, DocumentState
from service.extraction import extract
from service.jobs import enqueue_extraction, process_document
from service.linking import semantic
from service.linking.scoring import SUGGEST_MIN
from service.models import Claim, Document
from service.operations.actors import SYSTEM
from service.operations.documents import NewDocument, ingest_document
from service.operations.pagination import encode_cursor
from service.reports.exports import RATINGS, all_claim_reviews

ARTICLES = sorted((PROJECT_ROOT / "tests" / "data" / "extraction").glob("*/articles/*.txt"))
ORG = {"name": "Bench desk", "url": "https://example.org"}


def _p99(times: list[float]) -> float:
    times = sorted(times)
    return times[max(0, int(len(times) * 0.99) - 1)]


def claimreview(url: str) -> None:
    engine = create_db_engine(url, autocommit=True)
    with Session(engine) as session:
        start = time.perf_counter()
        rows = session.execute(
            select(Claim).where(Claim.status.in_(list(RATINGS))).order_by(Claim.id)
        ).all()
        raw = time.perf_counter() - start
        start = time.perf_counter()
        n = sum(1 for _ in all_claim_reviews(session, ORG, "https://example.org"))
        full = time.perf_counter() - start
    engine.dispose()
    print(f"ClaimReview export of {n:,} verdicts (clusters and decisions in batches)")
    print(f"  the decided claims read by SQL alone (baseline) {raw:6.2f} s ({len(rows):,} rows)")
    print(f"  ClaimReview JSON-LD for all of them            {full:6.2f} s  (target < 5 s)")


def paging(url: str) -> None:
    client = Client(create_app(Settings(database_url=url)))
    engine = create_db_engine(url, autocommit=True)
    with Session(engine) as session:
        total = session.scalar(select(func.count()).select_from(Claim)) or 0
        deep_page = min(10_000, total // 50 - 1)
        deep_id = session.scalar(
            select(Claim.id).order_by(Claim.id).offset(deep_page * 50).limit(1)
        )
    engine.dispose()
    first = "/api/v1/claims?limit=50"
    deep = f"/api/v1/claims?limit=50&after={encode_cursor([deep_id or 0], 'claims')}"
    timings: dict[str, list[float]] = {first: [], deep: []}
    for _ in range(20):
        client.get(first)
        client.get(deep)
    for _ in range(200):
        for path, took in timings.items():
            start = time.perf_counter()
            assert client.get(path).status_code == 200
            took.append(time.perf_counter() - start)
    a, b = _p99(timings[first]), _p99(timings[deep])
    print(f"List paging, 50 claims a page, {total:,} claims")
    print(f"  page 1 p99 (baseline)        {a * 1000:6.1f} ms")
    print(
        f"  page {deep_page:,} p99           {b * 1000:6.1f} ms   ratio {b / a:.2f} (target flat)"
    )


def app_start(url: str) -> None:
    """From spawning a process to its /healthz answer, and the whole process with its exit.

    The child says when /healthz answered on the system-wide monotonic clock (Linux's
    CLOCK_MONOTONIC, the same in every process), so start is measured up to the answer: the
    interpreter's teardown afterwards (0.4 s here: its last collection) is not start,
    and is printed apart."""
    env = dict(os.environ, DATABASE_URL=url)
    probe = (
        "import time; from service.app import create_app; "
        "from service.config import Settings; c = create_app(Settings.from_env()).test_client(); "
        "assert c.get('/healthz').status_code == 200; print(time.monotonic())"
    )
    bare = "import time, json; print(time.monotonic())"

    def run(code: str) -> tuple[float, float]:
        spawned = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True
        )
        return float(done.stdout.split()[-1]) - spawned, time.monotonic() - spawned

    base = min(run(bare) for _ in range(3))
    full = min(run(probe) for _ in range(3))
    print("App start: a new process imports, builds the app and answers /healthz")
    print(f"  bare Python start (baseline)  {base[0]:5.2f} s")
    print(f"  Claimdesk app start           {full[0]:5.2f} s   (target < 3 s at any size)")
    print(
        f"  the same process to its exit  {full[1]:5.2f} s   (teardown {full[1] - full[0]:.2f} s)"
    )


def _queued(engine: Engine, bodies: list[str]) -> list[int]:
    """The bodies stored as new documents (made unique), each with its extraction queued."""
    nonce = uuid.uuid4().hex[:8]
    ids: list[int] = []
    with Session(engine) as session:
        for n, body in enumerate(bodies):
            doc, _ = ingest_document(
                session,
                SYSTEM,
                NewDocument(body=f"{body}\n\n(bench {nonce} {n})"),
                queue=enqueue_extraction,
            )
            ids.append(doc.id)
        session.commit()
    return ids


def ingest(url: str, workers: int = 2, concurrency: int | None = None) -> None:
    bodies = [p.read_text(encoding="utf-8") for p in ARTICLES]
    # Extraction alone, in this process: the baseline (no database, no queue).
    start = time.perf_counter()
    for body in bodies:
        extract(body)
    alone = len(bodies) / (time.perf_counter() - start)
    engine = create_db_engine(url)
    ids = _queued(engine, bodies)
    env = dict(os.environ, DATABASE_URL=url)
    start = time.perf_counter()
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "service.worker", "--burst"]
            + ([] if concurrency is None else ["--concurrency", str(concurrency)]),
            env=env,
            cwd=PROJECT_ROOT,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(workers)
    ]
    # Each worker's own peak: its high-water mark since it started its program (VmHWM),
    # read until it exits. Neither rusage figure is the worker's own: RUSAGE_CHILDREN is the
    # largest child this process ever had, and even a child's own ru_maxrss keeps the peak
    # of the memory it was forked with, this process's (Linux keeps it across exec): under
    # `make bench` both read 466-478 MB, this bench process's size, for workers of 355 MB.
    peak = 0.0
    while any(p.poll() is None for p in procs):
        for p in procs:
            peak = max(peak, _high_water_mb(p.pid))
        time.sleep(0.05)
    took = time.perf_counter() - start
    with Session(engine) as session:
        ready = session.scalar(
            select(func.count()).where(Document.id.in_(ids), Document.state == "ready")
        )
        claims = session.scalar(select(func.count()).where(Claim.document_id.in_(ids)))
        # Leave the bench database as it was (links and vectors go with their claims).
        session.execute(text("DELETE FROM claims WHERE document_id = ANY(:ids)"), {"ids": ids})
        session.execute(text("DELETE FROM documents WHERE id = ANY(:ids)"), {"ids": ids})
        session.commit()
    engine.dispose()
    words = sum(len(b.split()) for b in bodies)
    print(
        f"Ingest of {len(bodies)} articles ({words:,} words) through the queue, {workers} workers"
    )
    print(f"  extraction alone, one process (baseline)   {alone:6.1f} articles/s")
    rate = len(ids) / took
    print(
        f"  queue -> {workers} workers -> ready ({ready}/{len(ids)}, {claims} claims)"
        f"  {rate:6.1f} articles/s, {rate / alone:.2f}x extraction alone"
    )
    print("    (from the workers' spawn: their start-up, loading both models, is counted;")
    print("     per_core below measures the queue from the first job to the last)")
    # Issue #12 asked for 20 articles/s; on this machine the parse alone does `alone` a
    # second on one core, so that target needs about 20 / alone such cores for the workers
    # (and Postgres beside them): the per-core ratio (per_core) is what measures our cost.
    print(
        f"  #12's 20 articles/s would need about {20 / alone:.0f} cores like this one's"
        f" for the parse alone ({os.cpu_count()} here)"
    )
    print(f"  worker peak RSS (largest)                  {peak:6.0f} MB   (target < 400 MB)")


def _high_water_mb(pid: int) -> float:
    """A running process's peak resident set (VmHWM) in MB; 0 once it has gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def parse_and_embed(body: str) -> None:
    """What ingest costs at least: the article parsed and its claims found (spaCy), and the
    check-worthy ones embedded."""
    found = extract(body)  # the parse path encodes every sentence it scores
    worthy = [c for c in found if semantic.wanted(c.checkworthiness, ClaimOrigin.EXTRACTED)]
    semantic.stored_vectors([c.text for c in worthy if c.vector is None])


def per_article(url: str) -> None:
    """The whole job a worker runs for an article, in this process on one core, against
    parsing and embedding the same article alone (the models' cost, nothing of ours)."""
    bodies = [p.read_text(encoding="utf-8") for p in ARTICLES]
    semantic.stored_vectors([extract(bodies[0])[0].text])  # both models loaded and warm

    engine = create_db_engine(url)
    nonce = uuid.uuid4().hex[:8]
    ids: list[int] = []
    with Session(engine) as session:
        for n, body in enumerate(bodies):
            doc, _ = ingest_document(
                session, SYSTEM, NewDocument(body=f"{body}\n\n(bench {nonce} {n})"), extract=False
            )
            doc.state = DocumentState.QUEUED
            ids.append(doc.id)
        session.commit()
    # Interleaved, article by article, so that both sides see the machine in the same state.
    bare = full = 0.0
    for body, doc_id in zip(bodies, ids, strict=True):
        start = time.perf_counter()
        parse_and_embed(body)
        bare += time.perf_counter() - start
        start = time.perf_counter()
        state = process_document(engine, doc_id, last_attempt=True, suggest_min=SUGGEST_MIN)
        full += time.perf_counter() - start
        assert state == "ready", state
    bare /= len(bodies)
    full /= len(bodies)
    with Session(engine) as session:
        session.execute(text("DELETE FROM claims WHERE document_id = ANY(:ids)"), {"ids": ids})
        session.execute(text("DELETE FROM documents WHERE id = ANY(:ids)"), {"ids": ids})
        session.commit()
    engine.dispose()
    print(f"Ingest per article on one core, {len(bodies)} articles, in this process")
    print(f"  parse + embed alone (baseline)        {bare:6.2f} s an article")
    print(f"  the worker's whole job                {full:6.2f} s an article")
    print(f"  ratio = {bare / full:.2f}   (target >= 0.7)")


#: The core a per-core measure holds its processes to; Postgres runs on the others.
CORE = 0


def _one_core() -> None:
    """Hold this process to one core (its BLAS threads are set to one by the environment)."""
    os.sched_setaffinity(0, {CORE})


def per_core(url: str, rounds: int = 3, concurrency: int = 2) -> None:
    """Articles a second that one core gives through the real queue: one worker process held
    to one core (`--concurrency` jobs at once, so that one job's waits on Postgres are another
    job's parsing), against parsing and embedding the same articles on that core alone. Time
    runs from the first job started to the last one finished (procrastinate's own events), so
    the worker's start-up (loading its models) is not counted.

    The two sides alternate, round by round (the baseline's articles, then the queue's), and
    the ratio is of their sums: on a shared machine whose speed drifts by a third within
    minutes (seen here: the baseline from 0.30 to 0.48 s an article), a baseline measured
    once before the queue run compared it with another machine."""
    bodies = [p.read_text(encoding="utf-8") for p in ARTICLES]
    single = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    # The baseline, in a child held to the core (this process keeps its own threads).
    code = (
        "import os, time\n"
        f"os.sched_setaffinity(0, {{{CORE}}})\n"
        "from bench.scale import ARTICLES, parse_and_embed\n"
        "bodies = [p.read_text(encoding='utf-8') for p in ARTICLES]\n"
        "parse_and_embed(bodies[0])\n"
        "start = time.perf_counter()\n"
        "for body in bodies: parse_and_embed(body)\n"
        "print(time.perf_counter() - start)\n"
    )
    engine = create_db_engine(url)
    alone, took, done, queued = [], [], 0, 0
    for _ in range(rounds):
        alone.append(
            float(
                subprocess.run(
                    [sys.executable, "-c", code],
                    env=dict(os.environ, **single),
                    cwd=PROJECT_ROOT,
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout.split()[-1]
            )
        )
        ids = _queued(engine, bodies)
        worker = subprocess.Popen(
            [sys.executable, "-m", "service.worker", "--burst", "--concurrency", str(concurrency)],
            env=dict(os.environ, DATABASE_URL=url, **single),
            cwd=PROJECT_ROOT,
            stderr=subprocess.DEVNULL,
            preexec_fn=_one_core,
        )
        worker.wait()
        with Session(engine) as session:
            first, last, succeeded = session.execute(
                text(
                    "SELECT min(e.at) FILTER (WHERE e.type = 'started'),"
                    "       max(e.at) FILTER (WHERE e.type = 'succeeded'),"
                    "       count(*) FILTER (WHERE e.type = 'succeeded')"
                    "  FROM procrastinate_events e JOIN procrastinate_jobs j ON j.id = e.job_id"
                    " WHERE (j.args ->> 'document_id')::bigint = ANY(:ids)"
                ),
                {"ids": ids},
            ).one()
            session.execute(text("DELETE FROM claims WHERE document_id = ANY(:ids)"), {"ids": ids})
            session.execute(text("DELETE FROM documents WHERE id = ANY(:ids)"), {"ids": ids})
            session.commit()
        took.append((last - first).total_seconds())
        done += succeeded
        queued += len(ids)
    engine.dispose()
    n = len(bodies)
    print(
        f"Ingest on one core: {n} articles x {rounds} rounds, a worker held to core {CORE} "
        f"(--concurrency {concurrency}, one BLAS thread), Postgres on the others; "
        "baseline and queue alternate round by round"
    )
    print(
        "  parse + embed alone on that core (baseline)  "
        + ", ".join(f"{a / n:.2f}" for a in alone)
        + " s an article"
    )
    print(
        f"  through the queue, first job started to last finished ({done}/{queued})  "
        + ", ".join(f"{t / n:.2f}" for t in took)
        + " s an article"
    )
    print(
        f"  ratio = {sum(alone) / sum(took):.2f}   (target >= 0.7; by round "
        + ", ".join(f"{a / t:.2f}" for a, t in zip(alone, took, strict=True))
        + ")"
    )


def main(url: str) -> None:
    claimreview(url)
    print()
    paging(url)
    print()
    app_start(url)
    print()
    ingest(url)
    print()
    per_article(url)
    print()
    per_core(url)
    print()
    per_core(url, concurrency=1)


if __name__ == "__main__":
    from bench.common import bench_database_url

    main(bench_database_url())
