"""Claims: anchored creation, edits with If-Match, decisions under the editorial rules, history."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

Doc = Callable[..., dict[str, Any]]


def test_a_claim_carries_the_agreed_json_shape(
    client: FlaskClient, make_document: Doc, make_claim: Doc
) -> None:
    claim = make_claim(
        make_document(),
        speaker_name="Jane Doe",
        attribution="indirect",
        cue="said",
        claim_date="2025-11-24",
        date_precision="day",
        checkworthiness=0.9,
        reasons=["number"],
    )
    for key in (
        "id",
        "document_id",
        "text",
        "span",
        "speaker",
        "attribution",
        "cue",
        "claim_date",
        "date_precision",
        "checkworthiness",
        "reasons",
        "status",
        "origin",
    ):
        assert key in claim
    assert claim["speaker"]["name"] == "Jane Doe"
    assert claim["status"] == "unreviewed"
    assert claim["origin"] == "manual"
    assert claim["text"].startswith("Senator Jane Doe said")


def test_prefix_and_suffix_give_context_for_reanchoring(
    client: FlaskClient, make_document: Doc, make_claim: Doc
) -> None:
    doc = make_document()
    body = client.get(f"/api/v1/documents/{doc['id']}").json["body"]
    start = body.index("Officials")
    claim = make_claim(doc, start=start, end=start + len("Officials denied it."))
    assert body[:start].endswith(claim["prefix"])
    assert len(claim["prefix"]) == 32
    assert body[start + len("Officials denied it.") :].startswith(claim["suffix"])


@pytest.mark.parametrize(
    ("span", "text", "field"),
    [
        ({"start": 0, "end": 10_000}, None, "span"),
        ({"start": 5, "end": 5}, None, "span"),
        ({"start": 0, "end": 7}, "Not the body", "text"),
    ],
)
def test_span_must_lie_in_the_body_and_text_must_match_it(
    client: FlaskClient,
    reviewer: dict[str, str],
    make_document: Doc,
    span: dict[str, int],
    text: str | None,
    field: str,
) -> None:
    doc = make_document()
    payload: dict[str, Any] = {"document_id": doc["id"], "span": span}
    if text is not None:
        payload["text"] = text
    response = client.post("/api/v1/claims", json=payload, headers=reviewer)
    assert response.status_code == 422
    assert field in response.json["errors"]["json"]


def test_offsets_count_code_points_not_bytes(client: FlaskClient, reviewer: dict[str, str]) -> None:
    body = "Café 🙂 owners said prices rose 20%."
    doc = client.post("/api/v1/documents?wait=true", json={"body": body}, headers=reviewer).json
    start = body.index("owners")
    response = client.post(
        "/api/v1/claims",
        json={
            "document_id": doc["id"],
            "span": {"start": start, "end": len(body)},
            "text": body[start:],
        },
        headers=reviewer,
    )
    assert response.status_code == 201, response.json
    assert response.json["span"] == {"start": 7, "end": len(body)}


def test_claim_for_missing_document_names_document_id(
    client: FlaskClient, reviewer: dict[str, str]
) -> None:
    response = client.post(
        "/api/v1/claims",
        json={"document_id": 999999, "span": {"start": 0, "end": 1}},
        headers=reviewer,
    )
    assert response.status_code == 422
    assert "document_id" in response.json["errors"]["json"]


def test_list_filters_by_status_attribution_speaker_dates_and_text(
    client: FlaskClient, make_document: Doc, make_claim: Doc
) -> None:
    doc = make_document(outlet="Filter Times")
    body = client.get(f"/api/v1/documents/{doc['id']}").json["body"]
    s2 = body.index("Officials")
    a = make_claim(
        doc,
        speaker_name="Jane Doe",
        attribution="indirect",
        claim_date="2025-11-24",
        date_precision="day",
    )
    b = make_claim(doc, start=s2, end=s2 + len("Officials denied it."), attribution="anonymous")
    base = f"/api/v1/claims?document_id={doc['id']}"
    assert [c["id"] for c in client.get(base + "&attribution=anonymous").json] == [b["id"]]
    assert [c["id"] for c in client.get(base + f"&speaker_id={a['speaker']['id']}").json] == [
        a["id"]
    ]
    assert [
        c["id"] for c in client.get(base + "&date_from=2025-11-24&date_to=2025-11-24").json
    ] == [a["id"]]
    assert [c["id"] for c in client.get(base + "&q=bridge+billion").json] == [a["id"]]
    assert [
        c["id"] for c in client.get(f"/api/v1/claims?outlet_id={doc['outlet']['id']}").json
    ] == [a["id"], b["id"]]
    assert client.get(base + "&status=verified").json == []


def test_bad_filters_are_422(client: FlaskClient) -> None:
    assert client.get("/api/v1/claims?status=maybe").status_code == 422
    assert client.get("/api/v1/claims?date_from=2025-12-01&date_to=2025-11-01").status_code == 422
    assert client.get("/api/v1/claims?limit=100000").status_code == 422
    assert client.get("/api/v1/claims?q=" + "x" * 600).status_code == 422


def test_get_claim_has_an_etag_and_honours_if_none_match(
    client: FlaskClient, make_document: Doc, make_claim: Doc
) -> None:
    claim = make_claim(make_document())
    first = client.get(f"/api/v1/claims/{claim['id']}")
    assert first.headers["ETag"] == claim["etag"]
    again = client.get(
        f"/api/v1/claims/{claim['id']}", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304
    assert again.headers["ETag"] == first.headers["ETag"]  # RFC 9110 15.4.5


def test_editing_needs_if_match_428_and_refuses_a_stale_one_412(
    client: FlaskClient, reviewer: dict[str, str], make_document: Doc, make_claim: Doc
) -> None:
    claim = make_claim(make_document())
    url = f"/api/v1/claims/{claim['id']}"
    assert client.patch(url, json={"cue": "said"}, headers=reviewer).status_code == 428
    ok = client.patch(
        url, json={"cue": "said", "reason": "typo"}, headers=reviewer | {"If-Match": claim["etag"]}
    )
    assert ok.status_code == 200
    assert ok.json["cue"] == "said"
    assert ok.json["version"] == 2
    assert ok.headers["ETag"] != claim["etag"]
    stale = client.patch(url, json={"cue": "noted"}, headers=reviewer | {"If-Match": claim["etag"]})
    assert stale.status_code == 412
    assert stale.content_type == "application/problem+json"
    assert "changed since you read it" in stale.json["detail"]
    # ...and what changed it, by whom, as the workspace's stale forms say.
    assert "Its last change: claim.edited (cue) by reviewer-" in stale.json["detail"]


def test_editing_the_span_re_anchors_text_and_context(
    client: FlaskClient, reviewer: dict[str, str], make_document: Doc, make_claim: Doc
) -> None:
    claim = make_claim(make_document())
    response = client.patch(
        f"/api/v1/claims/{claim['id']}",
        json={"span": {"start": 0, "end": 16}},
        headers=reviewer | {"If-Match": claim["etag"]},
    )
    assert response.status_code == 200
    assert response.json["text"] == "Senator Jane Doe"


def test_correcting_the_attribution_through_the_api(
    client: FlaskClient, reviewer: dict[str, str], make_document: Doc, make_claim: Doc
) -> None:
    # Found by schemathesis in `make soak`: the API sent the attribution as text where the
    # edit expected the enum, and every PATCH with an attribution was a 500.
    claim = make_claim(make_document())
    response = client.patch(
        f"/api/v1/claims/{claim['id']}",
        json={"attribution": "anonymous", "cue": "a source said"},
        headers=reviewer | {"If-Match": claim["etag"]},
    )
    assert response.status_code == 200, response.json
    assert response.json["attribution"] == "anonymous"
    history = client.get(f"/api/v1/claims/{claim['id']}/history").json
    assert history[-1]["after"]["attribution"] == "anonymous"


def _decide(client: FlaskClient, claim_id: int, headers: dict[str, str], **body: Any) -> Any:
    etag = client.get(f"/api/v1/claims/{claim_id}").headers["ETag"]
    return client.put(
        f"/api/v1/claims/{claim_id}/status", json=body, headers=headers | {"If-Match": etag}
    )


def test_status_change_needs_if_match(
    client: FlaskClient, editor: dict[str, str], make_document: Doc, make_claim: Doc
) -> None:
    claim = make_claim(make_document())
    response = client.put(
        f"/api/v1/claims/{claim['id']}/status",
        json={"status": "unverifiable", "rationale": "no records"},
        headers=editor,
    )
    assert response.status_code == 428


def test_a_decision_needs_a_rationale(
    client: FlaskClient, editor: dict[str, str], make_document: Doc, make_claim: Doc
) -> None:
    claim = make_claim(make_document())
    response = _decide(client, claim["id"], editor, status="unverifiable", rationale="  ")
    assert response.status_code == 422
    assert "rationale" in response.json["errors"]["json"]


def test_verifying_needs_independent_corroboration_or_evidence(
    client: FlaskClient, editor: dict[str, str], make_document: Doc, make_claim: Doc
) -> None:
    claim = make_claim(make_document())
    refused = _decide(client, claim["id"], editor, status="verified", rationale="looks right")
    assert refused.status_code == 422
    assert refused.json["rule"] == "verified-needs-independent-support"
    accepted = _decide(
        client,
        claim["id"],
        editor,
        status="verified",
        rationale="budget document",
        evidence=[{"url": "https://example.org/budget.pdf", "note": "p. 4"}],
    )
    assert accepted.status_code == 200
    assert accepted.json["status"] == "verified"
    assert accepted.json["evidence"][0]["url"] == "https://example.org/budget.pdf"


def test_corroboration_from_the_same_outlet_does_not_verify(
    client: FlaskClient,
    editor: dict[str, str],
    make_document: Doc,
    make_claim: Doc,
    confirm_link: Doc,
) -> None:
    claim = make_claim(make_document(outlet="Same Outlet"))
    sibling = make_claim(make_document(outlet="Same Outlet"))
    confirm_link(editor, claim["id"], sibling["id"], "corroborates")
    assert _decide(client, claim["id"], editor, status="verified", rationale="x").status_code == 422


def test_corroboration_from_a_derived_document_does_not_verify(
    client: FlaskClient,
    editor: dict[str, str],
    make_document: Doc,
    make_claim: Doc,
    confirm_link: Doc,
) -> None:
    source = make_document(outlet="Podcast")
    notes = make_document(outlet=None, derived_from_id=source["id"])
    claim = make_claim(source)
    confirm_link(editor, claim["id"], make_claim(notes)["id"], "same_claim")
    assert _decide(client, claim["id"], editor, status="verified", rationale="x").status_code == 422


def test_an_opinion_piece_backs_no_independence_but_can_be_backed(
    client: FlaskClient,
    editor: dict[str, str],
    make_document: Doc,
    make_claim: Doc,
    confirm_link: Doc,
) -> None:
    """An op-ed argues from what others reported: its claim is no independent origin for a
    news claim (in the claim view, the decision rule, the document and story reports), while
    a news report from another outlet does back the op-ed's claim."""
    news = make_document(outlet="Outlet One", title="Opinion rule news")
    claim = make_claim(news)
    op_ed = make_claim(make_document(outlet="Outlet Two", kind="op_ed"))
    confirm_link(editor, claim["id"], op_ed["id"], "corroborates")
    view = client.get(f"/api/v1/claims/{claim['id']}").json
    assert view["corroboration"]["independent_origins"] == 0
    refused = _decide(client, claim["id"], editor, status="verified", rationale="the op-ed says so")
    assert refused.status_code == 422
    assert refused.json["rule"] == "verified-needs-independent-support"
    report = client.get(f"/api/v1/documents/{news['id']}/report").json
    entry = next(c for c in report["claims"] if c["id"] == claim["id"])
    assert entry["independent_origins"] == 0
    assert entry["corroborating"][0]["opinion"] is True
    assert "an opinion piece: not counted" in client.get(
        f"/api/v1/documents/{news['id']}/report.html"
    ).get_data(as_text=True)
    story = client.get(f"/api/v1/reports/story?document_id={news['id']}").json
    origins = {c["first_appearance"]["id"]: c["independent_origins"] for c in story["clusters"]}
    # The other way round: reporting backs the opinion piece's claim.
    assert origins == {claim["id"]: 0, op_ed["id"]: 1}
    assert (
        client.get(f"/api/v1/claims/{op_ed['id']}").json["corroboration"]["independent_origins"]
        == 1
    )
    # Once reporting from another outlet backs the news claim too, that one counts.
    wire = make_claim(make_document(outlet="Outlet Three"))
    confirm_link(editor, claim["id"], wire["id"], "corroborates")
    assert _decide(client, claim["id"], editor, status="verified", rationale="x").status_code == 200


