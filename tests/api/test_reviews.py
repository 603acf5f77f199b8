"""Publishing our reviews: a decided claim's review is written, published at a public URL under
CLAIMDESK_PUBLIC_URL with ClaimReview JSON-LD that Google's required and recommended
properties are checked on, and withdrawn; drafts and undecided claims are not public."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import extruct
from flask import Flask
from flask.testing import FlaskClient

from service.config import Settings

Doc = Callable[..., dict[str, Any]]

BODY = "The harbour authority said the Nordhavn ferry carried 1.2 million passengers in 2023."


def _decided(
    client: FlaskClient,
    editor: dict[str, str],
    make_document: Callable[..., dict[str, Any]],
    make_claim: Callable[..., dict[str, Any]],
) -> dict[str, Any]:
    doc = make_document(body=BODY, url="https://paper.example/ferry", published_on="2025-11-20")
    claim = make_claim(doc, 0, len(BODY))
    etag = client.get(f"/api/v1/claims/{claim['id']}").headers["ETag"]
    decided = client.put(
        f"/api/v1/claims/{claim['id']}/status",
        json={
            "status": "false",
            "rationale": "the port's own report gives 0.9 million",
            "evidence": [{"url": "https://port.example/report-2023", "note": "annual report"}],
        },
        headers=editor | {"If-Match": etag},
    )
    assert decided.status_code == 200, decided.json
    return claim


def test_a_review_is_drafted_edited_published_and_withdrawn(
    settings: Settings,
    connection: Any,
    editor: dict[str, str],
    reviewer: dict[str, str],
    make_document: Callable[..., dict[str, Any]],
    make_claim: Callable[..., dict[str, Any]],
) -> None:
    from dataclasses import replace

    from service.app import create_app

    app: Flask = create_app(
        replace(settings, public_url="https://checks.example.org/claimdesk/"), bind=connection
    )
    client = app.test_client()
    claim = _decided(client, editor, make_document, make_claim)
    page = f"/reviews/{claim['id']}"
    draft = client.get(f"/api/v1/claims/{claim['id']}/review", headers=reviewer).json
    assert (draft["published"], draft["version"]) == (False, 0)
    assert draft["body"] == "the port's own report gives 0.9 million"
    assert draft["headline"].startswith("False: ")
    assert draft["url"] == f"https://checks.example.org/claimdesk/reviews/{claim['id']}"
    assert client.get(page).status_code == 404  # a draft is not public
    refused = client.put(
        f"/api/v1/claims/{claim['id']}/review",
        json={"published": True, "version": 0},
        headers=reviewer,
    )
    assert refused.status_code == 403
    saved = client.put(
        f"/api/v1/claims/{claim['id']}/review",
        json={
            "headline": "No, the ferry did not carry 1.2 million passengers",
            "body": "The port's annual report counts 0.9 million passengers in 2023.",
            "published": True,
            "version": 0,
        },
        headers=editor,
    )
    assert saved.status_code == 200, saved.json
    assert saved.json["published"] is True

    shown = client.get(page)
    assert shown.status_code == 200
    html = shown.get_data(as_text=True)
    assert "No, the ferry did not carry 1.2 million passengers" in html
    assert "https://port.example/report-2023" in html
    found = extruct.extract(html, syntaxes=["json-ld"], uniform=False)["json-ld"]
    assert len(found) == 1
    review = found[0]
    # Google's required properties for ClaimReview: claimReviewed, reviewRating (with
    # alternateName or a numeric rating on a scale), url; recommended: author, datePublished,
    # itemReviewed (a Claim with author, datePublished, appearance or firstAppearance).
    assert review["@type"] == "ClaimReview"
    assert review["claimReviewed"] == BODY
    assert review["url"] == f"https://checks.example.org/claimdesk/reviews/{claim['id']}"
    rating = review["reviewRating"]
    assert rating["alternateName"] == "False"
    assert rating["worstRating"] <= rating["ratingValue"] <= rating["bestRating"]
    assert review["author"]["@type"] == "Organization"
    assert review["author"]["name"]
    assert review["datePublished"]
    assert review["headline"] == "No, the ferry did not carry 1.2 million passengers"
    assert review["creativeWorkStatus"] == "Published"
    assert review["reviewBody"].startswith("The port's annual report")
    item = review["itemReviewed"]
    assert item["@type"] == "Claim"
    assert item["datePublished"] == "2025-11-20"
    # The page says when it was claimed as the JSON-LD does (the claim speaks of 2023).
    claimed = html.split("Claimed by")[1].split("</p>")[0]
    assert claimed.endswith(", 2025-11-20"), claimed
    assert item["appearance"][0]["url"] == "https://paper.example/ferry"
    assert item["firstAppearance"] == item["appearance"][0]
    # The same JSON-LD as the feed, which now lists it.
    feed = json.loads(client.get("/api/v1/exports/claimreview").data)
    assert [r["url"] for r in feed] == [review["url"]]

    withdrawn = client.put(
        f"/api/v1/claims/{claim['id']}/review",
        json={"published": False, "version": saved.json["version"]},
        headers=editor,
    )
    assert withdrawn.json["published"] is False
    assert client.get(page).status_code == 404
    assert json.loads(client.get("/api/v1/exports/claimreview").data) == []
    history = client.get(
        f"/api/v1/events?entity_type=published_reviews&entity_id={claim['id']}", headers=editor
    )
    assert [e["action"] for e in history.json["events"]] == ["review.published", "review.withdrawn"]


def test_only_decided_claims_have_a_review_and_a_published_one_needs_text(
    client: FlaskClient,
    editor: dict[str, str],
    make_document: Callable[..., dict[str, Any]],
    make_claim: Callable[..., dict[str, Any]],
) -> None:
    undecided = make_claim(make_document())
    refused = client.put(
        f"/api/v1/claims/{undecided['id']}/review",
        json={"published": True, "version": 0},
        headers=editor,
    )
    assert refused.status_code == 409
    assert client.get(f"/reviews/{undecided['id']}").status_code == 404
    claim = _decided(client, editor, make_document, make_claim)
    empty = client.put(
        f"/api/v1/claims/{claim['id']}/review",
        json={"body": "", "published": True, "version": 0},
        headers=editor,
    )
    assert empty.status_code == 422
    assert client.get("/reviews/2147483647").status_code == 404


def test_a_new_verdict_withdraws_the_review_written_for_the_old_one(
    client: FlaskClient,
    editor: dict[str, str],
    make_document: Callable[..., dict[str, Any]],
    make_claim: Callable[..., dict[str, Any]],
) -> None:
    claim = _decided(client, editor, make_document, make_claim)
    published = client.put(
        f"/api/v1/claims/{claim['id']}/review",
        json={
            "headline": "False: the ferry numbers",
            "body": "0.9 million.",
            "published": True,
            "version": 0,
        },
        headers=editor,
    )
    assert published.status_code == 200, published.json
    assert client.get(f"/reviews/{claim['id']}").status_code == 200
    etag = client.get(f"/api/v1/claims/{claim['id']}").headers["ETag"]
    changed = client.put(
        f"/api/v1/claims/{claim['id']}/status",
        json={
            "status": "verified",
            "rationale": "the port corrected its report",
            "evidence": [{"url": "https://port.example/correction"}],
        },
        headers=editor | {"If-Match": etag},
    )
    assert changed.status_code == 200, changed.json
    # Its headline said "False": not public under a "Verified" rating.
    assert client.get(f"/reviews/{claim['id']}").status_code == 404
    assert json.loads(client.get("/api/v1/exports/claimreview").data) == []
    review = client.get(f"/api/v1/claims/{claim['id']}/review", headers=editor).json
    assert review["published"] is False
    assert review["headline"] == "False: the ferry numbers"  # kept for the editor to rewrite
    events = f"/api/v1/events?entity_type=published_reviews&entity_id={claim['id']}"
    last = client.get(events, headers=editor).json["events"][-1]
    assert last["action"] == "review.withdrawn"
    assert "from false to verified" in last["reason"]
    # Published again as it is, its "False: …" headline would stand over a "Verified" badge.
    again = client.put(
        f"/api/v1/claims/{claim['id']}/review",
        json={"published": True, "version": review["version"]},
        headers=editor,
    )
    assert again.status_code == 422
    assert "written when the claim was false" in again.json["detail"]
    rewritten = client.put(
        f"/api/v1/claims/{claim['id']}/review",
        json={
            "headline": "Verified: the ferry numbers, as corrected",
            "published": True,
            "version": review["version"],
        },
        headers=editor,
    )
    assert rewritten.status_code == 200, rewritten.json
    assert client.get(f"/reviews/{claim['id']}").status_code == 200
    # The claim's history (the panel's) holds its review's life too.
    history = client.get(f"/api/v1/claims/{claim['id']}/history?links=true", headers=editor).json
    actions = [e["action"] for e in history]
    assert actions.count("review.published") == 2
    assert "review.withdrawn" in actions


def test_a_review_saved_on_an_older_version_is_a_409(
    client: FlaskClient,
    editor: dict[str, str],
    make_document: Callable[..., dict[str, Any]],
    make_claim: Callable[..., dict[str, Any]],
) -> None:
    claim = _decided(client, editor, make_document, make_claim)
    path = f"/api/v1/claims/{claim['id']}/review"
    first = client.put(
        path, json={"headline": "H", "body": "Theirs.", "version": 0}, headers=editor
    )
    assert first.status_code == 200, first.json
    assert first.json["version"] == 1
    stale = client.put(path, json={"body": "Mine.", "version": 0}, headers=editor)
    assert stale.status_code == 409
    assert client.get(path, headers=editor).json["body"] == "Theirs."
    fresh = client.put(path, json={"body": "Mine.", "version": 1}, headers=editor)
    assert fresh.status_code == 200, fresh.json
    # A save that says not which version it edits could overwrite another's unseen: refused.
    blind = client.put(path, json={"body": "Blind."}, headers=editor)
    assert blind.status_code == 422
    assert "version" in blind.json["errors"]["json"]
    assert client.get(path, headers=editor).json["body"] == "Mine."


def test_new_words_under_a_verdict_need_an_editor_flag_the_claim_and_withdraw_its_review(
    client: FlaskClient,
    editor: dict[str, str],
    reviewer: dict[str, str],
    make_document: Doc,
    make_claim: Doc,
) -> None:
    document = make_document(body="The ferry sailed at noon. The mayor resigned on Friday.")
    claim = make_claim(document)
    decided = client.put(
        f"/api/v1/claims/{claim['id']}/status",
        headers=editor | {"If-Match": claim["etag"]},
        json={
            "status": "verified",
            "rationale": "port log",
            "evidence": [{"url": "https://example.org/log"}],
        },
    )
    assert decided.status_code == 200, decided.json
    published = client.put(
        f"/api/v1/claims/{claim['id']}/review",
        json={"published": True, "version": 0},
        headers=editor,
    )
    assert published.status_code == 200, published.json
    other_sentence = {"start": 26, "end": 55}

    def move(headers: dict[str, str]) -> Any:
        etag = client.get(f"/api/v1/claims/{claim['id']}").headers["ETag"]
        return client.patch(
            f"/api/v1/claims/{claim['id']}",
            json={"span": other_sentence, "reason": "tidy"},
            headers=headers | {"If-Match": etag},
        )

    refused = move(reviewer)
    assert refused.status_code == 403
    assert "editor" in refused.json["detail"]
    assert client.get(f"/reviews/{claim['id']}").status_code == 200
    moved = move(editor)
    assert moved.status_code == 200, moved.json
    assert moved.json["text"] == "The mayor resigned on Friday."
    assert "words were edited after it was marked verified" in moved.json["review_flag"]
    assert client.get(f"/reviews/{claim['id']}").status_code == 404


def test_article_text_cannot_end_or_derail_the_json_ld_script_element(
    client: FlaskClient, editor: dict[str, str], make_document: Doc, make_claim: Doc
) -> None:
    claim = _decided(client, editor, make_document, make_claim)
    headline = 'Fact check <!--<script> & "</script><b>x</b>'
    saved = client.put(
        f"/api/v1/claims/{claim['id']}/review",
        json={"headline": headline, "body": "text", "published": True, "version": 0},
        headers=editor,
    )
    assert saved.status_code == 200, saved.json
    html = client.get(f"/reviews/{claim['id']}").get_data(as_text=True)
    script = html.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert "<" not in script
    assert json.loads(script)["headline"] == headline
    (found,) = extruct.extract(html, syntaxes=["json-ld"], uniform=False)["json-ld"]
    assert found["headline"] == headline


def test_words_written_for_one_verdict_are_never_served_or_published_under_another(
    client: FlaskClient, editor: dict[str, str], make_document: Doc, make_claim: Doc
) -> None:
    document = make_document(body="The ferry sailed at noon. The mayor resigned on Friday.")
    claim = make_claim(document)

    def decide(status: str, url: str) -> None:
        etag = client.get(f"/api/v1/claims/{claim['id']}").headers["ETag"]
        answer = client.put(
            f"/api/v1/claims/{claim['id']}/status",
            headers=editor | {"If-Match": etag},
            json={"status": status, "rationale": f"now {status}", "evidence": [{"url": url}]},
        )
        assert answer.status_code == 200, answer.json

    def save(**body: Any) -> Any:
        version = client.get(f"/api/v1/claims/{claim['id']}/review", headers=editor).json
        return client.put(
            f"/api/v1/claims/{claim['id']}/review",
            json={"version": version["version"]} | body,
            headers=editor,
        )

    decide("verified", "https://example.org/log")
    # A draft saved, never published; then the verdict changes (no withdrawal event).
    assert save(headline="Verified: the ferry sailed at noon", body="log").status_code == 200
    decide("false", "https://example.org/second-log")
    draft = json.loads(client.get(f"/api/v1/claims/{claim['id']}/claimreview", headers=editor).data)
    assert draft["headline"] == f"False: {claim['text']}"
    refused = save(published=True)
    assert refused.status_code == 422
    assert "written when the claim was verified" in refused.json["detail"]
    # Published under "false", then the words under it are edited and it is decided again:
    # the old words are not published again unchanged.
    assert save(headline="False: no ferry sailed", published=True).status_code == 200
    etag = client.get(f"/api/v1/claims/{claim['id']}").headers["ETag"]
    moved = client.patch(
        f"/api/v1/claims/{claim['id']}",
        json={"span": {"start": 26, "end": 55}, "reason": "the other sentence"},
        headers=editor | {"If-Match": etag},
    )
    assert moved.status_code == 200, moved.json
    decide("verified", "https://example.org/resignation")
    assert save(published=True).status_code == 422
    assert save(headline="Verified: the mayor resigned", published=True).status_code == 200


def test_a_drafts_words_are_not_in_the_open_feed_or_history(
    client: FlaskClient,
    editor: dict[str, str],
    reviewer: dict[str, str],
    make_document: Doc,
    make_claim: Doc,
) -> None:
    claim = _decided(client, editor, make_document, make_claim)
    saved = client.put(
        f"/api/v1/claims/{claim['id']}/review",
        json={"headline": "SECRET DRAFT headline", "body": "draft", "version": 0},
        headers=editor,
    )
    assert saved.status_code == 200, saved.json
    feed = f"/api/v1/events?entity_type=published_reviews&entity_id={claim['id']}"
    history = f"/api/v1/claims/{claim['id']}/history?links=true"
    for open_read in (client.get(feed).json["events"], client.get(history).json):
        assert "SECRET DRAFT" not in json.dumps(open_read)
    # A key holder of the newsroom reads them.
    assert "SECRET DRAFT" in json.dumps(client.get(feed, headers=reviewer).json)
    assert "SECRET DRAFT" in json.dumps(client.get(history, headers=reviewer).json)


def test_who_said_a_decided_claim_and_when_are_an_editors_to_change(
    client: FlaskClient,
    editor: dict[str, str],
    reviewer: dict[str, str],
    make_document: Doc,
    make_claim: Doc,
) -> None:
    claim = _decided(client, editor, make_document, make_claim)

    def edit(headers: dict[str, str], **change: Any) -> Any:
        etag = client.get(f"/api/v1/claims/{claim['id']}").headers["ETag"]
        return client.patch(
            f"/api/v1/claims/{claim['id']}",
            json=change | {"reason": "correction"},
            headers=headers | {"If-Match": etag},
        )

    for change in (
        {"speaker_name": "Vladimir Putin"},
        {"claim_date": "2020-01-01", "date_precision": "year"},
        {"attribution": "anonymous"},
    ):
        refused = edit(reviewer, **change)
        assert refused.status_code == 403, change
        assert "needs the editor role" in refused.json["detail"]
    # What the verdict does not stand on stays a reviewer's to correct.
    assert edit(reviewer, checkworthiness=0.9).status_code == 200
    assert edit(editor, speaker_name="Harbour Master Ada Lund").status_code == 200


def test_a_headline_cannot_give_another_verdict_than_the_claims(
    client: FlaskClient, editor: dict[str, str], make_document: Doc, make_claim: Doc
) -> None:
    claim = _decided(client, editor, make_document, make_claim)  # false
    refused = client.put(
        f"/api/v1/claims/{claim['id']}/review",
        json={"headline": "Verified: the ferry figures", "body": "new", "version": 0},
        headers=editor,
    )
    assert refused.status_code == 422
    assert "gives the verdict 'Verified'; the claim is false" in refused.json["detail"]
    saved = client.put(
        f"/api/v1/claims/{claim['id']}/review",
        json={"headline": "False: the ferry figures", "body": "new", "version": 0},
        headers=editor,
    )
    assert saved.status_code == 200, saved.json
