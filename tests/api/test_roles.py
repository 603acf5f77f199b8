"""The role matrix: every write route × every role (and no key at all)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Connection, create_engine

from service.app import create_app
from service.config import Settings
from service.domain.enums import Role
from tests.api.test_copies import REPRINT, WIRE
from tests.api.test_factchecks import REVIEW as FACT_CHECK


def _spec_routes() -> list[tuple[str, str, Role]]:
    """Every operation that needs a role, as the OpenAPI document declares it: the matrix is
    generated from the document, so a new route is in it the day it is added (and a write
    that declares no role fails `test_every_write_declares_a_role`)."""
    engine = create_engine("postgresql+psycopg://unused@127.0.0.1:1/unused")  # never connects
    app = create_app(Settings(database_url="postgresql://unused@127.0.0.1:1/unused"), bind=engine)
    spec = app.test_client().get("/api/v1/openapi.json").json
    routes = []
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method in METHODS and op.get("x-required-role"):
                routes.append((method.upper(), path, Role(op["x-required-role"])))
    return routes


METHODS = {"get", "post", "put", "patch", "delete"}
WRITE_ROUTES = _spec_routes()
ROLES = list(Role)


@pytest.fixture
def world(
    client: FlaskClient,
    admin: dict[str, str],
    make_document: Callable[..., dict[str, Any]],
    make_claim: Callable[..., dict[str, Any]],
) -> dict[str, Any]:
    doc_a, doc_b = make_document(outlet="A"), make_document(outlet="B")
    claim, other = make_claim(doc_a), make_claim(doc_b)
    third = make_claim(make_document(outlet="C"))
    speaker = client.post("/api/v1/speakers", json={"name": "Source Person"}, headers=admin)
    target = client.post("/api/v1/speakers", json={"name": "Target Person"}, headers=admin)
    link = client.post(
        "/api/v1/links",
        json={"claim_a_id": claim["id"], "claim_b_id": other["id"], "relation": "corroborates"},
        headers=admin,
    )
    key = client.post("/api/v1/keys", json={"name": "victim", "role": "viewer"}, headers=admin)
    # A public literal address: checked without a name lookup, and nothing is sent in a test.
    hook = client.post("/api/v1/webhooks", json={"url": "https://93.184.215.14/h"}, headers=admin)
    make_claim(doc_b, speaker_name="Someone")  # an event, so the subscription has a delivery
    delivery = client.get(f"/api/v1/webhooks/{hook.json['id']}/deliveries", headers=admin).json[0]
    client.post("/api/v1/documents?wait=true", json={"body": WIRE, "extract": False}, headers=admin)
    reprint = client.post(
        "/api/v1/documents?wait=true", json={"body": REPRINT, "extract": False}, headers=admin
    )
    copy = client.get(f"/api/v1/documents/{reprint.json['id']}/copies").json[0]
    # A fact-check of the first claim's statement: a match to review.
    client.post(
        "/api/v1/fact-checks",
        json={"feed": FACT_CHECK | {"claimReviewed": claim["text"]}},
        headers=admin,
    )
    match = client.get(f"/api/v1/claims/{claim['id']}/fact-checks").json[0]
    # A decided claim, whose review may be written and published.
    decided = make_claim(make_document(outlet="D"))
    verdict = client.put(
        f"/api/v1/claims/{decided['id']}/status",
        json={"status": "unverifiable", "rationale": "no record either way"},
        headers=admin | {"If-Match": decided["etag"]},
    )
    assert verdict.status_code == 200, verdict.json
    return {
        "ids": {
            "document": doc_b["id"],
            "claim": claim["id"],
            "speaker": speaker.json["id"],
            "link": link.json["id"],
            "key": key.json["id"],
            "subscription": hook.json["id"],
            "delivery": delivery["id"],
            "copy": copy["id"],
            "match": match["id"],
            "decided": decided["id"],
        },
        "etags": {
            "claim": client.get(f"/api/v1/claims/{claim['id']}").headers["ETag"],
            "speaker": speaker.headers["ETag"],
            "link": link.headers["ETag"],
            "subscription": client.get(
                f"/api/v1/webhooks/{hook.json['id']}", headers=admin
            ).headers["ETag"],
            "copy": client.get(f"/api/v1/copies/{copy['id']}").headers["ETag"],
            "match": client.get(f"/api/v1/fact-check-matches/{match['id']}").headers["ETag"],
        },
        "bodies": {
            "/api/v1/documents": {"body": "A brand new body for the matrix."},
            "/api/v1/claims": {"document_id": doc_a["id"], "span": {"start": 0, "end": 7}},
            "/api/v1/claims/{claim_id}": {"cue": "said"},
            # The role the document names (reviewer) may reject a candidate; verdicts need
            # an editor (tests/api/test_claims.py holds that rule).
            "/api/v1/claims/{claim_id}/status": {"status": "rejected", "rationale": "not a claim"},
            "/api/v1/speakers": {"name": "New Person"},
            "/api/v1/speakers/{speaker_id}": {"role": "minister"},
            "/api/v1/speakers/{speaker_id}/aliases": {"alias": "S. Person"},
            "/api/v1/speakers/{speaker_id}/merge": {"into": target.json["id"]},
            "/api/v1/links": {
                "claim_a_id": claim["id"],
                "claim_b_id": third["id"],
                "relation": "conflicts",
            },
            "/api/v1/links/{link_id}": {"state": "confirmed", "rationale": "checked"},
            "DELETE /api/v1/links/{link_id}": {"reason": "a duplicate"},
            "/api/v1/keys": {"name": "new", "role": "viewer"},
            "/api/v1/webhooks": {"url": "https://93.184.215.14/other"},
            "/api/v1/webhooks/{subscription_id}": {"description": "the desk's tool"},
            "/api/v1/webhooks/{subscription_id}/secret": None,
            "/api/v1/webhooks/{subscription_id}/replay": {"since_event_id": 0},
            "/api/v1/webhooks/{subscription_id}/deliveries/{delivery_id}/replay": None,
            "/api/v1/copies/{copy_id}": {"state": "confirmed", "rationale": "wire copy"},
            "/api/v1/fact-checks": {"feed": FACT_CHECK},
            "/api/v1/fact-check-matches/{match_id}": {
                "state": "confirmed",
                "rationale": "the same statement",
            },
            "/api/v1/rating-labels/{label}": {"status": "disputed"},
            "/api/v1/claims/{claim_id}/review": {
                "headline": "Unverifiable",
                "published": True,
                "version": 0,
            },
        },
    }


def _call(
    client: FlaskClient, world: dict[str, Any], method: str, template: str, headers: dict[str, str]
) -> int:
    ids: dict[str, Any] = {f"{name}_id": value for name, value in world["ids"].items()}
    ids["label"] = "misleading"
    if template.endswith("/review"):
        ids["claim_id"] = world["ids"]["decided"]  # only a decided claim has a review
    path = template.format(**ids)
    resource = next(
        (
            name
            for name in ("link", "speaker", "claim", "subscription", "copy", "match")
            if "{" + name + "_id}" in template
        ),
        None,
    )
    if method in ("PATCH", "PUT", "DELETE") and resource:
        headers = headers | {"If-Match": world["etags"][resource]}
    body = world["bodies"].get(f"DELETE {template}") if method == "DELETE" else None
    if method in ("POST", "PUT", "PATCH"):
        assert template in world["bodies"] or template.endswith(("/extract", "/revoke")), (
            f"{method} {template} is new: give the role matrix a body for it"
        )
        body = world["bodies"].get(template)
    return client.open(path, method=method, json=body, headers=headers).status_code


@pytest.mark.parametrize(
    ("method", "template", "needed"), WRITE_ROUTES, ids=[f"{m} {t}" for m, t, _ in WRITE_ROUTES]
)
def test_every_write_route_checks_the_role(
    client: FlaskClient,
    connection: Connection,
    world: dict[str, Any],
    make_key: Callable[[Role], dict[str, str]],
    admin: dict[str, str],
    method: str,
    template: str,
    needed: Role,
) -> None:
    """No key, a revoked key, and a key of every role, each against the same world: every call
    runs in a savepoint rolled back after it, so each finds the world as the others did (and
    the world is built once a route, not once a call)."""
    created = client.post("/api/v1/keys", json={"name": "gone", "role": "admin"}, headers=admin)
    client.post(f"/api/v1/keys/{created.json['id']}/revoke", headers=admin)
    callers: dict[str, tuple[Role | None, dict[str, str]]] = {
        "no key": (None, {}),
        "a revoked key": (None, {"Authorization": f"Bearer {created.json['key']}"}),
    } | {f"a {role.value} key": (role, make_key(role)) for role in ROLES}
    wrong = []
    for name, (role, headers) in callers.items():
        savepoint = connection.begin_nested()
        try:
            status = _call(client, world, method, template, headers)
        finally:
            savepoint.rollback()
        if role is None:
            expected = {401}
        elif not role.allows(needed):
            expected = {403}
        else:
            expected = {200, 201, 202, 204}
        if status not in expected:
            wrong.append(f"{name}: {status}, expected one of {sorted(expected)}")
    assert not wrong, f"{method} {template} (needs {needed.value}): " + "; ".join(wrong)


def test_every_write_declares_a_role() -> None:
    engine = create_engine("postgresql+psycopg://unused@127.0.0.1:1/unused")
    app = create_app(Settings(database_url="postgresql://unused@127.0.0.1:1/unused"), bind=engine)
    spec = app.test_client().get("/api/v1/openapi.json").json
    unguarded = [
        f"{method.upper()} {path}"
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method in {"post", "put", "patch", "delete"} and not op.get("x-required-role")
    ]
    assert unguarded == []
    assert len(WRITE_ROUTES) >= 15


def test_a_revoked_key_is_refused(client: FlaskClient, admin: dict[str, str]) -> None:
    created = client.post(
        "/api/v1/keys", json={"name": "temp", "role": "reviewer"}, headers=admin
    ).json
    headers = {"Authorization": f"Bearer {created['key']}"}
    assert client.post("/api/v1/speakers", json={"name": "X"}, headers=headers).status_code == 201
    assert client.post(f"/api/v1/keys/{created['id']}/revoke", headers=admin).status_code == 200
    assert client.post("/api/v1/speakers", json={"name": "Y"}, headers=headers).status_code == 401


@pytest.mark.parametrize(
    "header", ["Bearer nonsense", "Basic dXNlcjpwYXNz", "Bearer cdk_000000000000_wrong"]
)
def test_bad_credentials_are_401_with_a_challenge(client: FlaskClient, header: str) -> None:
    response = client.post(
        "/api/v1/speakers", json={"name": "X"}, headers={"Authorization": header}
    )
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_keys_are_stored_as_prefix_and_hash_only(
    client: FlaskClient, admin: dict[str, str], session: Any
) -> None:
    from sqlalchemy import text

    created = client.post(
        "/api/v1/keys", json={"name": "hashing", "role": "viewer"}, headers=admin
    ).json
    row = (
        session.execute(text("SELECT * FROM api_keys WHERE id = :id"), {"id": created["id"]})
        .mappings()
        .one()
    )
    assert created["key"] not in [str(v) for v in row.values()]
    assert row["prefix"] in created["key"]
    listed = client.get("/api/v1/keys", headers=admin).json
    assert all("key" not in k for k in listed)


def test_the_event_feed_shows_accounts_to_an_admin_only_and_never_a_keys_hash(
    client: FlaskClient, admin: dict[str, str], reviewer: dict[str, str]
) -> None:
    created = client.post(
        "/api/v1/keys", json={"name": "feed", "role": "viewer"}, headers=admin
    ).json
    query = f"/api/v1/events?entity_type=api_keys&entity_id={created['id']}"
    (event,) = client.get(query, headers=admin).json["events"]
    assert event["action"] == "api_key.created"
    assert event["after"]["prefix"] == created["prefix"]
    assert "secret_sha256" not in event["after"]
    # Reading may be open to anyone: the accounts are not.
    assert client.get(query).json["events"] == []
    assert client.get(query, headers=reviewer).json["events"] == []
    every = client.get("/api/v1/events?limit=1000").json["events"]
    assert not {"users", "api_keys"} & {e["entity_type"] for e in every}


def test_reads_can_require_a_key(
    settings: Any, connection: Any, make_key: Callable[[Role], dict[str, str]]
) -> None:
    from dataclasses import replace

    from service.app import create_app

    locked = create_app(replace(settings, read_requires_key=True), bind=connection).test_client()
    assert locked.get("/api/v1/documents").status_code == 401
    assert locked.get("/api/v1/documents", headers=make_key(Role.VIEWER)).status_code == 200


def test_verdicts_need_an_editor_though_a_reviewer_may_reject(
    client: FlaskClient,
    make_document: Callable[..., dict[str, Any]],
    make_claim: Callable[..., dict[str, Any]],
    make_key: Callable[[Role], dict[str, str]],
) -> None:
    claim = make_claim(make_document())
    verdict = {
        "status": "verified",
        "rationale": "matches the filing",
        "evidence": [{"url": "https://example.org/filing"}],
    }
    etag = {"If-Match": claim["etag"]}
    path = f"/api/v1/claims/{claim['id']}/status"
    refused = client.put(path, json=verdict, headers=make_key(Role.REVIEWER) | etag)
    assert refused.status_code == 403
    assert client.put(path, json=verdict, headers=make_key(Role.EDITOR) | etag).status_code == 200
