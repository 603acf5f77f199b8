"""GET /api/v1/claims/{id} answered beneath Flask (service/api/fast_reads.py) is the same
answer, byte for byte, as the Flask view gives: status, headers and body, conditional
requests included; anything else still reaches Flask."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import psycopg
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection
from sqlalchemy.exc import OperationalError
from werkzeug.test import EnvironBuilder, run_wsgi_app

from service.api import claims as claims_api
from service.api import fast_reads
from service.api.fast_reads import FastClaimReads
from service.app import create_app
from service.config import Settings

Answer = tuple[str, list[tuple[str, str]], bytes]


def _ask(wsgi: Any, path: str, **kwargs: Any) -> Answer:
    environ = EnvironBuilder(path=path, **kwargs).get_environ()
    body, status, headers = run_wsgi_app(wsgi, environ, buffered=True)
    return status, list(headers.items()), b"".join(body)


class _Counting:
    """The Flask app behind the fast path, counting the requests that reach it."""

    def __init__(self, wsgi: Any) -> None:
        self.wsgi, self.calls = wsgi, 0

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        self.calls += 1
        return self.wsgi(environ, start_response)


@pytest.fixture
def paths(app: Flask, claims: list[int]) -> tuple[FastClaimReads, _Counting]:
    """The fast path and, behind it, the Flask app (counted from here on, claims made)."""
    fast = app.wsgi_app
    assert isinstance(fast, FastClaimReads)
    flask_view = _Counting(fast.downstream)
    fast.downstream = flask_view
    return fast, flask_view


@pytest.fixture
def claims(
    client: FlaskClient,
    reviewer: dict[str, str],
    editor: dict[str, str],
    make_document: Callable[..., dict[str, Any]],
    make_claim: Callable[..., dict[str, Any]],
    confirm_link: Callable[..., dict[str, Any]],
) -> list[int]:
    """Claims whose views differ in every part: speaker, evidence, links, status, accents."""
    plain = make_claim(make_document())
    spoken = make_claim(make_document(outlet="Tribune"), speaker_name="Zoë Ångström")
    backed = make_claim(make_document(outlet="Gazette"))
    confirm_link(reviewer, plain["id"], backed["id"], "corroborates")
    confirm_link(reviewer, spoken["id"], backed["id"], "conflicts")
    etag = client.get(f"/api/v1/claims/{backed['id']}").headers["ETag"]
    response = client.put(
        f"/api/v1/claims/{backed['id']}/status",
        json={
            "status": "verified",
            "rationale": "the audit",
            "evidence": [{"url": "https://example.org/audit.pdf", "note": "p. 4"}],
        },
        headers=editor | {"If-Match": etag},
    )
    assert response.status_code == 200, response.json
    return [plain["id"], spoken["id"], backed["id"]]


def test_the_fast_answer_is_the_flask_answer(
    paths: tuple[FastClaimReads, _Counting], claims: list[int]
) -> None:
    fast, flask_view = paths
    for claim_id in claims:
        path = f"/api/v1/claims/{claim_id}"
        answer = _ask(fast, path)
        assert flask_view.calls == 0, "the plain read must not reach Flask"
        assert answer == _ask(flask_view.wsgi, path)
        status, headers, _ = answer
        assert status == "200 OK"
        etag = dict(headers)["ETag"]
        # Conditional reads: a strong match, any tag, a weak tag (never matches, as
        # flask-smorest checks), an unquoted tag, a list, another tag.
        for tags in (etag, "*", f"W/{etag}", etag.strip('"'), f'"nope", {etag}', '"nope"'):
            headers_in = {"If-None-Match": tags}
            mine = _ask(fast, path, headers=headers_in)
            assert mine == _ask(flask_view.wsgi, path, headers=headers_in), tags
        assert flask_view.calls == 0


def test_an_edit_changes_the_fast_etag_as_it_changes_the_flask_one(
    client: FlaskClient,
    editor: dict[str, str],
    paths: tuple[FastClaimReads, _Counting],
    claims: list[int],
) -> None:
    fast, flask_view = paths
    path = f"/api/v1/claims/{claims[1]}"  # it has a confirmed conflict
    before = dict(_ask(fast, path)[1])["ETag"]
    response = client.put(
        f"{path}/status",
        json={"status": "disputed", "rationale": "the audit says otherwise"},
        headers=editor | {"If-Match": before},
    )
    assert response.status_code == 200, response.json
    after = _ask(fast, path)
    assert dict(after[1])["ETag"] == response.headers["ETag"] != before
    assert after == _ask(flask_view.wsgi, path)


@pytest.mark.parametrize(
    ("path", "kwargs"),
    [
        ("/api/v1/claims/999999", {}),  # no such claim: Flask's problem document
        ("/api/v1/claims/99999999999", {}),  # beyond the id range: Flask's 404
        ("/api/v1/claims/01", {}),  # not the canonical spelling
        ("/api/v1/claims/1/", {}),
        ("/api/v1/claims/{id}", {"query_string": "fields=id"}),
        ("/api/v1/claims/{id}", {"method": "HEAD"}),
        ("/api/v1/claims/{id}", {"headers": {"Cookie": "session=x"}}),
        ("/api/v1/claims/{id}", {"headers": {"X-Padding": "x" * 9000}}),
    ],
)
def test_anything_else_reaches_flask(
    paths: tuple[FastClaimReads, _Counting], claims: list[int], path: str, kwargs: Any
) -> None:
    fast, flask_view = paths
    path = path.replace("{id}", str(claims[0]))
    assert _ask(fast, path, **kwargs) == _ask(flask_view.wsgi, path, **kwargs)
    assert flask_view.calls == 1


def test_an_error_is_answered_by_flask_without_running_the_read_again(
    paths: tuple[FastClaimReads, _Counting], claims: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A statement that timed out is not run a second time by the Flask view: the error the
    fast read met is the one Flask answers (503, as for any request)."""
    fast, flask_view = paths
    asked: list[int] = []

    def timed_out(session: Any, claim_id: int) -> Any:
        asked.append(claim_id)
        raise OperationalError("SELECT …", {}, psycopg.errors.QueryCanceled("statement timeout"))

    monkeypatch.setattr(fast_reads, "claim_view", timed_out)
    monkeypatch.setattr(claims_api, "claim_view", timed_out)
    status, headers, body = _ask(fast, f"/api/v1/claims/{claims[0]}")
    assert status == "503 SERVICE UNAVAILABLE", body
    assert dict(headers)["Content-Type"] == "application/problem+json"
    assert asked == [claims[0]]
    assert flask_view.calls == 1


def test_a_key_is_read_as_flask_reads_it(
    paths: tuple[FastClaimReads, _Counting], claims: list[int], reviewer: dict[str, str]
) -> None:
    """Reading is open: the view ignores a key on a GET, even a wrong one, and so does the
    fast path."""
    fast, flask_view = paths
    path = f"/api/v1/claims/{claims[1]}"
    for headers in (reviewer, {"Authorization": "Bearer not-a-key"}):
        assert _ask(fast, path, headers=headers) == _ask(flask_view.wsgi, path, headers=headers)
    assert flask_view.calls == 0


def test_when_reading_needs_a_key_flask_decides(
    settings: Settings, connection: Connection, claims: list[int], reviewer: dict[str, str]
) -> None:
    locked = create_app(replace(settings, read_requires_key=True), bind=connection)
    path = f"/api/v1/claims/{claims[0]}"
    status, _, _ = _ask(locked.wsgi_app, path)
    assert status == "401 UNAUTHORIZED"
    status, _, _ = _ask(locked.wsgi_app, path, headers=reviewer)
    assert status == "200 OK"
