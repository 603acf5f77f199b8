"""Shared set-up for benchmarks: a scratch database at head, seeded, with many claims."""

from __future__ import annotations

import hashlib
import os
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import psycopg
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from service.config import PROJECT_ROOT, Settings
from service.db import (
    create_db_engine,
    embedded_server_url,
    libpq_url,
    sibling_database_url,
    split_database,
)
from service.extraction import CHECKWORTHY
from service.linking import semantic, vectors
from service.migrate import upgrade
from service.models import Document
from service.operations.actors import SYSTEM
from service.operations.seeds import load_seeds
from service.operations.speakers import create_speaker


def bench_database_url() -> str:
    """BENCH_DATABASE_URL, else a sibling of DATABASE_URL, else the embedded server."""
    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        return sibling_database_url(url, split_database(url)[1])  # creates it if missing
    base = os.environ.get("DATABASE_URL")
    if base:
        return sibling_database_url(base, split_database(base)[1] + "_bench")
    return embedded_server_url(Settings.from_env().data_dir, "claimdesk_bench")


SENTENCE = re.compile(r"[^.!?\n]{30,300}[.!?]")


#: Which corpus the bench database holds (bench/corpus.py): `news` (the default, words that
#: behave like news in documents of 40 claims) or `repeat` (the seeds' sentences repeated, in
#: the five seed documents: the worst case for the lexical step).
CORPUS = os.environ.get("BENCH_CORPUS", "news")
#: Bumped when what the builder makes changes, so that an older bench database is rebuilt;
#: the corpus is part of it.
BUILD = {"repeat": 3, "news": 4}[CORPUS]
#: Generated claims given a verdict (for the ClaimReview export and GET with linked claims).
DECIDED = 10_000


def _existing(url: str, n_claims: int) -> list[int] | None:
    """The claim ids of a bench database built earlier with the same size, if there is one."""
    try:
        with psycopg.connect(libpq_url(url)) as conn:
            built = conn.execute("SELECT max(build) FROM bench_build").fetchone()
            if built != (BUILD,):
                return None
            # The generated claims are the ones without an extractor version.
            bulk = conn.execute(
                "SELECT count(*), count(embedding) > 0 FROM claims WHERE extractor_version IS NULL"
            ).fetchone()
            if bulk != (n_claims, True):
                return None
            return [r[0] for r in conn.execute("SELECT id FROM claims ORDER BY id")]
    except psycopg.Error:
        return None


