"""Sourcing reports in every format, the statement bound, ClaimReview, annotation, exports."""

from __future__ import annotations

import base64
import csv
import io
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

Doc = Callable[..., dict[str, Any]]
STORY = (
    "Harbour master Ingrid Solberg said the Nordhavn ferry carried 1.2 million passengers. "
    "People familiar with the talks said the route would close. "
    "The ferry is the town's lifeline."
)
OTHER = "The Nordhavn ferry carried 1.2 million passengers, the port authority said."
THIRD = "Nordhavn's ferry did not carry 1.2 million passengers, a rival operator said."


@pytest.fixture
def story(
    client: FlaskClient,
    editor: dict[str, str],
    make_document: Doc,
    make_claim: Doc,
    confirm_link: Doc,
) -> dict[str, Any]:
    """A three-claim article backed by one outlet and contradicted by another."""
    doc = make_document(body=STORY, outlet="Gazette", title="Ferry story")
    first = make_claim(doc, start=0, end=STORY.index(".") + 1, attribution="direct_quote")
    second_start = STORY.index("People")
    anonymous = make_claim(
        doc,
        start=second_start,
        end=STORY.index(".", second_start) + 1,
        attribution="anonymous",
        checkworthiness=0.9,
    )
    last = make_claim(doc, start=STORY.index("The ferry"), end=len(STORY))
    backing_doc = make_document(body=OTHER, outlet="Tribune", published_on="2025-11-20")
    backing = make_claim(backing_doc, start=0, end=len(OTHER))
    rival_doc = make_document(body=THIRD, outlet="Herald")
    rival = make_claim(rival_doc, start=0, end=len(THIRD))
    confirm_link(editor, first["id"], backing["id"], "same_claim")
    confirm_link(editor, first["id"], rival["id"], "conflicts")
    return {
        "doc": doc,
        "first": first,
        "anonymous": anonymous,
        "last": last,
        "backing": backing,
        "rival": rival,
    }


def test_the_json_report_shows_sourcing_backing_conflicts_and_what_to_look_at(
    client: FlaskClient, story: dict[str, Any]
) -> None:
    response = client.get(f"/api/v1/documents/{story['doc']['id']}/report")
    assert response.status_code == 200
    report = response.json
    assert [c["id"] for c in report["claims"]] == [
        story["first"]["id"],
        story["anonymous"]["id"],
        story["last"]["id"],
    ]
    first = report["claims"][0]
    assert first["independent_origins"] == 1
    assert [x["outlet"] for x in first["corroborating"]] == ["Tribune"]
    assert [x["outlet"] for x in first["conflicting"]] == ["Herald"]
    totals = report["totals"]
    assert totals["claims"] == 3
    assert totals["by_attribution"]["anonymous"] == 1
    assert totals["share_anonymous"] == pytest.approx(1 / 3, abs=1e-3)
    assert totals["share_independently_corroborated"] == pytest.approx(1 / 3, abs=1e-3)
    assert totals["open_conflicts"] == 1
    reasons = {a["claim_id"]: a["reason"] for a in report["attention"]}
    assert reasons[story["first"]["id"]] == "1 confirmed conflicting claim(s) elsewhere"
    assert reasons[story["anonymous"]["id"]] == "rests on an anonymous source alone"
    assert report["attention"][0]["claim_id"] == story["first"]["id"]


def test_a_report_counts_a_suggested_conflict_apart_from_a_confirmed_one(
    client: FlaskClient, story: dict[str, Any], editor: dict[str, str]
) -> None:
    # The service's guess is not a conflict a reader should take as found: it is shown, and
    # counted, as one to review.
    suggested = client.post(
        "/api/v1/links",
        json={
            "claim_a_id": story["last"]["id"],
            "claim_b_id": story["rival"]["id"],
            "relation": "conflicts",
            "state": "suggested",
        },
        headers=editor,
    )
    assert suggested.status_code == 201, suggested.json
    url = f"/api/v1/documents/{story['doc']['id']}/report"
    report = client.get(url).json
    totals = report["totals"]
    assert (totals["open_conflicts"], totals["confirmed_conflicts"]) == (2, 1)
    assert totals["suggested_conflicts"] == 1
    last = next(c for c in report["claims"] if c["id"] == story["last"]["id"])
    assert (last["open_conflicts"], last["confirmed_conflicts"]) == (1, 0)
    md = client.get(f"{url}?format=md").text
    assert "| Open conflicts | 1 confirmed, 1 suggested (to review); 0 settled by verdicts |" in md
    assert "| 0 (+1 suggested) |" in md
    html = client.get(f"{url}?format=html").text
    assert "<b>1</b><span>confirmed conflicts open</span>" in html
    assert "<b>1</b><span>suggested conflicts, to review</span>" in html
    row = html.split(f'<tr id="claim-{story["last"]["id"]}">')[1].split("</tr>")[0]
    assert "(+1 suggested)" in row
    rows = list(csv.DictReader(io.StringIO(client.get(f"{url}?format=csv").text)))
    mine = next(r for r in rows if r["claim_id"] == str(story["last"]["id"]))
    assert (mine["open_conflicts"], mine["confirmed_conflicts"]) == ("1", "0")
    story_report = client.get("/api/v1/reports/story", query_string={"q": "Nordhavn ferry"}).json
    pair = next(c for c in story_report["clusters"] if len(c["appearances"]) == 2)
    assert (pair["open_conflicts"], pair["confirmed_conflicts"]) == (1, 1)


