"""Lists and the claim view run a fixed number of statements, however many rows they show."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.api.test_linking_api import verified_on_a_link


def _statements_for(client: FlaskClient, count_queries: list[str], url: str) -> int:
    count_queries.clear()
    assert client.get(url).status_code == 200
    return len(count_queries)


def test_claim_lists_do_not_grow_statements_with_rows(
    client: FlaskClient,
    count_queries: list[str],
    make_document: Callable[..., dict[str, Any]],
    make_claim: Callable[..., dict[str, Any]],
) -> None:
    doc = make_document()
    make_claim(doc, speaker_name="Jane Doe")
    few = _statements_for(client, count_queries, f"/api/v1/claims?document_id={doc['id']}")
    for i in range(5):
        make_claim(make_document(), speaker_name=f"Person {i}")
    many = _statements_for(client, count_queries, "/api/v1/claims?limit=50")
    assert few == many <= 2


def test_the_claim_view_is_one_statement_without_links(
    client: FlaskClient,
    count_queries: list[str],
    make_document: Callable[..., dict[str, Any]],
    make_claim: Callable[..., dict[str, Any]],
) -> None:
    claim = make_claim(make_document(), speaker_name="Jane Doe")
    assert _statements_for(client, count_queries, f"/api/v1/claims/{claim['id']}") == 1


def test_a_linked_claim_takes_one_more_statement_only_for_confirmed_support(
    client: FlaskClient,
    count_queries: list[str],
    editor: dict[str, str],
    make_document: Callable[..., dict[str, Any]],
    make_claim: Callable[..., dict[str, Any]],
    confirm_link: Callable[..., dict[str, Any]],
) -> None:
    """Links come with the claim; the lineage of the documents backing it (and their
    unreviewed copies) is the second statement, however many backers there are."""
    claim = make_claim(make_document(outlet="Gazette"))
    url = f"/api/v1/claims/{claim['id']}"
    conflicting = make_claim(make_document(outlet="Courier"))
    confirm_link(editor, claim["id"], conflicting["id"], "conflicts")
    assert _statements_for(client, count_queries, url) == 1
    for outlet in ("Tribune", "Herald", "Radio"):
        backer = make_claim(make_document(outlet=outlet))
        confirm_link(editor, claim["id"], backer["id"], "corroborates")
    assert _statements_for(client, count_queries, url) == 2
    shown = client.get(url).json["corroboration"]
    assert (shown["independent_origins"], shown["confirmed_links"], shown["open_conflicts"]) == (
        3,
        4,
        1,
    )


def test_document_and_speaker_lists_are_one_or_two_statements(
    client: FlaskClient,
    count_queries: list[str],
    make_document: Callable[..., dict[str, Any]],
    reviewer: dict[str, str],
) -> None:
    for i in range(4):
        make_document(outlet=f"Outlet {i}")
        client.post("/api/v1/speakers", json={"name": f"Speaker {i}"}, headers=reviewer)
    assert _statements_for(client, count_queries, "/api/v1/documents?limit=50") <= 2
    assert _statements_for(client, count_queries, "/api/v1/speakers?limit=50") <= 2


def test_review_flags_in_a_list_take_the_same_statements_for_one_verdict_or_five(
    client: FlaskClient,
    count_queries: list[str],
    editor: dict[str, str],
    reviewer: dict[str, str],
    make_document: Callable[..., dict[str, Any]],
    make_claim: Callable[..., dict[str, Any]],
    confirm_link: Callable[..., dict[str, Any]],
) -> None:
    # Each listed verdict resting on links is judged for its review flag: for the whole page
    # at once, not a claim at a time.
    made = (make_document, make_claim, confirm_link)
    verified_on_a_link(client, (reviewer, editor), made, "0", "Gazette 0")
    one = _statements_for(client, count_queries, "/api/v1/claims?limit=200")
    for n in range(1, 5):
        verified_on_a_link(client, (reviewer, editor), made, str(n), f"Gazette {n}")
    five = _statements_for(client, count_queries, "/api/v1/claims?limit=200")
    assert one == five <= 5


def test_needs_review_judges_a_bounded_number_of_claims_a_request(
    client: FlaskClient,
    count_queries: list[str],
    editor: dict[str, str],
    reviewer: dict[str, str],
    make_document: Callable[..., dict[str, Any]],
    make_claim: Callable[..., dict[str, Any]],
    confirm_link: Callable[..., dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Healthy verdicts are candidates too: however many there are before the next claim that
    # needs review, one request judges at most _SCAN_MAX of them and hands out a cursor.
    import service.operations.claims as claims

    monkeypatch.setattr(claims, "_SCAN", 2)
    monkeypatch.setattr(claims, "_SCAN_MAX", 4)
    made = (make_document, make_claim, confirm_link)
    for n in range(5):
        verified_on_a_link(client, (reviewer, editor), made, str(n), f"Gazette {n}")
    url = "/api/v1/claims?needs_review=true&limit=1"
    few = _statements_for(client, count_queries, url)
    for n in range(5, 11):
        verified_on_a_link(client, (reviewer, editor), made, str(n), f"Gazette {n}")
    last, backing = verified_on_a_link(client, (reviewer, editor), made, "11", "Gazette 11")
    gone = client.get(f"/api/v1/claims/{backing}").headers["ETag"]
    rejected = client.put(
        f"/api/v1/claims/{backing}/status",
        json={"status": "rejected", "rationale": "an advert"},
        headers=reviewer | {"If-Match": gone},
    )
    assert rejected.status_code == 200, rejected.json
    assert _statements_for(client, count_queries, url) == few
    # Following the cursor reaches the one claim that needs review, after short pages.
    found, pages = [], 0
    while url:
        page = client.get(url)
        assert page.status_code == 200, page.json
        found += [c["id"] for c in page.json]
        pages += 1
        url = page.headers.get("Link", "").partition("<")[2].partition(">")[0]
    assert found == [last]
    assert pages > 2
