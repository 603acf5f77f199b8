"""Nearest claims in meaning through pgvector's HNSW index, and the words-only fallback on a
server without the extension (.ci/run runs this file on both kinds of server)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import Connection, func, select, text
from sqlalchemy.orm import Session

from service.linking import semantic, vectors
from service.models import Claim
from tests.conftest import requires_model

Doc = Callable[..., dict[str, Any]]
SHUT = "The city council voted to shut the Nordhavn ferry route next spring."
STOP = "Boats between the two harbours will stop running after the winter, officials decided."


def _claim(make_document: Doc, make_claim: Doc, body: str, outlet: str) -> dict[str, Any]:
    return make_claim(make_document(body=body, outlet=outlet), start=0, end=len(body))


def _indexed(session: Session) -> dict[int, bool]:
    """claim id -> whether it has a row in the vector table, for claims with an embedding or
    a row."""
    rows = session.execute(
        text(
            "SELECT c.id, v.claim_id IS NOT NULL FROM claims c"
            " LEFT JOIN claim_vectors v ON v.claim_id = c.id"
            " WHERE c.embedding IS NOT NULL OR v.claim_id IS NOT NULL"
        )
    )
    return {int(i): bool(has) for i, has in rows}


def test_the_index_exists_exactly_where_the_server_has_pgvector(
    connection: Connection, client: FlaskClient
) -> None:
    has = vectors.server_has_pgvector(connection)
    assert vectors.table_exists(connection) == has
    health = client.get("/healthz").json
    assert health["vectors"] == vectors.status(connection)
    assert ("HNSW" in health["vectors"]) == has
    assert ("words and speakers only" in health["vectors"]) == (not has)


@requires_model
def test_vectors_follow_claims_as_they_are_made_edited_and_removed(
    pgvector: Connection,
    session: Session,
    client: FlaskClient,
    reviewer: dict[str, str],
    make_document: Doc,
    make_claim: Doc,
) -> None:
    a = _claim(make_document, make_claim, SHUT, "Gazette")
    b = _claim(make_document, make_claim, STOP, "Tribune")
    extracted = make_document(body=SHUT + " " + STOP, outlet="Herald", extract=True)
    indexed = _indexed(session)
    assert indexed[a["id"]]
    assert indexed[b["id"]]
    assert all(indexed.values()), "every claim with an embedding has its row"
    assert session.scalar(
        select(func.count()).select_from(Claim).where(Claim.document_id == extracted["id"])
    )
    # A reviewer lowers an extracted claim's check-worthiness: it keeps no vector and leaves
    # the index (hand-made claims always keep theirs).
    worthy = session.scalar(
        select(Claim.id).where(Claim.document_id == extracted["id"], Claim.embedding.is_not(None))
    )
    assert worthy is not None
    etag = client.get(f"/api/v1/claims/{worthy}").headers["ETag"]
    edited = client.patch(
        f"/api/v1/claims/{worthy}",
        json={"checkworthiness": 0.1},
        headers=reviewer | {"If-Match": etag},
    )
    assert edited.status_code == 200, edited.json
    assert worthy not in _indexed(session)
    # A deleted claim's row goes with it (re-extraction deletes untouched candidates).
    redo = client.post(f"/api/v1/documents/{extracted['id']}/extract", headers=reviewer)
    assert redo.status_code == 200, redo.json
    assert all(_indexed(session).values())


@requires_model
def test_nearest_skips_the_claims_own_document_and_rejected_claims(
    pgvector: Connection,
    client: FlaskClient,
    editor: dict[str, str],
    make_document: Doc,
    make_claim: Doc,
    session: Session,
) -> None:
    a = _claim(make_document, make_claim, SHUT, "Gazette")
    b = _claim(make_document, make_claim, STOP, "Tribune")
    query = semantic.embed([SHUT])
    assert query is not None
    found = dict(vectors.nearest(session, query[0], a["document_id"], 30, 0.3))
    assert a["id"] not in found, "the claim's own document is excluded"
    assert b["id"] in found
    assert found[b["id"]] >= 0.3
    etag = client.get(f"/api/v1/claims/{b['id']}").headers["ETag"]
    rejected = client.put(
        f"/api/v1/claims/{b['id']}/status",
        json={"status": "rejected", "rationale": "not a claim"},
        headers=editor | {"If-Match": etag},
    )
    assert rejected.status_code == 200, rejected.json
    session.expire_all()
    assert b["id"] not in dict(vectors.nearest(session, query[0], a["document_id"], 30, 0.3))


@requires_model
def test_install_builds_the_index_from_the_stored_embeddings(
    pgvector: Connection, session: Session, make_document: Doc, make_claim: Doc
) -> None:
    a = _claim(make_document, make_claim, SHUT, "Gazette")
    session.flush()
    # As on a server that gains pgvector after claims were stored (transactional DDL: the
    # test's rollback restores the table).
    pgvector.execute(text("DROP TABLE claim_vectors"))
    assert not vectors.table_exists(pgvector)
    assert vectors.install(pgvector)
    indexed = _indexed(session)
    assert indexed[a["id"]]
    assert all(indexed.values())
    index = pgvector.scalar(
        text(
            "SELECT indexdef FROM pg_indexes"
            " WHERE tablename = 'claim_vectors' AND indexdef ~ 'hnsw'"
        )
    )
    assert index is not None
    assert "vector_ip_ops" in index


@requires_model
def test_without_the_index_suggestions_come_from_words_and_nothing_fails(
    connection: Connection, client: FlaskClient, make_document: Doc, make_claim: Doc
) -> None:
    # On PostgreSQL 15 here there is no table to drop; on a pgvector server the drop is
    # rolled back with the test.
    connection.execute(text("DROP TABLE IF EXISTS claim_vectors"))
    a = _claim(make_document, make_claim, SHUT, "Gazette")
    b = _claim(make_document, make_claim, STOP, "Tribune")
    words = _claim(
        make_document,
        make_claim,
        "The Nordhavn ferry route shuts next spring, the council said.",
        "Herald",
    )
    suggested = [s["claim"]["id"] for s in client.get(f"/api/v1/claims/{a['id']}/suggestions").json]
    assert words["id"] in suggested, "a claim sharing rare words is still found"
    assert b["id"] not in suggested, "a claim close only in meaning needs the index"
    assert "words and speakers only" in client.get("/healthz").json["vectors"]