def test_a_document_report_runs_a_fixed_number_of_statements_whatever_its_size(
    client: FlaskClient,
    story: dict[str, Any],
    make_document: Doc,
    make_claim: Doc,
    editor: dict[str, str],
    confirm_link: Doc,
    count_queries: list[str],
) -> None:
    url = f"/api/v1/documents/{story['doc']['id']}/report"
    count_queries.clear()
    client.get(url)
    small = len(count_queries)
    # More claims elsewhere and more links to this document's claims.
    for n in range(3):
        text = f"The Nordhavn ferry carried 1.2 million passengers, report {n} said."
        other = make_claim(make_document(body=text, outlet=f"Outlet {n}"), start=0, end=len(text))
        confirm_link(editor, story["last"]["id"], other["id"], "corroborates")
    count_queries.clear()
    big = client.get(url).json
    assert big["claims"][2]["independent_origins"] == 3
    # document, claims, links, origins, suggested copies, fact-checks, decisions, evidence
    assert len(count_queries) == small <= 8


def test_markdown_csv_and_html_carry_the_same_report(
    client: FlaskClient, story: dict[str, Any]
) -> None:
    url = f"/api/v1/documents/{story['doc']['id']}/report"
    md = client.get(url + "?format=md")
    assert md.content_type.startswith("text/markdown")
    assert "# Sourcing report: Ferry story" in md.text
    assert "| Anonymous sources | 33% |" in md.text
    by_accept = client.get(url, headers={"Accept": "text/csv"})
    assert by_accept.content_type.startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(by_accept.text)))
    assert [int(r["claim_id"]) for r in rows] == [
        story["first"]["id"],
        story["anonymous"]["id"],
        story["last"]["id"],
    ]
    assert rows[0]["corroborating_claim_ids"] == str(story["backing"]["id"])
    assert rows[1]["attribution"] == "anonymous"
    html = client.get(url, headers={"Accept": "text/html,application/xhtml+xml;q=0.9"})
    assert html.content_type.startswith("text/html")
    page = html.text
    # Every claim highlighted in the article text, the text escaped, nothing fetched.
    assert page.count("<mark ") == 3
    assert "Harbour master Ingrid Solberg said" in page
    assert "http://" not in page.split("<footer>")[0].replace("http://127.0.0.1", "")
    assert "<script" not in page
    assert "a-anonymous" in page
    # Claims are named by the ids every other format and the workspace use.
    for claim in (story["first"], story["anonymous"], story["last"]):
        assert f"<sup>{claim['id']}</sup>" in page
        assert f'<td class="num">{claim["id"]}</td>' in page


def test_report_format_errors(client: FlaskClient, story: dict[str, Any]) -> None:
    url = f"/api/v1/documents/{story['doc']['id']}/report"
    bad = client.get(url + "?format=pdf")
    assert bad.status_code == 422
    assert "format" in bad.json["errors"]["query"]
    refused = client.get(url, headers={"Accept": "image/png"})
    assert refused.status_code == 406
    assert refused.content_type == "application/problem+json"
    assert client.get("/api/v1/documents/999999/report").status_code == 404


