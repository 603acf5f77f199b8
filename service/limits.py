"""Rate limits (flask-limiter): on every write, per API key, and on sign-in, per address.

A write is counted against the key that sends it (its public prefix), else against the
signed-in person, else against the client address; reads are never limited. Sign-in has a
tighter limit per address on top of the per-account lock-out, so guessing many accounts'
passwords from one place is slow too. A refused request gets 429 problem+json with
Retry-After (the error handler renders flask-limiter's TooManyRequests).

Counters live in `rate_limit_storage`: `memory://` (the default) counts per process, so
behind gunicorn with N workers a client may get up to N times the limit; point it at a
shared store (`redis://…`, with the redis package installed) for one count per deployment.
"""

from __future__ import annotations

from typing import Any, cast

from flask import Flask, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import current_user

from service.config import Settings

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SIGN_IN_ENDPOINT = "web.sign_in_submit"


def client_key() -> str:
    """Who is writing: the bearer key's prefix (`cdk_<prefix>_<secret>`), the signed-in
    person, or the address. Never the secret itself."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer":
        parts = token.strip().split("_")
        if len(parts) >= 3 and parts[1]:
            return f"key:{parts[1][:32]}"
    if getattr(current_user, "is_authenticated", False):
        return f"person:{current_user.get_id()}"
    return f"addr:{get_remote_address()}"


def _is_read() -> bool:
    return request.method in _SAFE_METHODS


def init_limits(app: Flask, settings: Settings) -> Limiter:
    """Install the limiter; call after the blueprints are registered (it wraps sign-in)."""
    limiter = Limiter(
        client_key,
        app=app,
        storage_uri=settings.rate_limit_storage,
        application_limits=[settings.write_rate_limit] if settings.write_rate_limit else [],
        application_limits_exempt_when=_is_read,
        headers_enabled=True,
        enabled=bool(settings.write_rate_limit or settings.sign_in_rate_limit),
        key_prefix="claimdesk",
    )
    if settings.sign_in_rate_limit and SIGN_IN_ENDPOINT in app.view_functions:
        limit = limiter.limit(
            settings.sign_in_rate_limit, key_func=get_remote_address, methods=["POST"]
        )
        app.view_functions[SIGN_IN_ENDPOINT] = cast(
            Any, limit(app.view_functions[SIGN_IN_ENDPOINT])
        )
    return limiter
