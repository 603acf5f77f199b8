"""Speakers (aliases, merge) and links (unordered pairs, review workflow, deletion)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from service.extraction.model import Candidate
from service.models import Document
from service.operations.actors import SYSTEM
from service.operations.extraction import SpeakerResolver
from service.operations.speakers import create_speaker, get_speaker, merge_speakers

Doc = Callable[..., dict[str, Any]]


def _speaker(client: FlaskClient, headers: dict[str, str], name: str) -> dict[str, Any]:
    response = client.post("/api/v1/speakers", json={"name": name}, headers=headers)
    assert response.status_code == 201, response.json
    return response.json | {"etag": response.headers["ETag"]}  # type: ignore[no-any-return]


def test_claims_resolve_speaker_names_through_aliases(
    client: FlaskClient, reviewer: dict[str, str], make_document: Doc, make_claim: Doc
) -> None:
    witkoff = _speaker(client, reviewer, "Steve Witkoff")
    added = client.post(
        f"/api/v1/speakers/{witkoff['id']}/aliases", json={"alias": "Witkov"}, headers=reviewer
    )
    assert added.status_code == 201
    assert {a["alias"] for a in added.json["aliases"]} == {"Steve Witkoff", "Witkov"}
    claim = make_claim(make_document(), speaker_name="  witkov ")
    assert claim["speaker"]["id"] == witkoff["id"]


def test_duplicate_alias_is_a_409(client: FlaskClient, reviewer: dict[str, str]) -> None:
    speaker = _speaker(client, reviewer, "Kirill Dmitriev")
    response = client.post(
        f"/api/v1/speakers/{speaker['id']}/aliases",
        json={"alias": "kirill  dmitriev"},
        headers=reviewer,
    )
    assert response.status_code == 409


def test_search_finds_speakers_by_alias(client: FlaskClient, reviewer: dict[str, str]) -> None:
    speaker = _speaker(client, reviewer, "Scott Bessent")
    client.post(
        f"/api/v1/speakers/{speaker['id']}/aliases", json={"alias": "Besant"}, headers=reviewer
    )
    assert [s["id"] for s in client.get("/api/v1/speakers?q=besan").json] == [speaker["id"]]


def test_merging_moves_claims_and_keeps_names_as_aliases(
    client: FlaskClient, reviewer: dict[str, str], make_document: Doc, make_claim: Doc
) -> None:
    target = _speaker(client, reviewer, "Steve Witkoff")
    source = _speaker(client, reviewer, "Wickoff")
    claim = make_claim(make_document(), speaker_id=source["id"])
    response = client.post(
        f"/api/v1/speakers/{source['id']}/merge", json={"into": target["id"]}, headers=reviewer
    )
    assert response.status_code == 200
    assert "Wickoff" in {a["alias"] for a in response.json["aliases"]}
    assert client.get(f"/api/v1/claims/{claim['id']}").json["speaker"]["id"] == target["id"]
    merged = client.get(f"/api/v1/speakers/{source['id']}").json
    assert merged["merged_into_id"] == target["id"]
    assert source["id"] not in [s["id"] for s in client.get("/api/v1/speakers?q=wickoff").json]


def test_an_id_merged_twice_resolves_to_the_speaker_that_is_left(
    client: FlaskClient, reviewer: dict[str, str], make_document: Doc, make_claim: Doc
) -> None:
    first, second, third = (
        _speaker(client, reviewer, name)["id"]
        for name in ("Steve Witkoff", "Steven Witkoff", "Steven C. Witkoff")
    )
    document = make_document()
    make_claim(document, speaker_id=first)
    for source, target in ((first, second), (second, third)):
        merged = client.post(
            f"/api/v1/speakers/{source}/merge", json={"into": target}, headers=reviewer
        )
        assert merged.status_code == 200, merged.json
    assert client.get(f"/api/v1/speakers/{first}").json["merged_into_id"] == third
    # A newsroom tool still holding the first id.
    late = make_claim(document, 0, 20, speaker_id=first)
    assert late["speaker"]["id"] == third
    assert client.get(f"/api/v1/speakers/{first}/report").json["speaker"]["id"] == third
    # ...and listing claims by it.
    by_old_id = client.get(f"/api/v1/claims?speaker_id={first}").json
    assert by_old_id
    assert by_old_id == client.get(f"/api/v1/claims?speaker_id={third}").json


def test_merging_into_itself_or_a_missing_speaker_is_422(
    client: FlaskClient, reviewer: dict[str, str]
) -> None:
    speaker = _speaker(client, reviewer, "Someone")
    assert (
        client.post(
            f"/api/v1/speakers/{speaker['id']}/merge",
            json={"into": speaker["id"]},
            headers=reviewer,
        ).status_code
        == 422
    )
    assert (
        client.post(
            f"/api/v1/speakers/{speaker['id']}/merge", json={"into": 999999}, headers=reviewer
        ).status_code
        == 422
    )


def test_editing_a_speaker_keeps_the_old_name_as_alias(
    client: FlaskClient, reviewer: dict[str, str]
) -> None:
    speaker = _speaker(client, reviewer, "Dmitriev")
    response = client.patch(
        f"/api/v1/speakers/{speaker['id']}",
        json={"name": "Kirill Dmitriev", "role": "head of RDIF"},
        headers=reviewer | {"If-Match": speaker["etag"]},
    )
    assert response.status_code == 200
    assert response.json["role"] == "head of RDIF"
    assert {"Dmitriev", "Kirill Dmitriev"} <= {a["alias"] for a in response.json["aliases"]}


def test_a_link_is_stored_as_an_ordered_pair_and_duplicates_in_either_order_are_409(
    client: FlaskClient, reviewer: dict[str, str], make_document: Doc, make_claim: Doc
) -> None:
    a, b = make_claim(make_document()), make_claim(make_document())
    created = client.post(
        "/api/v1/links",
        json={"claim_a_id": b["id"], "claim_b_id": a["id"], "relation": "corroborates"},
        headers=reviewer,
    )
    assert created.status_code == 201
    assert (created.json["claim_a_id"], created.json["claim_b_id"]) == (
        min(a["id"], b["id"]),
        max(a["id"], b["id"]),
    )
    assert created.json["state"] == "suggested"
    again = client.post(
        "/api/v1/links",
        json={"claim_a_id": a["id"], "claim_b_id": b["id"], "relation": "conflicts"},
        headers=reviewer,
    )
    assert again.status_code == 409
    assert "claim_b_id" in again.json["errors"]["json"]


def test_links_within_one_document_or_to_itself_are_422(
    client: FlaskClient, reviewer: dict[str, str], make_document: Doc, make_claim: Doc
) -> None:
    doc = make_document()
    body = client.get(f"/api/v1/documents/{doc['id']}").json["body"]
    s2 = body.index("Officials")
    a, b = make_claim(doc), make_claim(doc, start=s2, end=s2 + 9)
    same_doc = client.post(
        "/api/v1/links",
        json={"claim_a_id": a["id"], "claim_b_id": b["id"], "relation": "conflicts"},
        headers=reviewer,
    )
    assert same_doc.status_code == 422
    self_link = client.post(
        "/api/v1/links",
        json={"claim_a_id": a["id"], "claim_b_id": a["id"], "relation": "conflicts"},
        headers=reviewer,
    )
    assert self_link.status_code == 422


def test_confirming_a_link_needs_if_match_and_a_rationale(
    client: FlaskClient, reviewer: dict[str, str], make_document: Doc, make_claim: Doc
) -> None:
    a, b = make_claim(make_document()), make_claim(make_document())
    link = client.post(
        "/api/v1/links",
        json={"claim_a_id": a["id"], "claim_b_id": b["id"], "relation": "corroborates"},
        headers=reviewer,
    )
    url, etag = f"/api/v1/links/{link.json['id']}", link.headers["ETag"]
    assert (
        client.patch(
            url, json={"state": "confirmed", "rationale": "same figure"}, headers=reviewer
        ).status_code
        == 428
    )
    assert (
        client.patch(
            url, json={"state": "confirmed"}, headers=reviewer | {"If-Match": etag}
        ).status_code
        == 422
    )
    confirmed = client.patch(
        url,
        json={"state": "confirmed", "relation": "same_claim", "rationale": "same figure"},
        headers=reviewer | {"If-Match": etag},
    )
    assert confirmed.status_code == 200
    assert (confirmed.json["state"], confirmed.json["relation"]) == ("confirmed", "same_claim")
    listed = client.get(f"/api/v1/links?claim_id={a['id']}&state=confirmed").json
    assert [row["id"] for row in listed] == [link.json["id"]]


def test_only_editors_delete_links_and_the_history_keeps_them(
    client: FlaskClient,
    reviewer: dict[str, str],
    editor: dict[str, str],
    make_document: Doc,
    make_claim: Doc,
) -> None:
    a, b = make_claim(make_document()), make_claim(make_document())
    link = client.post(
        "/api/v1/links",
        json={"claim_a_id": a["id"], "claim_b_id": b["id"], "relation": "corroborates"},
        headers=reviewer,
    )
    url, etag = f"/api/v1/links/{link.json['id']}", link.headers["ETag"]
    assert client.delete(url, headers=reviewer | {"If-Match": etag}).status_code == 403
    assert client.delete(url, headers=editor).status_code == 428
    assert client.delete(url, headers=editor | {"If-Match": etag}).status_code == 204
    assert client.get(url).status_code == 404
    feed = client.get(f"/api/v1/events?entity_type=claim_links&entity_id={link.json['id']}").json[
        "events"
    ]
    assert [e["action"] for e in feed] == ["link.created", "link.deleted"]


def test_a_merge_committed_while_a_document_is_extracted_gets_its_claims(
    migrated_scratch: tuple[Engine, str],
) -> None:
    # The extraction reads the speakers' names before its parse (seconds); a reviewer merges
    # one of them meanwhile. Its claims must go to the speaker that is left.
    engine, _ = migrated_scratch
    with Session(engine) as session:
        source = create_speaker(session, SYSTEM, "Jane Doe").id
        target = create_speaker(session, SYSTEM, "Janet Doe-Smith").id
        session.commit()
    with Session(engine) as job, Session(engine) as reviewing:
        resolver = SpeakerResolver(job, SYSTEM, Document(id=999, outlet=None))
        merge_speakers(
            reviewing,
            SYSTEM,
            get_speaker(reviewing, source, for_update=True),
            get_speaker(reviewing, target, for_update=True),
        )
        reviewing.commit()
        said = Candidate(0, 8, "It rose.", "Jane Doe", "indirect", "said", 0.9, None, 0.5)
        found = resolver.resolve(said)
        assert (found.id, found.merged_into_id) == (target, None)