def test_speaker_and_story_reports(
    client: FlaskClient, reviewer: dict[str, str], story: dict[str, Any]
) -> None:
    speaker = client.patch(
        f"/api/v1/claims/{story['last']['id']}",
        json={"speaker_name": "Ingrid Solberg"},
        headers=reviewer | {"If-Match": story["last"]["etag"]},
    ).json["speaker"]
    report = client.get(f"/api/v1/speakers/{speaker['id']}/report").json
    assert report["speaker"]["name"] == "Ingrid Solberg"
    assert [c["id"] for c in report["claims"]] == [story["last"]["id"]]
    md = client.get(f"/api/v1/speakers/{speaker['id']}/report?format=md").text
    assert "# Claims by Ingrid Solberg" in md
    found = client.get("/api/v1/reports/story", query_string={"q": "Nordhavn ferry"}).json
    clusters = found["clusters"]
    # The confirmed same-claim pair is one cluster, earliest appearance first.
    pair = next(c for c in clusters if len(c["appearances"]) == 2)
    assert [a["id"] for a in pair["appearances"]] == [story["backing"]["id"], story["first"]["id"]]
    assert pair["independent_origins"] == 1
    assert pair["open_conflicts"] == 1
    assert client.get("/api/v1/reports/story").status_code == 422
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get(
                    "/api/v1/reports/story", query_string={"q": "Nordhavn ferry", "format": "csv"}
                ).text
            )
        )
    )
    cluster = {int(r["claim_id"]): r["cluster"] for r in rows}
    assert cluster[story["first"]["id"]] == cluster[story["backing"]["id"]]
    assert cluster[story["rival"]["id"]] != cluster[story["first"]["id"]]
    html = client.get("/api/v1/reports/story?q=ferry&format=html")
    assert html.status_code == 200
    assert "Story: ferry" in html.text


def test_claimreview_for_a_decided_claim_has_every_google_property(
    client: FlaskClient, editor: dict[str, str], story: dict[str, Any]
) -> None:
    claim = story["first"]
    undecided = client.get(f"/api/v1/claims/{claim['id']}/claimreview")
    assert undecided.status_code == 409
    etag = client.get(f"/api/v1/claims/{claim['id']}").headers["ETag"]
    decided = client.put(
        f"/api/v1/claims/{claim['id']}/status",
        headers=editor | {"If-Match": etag},
        json={"status": "disputed", "rationale": "the Herald's figures differ"},
    )
    assert decided.status_code == 200, decided.json
    # A draft is the newsroom's: read with a key even where reading is open.
    assert client.get(f"/api/v1/claims/{claim['id']}/claimreview").status_code == 401
    response = client.get(f"/api/v1/claims/{claim['id']}/claimreview", headers=editor)
    assert response.status_code == 200
    assert response.content_type == "application/ld+json"
    draft = json.loads(response.data)
    assert draft["creativeWorkStatus"] == "Draft"
    # Not published: no page to point at, no date of publication.
    assert "url" not in draft
    assert "datePublished" not in draft
    assert draft["headline"] == f"Disputed: {claim['text']}"
    assert draft["reviewBody"] == "the Herald's figures differ"
    # The feed holds what editors published, and nothing before.
    assert json.loads(client.get("/api/v1/exports/claimreview").data) == []
    published = client.put(
        f"/api/v1/claims/{claim['id']}/review",
        json={"published": True, "version": 0},
        headers=editor,
    )
    assert published.status_code == 200, published.json
    feed = json.loads(client.get("/api/v1/exports/claimreview").data)
    assert [r["claimReviewed"] for r in feed] == [claim["text"]]
    review = json.loads(client.get(f"/api/v1/claims/{claim['id']}/claimreview").data)
    assert review == feed[0]
    # Required by Google: claimReviewed, reviewRating (with alternateName), url.
    assert review["@context"] == "https://schema.org"
    assert review["@type"] == "ClaimReview"
    assert review["claimReviewed"] == claim["text"]
    assert review["url"].endswith(f"/reviews/{claim['id']}")
    assert review["creativeWorkStatus"] == "Published"
    rating = review["reviewRating"]
    assert rating["@type"] == "Rating"
    assert rating["alternateName"] == "Disputed"
    assert (rating["ratingValue"], rating["worstRating"], rating["bestRating"]) == (2, 1, 4)
    assert rating["name"] == "Disputed"
    # Recommended: author, datePublished, itemReviewed (Claim: author, datePublished,
    # appearance, firstAppearance).
    assert review["author"]["@type"] == "Organization"
    assert review["author"]["name"]
    assert review["datePublished"]
    item = review["itemReviewed"]
    assert item["@type"] == "Claim"
    assert item["author"]["name"]
    assert item["datePublished"]
    assert len(item["appearance"]) == 2
    assert item["firstAppearance"] == item["appearance"][0]
    assert item["firstAppearance"]["datePublished"] == "2025-11-20"
    assert review["reviewBody"] == "the Herald's figures differ"


