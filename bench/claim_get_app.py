"""The WSGI app the HTTP benchmark serves: /bare/claims/<id> is psycopg + json.dumps,
everything else is the full Claimdesk app; one process, one database."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

from bench.claim_get import bare_app
from service.app import create_app
from service.config import Settings

_url = os.environ["BENCH_DATABASE_URL"]
_full = create_app(Settings(database_url=_url))
_bare = bare_app(_url)


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    if environ["PATH_INFO"].startswith("/bare/"):
        return _bare(environ, start_response)
    return _full(environ, start_response)