def build_claims_database(url: str, n_claims: int) -> list[int]:
    """Empty the database, migrate, seed, and add n_claims claims over real seed sentences.

    A database left by an earlier run with the same number of claims is reused
    (set BENCH_REBUILD=1 to force a rebuild)."""
    if not os.environ.get("BENCH_REBUILD"):
        reused = _existing(url, n_claims)
        if reused:
            # A database built by an older revision gains the newer migrations.
            engine = create_db_engine(url)
            with engine.begin() as conn:
                upgrade(conn)
            engine.dispose()
            return reused
    if os.environ.get("BENCH_REBUILD") or _generated(url) != n_claims or _built(url) != BUILD:
        (_load_news if CORPUS == "news" else _load)(url, n_claims)
    # The rest is idempotent: a build that stopped after loading the claims resumes here.
    with psycopg.connect(libpq_url(url)) as pg, pg.cursor() as cur:
        _verdicts_and_links(cur, n_claims // 2)
        pg.commit()
        ids = [row[0] for row in cur.execute("SELECT id FROM claims ORDER BY id")]
    _index_vectors(url)
    with psycopg.connect(libpq_url(url), autocommit=True) as pg:
        pg.execute("VACUUM ANALYZE")
        pg.execute("CREATE TABLE IF NOT EXISTS bench_build (build int)")
        pg.execute("INSERT INTO bench_build VALUES (%s)", (BUILD,))
    return ids


def _built(url: str) -> int | None:
    try:
        with psycopg.connect(libpq_url(url)) as conn:
            row = conn.execute("SELECT max(build) FROM bench_build").fetchone()
            return int(row[0]) if row and row[0] is not None else None
    except psycopg.Error:
        return None


def _generated(url: str) -> int:
    try:
        with psycopg.connect(libpq_url(url)) as conn:
            row = conn.execute(
                "SELECT count(*) FROM claims WHERE extractor_version IS NULL"
            ).fetchone()
            return int(row[0]) if row else 0
    except psycopg.Error:
        return -1


def _fresh_seeded(url: str) -> None:
    """An empty schema at head, with the seed articles."""
    engine = create_db_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade(conn)
    with Session(engine) as session:
        load_seeds(session, SYSTEM, PROJECT_ROOT / "seeds")
        session.commit()
    engine.dispose()


def _load(url: str, n_claims: int) -> None:
    """A fresh schema, the seeds, 50 speakers and n_claims generated claims (COPY)."""
    _fresh_seeded(url)
    engine = create_db_engine(url)
    with Session(engine) as session:
        docs = list(session.scalars(select(Document).order_by(Document.id)))
        speakers = [create_speaker(session, SYSTEM, f"Speaker {i}").id for i in range(50)]
        session.commit()
        spans = [
            (d.id, m.start(), m.end(), m.group()) for d in docs for m in SENTENCE.finditer(d.body)
        ]
    engine.dispose()
    attributions = ["direct_quote", "indirect", "anonymous", "document", "author"]
    # The generated claims repeat the seeds' sentences; each gets its sentence's vector moved
    # a little (so that the index holds distinct points, as real claims would be).
    base = semantic.embed([sentence for _, _, _, sentence in spans])
    rng = np.random.default_rng(7)

    def vector(i: int) -> bytes | None:
        if base is None:
            return None
        v = base[i % len(spans)] + rng.normal(0.0, 0.04, semantic.DIM).astype(np.float32)
        return semantic.to_bytes(v / np.linalg.norm(v))

    with psycopg.connect(libpq_url(url)) as conn, conn.cursor() as cur:
        with _copy_claims(cur) as copy:
            for i in range(n_claims):
                doc_id, start, end, sentence = spans[i % len(spans)]
                worthy = (i % 100) / 100 >= CHECKWORTHY
                copy.write_row(
                    (
                        doc_id,
                        speakers[i % len(speakers)],
                        sentence,
                        start,
                        end,
                        "",
                        "",
                        attributions[i % 5],
                        (i % 100) / 100,
                        '["number"]',
                        "unreviewed",
                        1,
                        "extracted",
                        vector(i) if worthy else None,
                    )
                )
        conn.commit()


@contextmanager
def _copy_claims(cur: psycopg.Cursor[Any]) -> Iterator[psycopg.Copy]:
    """A COPY into claims (the columns both corpora write), with the claims' GIN index
    dropped for it and built after, as it was: the index has no pending list (fastupdate
    off), so a million rows inserted into it one by one would be far slower than one build."""
    definition = cur.execute("SELECT pg_get_indexdef('ix_claims_tsv'::regclass)").fetchone()
    assert definition is not None
    cur.execute("DROP INDEX ix_claims_tsv")
    with cur.copy(
        "COPY claims (document_id, speaker_id, text, span_start, span_end, prefix, suffix,"
        " attribution, checkworthiness, reasons, status, version, origin, embedding)"
        " FROM STDIN"
    ) as copy:
        yield copy
    cur.execute(definition[0])


def _load_news(url: str, n_claims: int) -> None:
    """A fresh schema, the seeds, then n_claims claims of the news-like corpus in documents
    of their own (bench/corpus.py), all by COPY."""
    from bench.corpus import NewsCorpus

    _fresh_seeded(url)
    corpus = NewsCorpus(cache=PROJECT_ROOT / ".data")
    attributions = ["direct_quote", "indirect", "anonymous", "document", "author"]
    with psycopg.connect(libpq_url(url)) as conn, conn.cursor() as cur:
        cur.execute(
            "INSERT INTO outlets (name) SELECT unnest(%s::text[]) RETURNING id", (corpus.outlets,)
        )
        outlets = [r[0] for r in cur.fetchall()]
        cur.execute(
            "INSERT INTO speakers (name, kind, version) SELECT unnest(%s::text[]), 'person', 1"
            " RETURNING id",
            (corpus.speakers,),
        )
        speakers = [r[0] for r in cur.fetchall()]
        row = cur.execute("SELECT coalesce(max(id), 0) + 1 FROM documents").fetchone()
        assert row is not None
        first = int(row[0])
        documents = list(corpus.documents(n_claims))
        with cur.copy(
            "COPY documents (id, outlet_id, title, published_on, kind, language, body,"
            " body_sha256, state, attempts, revision) FROM STDIN"
        ) as copy:
            for n, doc in enumerate(documents):
                copy.write_row(
                    (
                        first + n,
                        outlets[doc.outlet],
                        doc.title,
                        doc.published_on,
                        "news",
                        "en",
                        doc.body,
                        hashlib.sha256(doc.body.encode()).hexdigest(),
                        "ready",
                        0,
                        1,
                    )
                )
        cur.execute("SELECT setval('documents_id_seq', (SELECT max(id) FROM documents))")
        with _copy_claims(cur) as copy:
            i = 0
            for n, doc in enumerate(documents):
                for claim in doc.claims:
                    copy.write_row(
                        (
                            first + n,
                            speakers[claim.speaker] if claim.speaker is not None else None,
                            claim.text,
                            claim.start,
                            claim.end,
                            "",
                            "",
                            attributions[i % 5],
                            claim.checkworthiness,
                            '["number"]',
                            "unreviewed",
                            1,
                            "extracted",
                            claim.vector,
                        )
                    )
                    i += 1
        conn.commit()


def _verdicts_and_links(cur: psycopg.Cursor[Any], far: int) -> None:
    """DECIDED generated claims get a verdict; every other one is confirmed as the same claim
    as an undecided claim of another document far away (clusters of two, as most are), and
    each is confirmed as corroborated by another such claim."""
    cur.execute("DELETE FROM claim_links")
    cur.execute(
        "UPDATE claims SET status = CASE WHEN id %% 4 = 0 THEN 'disputed' ELSE 'verified' END"
        " WHERE id IN (SELECT id FROM claims WHERE extractor_version IS NULL"
        " ORDER BY id LIMIT %s)",
        (DECIDED,),
    )
    cur.execute(
        "INSERT INTO claim_links (claim_a_id, claim_b_id, relation, state, score, reasons,"
        " version, updated_at)"
        " SELECT a.id, b.id, r.relation, 'confirmed', 0.9, '{}', 1, now()"
        " FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM claims"
        "       WHERE status IN ('verified', 'disputed')) a"
        " CROSS JOIN LATERAL (VALUES ('same_claim', 1), ('corroborates', 7)) AS r(relation, step)"
        " JOIN LATERAL (SELECT c.id FROM claims c WHERE c.id > a.id + %(far)s + r.step"
        "               AND c.document_id <> (SELECT document_id FROM claims WHERE id = a.id)"
        "               ORDER BY c.id LIMIT 1) b ON true"
        " WHERE r.relation = 'corroborates' OR a.n %% 2 = 1"
        " ON CONFLICT DO NOTHING",
        {"far": far},
    )


def _index_vectors(url: str) -> None:
    """Fill the pgvector table from the stored embeddings and build its HNSW index once,
    after the bulk load (far faster than keeping the index up to date row by row)."""
    engine = create_db_engine(url, statement_timeout_ms=0)
    with engine.begin() as conn:
        done = (
            conn.execute(
                text(
                    f"SELECT (SELECT count(*) FROM {vectors.TABLE}) = (SELECT count(*) FROM claims"
                    f" WHERE embedding IS NOT NULL) AND to_regclass('ix_{vectors.TABLE}_hnsw')"
                    " IS NOT NULL"
                )
            ).scalar()
            if vectors.table_exists(conn)
            else True
        )
        if not done:
            conn.execute(text(f"DROP INDEX IF EXISTS ix_{vectors.TABLE}_hnsw"))
            conn.execute(text(f"TRUNCATE {vectors.TABLE}"))
            vectors.copy_from_claims(conn)
            vectors.build_index(conn, memory="2GB")
    engine.dispose()


def compare(
    baseline: tuple[str, Callable[[int], object]],
    subject: tuple[str, Callable[[int], object]],
    ids: list[int],
    seconds: float,
    chunk: int = 100,
) -> float:
    """Rates of both, measured in alternating chunks so that machine noise hits both alike;
    prints them and returns subject/baseline."""
    (base_label, base_fn), (subj_label, subj_fn) = baseline, subject
    for i in ids[:200]:
        base_fn(i)
        subj_fn(i)
    spent = {base_label: 0.0, subj_label: 0.0}
    done = {base_label: 0, subj_label: 0}
    position = 0
    while sum(spent.values()) < 2 * seconds:
        batch = ids[position % len(ids) : position % len(ids) + chunk] or ids[:chunk]
        position += chunk
        for label, fn in ((base_label, base_fn), (subj_label, subj_fn)):
            start = time.perf_counter()
            for i in batch:
                fn(i)
            spent[label] += time.perf_counter() - start
            done[label] += len(batch)
    rates = {label: done[label] / spent[label] for label in spent}
    for label in (base_label, subj_label):
        print(f"  {label:<44} {rates[label]:>9.0f} req/s")
    return rates[subj_label] / rates[base_label]