def test_a_withdrawn_reviews_old_words_are_not_served_and_a_flagged_verdict_is_not_published(
    client: FlaskClient,
    editor: dict[str, str],
    reviewer: dict[str, str],
    make_document: Doc,
    make_claim: Doc,
    confirm_link: Doc,
) -> None:
    claim = make_claim(make_document(outlet="Gazette"))
    backing = make_claim(make_document(outlet="Tribune"))
    link = confirm_link(editor, claim["id"], backing["id"], "corroborates")

    def decide(status: str, **extra: Any) -> None:
        etag = client.get(f"/api/v1/claims/{claim['id']}").headers["ETag"]
        answer = client.put(
            f"/api/v1/claims/{claim['id']}/status",
            headers=editor | {"If-Match": etag},
            json={"status": status, "rationale": f"now {status}"} | extra,
        )
        assert answer.status_code == 200, answer.json

    def review(**body: Any) -> Any:
        version = client.get(f"/api/v1/claims/{claim['id']}/review", headers=editor).json
        return client.put(
            f"/api/v1/claims/{claim['id']}/review",
            json={"version": version["version"]} | body,
            headers=editor,
        )

    decide("verified")
    assert review(headline="Verified: the ferry sailed", published=True).status_code == 200
    # A verdict change withdraws the review; the draft must not carry its "Verified" words
    # under a "Disputed" rating.
    decide("disputed", evidence=[{"url": "https://example.org/log.pdf"}])
    draft = json.loads(client.get(f"/api/v1/claims/{claim['id']}/claimreview", headers=editor).data)
    assert draft["reviewRating"]["alternateName"] == "Disputed"
    assert draft["headline"] == f"Disputed: {claim['text']}"
    assert draft["reviewBody"] == "now disputed"
    # Another claim verified on a link alone, then the link is rejected: the verdict has lost
    # its support, and the service will not publish a review saying it holds.
    claim = make_claim(make_document(outlet="Gazette"))
    link = confirm_link(editor, claim["id"], backing["id"], "corroborates")
    decide("verified")
    link_etag = client.get(f"/api/v1/links/{link['id']}").headers["ETag"]
    rejected = client.patch(
        f"/api/v1/links/{link['id']}",
        json={"state": "rejected", "rationale": "another ferry"},
        headers=reviewer | {"If-Match": link_etag},
    )
    assert rejected.status_code == 200, rejected.json
    refused = review(published=True)
    assert refused.status_code == 409
    assert "looked at again" in refused.json["detail"]
    assert json.loads(client.get("/api/v1/exports/claimreview").data) == []


def test_annotation_selects_the_claim_in_its_document(
    client: FlaskClient, story: dict[str, Any]
) -> None:
    claim = story["anonymous"]
    response = client.get(f"/api/v1/claims/{claim['id']}/annotation")
    note = json.loads(response.data)
    assert note["type"] == "Annotation"
    assert note["@context"] == "http://www.w3.org/ns/anno.jsonld"
    quote, position = note["target"]["selector"]
    assert quote["type"] == "TextQuoteSelector"
    assert quote["exact"] == claim["text"]
    assert STORY.endswith(
        quote["exact"] + quote["suffix"] + STORY[position["end"] + len(quote["suffix"]) :]
    )
    assert position["type"] == "TextPositionSelector"
    assert STORY[position["start"] : position["end"]] == claim["text"]


