"""The reliability suite: bounded under `make test`, full size under `make soak`.

Each part records its figures with `report(part, line)`; they are printed at the end of the
run (pytest's terminal summary), so `make soak` shows what it generated, lost and measured.
Every part runs against a live app on a real database that commits (a sibling scratch
database of the test database, seeded with the demo articles), never in a rolled-back
transaction: locks, retries and connection loss are what is being tested.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from service.app import create_app
from service.config import PROJECT_ROOT, Settings
from service.db import create_db_engine, sibling_database_url, split_database
from service.domain.enums import Role
from service.migrate import upgrade
from service.operations.actors import SYSTEM
from service.operations.auth import create_api_key
from service.operations.seeds import load_seeds

#: `make soak` sets CLAIMDESK_SOAK=1: every part at full size.
SOAK = os.environ.get("CLAIMDESK_SOAK") == "1"

FIGURES: list[tuple[str, str]] = []


def size(bounded: int, soak: int) -> int:
    return soak if SOAK else bounded


def report(part: str, line: str) -> None:
    FIGURES.append((part, line))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not FIGURES:
        return
    terminalreporter.section(f"reliability figures ({'soak' if SOAK else 'bounded'})")
    for part, line in FIGURES:
        terminalreporter.write_line(f"{part:<14} {line}")


@dataclass
class Live:
    """A live app on a committed database, with a key of every role."""

    app: Flask
    engine: Engine
    url: str
    keys: dict[str, dict[str, str]]
    settings: Settings


def live_settings(url: str) -> Settings:
    # Rate limits off: the suite sends thousands of writes from one key on purpose (the
    # limits have their own tests in tests/api/test_rate_limits.py).
    return Settings(
        database_url=url,
        data_dir=PROJECT_ROOT / ".data",
        write_rate_limit=None,
        sign_in_rate_limit=None,
        statement_timeout_ms=10_000,
        pool_size=20,
    )


def fresh_database(database_url: str, suffix: str) -> tuple[Engine, str]:
    """An empty, migrated sibling database of the test database, seeded with the demo articles."""
    url = sibling_database_url(database_url, split_database(database_url)[1] + suffix)
    engine = create_db_engine(url, pool_size=20)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade(conn)
    with Session(engine) as session:
        load_seeds(session, SYSTEM, PROJECT_ROOT / "seeds")
        session.commit()
    return engine, url


def make_keys(engine: Engine) -> dict[str, dict[str, str]]:
    keys: dict[str, dict[str, str]] = {}
    with Session(engine) as session:
        for role in Role:
            _, secret = create_api_key(session, SYSTEM, name=f"suite-{role}", role=role)
            keys[role.value] = {"Authorization": f"Bearer {secret}"}
        session.commit()
    return keys


@pytest.fixture(scope="module")
def live(database_url: str) -> Iterator[Live]:
    engine, url = fresh_database(database_url, "_reliability")
    settings = live_settings(url)
    app = create_app(settings, bind=engine)
    yield Live(app=app, engine=engine, url=url, keys=make_keys(engine), settings=settings)
    engine.dispose()
