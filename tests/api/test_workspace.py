"""The editor workspace: sign-in, lock-out, CSRF, the inbox (Flask test client, real Postgres)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from service.domain.enums import Role
from service.domain.errors import Conflict, InvalidInput
from service.operations.actors import SYSTEM
from service.operations.people import MAX_FAILURES, create_person

PASSWORD = "correct horse battery"


@pytest.fixture
def person(session: Session) -> str:
    create_person(session, SYSTEM, name="Mia Lund", role=Role.EDITOR, password=PASSWORD)
    session.flush()
    return "Mia Lund"


def _token(client: FlaskClient, path: str = "/sign-in") -> str:
    page = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, page
    return found.group(1)


def _sign_in(client: FlaskClient, name: str, password: str, **extra: str) -> Any:
    data = {"name": name, "password": password, "csrf_token": _token(client), **extra}
    return client.post("/sign-in", data=data)


def test_the_workspace_needs_a_signed_in_person(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")


def test_a_person_signs_in_sees_the_inbox_and_signs_out(
    client: FlaskClient, person: str, make_document: Callable[..., dict[str, Any]]
) -> None:
    make_document(
        body="The harbour board sold two ferries for 41 million kroner in 2023.", extract=True
    )
    response = _sign_in(client, person, PASSWORD)
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    inbox = client.get("/").get_data(as_text=True)
    assert "Inbox" in inbox
    assert "Mia Lund" in inbox
    assert 'class="n">1<' in inbox  # one unreviewed check-worthy claim
    found = client.get("/?q=ferries").get_data(as_text=True)
    assert "sold two ferries" in found
    assert client.post("/sign-out", data={"csrf_token": _token(client, "/")}).status_code == 302
    assert client.get("/").status_code == 302


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(
    client: FlaskClient, person: str
) -> None:
    wrong = _sign_in(client, person, "not the password at all")
    unknown = _sign_in(client, "Nobody Here", PASSWORD)
    assert wrong.status_code == unknown.status_code == 401
    assert "do not match" in wrong.get_data(as_text=True)
    assert "do not match" in unknown.get_data(as_text=True)


def test_repeated_failures_lock_the_account_even_for_the_right_password(
    client: FlaskClient, person: str
) -> None:
    for _ in range(MAX_FAILURES):
        _sign_in(client, person, "guessing wrong again")
    locked = _sign_in(client, person, PASSWORD)
    assert locked.status_code == 401
    assert "locked until" in locked.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_a_post_without_its_csrf_token_is_refused(client: FlaskClient, person: str) -> None:
    response = client.post("/sign-in", data={"name": person, "password": PASSWORD})
    assert response.status_code == 400
    assert "token" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302  # and nobody was signed in


def test_sign_in_never_redirects_off_the_site(client: FlaskClient, person: str) -> None:
    response = _sign_in(client, person, PASSWORD, next="https://evil.example/")
    assert response.headers["Location"] == "/"
    response = _sign_in(client, person, PASSWORD, next="//evil.example/")
    assert response.headers["Location"] == "/"


def test_people_need_a_long_password_and_a_free_name(session: Session, person: str) -> None:
    with pytest.raises(InvalidInput):
        create_person(session, SYSTEM, name="Ola Dahl", role=Role.VIEWER, password="short")
    with pytest.raises(Conflict):
        create_person(session, SYSTEM, name=person, role=Role.ADMIN, password=PASSWORD)


def test_api_writes_with_a_bearer_key_need_no_csrf_token(
    client: FlaskClient, reviewer: dict[str, str]
) -> None:
    response = client.post(
        "/api/v1/documents", json={"body": "The yard closed in 2020."}, headers=reviewer
    )
    assert response.status_code == 201


def test_the_inbox_counts_each_documents_own_links_in_one_statement(
    client: FlaskClient,
    person: str,
    reviewer: dict[str, str],
    count_queries: list[str],
) -> None:
    sentence = "Harbour master Ingrid Solberg said the Nordhavn ferry carried 1.2 million in 2023."
    for outlet, body in (
        ("Gazette", sentence),
        ("Tribune", "The Nordhavn ferry carried 1.2 million in 2023, Ingrid Solberg said."),
        ("Courier", "The Bergen yard will close its dry dock in March, the owners said."),
    ):
        client.post("/api/v1/documents", json={"body": body, "outlet": outlet}, headers=reviewer)
    _sign_in(client, person, PASSWORD)
    count_queries.clear()
    page = client.get("/").get_data(as_text=True)
    rows = {
        outlet: re.findall(r'class="n">(\d+)<', row)
        for row in page.split("<tr>")[1:]
        for outlet in ("Gazette", "Tribune", "Courier")
        if f"<td>{outlet}</td>" in row
    }
    assert rows["Gazette"][1] == rows["Tribune"][1] == "1"  # the suggested link between them
    assert rows["Courier"][1] == "0"
    selects = [q for q in count_queries if q.lstrip().upper().startswith("SELECT")]
    assert len(selects) <= 3  # the signed-in person, the documents with counts, the outlets
