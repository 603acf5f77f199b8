"""Error paths (never a 500 for bad input), the change feed, and the append-only history."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

Doc = Callable[..., dict[str, Any]]


def test_a_body_over_the_limit_is_413(client: FlaskClient, reviewer: dict[str, str]) -> None:
    big = "a" * (5 * 1024 * 1024 + 10)
    response = client.post("/api/v1/documents?wait=true", json={"body": big}, headers=reviewer)
    assert response.status_code == 413
    assert response.content_type == "application/problem+json"


def test_malformed_json_is_400(client: FlaskClient, reviewer: dict[str, str]) -> None:
    response = client.post(
        "/api/v1/documents?wait=true",
        data='{"body": "x"',
        content_type="application/json",
        headers=reviewer,
    )
    assert response.status_code == 400
    assert response.content_type == "application/problem+json"
    assert response.json["detail"] == "the body is not valid JSON"


def test_a_field_refused_by_the_schema_or_by_a_rule_has_one_problem_type(
    client: FlaskClient, reviewer: dict[str, str]
) -> None:
    by_schema = client.post("/api/v1/documents", json={"body": 42}, headers=reviewer)
    by_rule = client.get("/api/v1/documents?after=notacursor")
    assert (by_schema.status_code, by_rule.status_code) == (422, 422)
    assert (
        by_schema.json["type"] == by_rule.json["type"] == "urn:claimdesk:problem:validation-error"
    )


def test_non_utf8_json_is_400(client: FlaskClient, reviewer: dict[str, str]) -> None:
    response = client.post(
        "/api/v1/documents?wait=true",
        data=b'{"body": "caf\xe9"}',
        content_type="application/json",
        headers=reviewer,
    )
    assert response.status_code == 400


def test_a_json_body_that_is_not_an_object_is_422(
    client: FlaskClient, reviewer: dict[str, str]
) -> None:
    response = client.post("/api/v1/documents?wait=true", json=["body"], headers=reviewer)
    assert response.status_code == 422


def test_wrong_content_type_is_415(client: FlaskClient, reviewer: dict[str, str]) -> None:
    response = client.post(
        "/api/v1/documents?wait=true",
        data="body=x",
        content_type="application/x-www-form-urlencoded",
        headers=reviewer,
    )
    assert response.status_code == 415


def test_wrong_method_is_405_with_allow(client: FlaskClient) -> None:
    response = client.delete("/api/v1/documents")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert response.content_type == "application/problem+json"


def test_wrong_types_name_each_field(client: FlaskClient, reviewer: dict[str, str]) -> None:
    response = client.post(
        "/api/v1/claims",
        json={"document_id": "one", "span": {"start": -1, "end": "x"}, "checkworthiness": 2},
        headers=reviewer,
    )
    assert response.status_code == 422
    errors = response.json["errors"]["json"]
    assert {"document_id", "span", "checkworthiness"} <= set(errors)


def test_a_json_value_of_another_type_is_refused_not_converted(
    client: FlaskClient,
    reviewer: dict[str, str],
    admin: dict[str, str],
    make_document: Doc,
    make_claim: Doc,
) -> None:
    # marshmallow reads 351.9 as 351 and "346" as 346: a link to claim 351.9 joined claim
    # 351. In a JSON body the JSON type is the contract; the query string stays text.
    a = make_claim(make_document())
    b = make_claim(make_document(body="The ferry carried 900 people on Sunday."))
    for sent in (
        {"claim_a_id": a["id"] + 0.9, "claim_b_id": b["id"]},
        {"claim_a_id": str(a["id"]), "claim_b_id": b["id"]},
        {"claim_a_id": True, "claim_b_id": b["id"]},
    ):
        response = client.post(
            "/api/v1/links", json=sent | {"relation": "corroborates"}, headers=reviewer
        )
        assert response.status_code == 422, sent
        assert set(response.json["errors"]["json"]) == {"claim_a_id"}
    made = client.post(
        "/api/v1/links",
        json={"claim_a_id": a["id"], "claim_b_id": b["id"], "relation": "corroborates"},
        headers=reviewer,
    )
    assert made.status_code == 201  # the refused ones stored nothing to collide with
    hook = client.post(
        "/api/v1/webhooks",
        json={"url": "https://93.184.215.14/h", "active": "yes"},
        headers=admin,
    )
    assert hook.status_code == 422
    assert set(hook.json["errors"]["json"]) == {"active"}
    listed = client.get(f"/api/v1/claims?document_id={a['document_id']}&limit=5")
    assert listed.status_code == 200


def test_a_failed_write_stores_nothing(
    client: FlaskClient, editor: dict[str, str], make_document: Doc, make_claim: Doc
) -> None:
    claim = make_claim(make_document())
    etag = client.get(f"/api/v1/claims/{claim['id']}").headers["ETag"]
    bad = client.put(
        f"/api/v1/claims/{claim['id']}/status",
        headers=editor | {"If-Match": etag},
        json={"status": "verified", "rationale": "x", "evidence": [{"document_id": 999999}]},
    )
    assert bad.status_code == 422
    after = client.get(f"/api/v1/claims/{claim['id']}")
    assert after.json["status"] == "unreviewed"
    assert after.json["evidence"] == []
    assert after.headers["ETag"] == etag


def test_the_event_feed_pages_with_a_cursor(client: FlaskClient, reviewer: dict[str, str]) -> None:
    first = client.get("/api/v1/events?limit=1000").json
    client.post("/api/v1/speakers", json={"name": "Feed One"}, headers=reviewer)
    client.post("/api/v1/speakers", json={"name": "Feed Two"}, headers=reviewer)
    page = (
        client.get(f"/api/v1/events?since={first['cursor']}&limit=1").json
        if first["cursor"]
        else client.get("/api/v1/events?limit=1").json
    )
    assert len(page["events"]) == 1
    rest = client.get(f"/api/v1/events?since={page['cursor']}").json
    names = [
        e["after"]["name"]
        for e in page["events"] + rest["events"]
        if e["action"] == "speaker.created"
    ]
    assert names[-2:] == ["Feed One", "Feed Two"]
    assert client.get(f"/api/v1/events?since={rest['cursor']}").json["events"] == []


def test_a_forged_feed_cursor_is_422(client: FlaskClient) -> None:
    assert client.get("/api/v1/events?since=zzz").status_code == 422


@pytest.mark.parametrize(
    "statement", ["UPDATE events SET actor = 'mallory'", "DELETE FROM events", "TRUNCATE events"]
)
def test_the_database_refuses_to_rewrite_history(
    session: Session, client: FlaskClient, reviewer: dict[str, str], statement: str
) -> None:
    client.post("/api/v1/speakers", json={"name": "History"}, headers=reviewer)
    with pytest.raises(DBAPIError, match="append-only"), session.begin_nested():
        session.execute(text(statement))


def test_the_database_refuses_a_span_outside_the_body(session: Session, make_document: Doc) -> None:
    doc = make_document()
    with pytest.raises(DBAPIError, match="outside the body"), session.begin_nested():
        session.execute(
            text(
                "INSERT INTO claims (document_id, text, span_start, span_end, prefix, suffix,"
                " attribution, checkworthiness, reasons, status, version, origin)"
                " VALUES (:d, 'x', 0, 100000, '', '', 'author', 0.5, '[]', 'unreviewed', 1,"
                " 'manual')"
            ),
            {"d": doc["id"]},
        )


def test_health_checks_the_database(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json is not None
    assert (response.json["status"], response.json["database"]) == ("ok", "ok")
    assert response.json["extractor"] in ("parse-3", "rules-1")
    assert response.json["parser"]


def test_an_unreachable_database_is_503_not_500(settings: Any) -> None:
    from dataclasses import replace

    from service.app import create_app

    app = create_app(replace(settings, database_url="postgresql://nobody@127.0.0.1:1/none"))
    client = app.test_client()
    assert client.get("/healthz").status_code == 503
    response = client.get("/api/v1/documents")
    assert response.status_code == 503
    assert response.content_type == "application/problem+json"
    assert "Traceback" not in response.get_data(as_text=True)


def test_a_statement_timeout_is_503(app: Any, client: FlaskClient, session: Session) -> None:
    @app.route("/_slow")
    def slow() -> str:  # a view that runs longer than the statement timeout
        from service.api.context import db_session

        db_session().execute(text("SET LOCAL statement_timeout = 50"))
        db_session().execute(text("SELECT pg_sleep(1)"))
        return "never"

    assert client.get("/_slow").status_code == 503


def test_a_hot_read_on_the_driver_that_times_out_is_503(app: Any, client: FlaskClient) -> None:
    """The claim view runs on the session's psycopg connection (service.db.driver_rows): its
    errors must reach the API as SQLAlchemy's, or a timeout would be a 500."""

    @app.route("/_slow_driver")
    def slow() -> str:
        from service.api.context import db_session
        from service.db import driver_rows

        db_session().execute(text("SET LOCAL statement_timeout = 50"))
        driver_rows(db_session(), "SELECT pg_sleep(%(seconds)s)", {"seconds": 1})
        return "never"

    response = client.get("/_slow_driver")
    assert response.status_code == 503, response.json
    assert response.content_type == "application/problem+json"


