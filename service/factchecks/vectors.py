"""Nearest fact-checks in meaning: pgvector's HNSW index over `fact_check_vectors`, beside
`claim_vectors` and like it outside the models (it exists only where the server has
pgvector; elsewhere fact-checks are matched by words alone). `fact_checks.embedding` stays
the record of each vector; the table is rebuilt from it when it is installed."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from service.linking import vectors as claim_vectors
from service.linking.semantic import DIM, Vector, from_bytes

TABLE = "fact_check_vectors"


def table_exists(conn: Connection) -> bool:
    return conn.scalar(text(f"SELECT to_regclass('{TABLE}') IS NOT NULL")) is True


def install(conn: Connection) -> bool:
    """The table and its index, where the claims' vector table could be made (the extension
    is there); filled from `fact_checks.embedding`. Idempotent."""
    if table_exists(conn):
        return True
    if not claim_vectors.table_exists(conn):
        return False
    conn.execute(text("SET LOCAL statement_timeout = 0"))
    conn.execute(
        text(
            f"CREATE TABLE {TABLE} ("
            " fact_check_id bigint PRIMARY KEY REFERENCES fact_checks (id) ON DELETE CASCADE,"
            f" embedding vector({DIM}) NOT NULL)"
        )
    )
    rows = conn.execute(
        text("SELECT id, embedding FROM fact_checks WHERE embedding IS NOT NULL")
    ).all()
    _write(conn, [(int(i), bytes(e)) for i, e in rows])
    conn.execute(
        text(f"CREATE INDEX ix_{TABLE}_hnsw ON {TABLE} USING hnsw (embedding vector_ip_ops)")
    )
    return True


def _write(conn: Connection, rows: list[tuple[int, bytes]]) -> None:
    for start in range(0, len(rows), claim_vectors.BATCH):
        chunk = rows[start : start + claim_vectors.BATCH]
        conn.execute(
            text(
                f"INSERT INTO {TABLE} (fact_check_id, embedding)"
                " SELECT * FROM unnest(CAST(:ids AS bigint[]), CAST(:vecs AS vector[]))"
                " ON CONFLICT (fact_check_id) DO UPDATE SET embedding = excluded.embedding"
            ),
            {
                "ids": [i for i, _ in chunk],
                "vecs": [claim_vectors.literal(from_bytes(e)) for _, e in chunk],
            },
        )


def store(session: Session, rows: Iterable[tuple[int, bytes | None]]) -> None:
    present = [(i, e) for i, e in rows if e is not None]
    if present and table_exists(session.connection()):
        _write(session.connection(), present)


def nearest_many(
    session: Session, queries: list[tuple[int, Vector]], limit: int
) -> list[tuple[int, int]]:
    """(query id, fact-check id) of the `limit` nearest fact-checks in meaning to each query
    vector, in one statement (an index scan per query); [] without the index."""
    conn = session.connection()
    if not queries or not table_exists(conn):
        return []
    conn.execute(text(f"SET hnsw.ef_search = {max(limit, claim_vectors.EF_SEARCH_MIN)}"))
    rows = conn.execute(
        text(
            "SELECT q.id, n.fact_check_id"
            " FROM unnest(CAST(:ids AS bigint[]), CAST(:vecs AS vector[])) AS q(id, vec)"
            " CROSS JOIN LATERAL ("
            f"  SELECT fact_check_id FROM {TABLE} ORDER BY embedding <#> q.vec LIMIT :k) AS n"
        ),
        {
            "ids": [key for key, _ in queries],
            "vecs": [claim_vectors.literal(v) for _, v in queries],
            "k": limit,
        },
    ).all()
    return [(int(a), int(b)) for a, b in rows]
