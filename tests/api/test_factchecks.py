"""Has this been checked already? ClaimReview imported from pages and feeds, idempotently and
all or nothing, its ratings read through the label map, matched with our claims, and a
confirmed match counting as evidence for a verdict."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from service.factchecks.claimreview import DEFAULT_LABELS

# Items written for these tests, in the shapes fact-checkers publish.
REVIEW = {
    "@context": "https://schema.org",
    "@type": "ClaimReview",
    "url": "https://checks.example.org/2025/footbridge-cost",
    "claimReviewed": "The Old Mill footbridge repair will cost Lakeport 14.2 million dollars.",
    "name": "Will the footbridge repair really cost 14.2 million?",
    "datePublished": "2025-03-05",
    "inLanguage": "en",
    "itemReviewed": {
        "@type": "Claim",
        "author": {"@type": "Person", "name": "Rosa Haddad"},
        "datePublished": "2025-03-03",
    },
    "author": {
        "@type": "Organization",
        "name": "Lakeport Checks",
        "url": "https://checks.example.org",
    },
    "reviewRating": {
        "@type": "Rating",
        "ratingValue": 2,
        "bestRating": 5,
        "worstRating": 1,
        "alternateName": "Half True",
    },
}
PAGE = (
    "<html><head><title>Footbridge</title>"
    '<script type="application/ld+json">'
    + json.dumps(
        {"@context": "https://schema.org", "@graph": [{"@type": "WebPage", "name": "x"}, REVIEW]}
    )
    + "</script></head><body><p>Our check.</p></body></html>"
)


def _item(n: int, rating: dict[str, Any]) -> dict[str, Any]:
    return REVIEW | {
        "url": f"https://checks.example.org/2025/item-{n}",
        "claimReviewed": f"Statement number {n} about the Lakeport ferry timetable was repeated.",
        "reviewRating": {"@type": "Rating"} | rating,
    }


def _import(client: FlaskClient, headers: dict[str, str], **body: Any) -> Any:
    return client.post("/api/v1/fact-checks", json=body, headers=headers)


def _count(session: Session) -> int:
    return int(session.execute(text("SELECT count(*) FROM fact_checks")).scalar_one())


def test_a_fact_check_page_is_imported_once_with_its_json_ld_kept(
    client: FlaskClient, reviewer: dict[str, str]
) -> None:
    first = _import(
        client, reviewer, html=PAGE, url="https://checks.example.org/2025/footbridge-cost"
    )
    assert first.status_code == 200, first.json
    assert (first.json["created"], first.json["unchanged"]) == (1, 0)
    check = first.json["fact_checks"][0]
    assert check["claimant"] == "Rosa Haddad"
    assert check["headline"] == "Will the footbridge repair really cost 14.2 million?"
    assert check["publisher"] == "Lakeport Checks"
    assert (check["rating_name"], check["status"]) == ("Half True", "disputed")
    full = client.get(f"/api/v1/fact-checks/{check['id']}").json
    assert full["raw"]["reviewRating"]["alternateName"] == "Half True"
    again = _import(client, reviewer, html=PAGE)
    assert (again.json["created"], again.json["unchanged"]) == (0, 1)
    # The same review with a new rating is an update of the same row, not a second one.
    corrected = REVIEW | {"reviewRating": {"@type": "Rating", "alternateName": "Pants on Fire"}}
    updated = _import(client, reviewer, feed=corrected)
    assert (updated.json["created"], updated.json["updated"]) == (0, 1)
    assert updated.json["fact_checks"][0]["status"] == "false"
    assert len(client.get("/api/v1/fact-checks").json) == 1


def test_feeds_in_each_shape_and_the_label_map(
    client: FlaskClient, reviewer: dict[str, str], admin: dict[str, str]
) -> None:
    datacommons = {
        "@context": "https://schema.org",
        "@type": "DataFeed",
        "dataFeedElement": [
            {"@type": "DataFeedItem", "item": [_item(1, {"alternateName": "Pants on Fire"})]},
            {
                "@type": "DataFeedItem",
                "item": [_item(2, {"ratingValue": 4.5, "bestRating": 5, "worstRating": 1})],
            },
        ],
    }
    result = _import(client, reviewer, feed=datacommons)
    assert result.status_code == 200, result.json
    assert [c["status"] for c in result.json["fact_checks"]] == ["false", "verified"]
    google = {
        "claims": [
            {
                "text": "The ferry timetable was cut by half in 2024.",
                "claimant": "A council leaflet",
                "claimDate": "2024-06-01T00:00:00Z",
                "claimReview": [
                    {
                        "publisher": {"name": "Harbour Facts", "site": "harbourfacts.example"},
                        "url": "https://harbourfacts.example/ferry",
                        "title": "Was the timetable halved?",
                        "reviewDate": "2024-06-10T00:00:00Z",
                        "textualRating": "Misleading",
                        "languageCode": "en",
                    }
                ],
            }
        ]
    }
    shown = _import(client, reviewer, feed=google).json["fact_checks"][0]
    assert (shown["publisher"], shown["status"], shown["claimant"]) == (
        "Harbour Facts",
        "disputed",
        "A council leaflet",
    )
    ndjson = "\n".join(json.dumps(_item(n, {"alternateName": "Unproven"})) for n in (3, 4))
    assert _import(client, reviewer, feed=ndjson).json["created"] == 2
    # An admin changes what a label means; the stored reviews with it follow.
    assert (
        client.put(
            "/api/v1/rating-labels/misleading", json={"status": "false"}, headers=reviewer
        ).status_code
        == 403
    )
    changed = client.put(
        "/api/v1/rating-labels/Misleading", json={"status": "false"}, headers=admin
    )
    assert changed.status_code == 200, changed.json
    assert client.get(f"/api/v1/fact-checks/{shown['id']}").json["status"] == "false"
    labels = {row["label"]: row["status"] for row in client.get("/api/v1/rating-labels").json}
    assert labels["misleading"] == "false"


def test_broken_input_stores_nothing_and_says_where(
    client: FlaskClient, reviewer: dict[str, str], session: Session
) -> None:
    missing = [_item(1, {"alternateName": "False"}), _item(2, {"alternateName": "False"})]
    del missing[1]["claimReviewed"]
    refused = _import(client, reviewer, feed=missing)
    assert refused.status_code == 422
    # The second item, counted from 1 (it was "item 1").
    assert "item 2: claimReviewed" in refused.json["errors"]["json"]["feed"][0]
    assert _count(session) == 0
    no_review = _import(
        client,
        reviewer,
        html='<html><script type=\'application/ld+json\'>{"@type": "NewsArticle"}</script></html>',
    )
    assert no_review.status_code == 422
    broken = _import(client, reviewer, feed="{not json\n")
    assert broken.status_code == 422
    assert "line 1" in broken.json["errors"]["json"]["feed"][0]
    bad_date = _import(client, reviewer, feed=_item(5, {}) | {"datePublished": "last week"})
    assert "datePublished" in bad_date.json["errors"]["json"]["feed"][0]
    both = _import(client, reviewer, html=PAGE, feed=[])
    assert both.status_code == 422
    huge = client.post(
        "/api/v1/fact-checks",
        data=b'{"feed": "' + b"x" * (50 * 1024 * 1024) + b'"}',
        headers=reviewer | {"Content-Type": "application/json"},
    )
    assert huge.status_code == 413
    assert huge.headers["Content-Type"] == "application/problem+json"
    assert _count(session) == 0


def test_a_claim_is_matched_and_a_confirmed_match_is_evidence_for_a_verdict(
    client: FlaskClient,
    session: Session,
    reviewer: dict[str, str],
    editor: dict[str, str],
    make_document: Callable[..., dict[str, Any]],
    make_claim: Callable[..., dict[str, Any]],
) -> None:
    body = (
        "Council member Rosa Haddad said the footbridge repair will cost Lakeport "
        "14.2 million dollars."
    )
    doc = make_document(body=body)
    claim = make_claim(doc, 0, len(body))
    unrelated = make_claim(
        make_document(body="The school choir won a regional prize on Saturday."), 0, 50
    )
    result = _import(
        client,
        reviewer,
        feed=REVIEW | {"reviewRating": {"@type": "Rating", "alternateName": "False"}},
    )
    assert result.json["matches"] >= 1
    matches = client.get(f"/api/v1/claims/{claim['id']}/fact-checks").json
    assert [m["fact_check"]["url"] for m in matches] == [REVIEW["url"]]
    match = matches[0]
    assert match["strength"] == "strong"
    assert match["score"] > 0.5
    assert "footbridge" in match["reasons"]["shared_words"]
    assert client.get(f"/api/v1/claims/{unrelated['id']}/fact-checks").json == []

    # Without evidence, "false" is refused; the confirmed fact-check is that evidence.
    etag = client.get(f"/api/v1/claims/{claim['id']}").headers["ETag"]
    refused = client.put(
        f"/api/v1/claims/{claim['id']}/status",
        json={"status": "false", "rationale": "checked elsewhere"},
        headers=editor | {"If-Match": etag},
    )
    assert refused.status_code == 422
    match_etag = client.get(f"/api/v1/fact-check-matches/{match['id']}").headers["ETag"]
    confirmed = client.patch(
        f"/api/v1/fact-check-matches/{match['id']}",
        json={"state": "confirmed", "rationale": "the same statement, checked by Lakeport Checks"},
        headers=reviewer | {"If-Match": match_etag},
    )
    assert confirmed.status_code == 200, confirmed.json
    etag = client.get(f"/api/v1/claims/{claim['id']}").headers["ETag"]
    allowed = client.put(
        f"/api/v1/claims/{claim['id']}/status",
        json={"status": "false", "rationale": "Lakeport Checks rated it false"},
        headers=editor | {"If-Match": etag},
    )
    assert allowed.status_code == 200, allowed.json
    # The sourcing report says who checked it already.
    report = client.get(f"/api/v1/documents/{doc['id']}/report").json
    checked = report["claims"][0]["checked_elsewhere"]
    assert [(x["publisher"], x["state"]) for x in checked] == [("Lakeport Checks", "confirmed")]
    # A date as every other date of the API (a plain dict gave "Fri, 04 Dec 2026 … GMT").
    assert checked[0]["review_date"] == "2025-03-05"
    page = client.get(f"/api/v1/documents/{doc['id']}/report?format=html").get_data(as_text=True)
    assert "already checked by Lakeport Checks" in page
    md = client.get(f"/api/v1/documents/{doc['id']}/report.md").get_data(as_text=True)
    assert "Already checked elsewhere" in md
    assert "Lakeport Checks" in md
    # The verdict rests on that match: while it is confirmed nothing is flagged; once it is
    # rejected, the claim's page and the claims list both say the verdict needs another look.
    assert client.get(f"/api/v1/claims/{claim['id']}").json["review_flag"] is None
    match_etag = client.get(f"/api/v1/fact-check-matches/{match['id']}").headers["ETag"]
    rejected = client.patch(
        f"/api/v1/fact-check-matches/{match['id']}",
        json={"state": "rejected", "rationale": "another footbridge"},
        headers=reviewer | {"If-Match": match_etag},
    )
    assert rejected.status_code == 200, rejected.json
    flag = client.get(f"/api/v1/claims/{claim['id']}").json["review_flag"]
    assert "what that verdict needs is gone" in flag
    # A rejected match is left out of the list, and listed last when asked for, so that a
    # reviewer can take the rejection back (it vanished).
    assert client.get(f"/api/v1/claims/{claim['id']}/fact-checks").json == []
    listed_all = client.get(f"/api/v1/claims/{claim['id']}/fact-checks?rejected=true").json
    assert [(m["id"], m["state"]) for m in listed_all] == [(match["id"], "rejected")]
    # ...and the panel lists it apart, with a way to cite it after all.
    from service.domain.enums import Role
    from service.operations.actors import SYSTEM
    from service.operations.people import create_person
    from tests.api.test_workspace import PASSWORD, _sign_in

    create_person(session, SYSTEM, name="Rita Review", role=Role.REVIEWER, password=PASSWORD)
    session.flush()
    _sign_in(client, "Rita Review", PASSWORD)
    panel = client.get(f"/documents/{doc['id']}?claim={claim['id']}").get_data(as_text=True)
    assert "Fact-checks rejected for this claim (1)" in panel
    assert "Same claim after all: cite it" in panel
    # The claim's history says what reviewers made of the match.
    history = client.get(f"/api/v1/claims/{claim['id']}/history?links=true").json
    matched = [e for e in history if e["entity_type"] == "fact_check_matches"]
    assert [e["after"]["state"] for e in matched if e["after"] and "state" in e["after"]][-2:] == [
        "confirmed",
        "rejected",
    ]
    listed = client.get(f"/api/v1/claims?document_id={doc['id']}").json
    assert [c["review_flag"] for c in listed] == [flag]


def test_a_new_claim_is_matched_against_stored_fact_checks(
    client: FlaskClient, reviewer: dict[str, str]
) -> None:
    _import(client, reviewer, feed=REVIEW)
    posted = client.post(
        "/api/v1/documents?wait=true",
        json={
            "body": "The Old Mill footbridge repair will cost Lakeport 14.2 million dollars, "
            "the city estimated on Tuesday.",
            "outlet": "Lakeport Daily",
        },
        headers=reviewer,
    ).json
    claims = client.get(f"/api/v1/documents/{posted['id']}/claims").json
    found = [m for c in claims for m in client.get(f"/api/v1/claims/{c['id']}/fact-checks").json]
    assert [m["fact_check"]["publisher"] for m in found] == ["Lakeport Checks"]


def test_the_default_label_map_is_the_one_the_migration_installs(session: Session) -> None:
    rows = dict(session.execute(text("SELECT label, status FROM rating_labels")).all())
    assert rows == DEFAULT_LABELS


def test_the_cli_imports_a_feed_file_and_refuses_a_broken_one(
    tmp_path: Path, migrated_scratch: tuple[Any, str], monkeypatch: Any
) -> None:
    from service.cli import main

    good, bad = tmp_path / "feed.json", tmp_path / "broken.ndjson"
    good.write_text(json.dumps([_item(7, {"alternateName": "False"})]), encoding="utf-8")
    bad.write_text(json.dumps(_item(8, {})) + "\n{oops\n", encoding="utf-8")
    monkeypatch.setenv("DATABASE_URL", migrated_scratch[1])
    runner = CliRunner()
    result = runner.invoke(main, ["import-claimreview", str(bad), str(good)])
    assert result.exit_code == 1
    assert "broken.ndjson: nothing imported: line 2" in result.output
    assert (
        "feed.json: 1 new" in result.output
        or "feed.json: 0 new, 0 updated, 1 unchanged" in result.output
    )


def test_a_check_of_a_statement_made_the_same_week_ranks_first(
    client: FlaskClient,
    reviewer: dict[str, str],
    make_document: Callable[..., dict[str, Any]],
    make_claim: Callable[..., dict[str, Any]],
) -> None:
    """Two reviews of the same words: the one whose claim was stated days before our article
    comes first, and its reasons say how far apart; the one from years before still shows."""
    body = "The Old Mill footbridge repair will cost Lakeport 14.2 million dollars."
    claim = make_claim(make_document(body=body, published_on="2025-03-05"), 0, len(body))
    near = REVIEW | {"url": "https://checks.example.org/2025/near"}
    far = REVIEW | {
        "url": "https://checks.example.org/2017/far",
        "itemReviewed": {"@type": "Claim", "datePublished": "2017-02-01"},
        "datePublished": "2017-02-03",
    }
    assert _import(client, reviewer, feed=[far, near]).status_code == 200
    matches = client.get(f"/api/v1/claims/{claim['id']}/fact-checks").json
    assert [m["fact_check"]["url"] for m in matches] == [near["url"], far["url"]]
    assert [m["reasons"]["days_apart"] for m in matches] == [2, 2954]
    assert matches[0]["score"] > matches[1]["score"]


def _held(session: Session, *terms: str) -> list[int]:
    """How many stored fact-checks hold each term (the empty term: how many there are)."""
    found = dict(session.execute(text("SELECT term, documents FROM fact_check_terms")).all())
    return [int(found.get(t, 0)) for t in terms]


def test_the_word_counts_follow_imports_and_updates(
    client: FlaskClient, reviewer: dict[str, str], session: Session
) -> None:
    """BM25's document frequencies are kept with the fact-checks: a new review counts each of
    its words once, the same review again changes nothing, an updated one trades its old
    words for its new ones."""
    terms = ("", "ferry", "timetable", "overruns", "gondola")
    item = _item(31, {"alternateName": "False"}) | {"name": "Ferry timetable ferry overruns"}
    before = _held(session, *terms)
    assert _import(client, reviewer, feed=item).json["created"] == 1
    after = _held(session, *terms)
    assert [a - b for a, b in zip(after, before, strict=True)] == [1, 1, 1, 1, 0]
    assert _import(client, reviewer, feed=item).json["unchanged"] == 1
    assert _held(session, *terms) == after
    renamed = item | {"name": "Gondola claims"}
    assert _import(client, reviewer, feed=renamed).json["updated"] == 1
    moved = _held(session, *terms)
    # "ferry" and "timetable" are still in the claim reviewed; "overruns" has gone with the
    # old headline, "gondola" came with the new one.
    assert [m - a for m, a in zip(moved, after, strict=True)] == [0, 0, 0, -1, 1]


ARTICLE = (
    "<article><h1>Will the footbridge repair really cost 14.2 million?</h1>"
    "<p>Speaking at a council meeting on Monday, councillor Rosa Haddad said the Old Mill "
    "footbridge repair would cost Lakeport 14.2 million dollars and that the riverside "
    "towpath would stay closed for two summers while the piers are rebuilt.</p>"
    "<p>The city engineer's tender documents put the repair at 9.8 million dollars. The "
    "towpath closure is planned for one season, according to the parks department.</p>"
    "</article>"
)
ARTICLE_PAGE = PAGE.replace("<body><p>Our check.</p></body>", f"<body>{ARTICLE}</body>")


def test_a_page_keeps_its_article_opening_and_a_feed_does_not_erase_it(
    client: FlaskClient, reviewer: dict[str, str], session: Session
) -> None:
    assert _import(client, reviewer, html=ARTICLE_PAGE).status_code == 200
    body = session.execute(text("SELECT body FROM fact_checks")).scalar_one()
    assert "riverside towpath would stay closed for two summers" in body
    # The same review from a feed (which carries no article) changes nothing.
    again = _import(client, reviewer, feed=REVIEW)
    assert (again.json["created"], again.json["updated"], again.json["unchanged"]) == (0, 0, 1)
    assert session.execute(text("SELECT body FROM fact_checks")).scalar_one() == body
    # Neither the article nor its words are part of the review as the API serves it.
    check = client.get(f"/api/v1/fact-checks/{again.json['fact_checks'][0]['id']}").json
    assert "body" not in check
    assert "body_tsv" not in check


def test_a_claim_is_found_through_the_review_article(
    client: FlaskClient, reviewer: dict[str, str], session: Session
) -> None:
    """A claim about what the article says, in words the claim reviewed does not hold, is a
    candidate through the article; a review imported from a feed (no article) is not."""
    from service.operations import factchecks as ops

    page = _import(client, reviewer, html=ARTICLE_PAGE).json["fact_checks"][0]["id"]
    other = REVIEW | {"url": "https://checks.example.org/2025/other"}
    _import(client, reviewer, feed=other)
    claim = "The riverside towpath will stay closed for two summers while the piers are rebuilt."
    queries = ops._rare_queries(session, "fact_checks", {1: claim})
    assert ops._lexical_candidates(session, "fact_checks", queries) == []
    assert ops._article_candidates(session, {1: claim}) == [(1, page)]
    posted = client.post(
        "/api/v1/documents?wait=true",
        json={"body": claim + " The council meets again in May.", "outlet": "Lakeport Daily"},
        headers=reviewer,
    ).json
    claims = client.get(f"/api/v1/documents/{posted['id']}/claims").json
    found = [m for c in claims for m in client.get(f"/api/v1/claims/{c['id']}/fact-checks").json]
    assert [m["fact_check"]["id"] for m in found] == [page]
    assert found[0]["reasons"]["article_rank"] == 1.0


LONG_RATING = (
    "Misleading. The figure of 14.2 million covers the repair and the two years of maintenance "
    "that follow it, and the council's own papers put the repair alone at 9.8 million; the "
    "claim leaves out that the contract also includes the shuttle bus, the detour signs and "
    "the engineers' fees, which the city budgeted separately."
)


@pytest.mark.parametrize(
    ("name", "item"),
    [
        ("a textual rating longer than a label", {"reviewRating": {"alternateName": LONG_RATING}}),
        ("a Language object", {"inLanguage": {"@type": "Language", "name": "Portuguese (Brazil)"}}),
        ("a publisher address that is not a web address", {"author": {"name": "X", "url": "n/a"}}),
    ],
)
def test_valid_claimreview_from_other_publishers_is_taken(
    client: FlaskClient, reviewer: dict[str, str], name: str, item: dict[str, Any]
) -> None:
    response = _import(client, reviewer, feed=REVIEW | item)
    assert response.status_code == 200, (name, response.json)


@pytest.mark.parametrize(
    ("name", "feed", "field"),
    [
        (
            "a Google-shaped review that is a bare URL",
            {
                "claims": [
                    {"text": "The ferry timetable was cut.", "claimReview": ["https://x.e/a"]}
                ]
            },
            None,
        ),
        ("JSON nested 100,000 deep", "[" * 100_000 + "]" * 100_000, "json"),
        ("a rating of NaN", REVIEW | {"reviewRating": {"ratingValue": "NaN"}}, "ratingValue"),
        (
            "a rating past a float",
            REVIEW | {"reviewRating": {"ratingValue": 10**400}},
            "ratingValue",
        ),
        (
            "a rating of 5,000 digits in a feed's text",
            json.dumps(REVIEW)[:-1] + ', "reviewRating": {"ratingValue": ' + "9" * 5000 + "}}",
            "ratingValue",
        ),
        (
            "a lone surrogate in NDJSON",
            '{"url": "https://c.example/1", "claimReviewed": "Bridge \\ud800", "author": "X",'
            ' "@type": "ClaimReview"}\n',
            "claimReviewed",
        ),
    ],
)
def test_odd_feeds_are_refused_by_name_not_with_a_500(
    client: FlaskClient, reviewer: dict[str, str], name: str, feed: Any, field: str | None
) -> None:
    response = _import(client, reviewer, feed=feed)
    assert response.status_code in (200, 422), (name, response.status_code)
    if field:
        assert response.status_code == 422
        assert field in json.dumps(response.json["errors"]), (name, response.json)


def test_a_google_review_whose_publisher_is_a_name_is_taken(
    client: FlaskClient, reviewer: dict[str, str]
) -> None:
    feed = {
        "claims": [
            {
                "text": "The ferry timetable was cut by half in 2024.",
                "claimReview": [
                    {"url": "https://x.example/a", "publisher": "Snopes", "textualRating": "False"}
                ],
            }
        ]
    }
    response = _import(client, reviewer, feed=feed)
    assert response.status_code == 200, response.json


def test_ndjson_lines_end_at_newlines_only(client: FlaskClient, reviewer: dict[str, str]) -> None:
    # U+2028 is legal unescaped in a JSON string, and json.dumps(ensure_ascii=False) and
    # JSON.stringify write it raw; str.splitlines() broke the line there.
    first = REVIEW | {"claimReviewed": "The footbridge\u2028repair will cost 14.2 million."}
    second = REVIEW | {"url": "https://checks.example.org/2025/other"}
    feed = "\r\n".join(json.dumps(x, ensure_ascii=False) for x in (first, second))
    response = _import(client, reviewer, feed=feed)
    assert response.status_code == 200, response.json


def test_the_cli_reports_a_source_the_database_refuses_and_goes_on(
    tmp_path: Path, migrated_scratch: tuple[Any, str], monkeypatch: Any
) -> None:
    from sqlalchemy.exc import DataError

    from service.cli import main
    from service.operations import factchecks

    first, second = tmp_path / "first.json", tmp_path / "second.json"
    first.write_text(json.dumps([_item(7, {"alternateName": "False"})]), encoding="utf-8")
    second.write_text(json.dumps([_item(8, {"alternateName": "False"})]), encoding="utf-8")
    real = factchecks.import_reviews
    calls = iter([True, False])

    def refusing(*args: Any, **kwargs: Any) -> Any:
        if next(calls):
            raise DataError("INSERT …", {}, Exception("value too long for type varchar(16)"))
        return real(*args, **kwargs)

    monkeypatch.setattr(factchecks, "import_reviews", refusing)
    monkeypatch.setenv("DATABASE_URL", migrated_scratch[1])
    result = CliRunner().invoke(main, ["import-claimreview", str(first), str(second)])
    assert result.exit_code == 1, result.output
    assert "first.json: nothing imported" in result.output
    assert "second.json: 1 new" in result.output


def test_a_match_etag_follows_the_fact_check_it_shows(
    client: FlaskClient,
    reviewer: dict[str, str],
    make_document: Callable[..., dict[str, Any]],
    make_claim: Callable[..., dict[str, Any]],
) -> None:
    body = "Council member Rosa Haddad said the footbridge repair will cost Lakeport 14.2 million."
    claim = make_claim(make_document(body=body), 0, len(body))
    _import(client, reviewer, feed=REVIEW | {"reviewRating": {"alternateName": "True"}})
    match = client.get(f"/api/v1/claims/{claim['id']}/fact-checks").json[0]
    first = client.get(f"/api/v1/fact-check-matches/{match['id']}")
    assert first.json["fact_check"]["status"] == "verified"
    changed = _import(client, reviewer, feed=REVIEW | {"reviewRating": {"alternateName": "False"}})
    assert changed.json["updated"] == 1
    again = client.get(
        f"/api/v1/fact-check-matches/{match['id']}",
        headers={"If-None-Match": first.headers["ETag"]},
    )
    assert again.status_code == 200
    assert again.json["fact_check"]["status"] == "false"


def test_a_claim_is_dated_for_matching_by_when_it_was_said(
    client: FlaskClient, reviewer: dict[str, str], session: Session
) -> None:
    from service.operations.factchecks import _claim_sides

    body = "The library lent 84,000 books in 2025. The mayor said on Monday that it will close."
    doc = client.post(
        "/api/v1/documents?wait=true",
        json={"body": body, "outlet": "Harbour Blog", "published_on": "2026-12-02"},
        headers=reviewer,
    ).json
    claims = client.get(f"/api/v1/documents/{doc['id']}/claims").json
    days = {c["text"][:11]: _claim_sides(session, {c["id"]})[c["id"]].day for c in claims}
    # What the claim speaks of (2025) is not when it was said: its document's day is.
    assert days["The library"] == date(2026, 12, 2)
    # A day-precise date of saying it is.
    assert days["The mayor s"] == date(2026, 11, 30)


def test_a_page_whose_review_names_no_headline_gives_its_title(
    client: FlaskClient, reviewer: dict[str, str]
) -> None:
    unnamed = {k: v for k, v in REVIEW.items() if k != "name"}
    page = (
        "<html><head><title>Footbridge repair cost checked</title>"
        '<script type="application/ld+json">' + json.dumps(unnamed) + "</script></head>"
        "<body><h1>Footbridge repair cost checked</h1><p>Our check.</p></body></html>"
    )
    imported = _import(client, reviewer, html=page)
    assert imported.status_code == 200, imported.json
    assert imported.json["fact_checks"][0]["headline"] == "Footbridge repair cost checked"