def test_a_value_postgres_cannot_store_is_422_not_500(
    client: FlaskClient, reviewer: dict[str, str]
) -> None:
    response = client.post(
        "/api/v1/documents?wait=true",
        json={"body": "Fine text.", "title": "bad\x00title"},
        headers=reviewer,
    )
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"


def test_the_api_docs_page_loads_swagger_ui_from_this_app_not_a_cdn(client: FlaskClient) -> None:
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "/api/v1/docs/assets/swagger-ui-bundle.js" in html
    assert "cdn." not in html
    assert "https://" not in html.split("<body")[0]
    with client.get("/api/v1/docs/assets/swagger-ui-bundle.js") as script:
        assert script.status_code == 200
        assert len(script.get_data()) > 100_000
    with client.get("/api/v1/docs/assets/swagger-ui.css") as style:
        assert style.status_code == 200
    with client.get("/api/v1/docs/assets/../../pyproject.toml") as escape:
        assert escape.status_code == 404


def test_refusals_name_the_field_and_say_what_is_true(
    client: FlaskClient, reviewer: dict[str, str], make_document: Doc
) -> None:
    empty = client.post("/api/v1/documents", json={"body": ""}, headers=reviewer)
    assert empty.status_code == 422
    assert empty.json["errors"]["json"]["body"] == [
        "the body has no words: nothing in it could be a claim"
    ]
    nul = client.post(
        "/api/v1/documents",
        json={"body": "The mayor said 5 things.", "outlet": "Nul\u0000Outlet"},
        headers=reviewer,
    )
    assert nul.status_code == 422
    assert set(nul.json["errors"]["json"]) == {"outlet"}
    doc = make_document()
    for sent in (
        {"query_string": {"force": "1"}},
        {"json": {"force": True}},
        {"json": "x"},
    ):
        refused = client.post(f"/api/v1/documents/{doc['id']}/extract", headers=reviewer, **sent)
        assert refused.status_code == 422, sent
    assert (
        client.post(f"/api/v1/documents/{doc['id']}/extract", headers=reviewer).status_code == 200
    )


