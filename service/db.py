"""Database plumbing: typed declarative base, engines, sessions, embedded Postgres."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg
from psycopg.rows import tuple_row
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    DateTime,
    Engine,
    MetaData,
    any_,
    bindparam,
    create_engine,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

log = logging.getLogger(__name__)

#: Constraint names are deterministic so that migrations diff cleanly (alembic check).
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every model."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: DateTime(timezone=True)}


class CreatedAtMixin:
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


def sqlalchemy_url(url: str) -> str:
    """Make any libpq-style Postgres URL use the psycopg 3 driver."""
    for prefix in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    raise ValueError(f"not a PostgreSQL URL: {url.split('://', 1)[0]}://…")


def libpq_url(url: str) -> str:
    """The same URL as psycopg.connect() and psql understand it."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def create_db_engine(
    url: str, *, statement_timeout_ms: int = 15_000, pool_size: int = 5, autocommit: bool = False
) -> Engine:
    """An engine whose statements time out instead of hanging a worker forever.

    autocommit engines serve safe (GET) requests: one round trip per query instead of
    BEGIN + query + ROLLBACK. Their connections stay in autocommit for their whole life.
    """
    # No pool_pre_ping: it costs a round trip on every request. A connection the server
    # dropped fails one request with 503 and is then replaced (the pool invalidates it).
    return create_engine(
        sqlalchemy_url(url),
        pool_size=pool_size,
        pool_recycle=1800,
        isolation_level="AUTOCOMMIT" if autocommit else "READ COMMITTED",
        # In autocommit there is no transaction to roll back: skip the round trips. This also
        # keeps psycopg's prepared statements, which a ROLLBACK would discard.
        skip_autocommit_rollback=autocommit,
        pool_reset_on_return=None if autocommit else "rollback",
        connect_args={
            "options": f"-c statement_timeout={statement_timeout_ms} -c lock_timeout=5000",
            "connect_timeout": 5,
            "application_name": "claimdesk",
        },
    )


def among(column: Any, ids: Iterable[int]) -> ColumnElement[bool]:
    """`column = ANY(:ids)`, the ids bound as one array: a batch's hundreds or thousands of
    ids would otherwise be expanded into as many bind parameters, and SQL text that psycopg
    parses anew for every batch size."""
    return column == any_(bindparam(None, sorted(ids), type_=ARRAY(BigInteger)))  # type: ignore[no-any-return]


def driver_rows(session: Session, sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Rows of a statement run on the session's own psycopg connection, as plain tuples: for
    the hottest reads, where SQLAlchemy's result machinery (column descriptions, row
    mappings) costs more than the statement. `sql` is in psycopg's %(name)s style (a Core
    statement compiled with psycopg's dialect). Errors come out as SQLAlchemy's
    (OperationalError, DBAPIError…), which the API maps to problems (a timeout or a lost
    server is a 503, as for any other statement), and a connection the error broke is
    invalidated, so the pool does not hand it out again."""
    connection = session.connection()
    driver = connection.connection.driver_connection
    assert isinstance(driver, psycopg.Connection)
    try:
        with driver.cursor(row_factory=tuple_row) as cursor:
            return cursor.execute(sql, params).fetchall()
    except psycopg.Error as error:
        if driver.broken or driver.closed:
            connection.invalidate(error)
        raise DBAPIError.instance(sql, params, error, psycopg.Error) from error


def make_sessionmaker(bind: Engine | Connection) -> sessionmaker[Session]:
    """Sessions for the app; bound to a Connection (tests) they nest in its transaction."""
    kwargs: dict[str, Any] = {"expire_on_commit": False}
    if isinstance(bind, Connection):
        kwargs["join_transaction_mode"] = "create_savepoint"
    return sessionmaker(bind=bind, **kwargs)


# --- embedded Postgres -------------------------------------------------------------------


def embedded_server_url(data_dir: Path, database: str, *, stop_at_exit: bool = True) -> str:
    """Start (or reuse) the pgserver Postgres under data_dir/pg and ensure `database` exists.

    With stop_at_exit the server stops when the last process that asked for it exits;
    pgserver keeps a list of handle pids in the data folder, so concurrent users share it.
    """
    # pgserver keeps its lock file in the user's runtime dir, read when it is imported;
    # CI has none, so give it one of ours.
    os.environ.setdefault("XDG_RUNTIME_DIR", str(data_dir / "run"))
    Path(os.environ["XDG_RUNTIME_DIR"]).mkdir(parents=True, exist_ok=True, mode=0o700)
    import pgserver  # imported lazily: only needed without DATABASE_URL

    pgdata = data_dir / "pg"
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(  # type: ignore[attr-defined]
        pgdata, cleanup_mode="stop" if stop_at_exit else None
    )
    ensure_database(server.get_uri(), database)
    return str(server.get_uri(database))


def ensure_database(admin_url: str, database: str) -> None:
    """CREATE DATABASE if it is missing (connecting to the server's maintenance db)."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(libpq_url(admin_url), autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (database,)
        ).fetchone()
        if not exists:
            log.info("creating database %s", database)
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))


def split_database(url: str) -> tuple[str, str]:
    """(url of the maintenance database 'postgres' on the same server, database name)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(sqlalchemy_url(url))
    database = parsed.database or "postgres"
    admin = parsed.set(database="postgres").render_as_string(hide_password=False)
    return libpq_url(admin), database


def resolve_database_url(url: str | None, data_dir: Path, database: str = "claimdesk") -> str:
    """The configured URL, or the embedded server's (started on demand)."""
    if url:
        return url
    return embedded_server_url(data_dir, database)


def sibling_database_url(url: str, name: str) -> str:
    """The URL of database `name` on the same server as `url`, created if missing."""
    from sqlalchemy.engine import make_url

    admin, _ = split_database(url)
    ensure_database(admin, name)
    return make_url(sqlalchemy_url(url)).set(database=name).render_as_string(hide_password=False)
