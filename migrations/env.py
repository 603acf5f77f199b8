"""Alembic environment. Versions never import service code; this file does, for autogenerate."""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection

from service import models  # noqa: F401  (registers every table on Base.metadata)
from service.config import Settings
from service.db import Base, create_db_engine, resolve_database_url
from service.migrate import UNMODELLED

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Tables kept outside the models on purpose are not even reflected (the vector table's
    type is unknown to SQLAlchemy): the pgvector index (service/migrate.py) and
    procrastinate's queue, whose schema a migration installs."""
    if type_ == "table" and name is not None:
        return name not in UNMODELLED and not name.startswith("procrastinate")
    return True


def run_with(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        compare_server_default=False,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run_with(connection)
        return
    settings = Settings.from_env()
    url = context.get_x_argument(as_dictionary=True).get("url") or resolve_database_url(
        settings.database_url, settings.data_dir
    )
    engine = create_db_engine(url)
    try:
        with engine.connect() as conn:
            run_with(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run against a database")
run_migrations_online()
