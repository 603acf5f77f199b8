"""The HTTP API: flask-smorest blueprints under /api/v1, errors as problem+json."""

from __future__ import annotations

import re
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, jsonify, request, send_from_directory
from flask_smorest import Api as SmorestApi
from flask_smorest import abort
from sqlalchemy import text
from werkzeug.exceptions import BadRequest, HTTPException, UnsupportedMediaType
from werkzeug.routing import IntegerConverter, Map

from schemas.common import MAX_ID, ProblemSchema
from service.api import (
    claims,
    copies,
    documents,
    events,
    factchecks,
    keys,
    links,
    openapi,
    reports,
    reviews,
    speakers,
    webhooks,
)
from service.api.context import db_session
from service.api.errors import database_unavailable, http_problem
from service.domain.errors import InvalidInput
from service.extraction import extractor_version, nlp
from service.linking import vectors


class Api(SmorestApi):  # type: ignore[misc]
    ERROR_SCHEMA = ProblemSchema

    def handle_http_exception(self, error: HTTPException) -> Response:
        return http_problem(error)


API_CONFIG: dict[str, Any] = {
    "API_TITLE": "Claimdesk",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.1.0",
    "OPENAPI_URL_PREFIX": "/api/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
    "OPENAPI_SWAGGER_UI_PATH": "docs",
    # Swagger UI's own files are served by this app (see swagger_asset), never from a CDN:
    # the docs page works offline.
    "OPENAPI_SWAGGER_UI_URL": "/api/v1/docs/assets/",
    "API_SPEC_OPTIONS": {
        "info": {
            "description": (
                "Claim tracking and fact-checking for newsrooms. Writes need "
                "`Authorization: Bearer <key>`; errors are RFC 9457 problem documents."
            )
        },
        "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
    },
}

_WRITE_METHODS = {"POST", "PUT", "PATCH"}


def require_json_bodies() -> None:
    """415 for a write whose body is not JSON (an empty body is left to the schema)."""
    if request.method not in _WRITE_METHODS or not request.path.startswith("/api/"):
        return
    if request.content_length == 0 or (
        request.content_length is None and not request.headers.get("Transfer-Encoding")
    ):
        return
    if not request.is_json:
        raise UnsupportedMediaType("send the request body as application/json")
    _check_json_text(request.get_data(cache=True))


def _documented(method: str) -> dict[str, Any] | None:
    """What flask-smorest documented of the request's API operation for `method` (its
    arguments, etag, responses), or None for a view that is no API operation."""
    view = current_app.view_functions.get(request.endpoint or "")
    handler = getattr(getattr(view, "view_class", None), method, view)
    return getattr(handler, "_apidoc", None)


def refuse_if_match_any() -> None:
    """428 for `If-Match: *` on a write: the RFC lets it match any version, which would take
    a decision on a view never read (every guarded write here asks for the ETag of the
    version its author saw)."""
    if request.method in ("GET", "HEAD", "OPTIONS") or not request.path.startswith("/api/"):
        return
    if "*" not in [t.strip() for t in request.headers.get("If-Match", "").split(",")]:
        return
    # Only the writes guarded by an ETag (their 412/428 are in the OpenAPI document).
    if (_documented(request.method.lower()) or {}).get("etag"):
        abort(
            428,
            message="If-Match: * is not taken: send the ETag of the version you read (GET it "
            "first), so that a change made since is not overwritten unseen",
        )


def refuse_unknown_query() -> None:
    """422 for query parameters a read takes none of (GET /claims/1?foo=1 was a 200): the
    README's "unknown fields are rejected", for the reads without a query schema; those with
    one refuse unknown parameters themselves."""
    if request.method not in ("GET", "HEAD") or not request.args:
        return
    if not request.path.startswith("/api/") or request.endpoint is None:
        return
    documented = _documented("get")
    if documented is None:  # not an API operation (the OpenAPI document, the docs page)
        return
    declared = (documented.get("arguments") or {}).get("parameters", [])
    if any(p.get("in") == "query" for p in declared):
        return
    refused = InvalidInput(sorted(request.args)[0], "Unknown field.", location="query")
    refused.detail = "this read takes no query parameters: " + ", ".join(sorted(request.args))
    refused.errors = {"query": {name: ["Unknown field."] for name in sorted(request.args)}}
    raise refused


#: Deeper than any body this API takes; the JSON parser recurses once per level.
MAX_JSON_DEPTH = 64
_STRINGS = re.compile(r'"(?:[^"\\]++|\\.)*+"')
_BRACKETS = re.compile(r"[\[\]{}]")


def _check_json_text(data: bytes) -> None:
    """400 for a body that is not UTF-8, or that nests deeper than MAX_JSON_DEPTH (Python's
    parser would fail with RecursionError near 1,000 levels: a 500, not a client error)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest(f"the body is not UTF-8 (byte {exc.start}); JSON must be") from None
    if text.count("[") + text.count("{") <= MAX_JSON_DEPTH:
        return
    depth = 0
    for bracket in _BRACKETS.findall(_STRINGS.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        if depth > MAX_JSON_DEPTH:
            raise BadRequest(f"the JSON nests deeper than {MAX_JSON_DEPTH} levels")


def healthz() -> Response:
    """200 when the database answers, 503 (problem+json) when it does not; says which
    extractor runs (the parse needs the spaCy model package) and how nearest claims in
    meaning are found (pgvector's index, or words only on a server without it)."""
    try:
        session = db_session()
        session.execute(text("SELECT 1"))
        vector_status = vectors.status(session.connection())
    except Exception as exc:  # any failure to reach the database is "unhealthy"
        return database_unavailable(exc)
    return jsonify(
        status="ok",
        database="ok",
        extractor=extractor_version(),
        parser=nlp.status(),
        vectors=vector_status,
    )


def _package_dir(name: str) -> Path:
    """An installed package's folder, found without importing it (importing flask_swagger_ui
    is a tenth of a second of every process's start, for a path)."""
    spec = find_spec(name)
    if spec is None or spec.origin is None:
        raise ImportError(f"{name} is not installed (make install)")
    return Path(spec.origin).parent


#: Swagger UI 5 (Apache-2.0), as vendored by the flask-swagger-ui package: only its static
#: files are used, flask-smorest renders the page.
SWAGGER_UI_DIST = _package_dir("flask_swagger_ui") / "dist"


def swagger_asset(filename: str) -> Response:
    """A Swagger UI static file, cached for a day."""
    return send_from_directory(SWAGGER_UI_DIST, filename, max_age=86400)


class IdConverter(IntegerConverter):
    """`<int:…>` in every route: ids are Postgres integers (int4), so a larger number names
    nothing and the URL matches no resource (404) instead of reaching the database."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def _id_schema(converter: IdConverter) -> dict[str, Any]:
    return {"type": "integer", "minimum": 0, "maximum": MAX_ID}


def init_api(app: Flask) -> Api:
    app.config.update(API_CONFIG)
    app.url_map.converters["int"] = IdConverter
    api = Api(app)
    api.register_converter(IdConverter, _id_schema)
    for module in (
        documents,
        claims,
        speakers,
        links,
        copies,
        factchecks,
        events,
        keys,
        reports,
        reviews,
        webhooks,
    ):
        api.register_blueprint(module.blp)
    openapi.complete(api.spec)
    app.before_request(require_json_bodies)
    app.before_request(refuse_unknown_query)
    app.before_request(refuse_if_match_any)
    app.add_url_rule("/healthz", "healthz", healthz)
    app.add_url_rule("/api/v1/docs/assets/<path:filename>", "swagger_asset", swagger_asset)
    return api