def test_corroboration_from_another_outlet_verifies(
    client: FlaskClient,
    editor: dict[str, str],
    make_document: Doc,
    make_claim: Doc,
    confirm_link: Doc,
) -> None:
    claim = make_claim(make_document(outlet="Outlet One"))
    other = make_claim(make_document(outlet="Outlet Two"))
    confirm_link(editor, claim["id"], other["id"], "corroborates")
    response = _decide(
        client, claim["id"], editor, status="verified", rationale="independent report"
    )
    assert response.status_code == 200, response.json


def test_disputing_needs_a_confirmed_conflict_or_evidence(
    client: FlaskClient,
    editor: dict[str, str],
    make_document: Doc,
    make_claim: Doc,
    confirm_link: Doc,
) -> None:
    claim = make_claim(make_document(outlet="Outlet One"))
    assert (
        _decide(client, claim["id"], editor, status="disputed", rationale="doubt").status_code
        == 422
    )
    other = make_claim(make_document(outlet="Outlet Two"))
    confirm_link(editor, claim["id"], other["id"], "conflicts")
    assert (
        _decide(
            client, claim["id"], editor, status="disputed", rationale="conflicting report"
        ).status_code
        == 200
    )


def test_reviewers_cannot_decide_but_can_reject_a_candidate(
    client: FlaskClient, reviewer: dict[str, str], make_document: Doc, make_claim: Doc
) -> None:
    claim = make_claim(make_document())
    forbidden = _decide(client, claim["id"], reviewer, status="unverifiable", rationale="none")
    assert forbidden.status_code == 403
    rejected = _decide(client, claim["id"], reviewer, status="rejected", rationale="not a claim")
    assert rejected.status_code == 200
    assert rejected.json["status"] == "rejected"
    assert client.get(f"/api/v1/claims/{claim['id']}").status_code == 200


