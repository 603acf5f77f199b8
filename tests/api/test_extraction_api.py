"""Extraction through the API: ingest yields claims in one transaction; re-extraction keeps
what people touched."""

from __future__ import annotations

from itertools import pairwise

from flask.testing import FlaskClient

BODY = (
    "Harbour Gazette\nJune 12\n\n"
    "Mayor Tomas Berg said on Monday that the ferry levy raised $3 million in 2023.\n"
    '"We will not raise it again," Berg told reporters.\n'
    "The harbour board approved 14 new berths in May.\n"
    "Disclaimer: This is not financial advice.\n"
)


def _ingest(client: FlaskClient, headers: dict[str, str], body: str = BODY) -> dict[str, object]:
    response = client.post(
        "/api/v1/documents?wait=true",
        json={
            "body": body,
            "outlet": "Harbour Gazette",
            "published_on": "2024-06-12",
            "kind": "news",
        },
        headers=headers,
    )
    assert response.status_code == 201, response.json
    return response.json  # type: ignore[no-any-return]


def test_ingesting_a_document_extracts_its_claims_with_speakers(
    client: FlaskClient, reviewer: dict[str, str]
) -> None:
    doc = _ingest(client, reviewer)
    claims = client.get(f"/api/v1/documents/{doc['id']}/claims").json
    assert [c["text"][:20] for c in claims] == [
        "Mayor Tomas Berg sai",
        '"We will not raise i',
        "The harbour board ap",
    ]
    assert claims[0]["speaker"]["name"] == "Tomas Berg"
    assert client.get(f"/api/v1/speakers/{claims[0]['speaker']['id']}").json["role"] == "Mayor"
    assert claims[1]["speaker"]["id"] == claims[0]["speaker"]["id"]
    assert claims[1]["attribution"] == "direct_quote"
    assert claims[2]["speaker"]["name"] == "Harbour Gazette"
    assert claims[0]["claim_date"] == "2024-06-10"
    assert claims[0]["date_precision"] == "day"
    assert all(c["origin"] == "extracted" and c["extractor_version"] for c in claims)


def test_name_variants_across_documents_become_aliases_of_one_speaker(
    client: FlaskClient, reviewer: dict[str, str]
) -> None:
    _ingest(client, reviewer)
    other = _ingest(client, reviewer, "Mayor Tomas Bergh said the levy would end in 2026.\n")
    claim = client.get(f"/api/v1/documents/{other['id']}/claims").json[0]
    speaker = client.get(f"/api/v1/speakers/{claim['speaker']['id']}").json
    assert speaker["name"] == "Tomas Berg"
    variant = next(a for a in speaker["aliases"] if a["alias"] == "Tomas Bergh")
    assert 0.85 <= variant["match_score"] < 1.0


def test_a_body_with_no_sentences_is_a_document_with_no_claims(
    client: FlaskClient, reviewer: dict[str, str]
) -> None:
    doc = _ingest(client, reviewer, "Logo\nMenu\nHome\n")
    assert client.get(f"/api/v1/documents/{doc['id']}/claims").json == []


def test_re_extraction_keeps_touched_claims_and_replaces_the_rest(
    client: FlaskClient, reviewer: dict[str, str]
) -> None:
    doc = _ingest(client, reviewer)
    claims = client.get(f"/api/v1/documents/{doc['id']}/claims").json
    touched = claims[2]
    etag = client.get(f"/api/v1/claims/{touched['id']}").headers["ETag"]
    edit = client.patch(
        f"/api/v1/claims/{touched['id']}",
        json={"checkworthiness": 0.99},
        headers=reviewer | {"If-Match": etag},
    )
    assert edit.status_code == 200
    result = client.post(f"/api/v1/documents/{doc['id']}/extract", headers=reviewer)
    assert result.status_code == 200
    assert result.json["replaced"] == 2
    assert result.json["created"] == 2
    assert result.json["kept"] == 1
    after = client.get(f"/api/v1/documents/{doc['id']}/claims").json
    assert len(after) == 3
    assert any(c["id"] == touched["id"] and c["checkworthiness"] == 0.99 for c in after)
    history = client.get(f"/api/v1/claims/{claims[0]['id']}/history").json
    assert history[-1]["action"] == "claim.replaced"


def test_re_extraction_adds_no_duplicate_of_a_claim_kept_with_a_span_of_its_own(
    client: FlaskClient, reviewer: dict[str, str]
) -> None:
    # A claim a reviewer trimmed, and one added by hand over part of a sentence before any
    # extraction: the extractor's sentence overlaps each without matching it, and must not
    # come back beside it.
    doc = _ingest(client, reviewer)
    trimmed = client.get(f"/api/v1/documents/{doc['id']}/claims").json[0]
    etag = client.get(f"/api/v1/claims/{trimmed['id']}").headers["ETag"]
    span = {"start": trimmed["span"]["start"], "end": trimmed["span"]["end"] - 1}
    edit = client.patch(
        f"/api/v1/claims/{trimmed['id']}",
        json={"span": span},
        headers=reviewer | {"If-Match": etag},
    )
    assert edit.status_code == 200, edit.json
    stored = client.post(
        "/api/v1/documents",
        json={"body": BODY.replace("May", "June"), "outlet": "Harbour Gazette", "extract": False},
        headers=reviewer,
    ).json
    berths = BODY.index("The harbour board")
    by_hand = client.post(
        "/api/v1/claims",
        json={"document_id": stored["id"], "span": {"start": berths, "end": berths + 40}},
        headers=reviewer,
    )
    assert by_hand.status_code == 201, by_hand.json
    for document in (doc, stored):
        assert (
            client.post(f"/api/v1/documents/{document['id']}/extract", headers=reviewer).status_code
            == 200
        )
        after = client.get(f"/api/v1/documents/{document['id']}/claims").json
        spans = sorted((c["span"]["start"], c["span"]["end"]) for c in after)
        assert all(a[1] <= b[0] for a, b in pairwise(spans)), spans  # none overlap