def test_the_ndjson_export_streams_everything_and_resumes_from_a_cursor(
    client: FlaskClient, story: dict[str, Any]
) -> None:
    from service.reports import exports

    full = client.get("/api/v1/exports/claims.ndjson")
    assert full.content_type == "application/x-ndjson"
    lines = [json.loads(x) for x in full.data.splitlines()]
    ids = [x["id"] for x in lines]
    assert ids == sorted(ids)
    assert story["rival"]["id"] in ids
    first = next(x for x in lines if x["id"] == story["first"]["id"])
    assert {link["relation"] for link in first["links"]} == {"same_claim", "conflicts"}
    assert first["document"]["outlet"] == "Gazette"
    # Postgres writes the lines: the same cursor, dates and shape as the API's own encoders.
    from datetime import date, datetime

    from service.operations.pagination import decode_cursor, encode_cursor

    for line in lines:
        txid, claim_id = decode_cursor(line["cursor"], 2, "export")
        assert line["cursor"] == encode_cursor([txid, claim_id], "export")
        assert claim_id == line["id"]
        datetime.fromisoformat(line["updated_at"])
        assert line["span"]["end"] > line["span"]["start"]
        assert isinstance(line["checkworthiness"], float)
    claim = client.get(f"/api/v1/claims/{first['id']}").json
    assert first["text"] == claim["text"]
    assert first["status"] == claim["status"]
    assert first["review_flag"] is None
    assert claim["review_flag"] is None
    assert first["speaker"] == (
        {"id": claim["speaker"]["id"], "name": claim["speaker"]["name"]}
        if claim["speaker"]
        else None
    )
    assert date.fromisoformat(first["document"]["published_on"])
    middle = ids.index(story["anonymous"]["id"])
    rest = client.get(f"/api/v1/exports/claims.ndjson?since={lines[middle]['cursor']}")
    assert [json.loads(x)["id"] for x in rest.data.splitlines()] == ids[middle + 1 :]
    bad = client.get("/api/v1/exports/claims.ndjson?since=nope")
    assert bad.status_code == 422
    assert list(bad.json["errors"]) == ["query"]  # where the bad cursor was sent
    assert "since" in bad.json["errors"]["query"]
    # A cursor issued before claims kept their transaction (one id, and no list named in
    # it) still resumes: nothing after it is lost (claims stored since may come again).
    old_cursor = base64.urlsafe_b64encode(f"k{ids[middle]}".encode()).decode().rstrip("=")
    old = client.get(f"/api/v1/exports/claims.ndjson?since={old_cursor}")
    assert set(ids[middle + 1 :]) <= {json.loads(x)["id"] for x in old.data.splitlines()}
    # Batches are read one after another: a batch size below the row count changes nothing.
    exports_batch = exports.EXPORT_BATCH
    try:
        exports.EXPORT_BATCH = 2
        small = client.get("/api/v1/exports/claims.ndjson")
        assert [json.loads(x)["id"] for x in small.data.splitlines()] == ids
    finally:
        exports.EXPORT_BATCH = exports_batch


def test_a_derived_documents_report_names_its_source(
    client: FlaskClient, story: dict[str, Any], make_document: Doc
) -> None:
    notes = make_document(body="Notes on the ferry story.", derived_from_id=story["doc"]["id"])
    report = client.get(f"/api/v1/documents/{notes['id']}/report").json
    assert report["document"]["derived_from_id"] == story["doc"]["id"]
    assert report["document"]["derived_from_title"] == "Ferry story"
    assert report["totals"]["claims"] == 0
    page = client.get(f"/api/v1/documents/{notes['id']}/report?format=html").text
    assert "Derived from “Ferry story”" in page
    md = client.get(f"/api/v1/documents/{notes['id']}/report?format=md").text
    assert "Derived from “Ferry story”" in md


def test_a_decision_its_rationale_and_evidence_show_in_every_report_format(
    client: FlaskClient, editor: dict[str, str], story: dict[str, Any]
) -> None:
    claim = story["last"]
    decided = client.put(
        f"/api/v1/claims/{claim['id']}/status",
        json={
            "status": "verified",
            "rationale": "the port authority's annual report gives the figure",
            "evidence": [{"url": "https://port.example/annual-2024.pdf", "note": "p. 12"}],
        },
        headers={**editor, "If-Match": client.get(f"/api/v1/claims/{claim['id']}").headers["ETag"]},
    )
    assert decided.status_code == 200, decided.json
    url = f"/api/v1/documents/{story['doc']['id']}/report"
    entries = {c["id"]: c for c in client.get(url).json["claims"]}
    decision = entries[claim["id"]]["decision"]
    assert (decision["from"], decision["to"]) == ("unreviewed", "verified")
    assert decision["rationale"] == "the port authority's annual report gives the figure"
    assert entries[claim["id"]]["evidence"] == [
        {"url": "https://port.example/annual-2024.pdf", "document_id": None, "note": "p. 12"}
    ]
    assert entries[story["first"]["id"]]["decision"] is None
    html = client.get(url + "?format=html").get_data(as_text=True)
    assert "Decided verified" in html
    assert "https://port.example/annual-2024.pdf" in html
    markdown = client.get(url + "?format=md").get_data(as_text=True)
    assert f"- claim {claim['id']}: unreviewed → verified by" in markdown
    rows = list(csv.DictReader(io.StringIO(client.get(url + "?format=csv").get_data(as_text=True))))
    row = next(r for r in rows if r["claim_id"] == str(claim["id"]))
    assert row["decision_rationale"] == "the port authority's annual report gives the figure"
    assert row["evidence_urls"] == "https://port.example/annual-2024.pdf"
    assert row["decided_by"] == decision["by"]
    assert row["decided_at"].startswith(decision["at"][:19])
    assert next(r for r in rows if r["claim_id"] == str(story["first"]["id"]))["decided_by"] == ""