def test_a_decision_can_be_reverted_with_a_reason_and_all_is_in_the_history(
    client: FlaskClient, editor: dict[str, str], make_document: Doc, make_claim: Doc
) -> None:
    claim = make_claim(make_document())
    assert (
        _decide(
            client, claim["id"], editor, status="unverifiable", rationale="no records"
        ).status_code
        == 200
    )
    assert (
        _decide(
            client, claim["id"], editor, status="unreviewed", rationale="records found"
        ).status_code
        == 200
    )
    history = client.get(f"/api/v1/claims/{claim['id']}/history").json
    assert [e["action"] for e in history] == [
        "claim.created",
        "claim.status_changed",
        "claim.status_changed",
    ]
    assert history[1]["before"]["status"] == "unreviewed"
    assert history[1]["after"]["status"] == "unverifiable"
    assert history[2]["reason"] == "records found"
    assert history[1]["actor"].startswith("editor")


def test_setting_the_same_status_again_is_refused(
    client: FlaskClient, editor: dict[str, str], make_document: Doc, make_claim: Doc
) -> None:
    claim = make_claim(make_document())
    response = _decide(client, claim["id"], editor, status="unreviewed", rationale="again")
    assert response.status_code == 422
    assert "status" in response.json["errors"]["json"]


def test_every_date_precision_the_extractor_writes_is_accepted_back(
    client: FlaskClient, make_document: Doc, make_claim: Doc, reviewer: dict[str, str]
) -> None:
    """'last week' makes a claim dated that week's Monday with precision `week`; a client
    sending the claim back unchanged must not be refused."""
    claim = make_claim(make_document(), claim_date="2025-11-24", date_precision="week")
    assert claim["date_precision"] == "week"
    patched = client.patch(
        f"/api/v1/claims/{claim['id']}",
        json={"date_precision": "week", "claim_date": "2025-11-17"},
        headers={**reviewer, "If-Match": claim["etag"]},
    )
    assert patched.status_code == 200, patched.json
    assert patched.json["date_precision"] == "week"


