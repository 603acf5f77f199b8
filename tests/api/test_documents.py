"""Documents: idempotent ingest, listing with keyset pagination, validation."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from service.models import Document, Event, Outlet
from service.operations.actors import SYSTEM
from service.operations.documents import NewDocument, create_document
from service.operations.pagination import encode_cursor


def test_creating_a_document_returns_201_with_location(
    client: FlaskClient, reviewer: dict[str, str]
) -> None:
    response = client.post(
        "/api/v1/documents?wait=true",
        json={"body": "The bridge cost $4 billion.", "outlet": "Daily Planet", "kind": "news"},
        headers=reviewer,
    )
    assert response.status_code == 201
    assert response.headers["Location"] == f"/api/v1/documents/{response.json['id']}"
    assert response.json["outlet"]["name"] == "Daily Planet"
    assert response.json["body"] == "The bridge cost $4 billion."


def test_posting_the_same_body_again_returns_the_existing_document_with_200(
    client: FlaskClient, reviewer: dict[str, str]
) -> None:
    payload = {"body": "Same body twice.", "title": "first"}
    first = client.post("/api/v1/documents?wait=true", json=payload, headers=reviewer)
    second = client.post(
        "/api/v1/documents?wait=true", json=payload | {"title": "second"}, headers=reviewer
    )
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json["id"] == first.json["id"]
    assert second.json["title"] == "first"


def test_body_is_stored_verbatim(client: FlaskClient, reviewer: dict[str, str]) -> None:
    body = "  Leading spaces,\r\nCRLF, emoji 🙂 and “curly quotes”.\n\n"
    created = client.post("/api/v1/documents?wait=true", json={"body": body}, headers=reviewer).json
    assert client.get(f"/api/v1/documents/{created['id']}").json["body"] == body


def test_whitespace_body_is_rejected_with_422_naming_the_field(
    client: FlaskClient, reviewer: dict[str, str]
) -> None:
    response = client.post("/api/v1/documents?wait=true", json={"body": "   \n "}, headers=reviewer)
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert "body" in response.json["errors"]["json"]


def test_unknown_fields_are_rejected(client: FlaskClient, reviewer: dict[str, str]) -> None:
    response = client.post(
        "/api/v1/documents?wait=true", json={"body": "x", "colour": "red"}, headers=reviewer
    )
    assert response.status_code == 422
    assert response.json["errors"]["json"]["colour"] == ["Unknown field."]


def test_derived_from_must_exist(client: FlaskClient, reviewer: dict[str, str]) -> None:
    response = client.post(
        "/api/v1/documents?wait=true",
        json={"body": "x", "derived_from_id": 999999},
        headers=reviewer,
    )
    assert response.status_code == 422
    assert "derived_from_id" in response.json["errors"]["json"]


def test_listing_pages_with_a_next_link_that_keeps_filters(
    client: FlaskClient, make_document: Callable[..., dict[str, Any]]
) -> None:
    ids = [make_document(outlet="Paging Gazette")["id"] for _ in range(5)]
    seen: list[int] = []
    url: str | None = "/api/v1/documents?outlet=Paging+Gazette&limit=2"
    pages = 0
    while url:
        response = client.get(url)
        assert response.status_code == 200
        seen += [d["id"] for d in response.json]
        pages += 1
        link = response.headers.get("Link")
        url = link[1 : link.index(">")].replace("http://localhost", "") if link else None
        if url:
            assert "outlet=Paging+Gazette" in url
    assert seen == ids
    assert pages == 3


def test_a_forged_cursor_is_a_422_not_a_500(client: FlaskClient) -> None:
    response = client.get("/api/v1/documents?after=!!notacursor")
    assert response.status_code == 422
    assert "after" in response.json["errors"]["query"]
    # Well formed, but its number is past what Postgres's bigint holds.
    huge = encode_cursor([2**70], "documents")
    response = client.get(f"/api/v1/documents?after={huge}")
    assert response.status_code == 422
    assert "after" in response.json["errors"]["query"]


def test_missing_document_is_a_404_problem(client: FlaskClient) -> None:
    response = client.get("/api/v1/documents/987654")
    assert response.status_code == 404
    assert response.content_type == "application/problem+json"
    assert response.json["status"] == 404


def test_document_claims_come_in_reading_order(
    client: FlaskClient,
    make_document: Callable[..., dict[str, Any]],
    make_claim: Callable[..., dict[str, Any]],
) -> None:
    doc = make_document()
    body = client.get(f"/api/v1/documents/{doc['id']}").json["body"]
    second = body.index("Officials")
    late = make_claim(doc, start=second, end=second + len("Officials denied it."))
    early = make_claim(doc)
    listed = client.get(f"/api/v1/documents/{doc['id']}/claims").json
    assert [c["id"] for c in listed] == [early["id"], late["id"]]


@pytest.mark.parametrize("outlet", ["ΕΘΝΟΣ", "İSTANBUL POST"])
def test_an_outlet_whose_case_python_and_postgres_fold_apart_is_found_again(
    client: FlaskClient, reviewer: dict[str, str], outlet: str
) -> None:
    # Python lower-cases a final sigma to "ς" and "İ" to "i̇"; Postgres to "σ" and "i".
    ids = set()
    for body in ("The port was sold for 2 billion.", "The minister denied the sale."):
        response = client.post(
            "/api/v1/documents",
            json={"body": body, "outlet": outlet, "extract": False},
            headers=reviewer,
        )
        assert response.status_code == 201, response.json
        ids.add(response.json["outlet"]["id"])
    assert len(ids) == 1


def test_two_first_documents_of_a_new_outlet_at_once_share_it(
    migrated_scratch: tuple[Engine, str],
) -> None:
    engine, _ = migrated_scratch
    first = Session(engine)
    create_document(first, SYSTEM, NewDocument(body="The bridge cost 4 billion.", outlet="Harbour"))
    errors: list[Exception] = []

    def second() -> None:
        with Session(engine) as session:
            try:
                create_document(
                    session,
                    SYSTEM,
                    NewDocument(body="The tunnel cost 2bn.", outlet="harbour"),
                )
                session.commit()
            except Exception as exc:
                errors.append(exc)

    thread = threading.Thread(target=second)
    thread.start()
    time.sleep(0.5)  # the second INSERT now waits on the first's uncommitted row
    first.commit()
    first.close()
    thread.join()
    assert errors == []
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Outlet)) == 1
        assert (
            session.scalar(
                select(func.count()).select_from(Event).where(Event.action == "outlet.created")
            )
            == 1
        )


def test_a_cursor_of_one_list_is_refused_by_another(
    client: FlaskClient, make_document: Any, make_claim: Any
) -> None:
    # A /links cursor was accepted by /claims and /documents (a page from a wrong place),
    # and a claims cursor restarted the export from its first claim.
    for _ in range(3):
        make_claim(make_document())
    claims = client.get("/api/v1/claims?limit=1")
    cursor = claims.headers["Link"].split("after=")[1].split(">")[0].split("&")[0]
    for url in (
        f"/api/v1/documents?after={cursor}",
        f"/api/v1/links?after={cursor}",
        f"/api/v1/exports/claims.ndjson?since={cursor}",
        f"/api/v1/events?since={cursor}",
    ):
        refused = client.get(url)
        assert refused.status_code == 422, url
        assert "another list (/claims)" in json.dumps(refused.json["errors"]), url
    assert client.get(f"/api/v1/claims?limit=1&after={cursor}").status_code == 200


def test_the_cli_says_a_refusal_in_one_line(
    migrated_scratch: tuple[Engine, str], monkeypatch: Any, tmp_path: Any
) -> None:
    # `keys revoke` of a missing key and a report written to a missing folder printed
    # tracebacks ending in the service's own refusal.
    from click.testing import CliRunner

    from service.cli import main

    monkeypatch.setenv("DATABASE_URL", migrated_scratch[1])
    missing = CliRunner().invoke(main, ["keys", "revoke", "99"])
    assert missing.exit_code == 1
    assert missing.output.strip() == "Error: no API key 99"
    with Session(migrated_scratch[0]) as session:
        doc, _ = create_document(session, SYSTEM, NewDocument(body="The pier cost $4 million."))
        doc_id = doc.id
        session.commit()
    unwritable = CliRunner().invoke(
        main,
        ["report", "document", str(doc_id), "--format", "md", "-o", str(tmp_path / "no" / "x.md")],
    )
    assert unwritable.exit_code == 1
    assert unwritable.output.startswith("Error: No such file or directory")
    assert "Traceback" not in unwritable.output


def test_the_cli_ingests_a_text_file_with_its_title_and_date(
    migrated_scratch: tuple[Engine, str], monkeypatch: Any, tmp_path: Any
) -> None:
    # A text file has no metadata: it came in untitled and undated, "on Friday" unresolved.
    from click.testing import CliRunner

    from service.cli import main

    monkeypatch.setenv("DATABASE_URL", migrated_scratch[1])
    story = tmp_path / "pier.txt"
    story.write_text("The council closed the pier on Friday, the mayor said.\n")
    done = CliRunner().invoke(
        main,
        ["ingest", "--wait", "--title", "Pier closed", "--published", "2026-12-07", str(story)],
    )
    assert done.exit_code == 0, done.output
    with Session(migrated_scratch[0]) as session:
        doc = session.scalars(select(Document)).one()
        assert (doc.title, str(doc.published_on)) == ("Pier closed", "2026-12-07")
    two = CliRunner().invoke(main, ["ingest", "--title", "x", str(story), str(story)])
    assert two.exit_code == 2
    assert "--title" in two.output
