"""Nearest claims in meaning, asked of Postgres: pgvector's HNSW index over `claim_vectors`.

Every process used to hold every claim vector in memory (73 MB at 50k vectors, reloaded every
few minutes and stale between workers). Now the database answers: `claim_vectors` holds one
`vector(384)` a check-worthy claim, with an HNSW index on inner product (the vectors are unit
length, so the inner product is the cosine). A web worker holds no vectors at all.

`claims.embedding` (float16 bytes) stays the record of each claim's vector: it is what
scoring reads for a candidate, it survives a dump into a server without pgvector, and
`claim_vectors` is rebuilt from it. The table is outside the ORM's metadata because it exists
only where the server has the extension: on a server without it (PostgreSQL 15 here) the
service starts, says so in its log and `/healthz`, and suggests from words and speakers only.
`install` runs after every migration, so a server that gains the extension gains the index at
the next `claimdesk migrate` (or start).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

import numpy as np
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from service.linking.semantic import DIM, Vector, from_bytes

log = logging.getLogger(__name__)

TABLE = "claim_vectors"
#: HNSW search breadth: pgvector returns at most this many rows from an index scan.
EF_SEARCH_MIN = 40
EF_SEARCH_MAX = 1000
#: Rows written per statement when (re)building the table.
BATCH = 2000


def literal(vector: Vector | Sequence[float]) -> str:
    """pgvector's text form of a vector."""
    return "[" + ",".join(map("{:.6g}".format, np.asarray(vector, dtype=np.float32).tolist())) + "]"


def server_has_pgvector(conn: Connection) -> bool:
    return bool(conn.scalar(text("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'")))


def table_exists(conn: Connection) -> bool:
    return conn.scalar(text(f"SELECT to_regclass('{TABLE}') IS NOT NULL")) is True


def enabled(session: Session) -> bool:
    """Whether this database has the vector table (asked once per transaction: cheap)."""
    return table_exists(session.connection())


def status(conn: Connection) -> str:
    """One line for start-up logs and /healthz."""
    if table_exists(conn):
        version = conn.scalar(text("SELECT extversion FROM pg_extension WHERE extname = 'vector'"))
        return f"pgvector {version}, HNSW index on {TABLE}"
    if server_has_pgvector(conn):
        return (
            "pgvector is available but not installed (claimdesk migrate installs it):"
            " link suggestions use words and speakers only"
        )
    return "no pgvector on this server: link suggestions use words and speakers only"


def install(conn: Connection) -> bool:
    """Create the extension, the table and its index where the server allows, filling the
    table from `claims.embedding`. Idempotent; False where the server has no pgvector (or
    refuses to create it: then the reason is logged)."""
    if table_exists(conn):
        return True
    if not server_has_pgvector(conn):
        return False
    try:
        with conn.begin_nested():
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS vector"))
    except DBAPIError as exc:  # e.g. not allowed to create extensions on a managed server
        log.warning("pgvector is available but could not be created: %s", exc.orig)
        return False
    # Filling the table from every stored embedding takes a while on a large database.
    conn.execute(text("SET LOCAL statement_timeout = 0"))
    conn.execute(
        text(
            f"CREATE TABLE {TABLE} ("
            " claim_id bigint PRIMARY KEY REFERENCES claims (id) ON DELETE CASCADE,"
            f" embedding vector({DIM}) NOT NULL)"
        )
    )
    copy_from_claims(conn)
    build_index(conn)
    return True


def build_index(conn: Connection, memory: str = "1GB") -> None:
    # An HNSW build is far faster when the graph fits in maintenance_work_mem; on a large
    # table it takes minutes, longer than the service's statement timeout.
    conn.execute(text(f"SET LOCAL maintenance_work_mem = '{memory}'"))
    conn.execute(text("SET LOCAL statement_timeout = 0"))
    conn.execute(
        text(
            f"CREATE INDEX IF NOT EXISTS ix_{TABLE}_hnsw ON {TABLE} "
            "USING hnsw (embedding vector_ip_ops)"
        )
    )


def copy_from_claims(conn: Connection) -> int:
    """Vectors for every claim that has an embedding and no row yet, in batches."""
    done = 0
    after = 0
    while True:
        rows = conn.execute(
            text(
                "SELECT c.id, c.embedding FROM claims c WHERE c.id > :after"
                " AND c.embedding IS NOT NULL ORDER BY c.id LIMIT :n"
            ),
            {"after": after, "n": BATCH},
        ).all()
        if not rows:
            return done
        _write(conn, [(int(i), bytes(e)) for i, e in rows])
        done += len(rows)
        after = int(rows[-1][0])


def _write(conn: Connection, rows: list[tuple[int, bytes]]) -> None:
    conn.execute(
        text(
            f"INSERT INTO {TABLE} (claim_id, embedding)"
            " SELECT * FROM unnest(CAST(:ids AS bigint[]), CAST(:vecs AS vector[]))"
            " ON CONFLICT (claim_id) DO UPDATE SET embedding = excluded.embedding"
        ),
        {"ids": [i for i, _ in rows], "vecs": [literal(from_bytes(e)) for _, e in rows]},
    )