def test_a_speaker_a_person_chooses_drops_the_cue_that_led_to_the_old_one(
    client: FlaskClient, reviewer: dict[str, str], make_document: Any, make_claim: Any
) -> None:
    claim = make_claim(
        make_document(), speaker_name="Harbour Host", attribution="indirect", cue="according to"
    )
    moved = client.patch(
        f"/api/v1/claims/{claim['id']}",
        json={"speaker_name": "Owen Mbeki", "reason": "his turn, not the host's"},
        headers=reviewer | {"If-Match": claim["etag"]},
    )
    assert moved.status_code == 200, moved.json
    assert (moved.json["speaker"]["name"], moved.json["cue"]) == ("Owen Mbeki", None)
    # A cue sent with the speaker is kept.
    again = client.patch(
        f"/api/v1/claims/{claim['id']}",
        json={"speaker_name": "Ada Ruiz", "cue": "said", "reason": "she said it"},
        headers=reviewer | {"If-Match": moved.headers["ETag"]},
    )
    assert again.json["cue"] == "said"


def test_if_match_any_is_not_taken_for_a_decision(
    client: FlaskClient, editor: dict[str, str], make_document: Doc, make_claim: Doc
) -> None:
    claim = make_claim(make_document())
    refused = client.put(
        f"/api/v1/claims/{claim['id']}/status",
        headers=editor | {"If-Match": "*"},
        json={"status": "unverifiable", "rationale": "no record either way"},
    )
    assert refused.status_code == 428
    assert refused.content_type == "application/problem+json"
    assert "send the ETag of the version you read" in refused.json["detail"]
    assert client.get(f"/api/v1/claims/{claim['id']}").json["status"] == "unreviewed"


