"""The role matrix: every write route × every role (and no key at all)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from service.domain.enums import Role

# (method, path template, minimal role). Paths use ids created by the `world` fixture.
WRITE_ROUTES: list[tuple[str, str, Role]] = [
    ("POST", "/api/v1/documents", Role.REVIEWER),
    ("POST", "/api/v1/documents/{document}/extract", Role.REVIEWER),
    ("POST", "/api/v1/claims", Role.REVIEWER),
    ("PATCH", "/api/v1/claims/{claim}", Role.REVIEWER),
    ("PUT", "/api/v1/claims/{claim}/status", Role.EDITOR),
    ("POST", "/api/v1/speakers", Role.REVIEWER),
    ("PATCH", "/api/v1/speakers/{speaker}", Role.REVIEWER),
    ("POST", "/api/v1/speakers/{speaker}/aliases", Role.REVIEWER),
    ("POST", "/api/v1/speakers/{speaker}/merge", Role.REVIEWER),
    ("POST", "/api/v1/links", Role.REVIEWER),
    ("PATCH", "/api/v1/links/{link}", Role.REVIEWER),
    ("DELETE", "/api/v1/links/{link}", Role.EDITOR),
    ("POST", "/api/v1/keys", Role.ADMIN),
    ("POST", "/api/v1/keys/{key}/revoke", Role.ADMIN),
]
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
    return {
        "ids": {
            "document": doc_b["id"],
            "claim": claim["id"],
            "speaker": speaker.json["id"],
            "link": link.json["id"],
            "key": key.json["id"],
        },
        "etags": {
            "claim": client.get(f"/api/v1/claims/{claim['id']}").headers["ETag"],
            "speaker": speaker.headers["ETag"],
            "link": link.headers["ETag"],
        },
        "bodies": {
            "/api/v1/documents": {"body": "A brand new body for the matrix."},
            "/api/v1/claims": {"document_id": doc_a["id"], "span": {"start": 0, "end": 7}},
            "/api/v1/claims/{claim}": {"cue": "said"},
            "/api/v1/claims/{claim}/status": {
                "status": "verified",
                "rationale": "doc",
                "evidence": [{"url": "https://example.org/x"}],
            },
            "/api/v1/speakers": {"name": "New Person"},
            "/api/v1/speakers/{speaker}": {"role": "minister"},
            "/api/v1/speakers/{speaker}/aliases": {"alias": "S. Person"},
            "/api/v1/speakers/{speaker}/merge": {"into": target.json["id"]},
            "/api/v1/links": {
                "claim_a_id": claim["id"],
                "claim_b_id": third["id"],
                "relation": "conflicts",
            },
            "/api/v1/links/{link}": {"state": "confirmed", "rationale": "checked"},
            "/api/v1/keys": {"name": "new", "role": "viewer"},
        },
    }


def _call(
    client: FlaskClient, world: dict[str, Any], method: str, template: str, headers: dict[str, str]
) -> int:
    path = template.format(**world["ids"])
    resource = next(
        (name for name in ("link", "speaker", "claim") if "{" + name + "}" in template), None
    )
    if method in ("PATCH", "PUT", "DELETE") and resource:
        headers = headers | {"If-Match": world["etags"][resource]}
    body = world["bodies"].get(template) if method != "DELETE" else None
    return client.open(path, method=method, json=body, headers=headers).status_code


@pytest.mark.parametrize(
    ("method", "template", "needed"), WRITE_ROUTES, ids=[f"{m} {t}" for m, t, _ in WRITE_ROUTES]
)
@pytest.mark.parametrize("role", [None, *ROLES], ids=["no-key", *[r.value for r in ROLES]])
def test_every_write_route_checks_the_role(
    client: FlaskClient,
    world: dict[str, Any],
    make_key: Callable[[Role], dict[str, str]],
    method: str,
    template: str,
    needed: Role,
    role: Role | None,
) -> None:
    headers = make_key(role) if role else {}
    status = _call(client, world, method, template, headers)
    if role is None:
        assert status == 401
    elif not role.allows(needed):
        assert status == 403
    else:
        assert status in (200, 201, 202, 204), f"{role} should be allowed: got {status}"


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


def test_reads_can_require_a_key(
    settings: Any, connection: Any, make_key: Callable[[Role], dict[str, str]]
) -> None:
    from dataclasses import replace

    from service.app import create_app

    locked = create_app(replace(settings, read_requires_key=True), bind=connection).test_client()
    assert locked.get("/api/v1/documents").status_code == 401
    assert locked.get("/api/v1/documents", headers=make_key(Role.VIEWER)).status_code == 200
