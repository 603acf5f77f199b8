"""The OpenAPI document says what the service really answers: every error documented as
problem+json, reports in every format, an example on every success, and those examples true
to their schemas. (Schemathesis checks the live answers against it: tests/reliability.)"""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator

from service.api.errors import PROBLEM_MIMETYPE

METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture
def spec(client: FlaskClient) -> dict[str, Any]:
    return client.get("/api/v1/openapi.json").json  # type: ignore[no-any-return]


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, op)
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method in METHODS
    ]


def _resolve(spec: dict[str, Any], response: dict[str, Any]) -> dict[str, Any]:
    ref = response.get("$ref")
    if not ref:
        return response
    return spec["components"]["responses"][ref.rsplit("/", 1)[-1]]  # type: ignore[no-any-return]


def test_every_operation_documents_the_errors_it_can_give(spec: dict[str, Any]) -> None:
    for path, method, op in _operations(spec):
        codes = set(op["responses"])
        assert {"414", "431", "500", "503"} <= codes, (method, path)
        # No catch-all: a client can hold the service to the statuses listed.
        assert "default" not in codes, (method, path)
        if "{" in path:
            assert "404" in codes, (method, path)
        if op.get("x-required-role"):
            assert {"401", "403"} <= codes, (method, path)
        if method in {"post", "put", "patch"}:
            assert {"400", "413", "415", "422", "429"} <= codes, (method, path)
        for code, response in op["responses"].items():
            if int(code) >= 400:
                content = _resolve(spec, response)["content"]
                assert list(content) == [PROBLEM_MIMETYPE], (method, path, code)


def test_reports_document_json_beside_html_markdown_and_csv(spec: dict[str, Any]) -> None:
    report = spec["paths"]["/api/v1/documents/{document_id}/report"]["get"]
    content = report["responses"]["200"]["content"]
    assert list(content) == ["application/json", "text/html", "text/markdown", "text/csv"]
    assert content["application/json"]["schema"]["$ref"].endswith("/DocumentReportOut")


def test_every_success_has_an_example_that_fits_its_schema(spec: dict[str, Any]) -> None:
    checked = 0
    for path, method, op in _operations(spec):
        for code, response in op["responses"].items():
            if not code.startswith("2") or code == "204":
                continue
            for media, body in response["content"].items():
                if media.startswith("text/"):
                    continue
                assert "example" in body, (method, path, code, media)
                if media == "application/x-ndjson":
                    continue
                schema = {"components": spec["components"], **body["schema"]}
                errors = list(Draft202012Validator(schema).iter_errors(body["example"]))
                assert not errors, (method, path, errors[0].message)
                checked += 1
    assert checked >= 30


def test_a_too_long_url_is_414_and_too_large_headers_431(client: FlaskClient) -> None:
    long_url = client.get("/api/v1/claims?q=" + "x" * 9000)
    assert long_url.status_code == 414
    assert long_url.mimetype == PROBLEM_MIMETYPE
    big_headers = client.get("/api/v1/claims", headers={"X-Padding": "y" * 17_000})
    assert big_headers.status_code == 431
    assert big_headers.mimetype == PROBLEM_MIMETYPE
    assert client.get("/api/v1/claims?q=" + "x" * 400).status_code == 200


def test_creates_link_to_what_can_be_done_with_the_created_resource(
    spec: dict[str, Any],
) -> None:
    links = spec["paths"]["/api/v1/claims"]["post"]["responses"]["201"]["links"]
    assert links["PutStatus"] == {
        "operationRef": "#/paths/~1api~1v1~1claims~1{claim_id}~1status/put",
        "parameters": {"claim_id": "$response.body#/id"},
    }
    for collection in ("documents", "speakers", "links", "keys"):
        assert spec["paths"][f"/api/v1/{collection}"]["post"]["responses"]["201"]["links"]


def test_every_operation_has_a_stable_unique_operation_id(spec: dict[str, Any]) -> None:
    ids = [op.get("operationId") for _, _, op in _operations(spec)]
    assert all(ids)
    assert len(set(ids)) == len(ids)
    assert (
        next(
            op["operationId"]
            for path, method, op in _operations(spec)
            if (path, method) == ("/api/v1/claims/{claim_id}/status", "put")
        )
        == "setClaimStatus"
    )


def test_paginated_lists_declare_the_link_header(spec: dict[str, Any]) -> None:
    paginated = [
        (path, op)
        for path, method, op in _operations(spec)
        if method == "get" and any(p.get("name") == "after" for p in op.get("parameters", []))
    ]
    assert {"/api/v1/claims", "/api/v1/documents", "/api/v1/links"} <= {p for p, _ in paginated}
    for path, op in paginated:
        assert "Link" in op["responses"]["200"].get("headers", {}), path