def test_a_verdict_that_lost_its_support_is_flagged_in_every_report(
    client: FlaskClient,
    reviewer: dict[str, str],
    editor: dict[str, str],
    make_document: Doc,
    make_claim: Doc,
    confirm_link: Doc,
    count_queries: list[str],
) -> None:
    # A claim verified on one link; the claim at the link's other end is then rejected, so
    # the verdict rests on nothing: every report says so, as GET /claims/{id} does.
    from tests.api.test_linking_api import _set_status, verified_on_a_link

    made = (make_document, make_claim, confirm_link)
    claim_id, backing = verified_on_a_link(client, (reviewer, editor), made, "r", "Gazette")
    claim = client.get(f"/api/v1/claims/{claim_id}").json
    url = f"/api/v1/documents/{claim['document_id']}/report"
    count_queries.clear()
    assert client.get(url).json["totals"]["to_review_again"] == 0
    healthy = len(count_queries)
    gone = _set_status(client, reviewer, backing, status="rejected", rationale="an advert")
    assert gone.status_code == 200, gone.json
    flag = client.get(f"/api/v1/claims/{claim_id}").json["review_flag"]
    assert flag
    count_queries.clear()
    report = client.get(url).json
    assert len(count_queries) <= healthy + 3  # the flags' own bounded reads
    assert report["claims"][0]["review_flag"] == flag
    assert report["totals"]["to_review_again"] == 1
    assert report["attention"][0] == {
        "claim_id": claim_id,
        "reason": f"to look at again: {flag}",
        "text": claim["text"],
        "status": "verified",
    }
    assert "(to look at again)" in client.get(f"{url}?format=md").get_data(as_text=True)
    html = client.get(f"{url}?format=html").get_data(as_text=True)
    row = html.split(f'<tr id="claim-{claim_id}">')[1].split("</tr>")[0]
    assert "to look at again" in row
    rows = csv.DictReader(io.StringIO(client.get(f"{url}?format=csv").get_data(as_text=True)))
    assert [r["review_flag"] for r in rows] == [flag]
    exported = [
        json.loads(x) for x in client.get("/api/v1/exports/claims.ndjson").data.split(b"\n") if x
    ]
    assert {x["id"]: x["review_flag"] for x in exported if x["review_flag"]} == {claim_id: flag}
    assert all("review_flag" in x for x in exported)
    speaker = client.post("/api/v1/speakers", json={"name": "Harbour Desk"}, headers=editor).json
    etag = client.get(f"/api/v1/claims/{claim_id}").headers["ETag"]
    moved = client.patch(
        f"/api/v1/claims/{claim_id}",
        json={"speaker_id": speaker["id"]},
        headers=editor | {"If-Match": etag},
    )
    assert moved.status_code == 200, moved.json
    by_speaker = client.get(f"/api/v1/speakers/{speaker['id']}/report").json
    assert by_speaker["claims"][0]["review_flag"] == flag
    story = client.get("/api/v1/reports/story?q=Nordhavn").json
    flagged = [
        a["review_flag"] for c in story["clusters"] for a in c["appearances"] if a["id"] == claim_id
    ]
    assert flagged == [flag]
    # The story says what was decided and by whom, as the document's report does.
    [shown] = [a for c in story["clusters"] for a in c["appearances"] if a["id"] == claim_id]
    assert shown["decision"]["to"] == "verified"
    assert shown["decision"]["by"]
    story_csv = client.get("/api/v1/reports/story?q=Nordhavn&format=csv").get_data(as_text=True)
    [row] = [r for r in csv.DictReader(io.StringIO(story_csv)) if r["claim_id"] == str(claim_id)]
    assert row["decided_by"] == shown["decision"]["by"]
    assert row["decided_at"]


