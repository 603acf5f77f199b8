"""create_app: the composition root. Wiring only: config, database, API, errors."""

from __future__ import annotations

import logging

from flask import Flask
from sqlalchemy import Connection, Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from service.api import init_api
from service.api.context import close_session
from service.api.errors import register_error_handlers
from service.api.fast_reads import FastClaimReads, raise_fast_read_error
from service.api.headers import security_headers
from service.api.openapi import request_limits
from service.config import Settings
from service.db import create_db_engine, make_sessionmaker, resolve_database_url
from service.extraction import nlp
from service.limits import init_limits
from service.web import init_web


def create_app(
    settings: Settings | None = None, *, bind: Engine | Connection | None = None
) -> Flask:
    """Build the app. `bind` overrides the engine (tests pass a connection in a transaction)."""
    settings = settings or Settings.from_env()
    app = Flask("claimdesk")
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    # A form field (the workspace's pasted article) may be as large as a whole request: the
    # 500 kB default of Werkzeug refused a paste of half the 1,000,000 characters a body may hold.
    app.config["MAX_FORM_MEMORY_SIZE"] = settings.max_body_bytes
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions["claimdesk.settings"] = settings
    if settings.proxy_hops:
        # The client's address and scheme as the trusted proxies saw them (rate limits per
        # address, secure cookies); a header from farther away is ignored.
        hops = settings.proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    read_bind = bind
    if bind is None:
        url = resolve_database_url(settings.database_url, settings.data_dir)
        timeout, size = settings.statement_timeout_ms, settings.pool_size
        bind = create_db_engine(url, statement_timeout_ms=timeout, pool_size=size)
        read_bind = create_db_engine(
            url, statement_timeout_ms=timeout, pool_size=size, autocommit=True
        )
    app.extensions["claimdesk.sessionmaker"] = make_sessionmaker(bind)
    app.extensions["claimdesk.read_sessionmaker"] = make_sessionmaker(read_bind or bind)
    # Reports and exports are long reads: on a replica when there is one.
    report_bind = read_bind or bind
    if settings.database_read_url:
        report_bind = create_db_engine(
            settings.database_read_url,
            statement_timeout_ms=settings.statement_timeout_ms,
            pool_size=settings.pool_size,
            autocommit=True,
        )
    app.extensions["claimdesk.report_sessionmaker"] = make_sessionmaker(report_bind)
    app.teardown_appcontext(close_session)
    app.before_request(request_limits)
    app.before_request(raise_fast_read_error)
    app.after_request(security_headers)
    register_error_handlers(app)
    init_api(app)
    app.wsgi_app = FastClaimReads(app, app.wsgi_app)  # type: ignore[method-assign]
    init_web(app)
    init_limits(app, settings, read_bind or bind)
    log = logging.getLogger("claimdesk")
    log.setLevel(logging.INFO)
    if not nlp.available():
        log.warning("extraction: %s", nlp.status())
    return app
