"""Revisions: an article posted again changed becomes the next revision of the same document;
its claims are re-anchored (anchored, moved or orphaned, never silently moved), keep their
decisions and links, and only new sentences are extracted."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

URL = "https://news.example.org/2025/03/harbour-levy"
P1 = "The harbour board met on Monday to discuss the levy."
P2 = "The board said the levy raised 4.1 million euros in 2024."
P3 = "Fishermen protested outside the harbour office on Tuesday."
P4 = "The levy will rise by 3 percent next year, the chairman said."
FIRST = "\n\n".join([P1, P2, P3, P4])
P2_CORRECTED = "The board said the levy raised 3.9 million euros in 2024."
NEW = "Correction: an earlier version of this story misstated the levy's revenue."
SECOND = "\n\n".join([NEW, P1, P2_CORRECTED, P4])


def _claim_over(
    client: FlaskClient, headers: dict[str, str], doc: dict[str, Any], text: str
) -> Any:
    start = FIRST.index(text)
    made = client.post(
        "/api/v1/claims",
        json={"document_id": doc["id"], "span": {"start": start, "end": start + len(text)}},
        headers=headers,
    )
    assert made.status_code == 201, made.json
    return made.json


def _claim(client: FlaskClient, claim_id: int) -> Any:
    return client.get(f"/api/v1/claims/{claim_id}").json


def test_a_corrected_article_is_a_revision_whose_claims_are_re_anchored(
    client: FlaskClient,
    editor: dict[str, str],
    make_document: Callable[..., dict[str, Any]],
    make_claim: Callable[..., dict[str, Any]],
    confirm_link: Callable[..., dict[str, Any]],
) -> None:
    doc = client.post(
        "/api/v1/documents?wait=true",
        json={"body": FIRST, "url": URL, "outlet": "Harbour News", "extract": False},
        headers=editor,
    ).json
    unchanged = _claim_over(client, editor, doc, P4)
    edited = _claim_over(client, editor, doc, P2)
    deleted = _claim_over(client, editor, doc, P3)
    elsewhere = make_claim(make_document(outlet="Elsewhere"))
    link = confirm_link(editor, edited["id"], elsewhere["id"], "corroborates")
    etag = client.get(f"/api/v1/claims/{edited['id']}").headers["ETag"]
    verified = client.put(
        f"/api/v1/claims/{edited['id']}/status",
        json={"status": "verified", "rationale": "the board's accounts"},
        headers=editor | {"If-Match": etag},
    )
    assert verified.status_code == 200, verified.json

    # The same story again: tracking parameters and a trailing slash are not another page.
    revised = client.post(
        "/api/v1/documents?wait=true",
        json={"body": SECOND, "url": URL + "/?utm_source=feed", "extract": False},
        headers=editor,
    )
    assert revised.status_code == 200, revised.json
    assert revised.json["id"] == doc["id"]
    assert revised.json["revision"] == 2
    assert client.get(f"/api/v1/documents/{doc['id']}").json["body_sha256"] != doc["body_sha256"]

    kept = _claim(client, unchanged["id"])
    assert kept["anchor_state"] == "anchored"
    assert kept["span"]["start"] == SECOND.index(P4)
    assert kept["text"] == P4
    assert kept["revision"] == 2

    moved = _claim(client, edited["id"])
    assert moved["anchor_state"] == "moved"
    assert moved["text"] == P2_CORRECTED
    assert SECOND[moved["span"]["start"] : moved["span"]["end"]] == P2_CORRECTED
    assert moved["previous_text"] == P2
    # The verdict stays, flagged for another look; the link stays with the claim.
    assert moved["status"] == "verified"
    assert "revision 2" in moved["review_flag"]
    # The export carries the stored flag as GET /claims/{id} does.
    export = client.get("/api/v1/exports/claims.ndjson").data.splitlines()
    flags = {x["id"]: x["review_flag"] for x in map(json.loads, export)}
    assert flags[moved["id"]] == moved["review_flag"]
    assert client.get(f"/api/v1/links/{link['id']}").json["state"] == "confirmed"

    gone = _claim(client, deleted["id"])
    assert gone["anchor_state"] == "orphaned"
    assert gone["revision"] == 1
    assert gone["text"] == P3
    orphans = client.get(f"/api/v1/documents/{doc['id']}/orphans").json
    assert [c["id"] for c in orphans] == [deleted["id"]]

    revisions = client.get(f"/api/v1/documents/{doc['id']}/revisions").json
    assert [(r["number"], r["anchored"], r["moved"], r["orphaned"]) for r in revisions] == [
        (1, None, None, None),
        (2, 1, 1, 1),
    ]
    second = client.get(f"/api/v1/documents/{doc['id']}/revisions/2").json
    assert second["body"] == SECOND
    assert f"-{P3}" in second["diff"]
    assert f"+{NEW}" in second["diff"]
    assert client.get(f"/api/v1/documents/{doc['id']}/revisions/1").json["body"] == FIRST
    history = client.get(f"/api/v1/claims/{edited['id']}/history").json
    reanchored = [e for e in history if e["action"] == "claim.reanchored"]
    assert "flagged for re-review" in reanchored[0]["reason"]

    # The first version posted again is the same document, not a third revision.
    again = client.post("/api/v1/documents", json={"body": FIRST, "url": URL}, headers=editor)
    assert again.status_code == 200
    assert (again.json["id"], again.json["revision"]) == (doc["id"], 2)

    # A reviewer places the orphan by hand on the new text; a new decision clears the flag.
    etag = client.get(f"/api/v1/claims/{deleted['id']}").headers["ETag"]
    start = SECOND.index(NEW)
    placed = client.patch(
        f"/api/v1/claims/{deleted['id']}",
        json={"span": {"start": start, "end": start + len(NEW)}, "reason": "the correction"},
        headers=editor | {"If-Match": etag},
    )
    assert placed.status_code == 200, placed.json
    assert (placed.json["anchor_state"], placed.json["revision"]) == ("anchored", 2)
    assert client.get(f"/api/v1/documents/{doc['id']}/orphans").json == []
    etag = client.get(f"/api/v1/claims/{edited['id']}").headers["ETag"]
    again_verified = client.put(
        f"/api/v1/claims/{edited['id']}/status",
        json={"status": "verified", "rationale": "the corrected figure checks out"},
        headers=editor | {"If-Match": etag},
    )
    assert again_verified.status_code == 200, again_verified.json
    assert _claim(client, edited["id"])["review_flag"] is None


def test_only_new_sentences_are_extracted_in_a_revision(
    client: FlaskClient, reviewer: dict[str, str]
) -> None:
    doc = client.post(
        "/api/v1/documents?wait=true",
        json={"body": FIRST, "outlet": "Harbour News"},
        headers=reviewer,
    ).json
    before = client.get(f"/api/v1/documents/{doc['id']}/claims").json
    assert before
    revised = client.post(
        "/api/v1/documents?wait=true",
        json={"body": SECOND, "revision_of": doc["id"]},
        headers=reviewer,
    )
    assert revised.status_code == 200, revised.json
    after = client.get(f"/api/v1/documents/{doc['id']}/claims").json
    by_id = {c["id"]: c for c in after}
    # Every claim of the first version is still there, under its id.
    assert {c["id"] for c in before} <= set(by_id)
    new = [c for c in after if c["id"] not in {b["id"] for b in before}]
    # What is new comes only from text no claim covered: the correction line.
    new_start = SECOND.index(NEW)
    assert new
    assert all(new_start <= c["span"]["start"] < new_start + len(NEW) + 1 for c in new)
    spans = sorted(
        (c["span"]["start"], c["span"]["end"]) for c in after if c["anchor_state"] != "orphaned"
    )
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans)), "no two claims overlap"


def test_bad_revisions_are_refused_and_change_nothing(
    client: FlaskClient, reviewer: dict[str, str], make_document: Callable[..., dict[str, Any]]
) -> None:
    doc = make_document(body=FIRST)
    other = make_document(body=SECOND)
    missing = client.post(
        "/api/v1/documents",
        json={"body": "A whole new text.", "revision_of": 2**31 - 1},
        headers=reviewer,
    )
    assert missing.status_code == 422
    assert "revision_of" in missing.json["errors"]["json"]
    # SECOND is another document's text: it cannot become a revision of this one, and the
    # refusal says which document holds it (it was a 200 with that other document).
    same = client.post(
        "/api/v1/documents", json={"body": SECOND, "revision_of": doc["id"]}, headers=reviewer
    )
    assert same.status_code == 409
    assert f"document {other['id']}" in same.json["detail"]
    # Its own current text is no change: the document itself.
    again = client.post(
        "/api/v1/documents", json={"body": FIRST, "revision_of": doc["id"]}, headers=reviewer
    )
    assert again.status_code == 200
    assert again.json["id"] == doc["id"]
    assert client.get(f"/api/v1/documents/{doc['id']}").json["revision"] == 1
    assert client.get(f"/api/v1/documents/{doc['id']}/revisions/2").status_code == 404


def test_a_revision_is_announced_to_webhooks_with_its_re_anchored_claims(
    client: FlaskClient,
    admin: dict[str, str],
    session: Any,
    monkeypatch: Any,
) -> None:
    from sqlalchemy import text

    monkeypatch.setenv("CLAIMDESK_WEBHOOK_ALLOW_PRIVATE", "1")
    hook = client.post(
        "/api/v1/webhooks",
        json={
            "url": "http://127.0.0.1:9/hook",
            "event_types": ["document.revised", "claim.reanchored"],
        },
        headers=admin,
    )
    assert hook.status_code == 201, hook.json
    # Queued for a worker that has not come yet.
    doc = client.post("/api/v1/documents", json={"body": FIRST, "url": URL}, headers=admin).json
    assert doc["state"] == "queued"
    start = FIRST.index(P4)
    client.post(
        "/api/v1/claims",
        json={"document_id": doc["id"], "span": {"start": start, "end": start + len(P4)}},
        headers=admin,
    )
    # Revised while its job still waits: the second job is refused (a savepoint rolls back
    # inside the transaction), and the revision is announced all the same.
    queued = client.post("/api/v1/documents", json={"body": SECOND, "url": URL}, headers=admin)
    assert queued.status_code == 202, queued.json
    assert queued.json["revision"] == 2
    types = [
        row[0]
        for row in session.execute(
            text(
                "SELECT event_type FROM webhook_deliveries WHERE subscription_id = :s ORDER BY id"
            ),
            {"s": hook.json["id"]},
        )
    ]
    assert types == ["claim.reanchored", "document.revised"]


def test_a_moved_claim_is_dated_again_from_its_new_text_unless_a_person_dated_it(
    client: FlaskClient, editor: dict[str, str]
) -> None:
    first = (
        "Work on the harbour pier will begin in March 2027, the port director said.\n\n"
        "The new ferry terminal will open in June 2028, the council said."
    )
    doc = client.post(
        "/api/v1/documents?wait=true",
        json={"body": first, "outlet": "Harbour News", "published_on": "2026-12-01"},
        headers=editor,
    ).json
    claims = client.get(f"/api/v1/documents/{doc['id']}/claims").json
    pier = next(c for c in claims if "pier" in c["text"])
    terminal = next(c for c in claims if "terminal" in c["text"])
    assert (pier["claim_date"], terminal["claim_date"]) == ("2027-03-01", "2028-06-01")
    etag = client.get(f"/api/v1/claims/{terminal['id']}").headers["ETag"]
    dated = client.patch(
        f"/api/v1/claims/{terminal['id']}",
        json={"claim_date": "2028-06-15", "date_precision": "day", "reason": "the council's plan"},
        headers=editor | {"If-Match": etag},
    )
    assert dated.status_code == 200, dated.json
    revised = client.post(
        "/api/v1/documents?wait=true",
        json={
            "body": first.replace("March 2027", "April 2027").replace("June 2028", "July 2028"),
            "revision_of": doc["id"],
        },
        headers=editor,
    )
    assert revised.status_code == 200, revised.json
    moved = _claim(client, pier["id"])
    assert moved["anchor_state"] == "moved"
    assert moved["claim_date"] == "2027-04-01"
    assert any("April 2027" in str(r) for r in moved["reasons"])
    kept = _claim(client, terminal["id"])
    assert kept["anchor_state"] == "moved"
    assert kept["claim_date"] == "2028-06-15"  # a person's date stays theirs


def test_a_link_confirmed_before_a_correction_is_to_check_again_until_confirmed_again(
    client: FlaskClient,
    editor: dict[str, str],
    reviewer: dict[str, str],
    make_document: Callable[..., dict[str, Any]],
    make_claim: Callable[..., dict[str, Any]],
    confirm_link: Callable[..., dict[str, Any]],
) -> None:
    doc = client.post(
        "/api/v1/documents?wait=true",
        json={"body": FIRST, "url": URL, "outlet": "Harbour News", "extract": False},
        headers=editor,
    ).json
    edited = _claim_over(client, editor, doc, P2)
    elsewhere = make_claim(make_document(outlet="Elsewhere"))
    link = confirm_link(editor, edited["id"], elsewhere["id"], "corroborates")

    def changed() -> list[bool]:
        report = client.get(f"/api/v1/documents/{doc['id']}/report").json
        entry = next(c for c in report["claims"] if c["id"] == edited["id"])
        return [x["words_changed"] for x in entry["corroborating"]]

    assert changed() == [False]
    # Not yet reviewed again: a repeat confirmation is refused as before.
    etag = client.get(f"/api/v1/links/{link['id']}").headers["ETag"]
    again = {"state": "confirmed", "rationale": "still the same figure"}
    repeat = client.patch(
        f"/api/v1/links/{link['id']}", json=again, headers=reviewer | {"If-Match": etag}
    )
    assert repeat.status_code == 409
    revised = client.post(
        "/api/v1/documents?wait=true",
        json={"body": SECOND, "url": URL, "extract": False},
        headers=editor,
    )
    assert revised.status_code == 200, revised.json
    # The corroboration was confirmed on "4.1 million"; the article now says 3.9 million.
    assert changed() == [True]
    report = client.get(f"/api/v1/documents/{doc['id']}/report").json
    assert any("confirmed link(s) to check again" in a["reason"] for a in report["attention"])
    html = client.get(f"/api/v1/documents/{doc['id']}/report.html").get_data(as_text=True)
    assert "confirmed before the words changed" in html
    # A reviewer looks at the new words and confirms the link again: that clears it.
    etag = client.get(f"/api/v1/links/{link['id']}").headers["ETag"]
    reviewed = client.patch(
        f"/api/v1/links/{link['id']}", json=again, headers=reviewer | {"If-Match": etag}
    )
    assert reviewed.status_code == 200, reviewed.json
    assert changed() == [False]
