"""Run Alembic programmatically (the CLI, `make run` and the tests share this)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, text

from service.config import PROJECT_ROOT
from service.factchecks import vectors as fact_check_vectors
from service.linking import vectors


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.attributes["configure_logging"] = False
    if connection is not None:
        config.attributes["connection"] = connection
    return config


#: Tables that exist outside the models on purpose: the vector index, present only where
#: the server has pgvector (service/linking/vectors.py).
UNMODELLED = {vectors.TABLE, fact_check_vectors.TABLE}


def upgrade(connection: Connection, revision: str = "head") -> None:
    command.upgrade(alembic_config(connection), revision)
    if revision == "head":
        vectors.install(connection)
        fact_check_vectors.install(connection)


def downgrade(connection: Connection, revision: str = "base") -> None:
    connection.execute(text(f"DROP TABLE IF EXISTS {fact_check_vectors.TABLE}"))
    connection.execute(text(f"DROP TABLE IF EXISTS {vectors.TABLE}"))
    command.downgrade(alembic_config(connection), revision)


def check(connection: Connection) -> None:
    """Raise if the models and the migrations disagree (alembic check)."""
    command.check(alembic_config(connection))