def test_a_rejected_candidate_over_two_sentences_does_not_keep_them_out(
    client: FlaskClient, reviewer: dict[str, str]
) -> None:
    # A candidate glued over two sentences, rejected as not one claim: re-extraction must
    # still give each sentence as its own candidate.
    doc = _ingest(client, reviewer)
    first, second = client.get(f"/api/v1/documents/{doc['id']}/claims").json[:2]
    glued = client.post(
        "/api/v1/claims",
        json={
            "document_id": doc["id"],
            "span": {"start": first["span"]["start"], "end": second["span"]["end"]},
        },
        headers=reviewer,
    )
    assert glued.status_code == 201, glued.json
    etag = client.get(f"/api/v1/claims/{glued.json['id']}").headers["ETag"]
    rejected = client.put(
        f"/api/v1/claims/{glued.json['id']}/status",
        json={"status": "rejected", "rationale": "two claims glued"},
        headers=reviewer | {"If-Match": etag},
    )
    assert rejected.status_code == 200, rejected.json
    assert (
        client.post(f"/api/v1/documents/{doc['id']}/extract", headers=reviewer).status_code == 200
    )
    after = client.get(f"/api/v1/documents/{doc['id']}/claims").json
    live = {c["text"] for c in after if c["status"] != "rejected"}
    assert {first["text"], second["text"]} <= live


def test_a_candidate_trimmed_then_rejected_stays_out_at_re_extraction(
    client: FlaskClient, reviewer: dict[str, str]
) -> None:
    # The extractor's sentence is no longer the rejected claim's exact span, but it is the
    # sentence a reviewer turned down. (Found by a reviewer helper.)
    doc = _ingest(client, reviewer)
    first = client.get(f"/api/v1/documents/{doc['id']}/claims").json[0]
    start, end = first["span"]["start"], first["span"]["end"]
    etag = client.get(f"/api/v1/claims/{first['id']}").headers["ETag"]
    edited = client.patch(
        f"/api/v1/claims/{first['id']}",
        json={"span": {"start": start, "end": end - 1}, "reason": "trim"},
        headers=reviewer | {"If-Match": etag},
    )
    assert edited.status_code == 200, edited.json
    rejected = client.put(
        f"/api/v1/claims/{first['id']}/status",
        json={"status": "rejected", "rationale": "not a claim"},
        headers=reviewer | {"If-Match": edited.headers["ETag"]},
    )
    assert rejected.status_code == 200, rejected.json
    assert (
        client.post(f"/api/v1/documents/{doc['id']}/extract", headers=reviewer).status_code == 200
    )
    after = client.get(f"/api/v1/documents/{doc['id']}/claims").json
    back = [
        c["text"]
        for c in after
        if c["status"] != "rejected" and c["span"]["start"] < end and start < c["span"]["end"]
    ]
    assert back == []


def test_extraction_needs_a_key_and_an_existing_document(
    client: FlaskClient, reviewer: dict[str, str]
) -> None:
    assert client.post("/api/v1/documents/1/extract").status_code == 401
    assert client.post("/api/v1/documents/987654/extract", headers=reviewer).status_code == 404


def test_binary_looking_text_is_refused_with_422_and_nothing_stored(
    client: FlaskClient, reviewer: dict[str, str]
) -> None:
    before = len(client.get("/api/v1/documents?limit=200").json)
    response = client.post(
        "/api/v1/documents?wait=true", json={"body": "PK\x03\x04\x00\x00"}, headers=reviewer
    )
    assert response.status_code == 422
    assert "body" in response.json["errors"]["json"]
    assert len(client.get("/api/v1/documents?limit=200").json) == before


def test_an_interview_is_ingested_with_the_answers_as_the_guests_words(
    client: FlaskClient, reviewer: dict[str, str]
) -> None:
    body = (
        "Kari Vik has run the Bergen yard since 2010.\n"
        "What changed in 2020?\n"
        "We lost 40 jobs when the ferry contract ended.\n"
    )
    doc = client.post(
        "/api/v1/documents?wait=true",
        json={"body": body, "kind": "interview", "author": "Ola Writer", "outlet": "Gazette"},
        headers=reviewer,
    ).json
    claims = client.get(f"/api/v1/documents/{doc['id']}/claims").json
    answer = next(c for c in claims if c["text"].startswith("We lost 40 jobs"))
    assert answer["attribution"] == "direct_quote"
    assert answer["speaker"]["name"] == "Kari Vik"
