"""Per-request plumbing for views: the session, the acting key, paging headers."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import urlencode

from flask import current_app, g, request
from sqlalchemy.orm import Session, sessionmaker

from service.config import Settings
from service.domain.enums import Role
from service.domain.errors import Forbidden, Unauthenticated
from service.operations.actors import Actor
from service.operations.auth import authenticate

F = TypeVar("F", bound=Callable[..., Any])


def settings() -> Settings:
    return cast(Settings, current_app.extensions["claimdesk.settings"])


#: Methods that change nothing: read sessions (autocommit), and never rate-limited.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def db_session() -> Session:
    """The request's session, opened on first use and closed at teardown.

    Safe methods get an autocommit session (no BEGIN/ROLLBACK round trips); writes get a
    transaction that the view commits once.
    """
    if "db_session" not in g:
        name = (
            "claimdesk.read_sessionmaker"
            if request.method in SAFE_METHODS
            else "claimdesk.sessionmaker"
        )
        factory = cast(sessionmaker[Session], current_app.extensions[name])
        g.db_session = factory()
    return cast(Session, g.db_session)


def report_session() -> Session:
    """A session for reports and exports: on the read replica (DATABASE_READ_URL) when one
    is configured, else the request's own session."""
    if "report_session" not in g:
        factory = cast(
            sessionmaker[Session], current_app.extensions["claimdesk.report_sessionmaker"]
        )
        g.report_session = factory()
    return cast(Session, g.report_session)


def close_session(_: BaseException | None = None) -> None:
    for name in ("db_session", "report_session"):
        session = g.pop(name, None)
        if session is not None:
            session.close()


_UNCHECKED = object()


def bearer_key() -> Actor | None:
    """The actor behind the request's bearer key when the key is known, unrevoked and its
    secret matches; None otherwise (no header, another scheme, a bad key). Checked once per
    request: the rate limiter asks first, then `requires`. The check reads in a session of
    its own (autocommit), closed at once: it runs before the request's transaction begins,
    so the rate limiter's count, taken next, is never inside it."""
    cached = g.get("bearer_key", _UNCHECKED)
    if cached is _UNCHECKED:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        cached = None
        if scheme.lower() == "bearer" and token.strip():
            factory = cast(
                sessionmaker[Session], current_app.extensions["claimdesk.read_sessionmaker"]
            )
            with factory() as session:
                cached = authenticate(session, token.strip())
        g.bearer_key = cached
    return cast(Actor | None, cached)


def bearer_actor() -> Actor | None:
    """The actor of the request's bearer key; None without one (401 for a bad one)."""
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("use 'Authorization: Bearer <key>'")
    actor = bearer_key()
    if actor is None:
        raise Unauthenticated("the API key is unknown or revoked")
    return actor


def current_actor() -> Actor:
    actor = g.get("actor")
    if actor is None:  # pragma: no cover - guarded by @requires
        raise Unauthenticated("an API key is required")
    return cast(Actor, actor)


def check_role(role: Role) -> None:
    """Demand a bearer key with at least `role` (401 without one, 403 below it)."""
    actor = bearer_actor()
    if actor is None:
        raise Unauthenticated(f"this needs an API key with the {role} role or higher")
    if not actor.role.allows(role):
        raise Forbidden(f"this needs the {role} role; your key has {actor.role}")
    g.actor = actor


def requires(role: Role) -> Callable[[F], F]:
    """Authenticate the bearer key and demand at least `role` before the view (or ETag check)."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            check_role(role)
            return view(*args, **kwargs)

        apidoc = dict(getattr(wrapper, "_apidoc", {}))
        manual = dict(apidoc.get("manual_doc", {}))
        manual.update({"security": [{"bearerAuth": []}], "x-required-role": role.value})
        apidoc["manual_doc"] = manual
        wrapper._apidoc = apidoc  # type: ignore[attr-defined]
        return cast(F, wrapper)

    return decorator


def readable(view: F) -> F:
    """Reading is open unless the deployment requires a key for it."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if settings().read_requires_key:
            check_role(Role.VIEWER)
        return view(*args, **kwargs)

    return cast(F, wrapper)


def next_link(cursor: str | None, param: str = "after") -> dict[str, str]:
    """`Link: <…>; rel="next"` keeping every filter of this request, or nothing at the end."""
    if cursor is None:
        return {}
    args = [(k, v) for k, v in request.args.items(multi=True) if k != param]
    args.append((param, cursor))
    # A reference relative to the request (RFC 8288 allows it), never built from the Host
    # header: behind a shared cache a forged Host would point clients, keys and all, at
    # another server.
    return {"Link": f'<{request.script_root}{request.path}?{urlencode(args)}>; rel="next"'}
