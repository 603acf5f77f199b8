"""GET /api/v1/claims/{id}, the hottest read, answered beneath Flask's request machinery.

Newsroom tools poll claims one by one, and for this read Flask's request context, hooks and
teardown, flask-smorest's decorators and the ORM session cost about twice the statement
(docs/scaling.md). This WSGI layer answers the plain case itself with the same parts the
Flask view uses: the same statement (`claim_view`), the same marshmallow schema
(`ClaimDetailOut`), the same ETag (flask-smorest's hash of the dumped claim) and the same
headers. Everything else goes to Flask untouched:

- another path, method or query string, a cookie (a signed-in page's session may be
  refreshed), or a deployment where reading needs a key;
- an unknown claim or any error: Flask raises it again before any view runs, and answers
  with its problem document as for any other request;
- a request whose URL or headers exceed the app's limits (Flask answers 414/431).

tests/api/test_fast_reads.py asks both ways for claims of every kind and compares status,
headers and body byte for byte, conditional requests and errors included.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, request
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.http import parse_etags

from schemas.claims import ClaimDetailOut
from schemas.common import MAX_ID
from service.api.blueprint import Blueprint
from service.api.headers import ALWAYS, NO_FRAMES
from service.api.openapi import MAX_HEADER_BYTES, MAX_URL_BYTES
from service.config import Settings
from service.operations.claims import claim_view

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

#: What Flask's `<int:claim_id>` would match, written canonically (no sign, no leading zero).
_CLAIM = re.compile(r"/api/v1/claims/([1-9][0-9]{0,9})\Z")

_DETAIL = ClaimDetailOut()

#: Where the fast read leaves an error for Flask to answer (raise_fast_read_error).
FAILED = "claimdesk.fast_read_error"


class FastClaimReads:
    """WSGI middleware: GET one claim without Flask, or hand the request on unchanged."""

    def __init__(self, app: Flask, downstream: WSGIApp) -> None:
        settings: Settings = app.extensions["claimdesk.settings"]
        self.enabled = not settings.read_requires_key
        self.sessions: sessionmaker[Session] = app.extensions["claimdesk.read_sessionmaker"]
        self.downstream = downstream
        self.json = app.json
        # Encoded as Flask's jsonify encodes (DefaultJSONProvider.response).
        compact = getattr(app.json, "compact", None)
        pretty = compact is False or (compact is None and app.debug)
        self.dump_args: dict[str, Any] = {"indent": 2} if pretty else {"separators": (",", ":")}
        # The headers every API answer carries (service.api.headers), and the Vary that
        # Flask adds once Flask-Login has looked into the (empty) session.
        self.headers = [
            *ALWAYS,
            ("Content-Security-Policy", NO_FRAMES),
            ("Vary", "Cookie"),
        ]

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        claim_id = self._plain_claim_read(environ)
        if claim_id is None:
            return self.downstream(environ, start_response)
        try:
            with self.sessions() as session:
                view = claim_view(session, claim_id)
        except Exception as error:
            # Flask answers it as if its view had raised it (one attempt, not two: a
            # statement that timed out is not run again).
            environ[FAILED] = error
            return self.downstream(environ, start_response)
        data = _DETAIL.dump(view)
        etag = Blueprint._generate_etag(data)  # flask-smorest's own, as the view's response
        if etag in parse_etags(environ.get("HTTP_IF_NONE_MATCH")):  # as flask-smorest checks
            start_response("304 NOT MODIFIED", [("ETag", f'"{etag}"'), *self.headers])
            return []
        body = f"{self.json.dumps(data, **self.dump_args)}\n".encode()
        headers = [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(body))),
            ("ETag", f'"{etag}"'),
            *self.headers,
        ]
        start_response("200 OK", headers)
        return [body]

    def _plain_claim_read(self, environ: dict[str, Any]) -> int | None:
        if not self.enabled or environ.get("REQUEST_METHOD") != "GET":
            return None
        match = _CLAIM.match(environ.get("PATH_INFO", ""))
        if match is None or environ.get("QUERY_STRING") or "HTTP_COOKIE" in environ:
            return None
        claim_id = int(match[1])
        if claim_id > MAX_ID or len(environ.get("RAW_URI") or "") > MAX_URL_BYTES:
            return None
        # Well inside the limit, counted generously; near it, Flask counts exactly.
        header_bytes = sum(len(k) + len(v) + 4 for k, v in environ.items() if k[:5] == "HTTP_")
        return None if header_bytes > MAX_HEADER_BYTES // 2 else claim_id


def raise_fast_read_error() -> None:
    """A before-request hook: the error the fast read met, raised where Flask handles a
    view's errors (its problem document, its hooks, its teardown)."""
    error = request.environ.pop(FAILED, None)
    if error is not None:
        raise error
