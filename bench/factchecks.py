"""Has this been checked already, at 100k fact-checks: matching a new 50-claim document's
claims against the stored fact-checks (pgvector's nearest + full-text candidates, then the
match model), against the same candidate SQL alone in this process (the baseline: the
nearest in meaning, the best by the review's words and the best by its article's).

The fact-checks are generated from the real articles the project annotates by a word Markov
chain (news vocabulary and phrasing, not repeats), with their MiniLM vectors; every other one
has a review article (what a page import keeps: 150-450 words of the same chain, cut at
matching.BODY_CHARS), the rest none (a feed item's); built once on a
sibling of the bench database and reused (BENCH_REBUILD=1 rebuilds). Without pgvector on the
server the meaning half is skipped and the bench says so."""

from __future__ import annotations

import io
import os
import random
import time

import psycopg
from sqlalchemy import text
from sqlalchemy.orm import Session

from bench.copies import Chain, _corpus
from service.db import create_db_engine, libpq_url, sibling_database_url, split_database
from service.factchecks import vectors as fact_check_vectors
from service.factchecks.matching import BODY_CHARS
from service.linking import semantic
from service.migrate import upgrade
from service.models import Claim
from service.operations.actors import SYSTEM
from service.operations.factchecks import (
    CANDIDATES,
    _article_candidates,
    _lexical_candidates,
    _rare_queries,
    match_claims,
    recount_terms,
)

N = int(os.environ.get("BENCH_FACT_CHECKS", "100000"))
CLAIMS = 50


def _escaped(value: str) -> str:
    """A text field of COPY's text format."""
    return value.replace("\\", "\\\\").replace("\t", " ").replace("\n", " ")


def _build(url: str, chain: Chain) -> None:
    rng = random.Random(20251205)
    # The articles from a generator of their own: the claims are the same as before they had
    # any (the earlier figures were measured on them).
    article_rng = random.Random(20261206)
    with psycopg.connect(libpq_url(url)) as conn:
        have = conn.execute("SELECT count(*) FROM fact_checks").fetchone()
        start = have[0] if have else 0
        batch = 2000
        for first in range(start, N, batch):
            texts = [
                chain.paragraph(rng, rng.randint(12, 30))
                for _ in range(first, min(N, first + batch))
            ]
            vectors = semantic.stored_vectors(texts)
            rows = io.StringIO()
            for i, (claim, vector) in enumerate(zip(texts, vectors, strict=True)):
                n = first + i
                words = article_rng.randint(150, 450)
                article = (
                    _escaped(chain.paragraph(article_rng, words)[:BODY_CHARS])
                    if n % 2 == 0
                    else "\\N"
                )
                hexed = "\\\\x" + vector.hex() if vector else "\\N"
                rows.write(
                    f"https://checks.example/{n}\t{_escaped(claim)}\t{n:064x}\t"
                    f"Publisher {n % 40}\t{{}}\tbench\t{hexed}\t{article}\n"
                )
            with (
                conn.cursor() as cur,
                cur.copy(
                    "COPY fact_checks (url, claim_reviewed, claim_sha256, publisher, raw, source,"
                    " embedding, body) FROM STDIN"
                ) as copy,
            ):
                copy.write(rows.getvalue())
            conn.commit()
        conn.execute("ANALYZE fact_checks")
        conn.commit()


def main(bench_url: str) -> None:
    url = sibling_database_url(bench_url, split_database(bench_url)[1] + "_factchecks")
    engine = create_db_engine(url, statement_timeout_ms=0)
    with engine.begin() as conn:
        if os.environ.get("BENCH_REBUILD") or conn.scalar(
            text("SELECT to_regclass('fact_checks') IS NULL")
        ):
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade(conn)
    chain = Chain(_corpus())
    started = time.perf_counter()
    _build(url, chain)
    with engine.begin() as conn:
        stored = conn.scalar(text("SELECT count(*) FROM fact_checks")) or 0
        if (
            fact_check_vectors.table_exists(conn)
            and (conn.scalar(text(f"SELECT count(*) FROM {fact_check_vectors.TABLE}")) or 0)
            < stored
        ):
            conn.execute(text(f"DROP TABLE {fact_check_vectors.TABLE}"))
        fact_check_vectors.install(conn)
        # COPY goes around the import, which keeps the words' document frequencies.
        if (
            conn.scalar(text("SELECT documents FROM fact_check_terms WHERE term = ''")) or 0
        ) != stored:
            recount_terms(Session(bind=conn))
    built = time.perf_counter() - started
    rng = random.Random(7)
    with engine.connect() as conn:
        transaction = conn.begin()
        meaning = fact_check_vectors.table_exists(conn)
        count = conn.scalar(text("SELECT count(*) FROM fact_checks"))
        session = Session(bind=conn, join_transaction_mode="create_savepoint")
        texts = [chain.paragraph(rng, rng.randint(12, 30)) + "." for _ in range(CLAIMS)]
        body = "\n".join(texts)
        doc_id = conn.execute(
            text(
                "INSERT INTO documents (body, body_sha256, kind, language, state)"
                " VALUES (:b, :s, 'news', 'en', 'ready') RETURNING id"
            ),
            {"b": body, "s": "f" * 64},
        ).scalar_one()
        claims = []
        at = 0
        for claim_text, vector in zip(texts, semantic.stored_vectors(texts), strict=True):
            claim = Claim(
                document_id=doc_id,
                text=claim_text,
                span_start=at,
                span_end=at + len(claim_text),
                checkworthiness=0.9,
                origin="manual",
                embedding=vector,
            )
            claims.append((claim, claim_text))
            at += len(claim_text) + 1
        session.add_all([c for c, _ in claims])
        session.flush()
        start = time.perf_counter()
        fact_check_vectors.nearest_many(
            session,
            [(c.id, semantic.from_bytes(c.embedding)) for c, _ in claims if c.embedding],
            CANDIDATES,
        )
        texts_by_id = {c.id: t for c, t in claims}
        _lexical_candidates(
            session, "fact_checks", _rare_queries(session, "fact_checks", texts_by_id)
        )
        _article_candidates(session, texts_by_id)
        bare = time.perf_counter() - start
        start = time.perf_counter()
        made = len(match_claims(session, SYSTEM, [c for c, _ in claims]))
        full = time.perf_counter() - start
        session.expunge_all()
        transaction.rollback()
    engine.dispose()
    print(
        f"fact-check matching: a {CLAIMS}-claim document against {count:,} fact-checks"
        + ("" if meaning else " (no pgvector here: words only)")
        + (f"; built in {built:.0f} s" if built > 1 else "")
    )
    print(f"  candidate SQL alone (baseline)   {bare:6.2f} s")
    print(
        f"  matching, scored and stored      {full:6.2f} s  ({full / bare:.1f}x; target < 2 s), "
        f"{made} matches"
    )


if __name__ == "__main__":
    from bench.common import bench_database_url

    main(bench_database_url())
