"""Rate limits (flask-limiter): on every write, per API key, and on sign-in, per address.

A write is counted against the key that sends it (once its secret is checked), else
against the signed-in person, else against the client address; reads are never limited.
Sign-in has a tighter limit per address on top of the per-account lock-out, so guessing many
accounts' passwords from one place is slow too. A refused request gets 429 problem+json with
Retry-After (the error handler renders flask-limiter's TooManyRequests).

Counters live in `rate_limit_storage`. `database` (the default) keeps them in the service's
own Postgres (`rate_limit_counters`, one statement per counted request), so every gunicorn worker
and every host counts against the same allowance with no other infrastructure. `memory://`
counts per process (behind N workers a client may get N times the limit); any other `limits`
storage URI (`redis://…`, with its package installed) is passed through.
"""

from __future__ import annotations

import time
from functools import wraps
from typing import Any, cast

from flask import Flask, Response, g, has_request_context, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import current_user
from limits.storage import Storage
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError

from service.api.context import SAFE_METHODS, bearer_key
from service.config import Settings

#: `rate_limit_storage` value for the service's own database.
DATABASE_STORAGE = "database"

SIGN_IN_ENDPOINT = "web.sign_in_submit"


def client_key() -> str:
    """Who is writing: the API key, once its secret has been checked; else the signed-in
    person; else the address. A key's allowance is never spent by someone who only knows its
    public prefix, and made-up keys count against their sender's address."""
    actor = bearer_key()
    if actor is not None:
        return f"key:{actor.key_id}"
    if getattr(current_user, "is_authenticated", False):
        return f"person:{current_user.user_id}"
    return f"addr:{get_remote_address()}"


def _is_read() -> bool:
    return request.method in SAFE_METHODS


class DatabaseStorage(Storage):
    """A `limits` storage on the service's Postgres: fixed windows in `rate_limit_counters`.

    Each counted request is one statement (an upsert that starts a fresh window when the old
    one has ended), in its own transaction: a refused or failed write still counts, and the
    count never waits on the request's own transaction. Each upsert also deletes the ten
    oldest other rows whose window ended, so the table holds about the last window's clients."""

    STORAGE_SCHEME = ["claimdesk-database"]

    def __init__(
        self,
        uri: str | None = None,
        wrap_exceptions: bool = False,
        *,
        bind: Engine | Connection,
        **options: Any,
    ) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions)
        self.bind = bind

    @property
    def base_exceptions(self) -> type[Exception]:
        return SQLAlchemyError

    def _row(self, sql: str, **params: Any) -> tuple[Any, ...] | None:
        if isinstance(self.bind, Connection):  # tests: inside the test's own transaction
            row = self.bind.execute(text(sql), params).first()
        else:
            with self.bind.begin() as conn:
                row = conn.execute(text(sql), params).first()
        return None if row is None else tuple(row)

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        row = self._row(
            """
            WITH purged AS (
                DELETE FROM rate_limit_counters WHERE key IN (
                    SELECT key FROM rate_limit_counters
                    WHERE expires_at < now() AND key <> :key
                    ORDER BY expires_at LIMIT 10 FOR UPDATE SKIP LOCKED
                )
            )
            INSERT INTO rate_limit_counters AS c (key, count, expires_at)
            VALUES (:key, :amount, now() + make_interval(secs => :expiry))
            ON CONFLICT (key) DO UPDATE SET
                count = CASE WHEN c.expires_at <= now() THEN :amount
                             ELSE c.count + :amount END,
                expires_at = CASE WHEN c.expires_at <= now() THEN excluded.expires_at
                                  ELSE c.expires_at END
            RETURNING count, extract(epoch FROM expires_at)
            """,
            key=key,
            amount=amount,
            expiry=float(expiry),
        )
        assert row is not None  # an upsert with RETURNING gives its row
        count, expires = int(row[0]), float(row[1])
        if has_request_context():
            # flask-limiter reads the window back for the response's headers (get and
            # get_expiry, after the view): it gets what this statement returned, so a counted
            # request costs one statement, and a write that committed cannot fail on a read.
            g.setdefault("rate_limit_windows", {})[key] = (count, expires)
        return count

    def _seen(self, key: str) -> tuple[int, float] | None:
        if has_request_context():
            return cast(tuple[int, float] | None, g.get("rate_limit_windows", {}).get(key))
        return None

    def get(self, key: str) -> int:
        seen = self._seen(key)
        if seen is not None:
            return seen[0]
        row = self._row(
            "SELECT count FROM rate_limit_counters WHERE key = :key AND expires_at > now()",
            key=key,
        )
        return int(row[0]) if row else 0

    def get_expiry(self, key: str) -> float:
        seen = self._seen(key)
        if seen is not None:
            return seen[1]
        row = self._row(
            "SELECT extract(epoch FROM expires_at) FROM rate_limit_counters "
            "WHERE key = :key AND expires_at > now()",
            key=key,
        )
        return float(row[0]) if row else time.time()

    def check(self) -> bool:
        try:
            return self._row("SELECT true") is not None
        except SQLAlchemyError:
            return False

    def reset(self) -> int | None:
        row = self._row(
            "WITH gone AS (DELETE FROM rate_limit_counters RETURNING 1) SELECT count(*) FROM gone"
        )
        return int(row[0]) if row else 0

    def clear(self, key: str) -> None:
        self._row("DELETE FROM rate_limit_counters WHERE key = :key RETURNING key", key=key)
        if has_request_context():
            g.get("rate_limit_windows", {}).pop(key, None)