def test_review_flags_in_a_report_take_the_same_statements_for_one_verdict_or_three(
    client: FlaskClient,
    reviewer: dict[str, str],
    editor: dict[str, str],
    make_document: Doc,
    make_claim: Doc,
    confirm_link: Doc,
    count_queries: list[str],
) -> None:
    from tests.api.test_linking_api import _set_status

    def report_with(n: int) -> tuple[int, dict[str, Any]]:
        """A document of n claims, each verified on a link whose other end is then rejected:
        the statements its report takes, and the report."""
        sentences = [f"The Nordhavn ferry carried {k + 1}.2 million passengers." for k in range(n)]
        body = " ".join(sentences)
        doc = make_document(body=body, outlet=f"Gazette {n}")
        for k, sentence in enumerate(sentences):
            start = body.index(sentence)
            claim = make_claim(doc, start=start, end=start + len(sentence))
            other = make_document(body=f"{sentence} So says the port.", outlet=f"Tribune {n}{k}")
            backing = make_claim(other, start=0, end=len(sentence))
            confirm_link(reviewer, claim["id"], backing["id"], "corroborates")
            done = _set_status(client, editor, claim["id"], status="verified", rationale="ok")
            assert done.status_code == 200, done.json
            gone = _set_status(client, reviewer, backing["id"], status="rejected", rationale="ad")
            assert gone.status_code == 200, gone.json
        count_queries.clear()
        report = client.get(f"/api/v1/documents/{doc['id']}/report").json
        return len(count_queries), report

    one, small = report_with(1)
    three, big = report_with(3)
    assert small["totals"]["to_review_again"] == 1
    assert big["totals"]["to_review_again"] == 3
    assert one == three


def test_a_claim_date_is_reported_as_precisely_as_it_is_known(
    client: FlaskClient, make_document: Doc, make_claim: Doc
) -> None:
    # "Last year" is stored as that year's 1 January at year precision: a report shows the
    # year, not a day nobody said; the CSV and the export carry the precision beside it.
    body = "The yard hired 40 welders last year. It hired 12 in March. It hired 3 last week."
    doc = make_document(body=body, outlet="Gazette")
    dated = [
        ("The yard hired 40 welders last year.", "2024-01-01", "year", "2024"),
        ("It hired 12 in March.", "2025-03-01", "month", "2025-03"),
        ("It hired 3 last week.", "2025-03-17", "week", "week of 2025-03-17"),
    ]
    for text, day, precision, _ in dated:
        start = body.index(text)
        make_claim(
            doc, start=start, end=start + len(text), claim_date=day, date_precision=precision
        )
    url = f"/api/v1/documents/{doc['id']}/report"
    report = client.get(url).json
    assert [
        (c["claim_date"], c["date_precision"], c["claim_date_shown"]) for c in report["claims"]
    ] == [(day, precision, shown) for _, day, precision, shown in dated]
    html = client.get(f"{url}?format=html").text
    assert "<td>2024</td>" in html
    assert "<td>week of 2025-03-17</td>" in html
    rows = list(csv.DictReader(io.StringIO(client.get(f"{url}?format=csv").text)))
    assert [(r["claim_date"], r["date_precision"]) for r in rows] == [
        (day, precision) for _, day, precision, _ in dated
    ]
    exported = [
        json.loads(x) for x in client.get("/api/v1/exports/claims.ndjson").data.splitlines()
    ]
    mine = [x for x in exported if x["document"]["id"] == doc["id"]]
    assert [x["date_precision"] for x in mine] == ["year", "month", "week"]


def test_claimreview_dates_the_claim_by_its_appearance_not_the_event_it_speaks_of(
    client: FlaskClient, editor: dict[str, str], make_document: Doc, make_claim: Doc
) -> None:
    body = "The harbour authority said the Nordhavn ferry carried 1.2 million passengers in 2022."

    def decided_item(claim: dict[str, Any]) -> dict[str, Any]:
        answer = client.put(
            f"/api/v1/claims/{claim['id']}/status",
            headers=editor | {"If-Match": claim["etag"]},
            json={"status": "unverifiable", "rationale": "no record either way"},
        )
        assert answer.status_code == 200, answer.json
        review = json.loads(
            client.get(f"/api/v1/claims/{claim['id']}/claimreview", headers=editor).data
        )
        # Unverifiable is no point on the scale of truth: named, not numbered.
        assert review["reviewRating"] == {
            "@type": "Rating",
            "alternateName": "Unverifiable",
            "name": "Unverifiable",
        }
        return review["itemReviewed"]  # type: ignore[no-any-return]

    # "in 2022" is the event's year: the claim was made when its document appeared.
    dated = make_document(body=body, outlet="Gazette", published_on="2025-11-20")
    claim = make_claim(dated, claim_date="2022-01-01", date_precision="year")
    assert decided_item(claim)["datePublished"] == "2025-11-20"
    # An undated document: a day-precise statement date stands in; a year does not.
    undated = make_document(body=body + " (2)", outlet="Tribune", published_on=None)
    said = make_claim(undated, claim_date="2025-03-04", date_precision="day")
    assert decided_item(said)["datePublished"] == "2025-03-04"
    other = make_document(body=body + " (3)", outlet="Herald", published_on=None)
    vague = make_claim(other, claim_date="2022-01-01", date_precision="year")
    assert "datePublished" not in decided_item(vague)


