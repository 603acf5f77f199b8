"""Syndicated-copy detection at ingest: is its cost flat in the number of stored documents?

Documents are generated from the real articles the project annotates (tests/data/extraction
and the seeds) by a first-order word Markov chain: news vocabulary and phrasing, with the
stock phrases real news shares, not repeats of the same sentences. One in a hundred is a
copy of an earlier one (a new lede, a trimmed ending). At 1k, 10k and 100k stored documents
(built once, reused), 40 new documents (half of them copies) go through the ingest path's
copy step in a rolled-back transaction; the baseline is the same documents' pure work in this
process (shingles and MinHash band keys), which does not depend on the store."""

from __future__ import annotations

import io
import itertools
import os
import random
import re
import time
from collections import defaultdict
from pathlib import Path

import psycopg
from sqlalchemy import text
from sqlalchemy.orm import Session

from service.config import PROJECT_ROOT
from service.copies.shingles import band_keys, shingles
from service.db import create_db_engine, libpq_url, sibling_database_url, split_database
from service.migrate import upgrade
from service.models import Document
from service.operations.actors import SYSTEM
from service.operations.copies import suggest_copies
from service.operations.documents import body_sha256

SIZES = [int(n) for n in os.environ.get("BENCH_COPY_SIZES", "1000,10000,100000").split(",")]
PROBES = 40
_WORD = re.compile(r"\S+")


def _corpus() -> list[str]:
    folders = [
        PROJECT_ROOT / "tests/data/extraction/dev/articles",
        PROJECT_ROOT / "tests/data/extraction/test/articles",
        PROJECT_ROOT / "seeds/articles",
    ]
    return [p.read_text(encoding="utf-8") for f in folders for p in sorted(Path(f).glob("*.txt"))]


class Chain:
    def __init__(self, texts: list[str]) -> None:
        self.next: dict[str, list[str]] = defaultdict(list)
        for body in texts:
            words = _WORD.findall(body)
            for a, b in itertools.pairwise(words):
                self.next[a].append(b)
        self.starts = [w for w in self.next if w[:1].isupper()]

    def paragraph(self, rng: random.Random, n: int) -> str:
        word = rng.choice(self.starts)
        out = [word]
        for _ in range(n - 1):
            options = self.next.get(word)
            word = rng.choice(options) if options else rng.choice(self.starts)
            out.append(word)
        return " ".join(out)

    def body(self, rng: random.Random) -> str:
        return "\n\n".join(
            self.paragraph(rng, rng.randint(40, 110)) for _ in range(rng.randint(4, 10))
        )


def _copy_of(body: str, chain: Chain, rng: random.Random) -> str:
    paragraphs = body.split("\n\n")
    keep = paragraphs[: max(2, int(len(paragraphs) * rng.uniform(0.6, 1.0)))]
    return "\n\n".join([chain.paragraph(rng, rng.randint(20, 50)), *keep])


def _grow(url: str, chain: Chain, rng: random.Random, target: int) -> None:
    """Add generated documents (and their band keys) until `target` are stored."""
    with psycopg.connect(libpq_url(url)) as conn:
        have = conn.execute("SELECT count(*) FROM documents").fetchone()
        count = have[0] if have else 0
        bodies: list[str] = []
        while count + len(bodies) < target:
            n = count + len(bodies)
            if n > 10 and rng.random() < 0.01:
                bodies.append(_copy_of(chain.body(random.Random(n - 7)), chain, rng))
            else:
                bodies.append(chain.body(random.Random(n)) + f"\n\nBench {n}.")
        if not bodies:
            return
        with conn.cursor() as cur:
            start = cur.execute("SELECT coalesce(max(id), 0) FROM documents").fetchone()
            first = (start[0] if start else 0) + 1
            docs, bands = io.StringIO(), io.StringIO()
            for i, body in enumerate(bodies):
                doc_id = first + i
                escaped = body.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", " ")
                docs.write(f"{doc_id}\t{escaped}\t{body_sha256(body)}\tready\tnews\ten\n")
                for band, key in band_keys(shingles(body)):
                    bands.write(f"{doc_id}\t{band}\t{key}\n")
            with cur.copy(
                "COPY documents (id, body, body_sha256, state, kind, language) FROM STDIN"
            ) as copy:
                copy.write(docs.getvalue())
            with cur.copy("COPY document_bands (document_id, band, key) FROM STDIN") as copy:
                copy.write(bands.getvalue())
            cur.execute("SELECT setval('documents_id_seq', (SELECT max(id) FROM documents))")
            cur.execute("ANALYZE documents; ANALYZE document_bands")
        conn.commit()


def main(bench_url: str) -> None:
    url = sibling_database_url(bench_url, split_database(bench_url)[1] + "_copies")
    engine = create_db_engine(url)
    with engine.begin() as conn:
        fresh = conn.scalar(text("SELECT to_regclass('document_bands') IS NULL"))
        if fresh or os.environ.get("BENCH_REBUILD"):
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade(conn)
    chain = Chain(_corpus())
    rng = random.Random(20251205)
    print("syndicated copies at ingest (the copy step of POST /documents), 40 new documents:")
    first_ms: float | None = None
    for size in SIZES:
        built = time.perf_counter()
        _grow(url, chain, rng, size)
        built = time.perf_counter() - built
        probe_rng = random.Random(size)
        with engine.connect() as conn:
            stored = [
                r[0]
                for r in conn.execute(
                    text("SELECT body FROM documents ORDER BY random() LIMIT :n"),
                    {"n": PROBES // 2},
                )
            ]
        probes = [_copy_of(b, chain, probe_rng) for b in stored] + [
            chain.body(probe_rng) for _ in range(PROBES - len(stored))
        ]
        started = time.perf_counter()
        for body in probes:
            band_keys(shingles(body))
        bare = (time.perf_counter() - started) / len(probes)
        found = 0
        with engine.connect() as conn:
            transaction = conn.begin()
            session = Session(bind=conn, join_transaction_mode="create_savepoint")
            started = time.perf_counter()
            for body in probes:
                doc = Document(body=body, body_sha256=body_sha256(body), state="ready", kind="news")
                session.add(doc)
                session.flush()
                found += len(suggest_copies(session, SYSTEM, doc)) > 0
            took = (time.perf_counter() - started) / len(probes)
            transaction.rollback()
        first_ms = first_ms or took * 1000
        print(
            f"  {size:>7,} stored: {took * 1000:6.1f} ms a document "
            f"({took / bare:.1f}x its pure shingle+MinHash work, {bare * 1000:.1f} ms; "
            f"{took * 1000 / first_ms:.2f}x the {SIZES[0]:,} figure); "
            f"copies found for {found} of {len(stored)} copied probes"
            + (f"; built in {built:.0f} s" if built > 1 else "")
        )
    engine.dispose()


if __name__ == "__main__":
    from bench.common import bench_database_url

    main(bench_database_url())
