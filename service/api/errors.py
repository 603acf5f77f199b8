"""One place that turns every failure into RFC 9457 application/problem+json."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, json, request
from psycopg import errors as pg_errors
from sqlalchemy.exc import (
    DataError,
    DBAPIError,
    IntegrityError,
    InterfaceError,
    OperationalError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from service.domain.errors import DomainError

log = logging.getLogger(__name__)

PROBLEM_MIMETYPE = "application/problem+json"

#: Database constraint → the request field it protects (so a 409/422 names the field).
CONSTRAINT_FIELDS = {
    "uq_documents_body_sha256": "body",
    "uq_claim_links_claim_a_id_claim_b_id": "claim_b_id",
    "uq_speaker_aliases_speaker_id_normalized": "alias",
    "uq_users_name": "name",
    "uq_outlets_name_lower": "outlet",
    "ck_claims_span_in_body": "span",
    "ck_claims_text_matches_span": "text",
    "ck_claim_links_across_documents": "claim_b_id",
}


def problem(
    status: int,
    detail: str | None = None,
    *,
    title: str | None = None,
    slug: str | None = None,
    errors: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> Response:
    phrase = HTTPStatus(status).phrase
    body: dict[str, Any] = {
        # about:blank means "nothing more than the status code says" (RFC 9457 §4.2.1).
        "type": f"urn:claimdesk:problem:{slug}" if slug else "about:blank",
        "title": title or phrase,
        "status": status,
    }
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    if extra:
        body.update(extra)
    # A server-side failure (the database down, its pool exhausted) is answered without the
    # page, which would read the signed-in person from that database and wait on it again.
    page = _as_page(body) if status < 500 and _wants_page() else None
    response = page or Response(json.dumps(body), status=status, mimetype=PROBLEM_MIMETYPE)
    if request and not request.path.startswith("/api/"):
        response.vary.add("Accept")  # a page or a problem document, by what was asked
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _wants_page() -> bool:
    """A browser asking for a workspace address (a page, not /api/): it is told what went
    wrong on a page. Clients that prefer JSON, or say nothing, get the problem document."""
    if not request or request.path.startswith("/api/"):
        return False
    best = request.accept_mimetypes.best_match((PROBLEM_MIMETYPE, "application/json", "text/html"))
    return best == "text/html"


def _as_page(body: dict[str, Any]) -> Response | None:
    """The problem as the workspace's error page; None if the page cannot be drawn (the
    database it reads the signed-in person from is down): the problem document then."""
    from flask import render_template

    try:
        html = render_template("problem.html", problem=body)
    except Exception:  # an error page must not fail the error
        log.warning("the error page could not be drawn", exc_info=True)
        return None
    return Response(html, status=body["status"], mimetype="text/html")


def http_problem(error: HTTPException) -> Response:
    """werkzeug/flask-smorest HTTP errors (404, 405, 412, 413, 422 from webargs, 428, …)."""
    status = error.code or 500
    if status >= 500:
        return _internal(error)
    data = getattr(error, "data", None) or {}
    errors = data.get("errors") or data.get("messages")
    headers = dict(data.get("headers") or {})
    if status == 405 and error.get_response().headers.get("Allow"):
        headers["Allow"] = error.get_response().headers["Allow"]
    detail = data.get("message") or error.description
    slug = None
    if status == 422 and errors:
        # The same type as a rule about the data refusing a field (InvalidInput): a client
        # tells a refused field by one type, whichever layer refused it.
        detail, slug = "the request does not match the schema; see errors", "validation-error"
    elif status == 412:
        detail = (
            "If-Match does not name the current version: it changed since you read it (or "
            "the tag is not one this service gave). GET it again, look at what changed, and "
            "send your change with the new ETag"
        )
        changed = _last_change()
        if changed:
            detail += f". Its last change: {changed}"
            if (request.view_args or {}).get("claim_id") is not None:
                # A claim's ETag covers what GET shows: its links' and speaker's changes too.
                detail += " (or a change to its links or its speaker since)"
    elif status == 400 and request.is_json and "could not understand" in (detail or ""):
        detail = "the body is not valid JSON"
    elif status == 404 and request.path.startswith("/api/"):
        # No route matched: most often an id that is not one (abc, -1, past 2147483647).
        detail = (
            f"nothing at {request.path}: ids are whole numbers from 1 to 2147483647, and the "
            "OpenAPI document at /api/v1/openapi.json lists every path"
        )
        slug = "not-found"
    return problem(status, detail, slug=slug, errors=errors, headers=headers)


#: The path argument that names each resource an If-Match guards, and its events' type.
_GUARDED = {
    "claim_id": "claims",
    "link_id": "claim_links",
    "speaker_id": "speakers",
    "subscription_id": "webhook_subscriptions",
    "copy_id": "document_copies",
    "match_id": "fact_check_matches",
}


def _last_change() -> str | None:
    """What last changed the resource a stale If-Match was sent for, from its history."""
    from service.api.context import db_session
    from service.operations.events import last_change

    args = request.view_args or {}
    found = next(((t, args[k]) for k, t in _GUARDED.items() if k in args), None)
    if found is None:
        return None
    try:
        return last_change(db_session(), found[0], int(found[1]))
    except Exception:  # the refusal stands without its detail
        log.warning("could not read the last change for a 412", exc_info=True)
        return None


def domain_problem(error: DomainError) -> Response:
    headers = {"WWW-Authenticate": 'Bearer realm="claimdesk"'} if error.status == 401 else None
    extra = {"rule": error.rule} if hasattr(error, "rule") else None
    return problem(
        error.status,
        error.detail,
        title=error.title,
        slug=error.slug,
        errors=error.errors,
        headers=headers,
        extra=extra,
    )


def _constraint(error: DBAPIError) -> str | None:
    diag = getattr(error.orig, "diag", None)
    return getattr(diag, "constraint_name", None)


def integrity_problem(error: IntegrityError) -> Response:
    """A constraint the database enforces: 409 for uniqueness, 422 for any other rule."""
    name = _constraint(error) or ""
    field = CONSTRAINT_FIELDS.get(name, name or "body")
    message = str((getattr(error.orig, "diag", None) and error.orig.diag.message_primary) or "")  # type: ignore[union-attr]
    if isinstance(error.orig, pg_errors.UniqueViolation):
        return problem(
            409,
            f"already exists ({name})",
            slug="conflict",
            errors={"json": {field: ["already exists"]}},
        )
    log.info("constraint %s refused a write: %s", name, message)
    return problem(
        422,
        message or f"constraint {name} refused the write",
        slug="constraint-violation",
        errors={"json": {field: [message or name]}},
    )


def database_unavailable(error: Exception) -> Response:
    log.warning("database unavailable: %s", error)
    return problem(
        503,
        "the database is unavailable or too slow; retry shortly",
        slug="service-unavailable",
        headers={"Retry-After": "5"},
    )


def dbapi_problem(error: DBAPIError) -> Response:
    """OperationalError (refused connection, timeout, cancel, shutdown) is the database's
    trouble, not the client's: 503 so clients retry."""
    if isinstance(error, OperationalError | InterfaceError):
        return database_unavailable(error)
    if isinstance(error, DataError):
        # A value Postgres cannot store (a NUL in text, a number out of range): bad input.
        message = str(error.orig).split("\n")[0]
        return problem(422, f"a value cannot be stored: {message}", slug="validation-error")
    if isinstance(error.orig, pg_errors.SerializationFailure | pg_errors.DeadlockDetected):
        return problem(409, "a concurrent change conflicted with this one; retry", slug="conflict")
    if error.connection_invalidated:
        return database_unavailable(error)
    return _internal(error)


def stale_problem(error: StaleDataError) -> Response:
    return problem(
        412, "the resource changed since you read it; fetch it again", slug="precondition-failed"
    )


def _internal(error: BaseException) -> Response:
    log.error("unhandled error on %s %s", request.method, request.path, exc_info=error)
    return problem(500, "an internal error occurred; it has been logged")


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(DomainError, domain_problem)
    app.register_error_handler(IntegrityError, integrity_problem)
    app.register_error_handler(OperationalError, dbapi_problem)
    app.register_error_handler(DBAPIError, dbapi_problem)
    app.register_error_handler(PoolTimeout, database_unavailable)
    app.register_error_handler(StaleDataError, stale_problem)
    app.register_error_handler(HTTPException, http_problem)
    app.register_error_handler(Exception, _internal)