def test_an_html_report_links_its_other_formats_and_the_workspace(
    client: FlaskClient, story: dict[str, Any]
) -> None:
    url = f"/api/v1/documents/{story['doc']['id']}/report"
    page = client.get(url + "?format=html").get_data(as_text=True)
    links = re.findall(r'<nav class="formats"[^>]*>(.*?)</nav>', page)[0]
    found = dict(re.findall(r'<a href="([^"]+)">([^<]+)</a>', links))
    assert found[f"{url}?format=md"] == "Markdown"
    assert found[f"{url}?format=csv"] == "CSV"
    assert found[f"{url}?format=json"] == "JSON"
    assert found[f"/documents/{story['doc']['id']}"] == "open in the workspace"
    for href in found:
        if href.startswith("/api/"):
            assert client.get(href).status_code == 200
    # A story report keeps its words in each link.
    story_page = client.get("/api/v1/reports/story?q=ferry+passengers&format=html")
    assert "/api/v1/reports/story?q=ferry+passengers&amp;format=csv" in story_page.text
    assert '<a href="/?q=ferry+passengers">open in the workspace</a>' in story_page.text


def test_each_text_format_has_a_path_of_its_own(
    client: FlaskClient, make_document: Doc, make_claim: Doc
) -> None:
    doc = make_document()
    make_claim(doc)
    base = f"/api/v1/documents/{doc['id']}/report"
    for fmt, media in (("csv", "text/csv"), ("md", "text/markdown"), ("html", "text/html")):
        at_path = client.get(f"{base}.{fmt}")
        assert at_path.status_code == 200
        assert at_path.content_type.startswith(media)
        assert at_path.data == client.get(f"{base}?format={fmt}").data
    page = client.get(f"{base}.html").get_data(as_text=True)
    assert f"{base}?format=csv" in page  # the other formats, from the report's own path
    assert client.get(f"{base}.csv?format=json").status_code == 422
    assert client.get("/api/v1/reports/story.md?q=bridge").status_code == 200
    assert client.get(f"{base}.pdf").status_code == 404
    ndjson = client.get("/api/v1/exports/claims.ndjson", headers={"Accept": "text/plain"})
    assert ndjson.content_type.startswith("text/plain")
    assert client.get("/api/v1/exports/claims.ndjson").content_type == "application/x-ndjson"


def test_a_documents_story_holds_the_documents_linked_to_it_whatever_words_they_use(
    client: FlaskClient,
    reviewer: dict[str, str],
    make_document: Doc,
    make_claim: Doc,
    confirm_link: Doc,
) -> None:
    # "Marrow Bridge" found 2 of 13 claims about the event: the others say "the bridge".
    seed = make_document(body="The Marrow Bridge repairs will cost $31 million, the city said.")
    other = make_document(
        outlet="Valley Tribune", body="Repairs to the span will cost about $18 million."
    )
    unrelated = make_document(outlet="Elsewhere", body="The ferry carried 900 people on Sunday.")
    a, b = make_claim(seed), make_claim(other)
    make_claim(unrelated)
    confirm_link(reviewer, a["id"], b["id"], "conflicts")
    story = client.get(f"/api/v1/reports/story?document_id={seed['id']}").json
    shown = {x["id"] for c in story["clusters"] for x in c["appearances"]}
    assert shown == {a["id"], b["id"]}
    assert story["totals"]["open_conflicts"] == 1
    assert client.get(f"/api/v1/reports/story.csv?document_id={seed['id']}").status_code == 200
    both = client.get(f"/api/v1/reports/story?document_id={seed['id']}&q=Marrow").json
    assert {x["id"] for c in both["clusters"] for x in c["appearances"]} == {a["id"]}
    missing = client.get("/api/v1/reports/story?document_id=2147483647")
    assert missing.status_code == 422
    assert "document_id" in missing.json["errors"]["query"]
    assert client.get("/api/v1/reports/story").status_code == 422