def store(session: Session, rows: Iterable[tuple[int, bytes | None]]) -> None:
    """Keep the index in step with claims.embedding: a vector written, or removed for None.
    One statement each way, in the caller's transaction; nothing where there is no table."""
    rows = list(rows)
    if not rows or not enabled(session):
        return
    conn = session.connection()
    present = [(i, e) for i, e in rows if e is not None]
    absent = [i for i, e in rows if e is None]
    if present:
        _write(conn, present)
    if absent:
        conn.execute(
            text(f"DELETE FROM {TABLE} WHERE claim_id = ANY(CAST(:ids AS bigint[]))"),
            {"ids": absent},
        )


def nearest(
    session: Session, vector: Vector, document_id: int, limit: int, floor: float
) -> list[tuple[int, float]]:
    """Ids of the `limit` claims of other documents closest in meaning (not rejected), with
    their cosine, nearest first; [] where the server has no vector index.

    The index scan cannot skip the target's own document, so it asks for that many more."""
    if not enabled(session):
        return []
    conn = session.connection()
    # How many of the nearest may be the document's own: counted only as far as the scan's
    # cap (a document has tens of claims; counting a huge one in full would cost more than
    # the search).
    own = int(
        conn.scalar(
            text(
                f"SELECT count(*) FROM (SELECT 1 FROM claims c JOIN {TABLE} v ON v.claim_id = c.id"
                " WHERE c.document_id = :doc LIMIT :cap) AS own"
            ),
            {"doc": document_id, "cap": EF_SEARCH_MAX},
        )
        or 0
    )
    k = min(limit + own, EF_SEARCH_MAX)
    # A plain SET, not SET LOCAL: read requests run in autocommit, where SET LOCAL does
    # nothing. Every nearest() sets it before its scan, so a value left on a pooled
    # connection never decides one (and nothing else reads it).
    conn.execute(text(f"SET hnsw.ef_search = {max(k, EF_SEARCH_MIN)}"))
    rows = conn.execute(
        text(
            "WITH near AS MATERIALIZED ("
            f" SELECT claim_id, embedding <#> CAST(:q AS vector) AS d FROM {TABLE}"
            "  ORDER BY embedding <#> CAST(:q AS vector) LIMIT :k)"
            " SELECT n.claim_id, -n.d FROM near n JOIN claims c ON c.id = n.claim_id"
            " WHERE c.document_id <> :doc AND c.status <> 'rejected' AND -n.d >= :floor"
            " ORDER BY n.d, n.claim_id LIMIT :limit"
        ),
        {"q": literal(vector), "k": k, "doc": document_id, "floor": floor, "limit": limit},
    ).all()
    return [(int(i), float(s)) for i, s in rows]


def nearest_many(
    session: Session,
    queries: list[tuple[int, int, Vector]],
    limit: int,
    floor: float,
) -> list[tuple[int, int]]:
    """For each (query id, its document id, vector): the ids of the `limit` claims of other
    documents closest in meaning (not rejected, cosine at least `floor`), in one statement
    (an index scan per query); [] where the server has no vector index. As in `nearest`,
    each scan asks for as many more as the query's document may hold."""
    if not queries or not enabled(session):
        return []
    conn = session.connection()
    documents = sorted({doc for _, doc, _ in queries})
    own = {
        int(doc): int(n)
        for doc, n in conn.execute(
            text(
                "SELECT d.doc, (SELECT count(*) FROM (SELECT 1 FROM claims c"
                f"  JOIN {TABLE} v ON v.claim_id = c.id WHERE c.document_id = d.doc"
                "  LIMIT :cap) AS own) FROM unnest(CAST(:docs AS bigint[])) AS d(doc)"
            ),
            {"docs": documents, "cap": EF_SEARCH_MAX},
        )
    }
    ks = [min(limit + own.get(doc, 0), EF_SEARCH_MAX) for _, doc, _ in queries]
    conn.execute(text(f"SET hnsw.ef_search = {max(max(ks), EF_SEARCH_MIN)}"))
    rows = conn.execute(
        text(
            "SELECT q.id, n.claim_id FROM unnest(CAST(:ids AS bigint[]), CAST(:docs AS bigint[]),"
            " CAST(:vecs AS vector[]), CAST(:ks AS int[])) AS q(id, doc, vec, k)"
            " CROSS JOIN LATERAL ("
            "  SELECT near.claim_id FROM ("
            f"   SELECT claim_id, embedding <#> q.vec AS d FROM {TABLE}"
            "    ORDER BY embedding <#> q.vec LIMIT q.k) AS near"
            "  JOIN claims c ON c.id = near.claim_id"
            "  WHERE c.document_id <> q.doc AND c.status <> 'rejected' AND -near.d >= :floor"
            "  ORDER BY near.d, near.claim_id LIMIT :limit) AS n"
        ),
        {
            "ids": [key for key, _, _ in queries],
            "docs": [doc for _, doc, _ in queries],
            "vecs": [literal(v) for _, _, v in queries],
            "ks": ks,
            "floor": floor,
            "limit": limit,
        },
    ).all()
    return [(int(a), int(b)) for a, b in rows]