def test_an_edit_that_changes_nothing_says_so_without_an_internal_name(
    client: FlaskClient, reviewer: dict[str, str], make_document: Doc, make_claim: Doc
) -> None:
    claim = make_claim(make_document())
    etag = client.get(f"/api/v1/claims/{claim['id']}").headers["ETag"]
    same = client.patch(
        f"/api/v1/claims/{claim['id']}",
        json={"attribution": claim["attribution"], "reason": "no change"},
        headers=reviewer | {"If-Match": etag},
    )
    assert same.status_code == 422
    assert same.json["detail"] == "the edit changes nothing"
    # Sending the score it has is no change either (its vector was recomputed, which moved
    # the version and recorded an edit of nothing).
    worth = client.patch(
        f"/api/v1/claims/{claim['id']}",
        json={"checkworthiness": claim["checkworthiness"], "reason": "no change"},
        headers=reviewer | {"If-Match": etag},
    )
    assert worth.status_code == 422
    assert client.get(f"/api/v1/claims/{claim['id']}").json["version"] == claim["version"]


def test_webhook_filters_that_cannot_both_hold_are_refused_and_a_same_patch_is_no_change(
    client: FlaskClient, admin: dict[str, str], make_document: Doc
) -> None:
    doc = make_document(outlet="Harbor Gazette")
    other = make_document(outlet="Valley Tribune")
    both = client.post(
        "/api/v1/webhooks",
        json={
            "url": "https://93.184.215.14/h",
            "document_id": doc["id"],
            "outlet_id": other["outlet"]["id"],
        },
        headers=admin,
    )
    assert both.status_code == 422
    assert "outlet_id" in both.json["errors"]["json"]
    made = client.post(
        "/api/v1/webhooks",
        json={"url": "https://93.184.215.14/h", "document_id": doc["id"]},
        headers=admin,
    )
    assert made.status_code == 201, made.json
    url = f"/api/v1/webhooks/{made.json['id']}"
    etag = client.get(url, headers=admin).headers["ETag"]
    assert made.headers["ETag"] == etag  # the 201 gives the ETag a first PATCH needs
    later = client.patch(
        url, json={"outlet_id": other["outlet"]["id"]}, headers=admin | {"If-Match": etag}
    )
    assert later.status_code == 422
    same = client.patch(url, json={"active": True}, headers=admin | {"If-Match": etag})
    assert same.status_code == 200
    assert same.json["version"] == made.json["version"]


def test_a_path_that_names_no_resource_says_what_an_id_is(client: FlaskClient) -> None:
    for path in ("/api/v1/claims/abc", "/api/v1/claims/-1/status", "/api/v1/claims/2147483648"):
        missing = client.get(path)
        assert missing.status_code == 404
        assert missing.content_type == "application/problem+json"
        assert "whole numbers" in missing.json["detail"], path
        assert missing.json["type"] == "urn:claimdesk:problem:not-found"


def test_a_read_that_takes_no_query_parameters_refuses_them(
    client: FlaskClient, make_document: Doc, make_claim: Doc
) -> None:
    claim = make_claim(make_document())
    for path in (f"/api/v1/claims/{claim['id']}", "/api/v1/rating-labels"):
        refused = client.get(f"{path}?foo=1&bar=2")
        assert refused.status_code == 422, path
        assert set(refused.json["errors"]["query"]) == {"foo", "bar"}
        assert client.get(path).status_code == 200
    # A read with a query schema judges its own (and still takes what it declares).
    assert client.get("/api/v1/claims?limit=1").status_code == 200
    assert client.get("/api/v1/claims?foo=1").status_code == 422