def test_reasons_are_short_lines_of_text(
    client: FlaskClient, reviewer: dict[str, str], make_document: Doc, make_claim: Doc
) -> None:
    claim = make_claim(make_document())
    for bad, why in (
        ([{"a": {"b": 1}}, 5, True], "not a string"),
        (["x" * 501], "too long"),
        ([f"reason {n}" for n in range(51)], "too many"),
    ):
        etag = client.get(f"/api/v1/claims/{claim['id']}").headers["ETag"]
        refused = client.patch(
            f"/api/v1/claims/{claim['id']}",
            json={"reasons": bad, "reason": "why"},
            headers=reviewer | {"If-Match": etag},
        )
        assert refused.status_code == 422, why
        assert "reasons" in refused.json["errors"]["json"], why
    etag = client.get(f"/api/v1/claims/{claim['id']}").headers["ETag"]
    fine = client.patch(
        f"/api/v1/claims/{claim['id']}",
        json={"reasons": ["number or amount", "dated"], "reason": "why"},
        headers=reviewer | {"If-Match": etag},
    )
    assert fine.status_code == 200, fine.json


def test_the_next_link_is_relative_whatever_the_host_header_says(
    client: FlaskClient, make_document: Doc, make_claim: Doc
) -> None:
    document = make_document(body="One. Two. Three.")
    make_claim(document, start=0, end=4)
    make_claim(document, start=5, end=9)
    page = client.get("/api/v1/claims?limit=1", headers={"Host": "evil.example"})
    link = page.headers["Link"]
    assert link.startswith("</api/v1/claims?limit=1&after=")
    assert "evil.example" not in link
    assert client.get(link[1 : link.index(">")]).status_code == 200