def _writes_only(hook: Any) -> Any:
    """The limiter's hook, run for writes only (reads are never limited)."""

    @wraps(hook)
    def run(*args: Any) -> Any:
        if _is_read():
            return args[0] if args else None  # an after-request hook hands the response on
        return hook(*args)

    return run


def init_limits(app: Flask, settings: Settings, bind: Engine | Connection) -> Limiter:
    """Install the limiter; call after the blueprints are registered (it wraps sign-in).
    `bind` is where the `database` storage counts: an engine (each count its own transaction)."""
    database = settings.rate_limit_storage == DATABASE_STORAGE

    # Registered before the limiter's own hook, so it runs after it (Flask runs these last
    # registered first): flask-limiter puts `Retry-After` (when the rate window resets) on
    # every answer, and a client reads it as "wait"; a 202 said "retry after 60 s" for an
    # extraction that takes two. It stays where a wait is meant: 429 and 503.
    @app.after_request
    def _retry_after_only_when_meant(response: Response) -> Response:
        if response.status_code not in (429, 503):
            response.headers.pop("Retry-After", None)
        return response

    limiter = Limiter(
        client_key,
        app=app,
        storage_uri="claimdesk-database://" if database else settings.rate_limit_storage,
        storage_options={"bind": bind} if database else {},  # type: ignore[dict-item]
        application_limits=[settings.write_rate_limit] if settings.write_rate_limit else [],
        application_limits_exempt_when=_is_read,
        headers_enabled=True,
        enabled=bool(settings.write_rate_limit or settings.sign_in_rate_limit),
        key_prefix="claimdesk",
    )
    # Reads are never limited: said once, before the limiter resolves a single limit (left to
    # `application_limits_exempt_when` alone, every GET paid for resolving them, 0.7 ms).
    limiter.request_filter(_is_read)
    # Even with that filter, its before-request hook names the view and looks up its
    # exemptions before it asks the filter (about 30 us a request); its after-request hook
    # writes the X-RateLimit headers of a limit the request was counted against and its
    # teardown forgets that limit, which a read never has: a read skips all three.
    for hooks in (
        app.before_request_funcs.get(None, []),
        app.after_request_funcs.get(None, []),
        app.teardown_request_funcs.get(None, []),
    ):
        for n, hook in enumerate(hooks):
            if getattr(hook, "__self__", None) is limiter or getattr(hook, "args", None) == (
                limiter,
            ):
                hooks[n] = _writes_only(hook)
    if settings.sign_in_rate_limit and SIGN_IN_ENDPOINT in app.view_functions:
        limit = limiter.limit(
            settings.sign_in_rate_limit, key_func=get_remote_address, methods=["POST"]
        )
        app.view_functions[SIGN_IN_ENDPOINT] = cast(
            Any, limit(app.view_functions[SIGN_IN_ENDPOINT])
        )
    return limiter
