"""Suggestions, corroboration by independent origin, and same-claim clusters through the API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import delete, select, text, update
from sqlalchemy.orm import Session

from service.extraction import LINKABLE
from service.linking import semantic
from service.models import Claim
from service.operations.claims import history_statement
from service.operations.suggestions import backfill_vectors
from tests.conftest import read_seed, requires_model

Doc = Callable[..., dict[str, Any]]
TEXT = (
    "Harbour master Ingrid Solberg said the Nordhavn ferry carried 1.2 million passengers in 2023."
)


def _doc_with_claim(
    make_document: Doc, make_claim: Doc, text: str = TEXT, **doc: Any
) -> dict[str, Any]:
    document = make_document(body=text, **doc)
    return make_claim(document, start=0, end=len(text))


def test_suggestions_find_the_same_claim_elsewhere_with_reasons(
    client: FlaskClient, make_document: Doc, make_claim: Doc
) -> None:
    a = _doc_with_claim(make_document, make_claim, outlet="Gazette")
    other = "The Nordhavn ferry carried 1.2 million passengers in 2023, Ingrid Solberg said."
    b = _doc_with_claim(make_document, make_claim, other, outlet="Tribune")
    response = client.get(f"/api/v1/claims/{a['id']}/suggestions")
    assert response.status_code == 200
    top = response.json[0]
    assert top["claim"]["id"] == b["id"]
    assert top["relation"] == "same_claim"
    assert "1.2 million" in top["reasons"]["shared_numbers"]


def test_a_suggestion_already_stored_names_its_link(
    client: FlaskClient, reviewer: dict[str, str], suggested_pair: dict[str, Any]
) -> None:
    claim_id, link = suggested_pair["claim_id"], suggested_pair["link"]
    other = link["claim_b_id"] if link["claim_a_id"] == claim_id else link["claim_a_id"]
    found = client.get(f"/api/v1/claims/{claim_id}/suggestions").json
    entry = next(s for s in found if s["claim"]["id"] == other)
    assert entry["link_id"] == link["id"]
    # The tool reviews that link instead of creating the pair again.
    etag = client.get(f"/api/v1/links/{entry['link_id']}").headers["ETag"]
    reviewed = client.patch(
        f"/api/v1/links/{entry['link_id']}",
        json={"state": "confirmed", "rationale": "the same statement"},
        headers=reviewer | {"If-Match": etag},
    )
    assert reviewed.status_code == 200
    assert all(
        s["link_id"] is None for s in client.get(f"/api/v1/claims/{claim_id}/suggestions").json
    )


def test_a_rejected_pair_is_never_suggested_again(
    client: FlaskClient, reviewer: dict[str, str], make_document: Doc, make_claim: Doc
) -> None:
    a = _doc_with_claim(make_document, make_claim, outlet="Gazette")
    b = _doc_with_claim(make_document, make_claim, TEXT + " Again.", outlet="Tribune")
    link = client.post(
        "/api/v1/links",
        json={"claim_a_id": a["id"], "claim_b_id": b["id"], "relation": "same_claim"},
        headers=reviewer,
    )
    client.patch(
        f"/api/v1/links/{link.json['id']}",
        json={"state": "rejected", "rationale": "different ferry"},
        headers=reviewer | {"If-Match": link.headers["ETag"]},
    )
    ids = [s["claim"]["id"] for s in client.get(f"/api/v1/claims/{a['id']}/suggestions").json]
    assert b["id"] not in ids


def test_corroboration_counts_independent_origins_only(
    client: FlaskClient,
    editor: dict[str, str],
    make_document: Doc,
    make_claim: Doc,
    confirm_link: Doc,
) -> None:
    claim = _doc_with_claim(make_document, make_claim, outlet="Gazette")
    sibling = _doc_with_claim(make_document, make_claim, TEXT + " (1)", outlet="Gazette")
    source = make_document(body=TEXT + " (2)", outlet="Radio")
    derived = make_document(body=TEXT + " (3)", outlet=None, derived_from_id=source["id"])
    other = _doc_with_claim(make_document, make_claim, TEXT + " (4)", outlet="Tribune")
    from_source = make_claim(source, start=0, end=len(TEXT))
    from_derived = make_claim(derived, start=0, end=len(TEXT))
    confirm_link(editor, claim["id"], sibling["id"], "corroborates")
    assert (
        client.get(f"/api/v1/claims/{claim['id']}").json["corroboration"]["independent_origins"]
        == 0
    )
    confirm_link(editor, claim["id"], from_source["id"], "same_claim")
    confirm_link(editor, claim["id"], from_derived["id"], "corroborates")
    assert (
        client.get(f"/api/v1/claims/{claim['id']}").json["corroboration"]["independent_origins"]
        == 1
    )
    confirm_link(editor, claim["id"], other["id"], "corroborates")
    corroboration = client.get(f"/api/v1/claims/{claim['id']}").json["corroboration"]
    assert corroboration["independent_origins"] == 2
    assert corroboration["confirmed_links"] == 4
    assert (
        client.get(f"/api/v1/claims/{other['id']}").json["corroboration"]["independent_origins"]
        == 1
    )


def test_same_claim_links_form_a_cluster_listed_earliest_first(
    client: FlaskClient,
    editor: dict[str, str],
    make_document: Doc,
    make_claim: Doc,
    confirm_link: Doc,
) -> None:
    late = _doc_with_claim(make_document, make_claim, outlet="A", published_on="2025-03-02")
    early = _doc_with_claim(
        make_document, make_claim, TEXT + " (b)", outlet="B", published_on="2025-03-01"
    )
    middle = _doc_with_claim(
        make_document, make_claim, TEXT + " (c)", outlet="C", published_on="2025-03-01"
    )
    unrelated = _doc_with_claim(make_document, make_claim, TEXT + " (d)", outlet="D")
    confirm_link(editor, late["id"], early["id"], "same_claim")
    confirm_link(editor, early["id"], middle["id"], "same_claim")
    confirm_link(editor, middle["id"], unrelated["id"], "corroborates")
    cluster = client.get(f"/api/v1/claims/{late['id']}/cluster").json
    assert [m["claim_id"] for m in cluster] == [early["id"], middle["id"], late["id"]]
    assert cluster[0]["outlet"] == "B"
    assert client.get("/api/v1/claims/987654/cluster").status_code == 404


def test_ingesting_stores_suggested_links_to_earlier_documents(
    client: FlaskClient, reviewer: dict[str, str]
) -> None:
    first = client.post(
        "/api/v1/documents?wait=true", json={"body": TEXT, "outlet": "Gazette"}, headers=reviewer
    ).json
    other = "The Nordhavn ferry carried 1.2 million passengers in 2023, Ingrid Solberg said."
    second = client.post(
        "/api/v1/documents?wait=true", json={"body": other, "outlet": "Tribune"}, headers=reviewer
    ).json
    claim = client.get(f"/api/v1/documents/{second['id']}/claims").json[0]
    links = client.get(f"/api/v1/links?claim_id={claim['id']}&state=suggested").json
    assert len(links) == 1
    assert links[0]["relation"] == "same_claim"
    assert links[0]["reasons"]["shared_numbers"]
    assert first["id"] != second["id"]


def test_a_decision_on_a_stale_view_of_corroboration_is_refused(
    client: FlaskClient,
    editor: dict[str, str],
    make_document: Doc,
    make_claim: Doc,
    confirm_link: Doc,
) -> None:
    claim = _doc_with_claim(make_document, make_claim, outlet="Gazette")
    other = _doc_with_claim(make_document, make_claim, TEXT + " (x)", outlet="Tribune")
    seen = client.get(f"/api/v1/claims/{claim['id']}").headers["ETag"]
    confirm_link(editor, claim["id"], other["id"], "conflicts")
    # The claim itself did not change, but what an editor decides on did.
    stale = client.put(
        f"/api/v1/claims/{claim['id']}/status",
        headers=editor | {"If-Match": seen},
        json={"status": "disputed", "rationale": "conflicting report"},
    )
    assert stale.status_code == 412
    fresh = client.get(f"/api/v1/claims/{claim['id']}").headers["ETag"]
    assert fresh != seen
    ok = client.put(
        f"/api/v1/claims/{claim['id']}/status",
        headers=editor | {"If-Match": fresh},
        json={"status": "disputed", "rationale": "conflicting report"},
    )
    assert ok.status_code == 200


def test_re_extraction_replaces_claims_with_only_machine_suggestions_and_records_it(
    client: FlaskClient, reviewer: dict[str, str]
) -> None:
    client.post(
        "/api/v1/documents?wait=true", json={"body": TEXT, "outlet": "Gazette"}, headers=reviewer
    )
    other = "The Nordhavn ferry carried 1.2 million passengers in 2023, Ingrid Solberg said."
    second = client.post(
        "/api/v1/documents?wait=true", json={"body": other, "outlet": "Tribune"}, headers=reviewer
    ).json
    claim = client.get(f"/api/v1/documents/{second['id']}/claims").json[0]
    link = client.get(f"/api/v1/links?claim_id={claim['id']}").json[0]
    result = client.post(f"/api/v1/documents/{second['id']}/extract", headers=reviewer).json
    assert result["replaced"] == 1
    assert client.get(f"/api/v1/links/{link['id']}").status_code == 404
    feed = client.get(f"/api/v1/events?entity_type=claim_links&entity_id={link['id']}").json
    assert [e["action"] for e in feed["events"]][-1] == "link.deleted"


@requires_model
def test_suggestions_find_a_claim_close_in_meaning_with_no_word_in_common(
    client: FlaskClient, make_document: Doc, make_claim: Doc, pgvector: object
) -> None:
    a = _doc_with_claim(
        make_document,
        make_claim,
        "The city council voted to shut the Nordhavn ferry route next spring.",
        outlet="Gazette",
    )
    b = _doc_with_claim(
        make_document,
        make_claim,
        "Boats between the two harbours will stop running after the winter, officials decided.",
        outlet="Tribune",
    )
    suggestions = client.get(f"/api/v1/claims/{a['id']}/suggestions").json
    assert [s["claim"]["id"] for s in suggestions] == [b["id"]]
    assert suggestions[0]["reasons"]["shared_words"] == []
    assert suggestions[0]["reasons"]["meaning_similarity"] >= 0.3


@requires_model
def test_vectors_are_stored_for_check_worthy_and_hand_made_claims_and_follow_edits(
    client: FlaskClient,
    reviewer: dict[str, str],
    make_document: Doc,
    make_claim: Doc,
    session: Session,
) -> None:
    body = read_seed("004_d61b52eb2a09237a.txt")  # a blog post: comments under the bar
    document = make_document(body=body, extract=True)
    rows = session.execute(
        select(Claim.checkworthiness, Claim.embedding).where(Claim.document_id == document["id"])
    ).all()
    assert rows
    assert all((e is not None) == (cw >= LINKABLE) for cw, e in rows)
    assert any(e is None for _, e in rows), "some extracted claims are under the link bar"
    manual = _doc_with_claim(make_document, make_claim, TEXT + " It was a record.")
    before = session.scalar(select(Claim.embedding).where(Claim.id == manual["id"]))
    assert before is not None
    assert len(before) == 2 * semantic.DIM
    edited = client.patch(
        f"/api/v1/claims/{manual['id']}",
        json={"span": {"start": len(TEXT) + 1, "end": len(TEXT) + 17}},
        headers=reviewer | {"If-Match": manual["etag"]},
    )
    assert edited.status_code == 200, edited.json
    session.expire_all()
    after = session.scalar(select(Claim.embedding).where(Claim.id == manual["id"]))
    assert after is not None
    assert after != before


@requires_model
def test_backfill_stores_missing_vectors_without_touching_versions(
    make_document: Doc, make_claim: Doc, session: Session
) -> None:
    claim = _doc_with_claim(make_document, make_claim)
    session.execute(update(Claim).where(Claim.id == claim["id"]).values(embedding=None))
    version = session.scalar(select(Claim.version).where(Claim.id == claim["id"]))
    assert backfill_vectors(session) >= 1
    row = session.execute(
        select(Claim.embedding, Claim.version).where(Claim.id == claim["id"])
    ).one()
    assert row.embedding is not None
    assert row.version == version
    assert backfill_vectors(session) == 0


def test_a_caption_repeated_in_a_document_gets_one_queue_entry(
    client: FlaskClient, reviewer: dict[str, str]
) -> None:
    client.post(
        "/api/v1/documents?wait=true", json={"body": TEXT, "outlet": "Gazette"}, headers=reviewer
    )
    caption = "The Nordhavn ferry carried 1.2 million passengers in 2023, Ingrid Solberg said."
    # The second appearance carries a photo credit: another block, the same sentence.
    body = f"{caption}\nThe yard in Bergen is closing.\n{caption} (Ana Berg / AP)\n"
    second = client.post(
        "/api/v1/documents?wait=true", json={"body": body, "outlet": "Tribune"}, headers=reviewer
    ).json
    claims = client.get(f"/api/v1/documents/{second['id']}/claims").json
    assert [c["text"] for c in claims].count(caption) == 2
    links = [
        link
        for c in claims
        for link in client.get(f"/api/v1/links?claim_id={c['id']}&state=suggested").json
    ]
    assert len(links) == 1


def test_a_rejected_pair_does_not_come_back_through_a_repeated_sentence(
    client: FlaskClient, reviewer: dict[str, str], make_document: Doc, make_claim: Doc
) -> None:
    sentence = "The Nordhavn ferry carried 1.2 million passengers in 2023."
    mine = _doc_with_claim(make_document, make_claim, sentence, outlet="Gazette")
    body = f"{sentence} A caption. {sentence}"
    other = make_document(body=body, outlet="Tribune")
    first = make_claim(other, start=0, end=len(sentence))
    again = body.rindex(sentence)
    make_claim(other, start=again, end=again + len(sentence))

    def suggested() -> list[int]:
        found = client.get(f"/api/v1/claims/{mine['id']}/suggestions").json
        return [s["claim"]["id"] for s in found]

    assert suggested() == [first["id"]]  # the repeated sentence is one candidate
    link = client.post(
        "/api/v1/links",
        json={"claim_a_id": mine["id"], "claim_b_id": first["id"], "relation": "same_claim"},
        headers=reviewer,
    ).json
    etag = client.get(f"/api/v1/links/{link['id']}").headers["ETag"]
    rejected = client.patch(
        f"/api/v1/links/{link['id']}",
        json={"state": "rejected", "rationale": "another ferry"},
        headers=reviewer | {"If-Match": etag},
    )
    assert rejected.status_code == 200
    assert suggested() == []  # not its second appearance either


@requires_model
def test_a_summary_restating_its_source_gets_a_same_claim_suggestion(
    client: FlaskClient, reviewer: dict[str, str]
) -> None:
    source = client.post(
        "/api/v1/documents?wait=true",
        json={
            "body": "Harbour master Ingrid Solberg said the Nordhavn ferry carried 1.2 million "
            "passengers in 2023, more than in any year before.",
            "outlet": "Harbour Radio",
            "kind": "transcript",
        },
        headers=reviewer,
    ).json
    notes = client.post(
        "/api/v1/documents?wait=true",
        json={
            "body": "Record year: 1.2 million people rode the Nordhavn ferry in 2023, according "
            "to harbour master Ingrid Solberg.",
            "kind": "notes",
            "derived_from_id": source["id"],
        },
        headers=reviewer,
    ).json
    claim = client.get(f"/api/v1/documents/{notes['id']}/claims").json[0]
    links = client.get(f"/api/v1/links?claim_id={claim['id']}&state=suggested").json
    assert [(link["relation"], link["reasons"].get("derived_from_source")) for link in links] == [
        ("same_claim", True)
    ]


def test_lexeme_rarity_comes_from_postgres_statistics_not_a_scan(
    client: FlaskClient, reviewer: dict[str, str], session: Session, monkeypatch: Any
) -> None:
    from sqlalchemy import text

    from service.linking import retrieval

    for n in range(6):
        client.post(
            "/api/v1/documents?wait=true",
            json={
                "body": f"The harbour board sold ferry {n} to a buyer in Oslo.",
                "outlet": f"O{n}",
            },
            headers=reviewer,
        )
    session.execute(text("ANALYZE claims"))
    # A fresh read, and the process's cache as it was afterwards.
    monkeypatch.setattr(retrieval, "_stats", {})
    counts = retrieval.lexeme_frequencies(session)
    assert counts.get("harbour", 0) >= 1
    assert "ferri" in counts or "sold" in counts


def test_suggested_links_are_stored_together_each_with_its_event(
    session: Session,
    make_document: Callable[..., dict[str, Any]],
    make_claim: Callable[..., dict[str, Any]],
    reviewer: dict[str, str],
    client: FlaskClient,
) -> None:
    """Ingest stores a document's suggestions in one statement: each new pair becomes a
    suggested link with its `link.created` event; a pair linked meanwhile, a pair within one
    document, a claim gone meanwhile and a repeated pair are skipped, not errors."""
    from service.domain.enums import LinkRelation
    from service.operations.actors import SYSTEM
    from service.operations.links import NewLink, create_suggested_links

    first = make_document(outlet="Gazette")
    a = make_claim(first)
    second = first["body"].index("Officials")
    a2 = make_claim(first, start=second, end=first["body"].index(".", second) + 1)
    b = make_claim(make_document(outlet="Courier"))
    c = make_claim(make_document(outlet="Herald"))
    d = make_claim(make_document(outlet="Tribune"))
    linked = client.post(
        "/api/v1/links",
        json={"claim_a_id": a["id"], "claim_b_id": d["id"], "relation": "corroborates"},
        headers=reviewer,
    )
    assert linked.status_code == 201, linked.json

    def suggestion(x: int, y: int) -> NewLink:
        return NewLink((x, y), LinkRelation.CORROBORATES, score=0.7, reasons={"cosine": 0.8})

    made = create_suggested_links(
        session,
        SYSTEM,
        [
            suggestion(b["id"], a["id"]),  # stored as (a, b)
            suggestion(a["id"], b["id"]),  # the same pair again
            suggestion(a["id"], c["id"]),
            suggestion(a["id"], d["id"]),  # linked already
            suggestion(a["id"], a2["id"]),  # one document
            suggestion(a["id"], 2_000_000_000),  # no such claim
        ],
    )
    assert sorted((m.claim_a_id, m.claim_b_id) for m in made) == sorted(
        [tuple(sorted((a["id"], b["id"]))), tuple(sorted((a["id"], c["id"])))]
    )
    assert {(m.state, m.version) for m in made} == {("suggested", 1)}
    events = session.execute(
        text(
            "SELECT entity_id, after FROM events"
            " WHERE action = 'link.created' AND entity_id = ANY(:ids)"
        ),
        {"ids": [m.id for m in made]},
    ).all()
    assert sorted(e for e, _ in events) == sorted(m.id for m in made)
    assert all(after["state"] == "suggested" and after["score"] == 0.7 for _, after in events)


def _set_status(client: FlaskClient, headers: dict[str, str], claim_id: int, **body: Any) -> Any:
    etag = client.get(f"/api/v1/claims/{claim_id}").headers["ETag"]
    return client.put(
        f"/api/v1/claims/{claim_id}/status", json=body, headers=headers | {"If-Match": etag}
    )


def verified_on_a_link(
    client: FlaskClient,
    people: tuple[dict[str, str], dict[str, str]],
    make: tuple[Doc, Doc, Doc],
    tag: str,
    outlet: str = "Gazette",
) -> tuple[int, int]:
    """A claim of `outlet` verified on one corroborating link to a claim of another outlet
    (the verdict rests on that link alone): both claims' ids. `people` are the reviewer and
    the editor, `make` the make_document, make_claim and confirm_link fixtures."""
    reviewer, editor = people
    make_document, make_claim, confirm_link = make
    claim = _doc_with_claim(make_document, make_claim, f"{TEXT} [{tag}]", outlet=outlet)
    other = _doc_with_claim(make_document, make_claim, f"{TEXT} ({tag})", outlet="Courier")
    confirm_link(reviewer, claim["id"], other["id"], "corroborates")
    done = _set_status(client, editor, claim["id"], status="verified", rationale="backed")
    assert done.status_code == 200, done.json
    return claim["id"], other["id"]


def test_a_rejected_claim_backs_nothing_and_cannot_be_linked(
    client: FlaskClient,
    reviewer: dict[str, str],
    editor: dict[str, str],
    make_document: Doc,
    make_claim: Doc,
    confirm_link: Doc,
) -> None:
    claim = _doc_with_claim(make_document, make_claim, outlet="Gazette")
    backing = _doc_with_claim(make_document, make_claim, TEXT + " (1)", outlet="Tribune")
    third = _doc_with_claim(make_document, make_claim, TEXT + " (2)", outlet="Herald")
    confirm_link(reviewer, claim["id"], backing["id"], "corroborates")
    pending = client.post(
        "/api/v1/links",
        json={"claim_a_id": claim["id"], "claim_b_id": third["id"], "relation": "conflicts"},
        headers=reviewer,
    ).json
    fresh = _doc_with_claim(make_document, make_claim, TEXT + " (3)", outlet="Courier")
    turned_down = client.post(
        "/api/v1/links",
        json={"claim_a_id": fresh["id"], "claim_b_id": backing["id"], "relation": "corroborates"},
        headers=reviewer,
    ).json
    etag = client.get(f"/api/v1/links/{turned_down['id']}").headers["ETag"]
    assert (
        client.patch(
            f"/api/v1/links/{turned_down['id']}",
            json={"state": "rejected", "rationale": "unrelated"},
            headers=reviewer | {"If-Match": etag},
        ).status_code
        == 200
    )
    for rejected in (backing, third):
        answer = _set_status(client, reviewer, rejected["id"], status="rejected", rationale="ad")
        assert answer.status_code == 200, answer.json

    # The confirmed link to a non-claim no longer corroborates: not on the claim, not in the
    # report, not for the verified rule.
    view = client.get(f"/api/v1/claims/{claim['id']}").json
    assert view["corroboration"]["independent_origins"] == 0
    entry = client.get(f"/api/v1/documents/{claim['document_id']}/report").json["claims"][0]
    assert entry["independent_origins"] == 0
    assert entry["conflicting"] == []
    refused = _set_status(client, editor, claim["id"], status="verified", rationale="backed")
    assert refused.status_code == 422

    # The suggestion to the rejected claim is gone from the queue, with its event; the
    # confirmed link stays, as a decision taken.
    assert client.get(f"/api/v1/links/{pending['id']}").status_code == 404
    feed = f"/api/v1/events?entity_type=claim_links&entity_id={pending['id']}"
    history = client.get(feed).json["events"]
    assert history[-1]["action"] == "link.deleted"
    assert client.get(f"/api/v1/links?claim_id={backing['id']}&state=confirmed").json

    # Nor can a rejected claim be linked or a link to it confirmed.
    other = _doc_with_claim(make_document, make_claim, TEXT + " (4)", outlet="Post")
    made = client.post(
        "/api/v1/links",
        json={
            "claim_a_id": other["id"],
            "claim_b_id": backing["id"],
            "relation": "corroborates",
        },
        headers=reviewer,
    )
    assert made.status_code == 422
    assert "claim_b_id" in made.json["errors"]["json"]
    link = f"/api/v1/links/{turned_down['id']}"
    confirmed = client.patch(
        link,
        json={"state": "confirmed", "rationale": "on reflection"},
        headers=reviewer | {"If-Match": client.get(link).headers["ETag"]},
    )
    assert confirmed.status_code == 422
    assert "state" in confirmed.json["errors"]["json"]


def test_a_candidate_deleted_while_suggesting_is_left_out(
    client: FlaskClient, make_document: Doc, make_claim: Doc, monkeypatch: pytest.MonkeyPatch
) -> None:
    from service.operations import suggestions as module

    claim = _doc_with_claim(make_document, make_claim, outlet="Gazette")
    other = _doc_with_claim(make_document, make_claim, TEXT + " (1)", outlet="Tribune")
    ranking = module.suggest

    def racing(session: Session, target: Claim, top: int = 10) -> Any:
        ranked = ranking(session, target, top=top)
        assert ranked, "the other claim should be suggested"
        # A re-extraction of the other document commits between the ranking and the read of
        # the suggested claims (a GET reads in autocommit).
        session.execute(delete(Claim).where(Claim.id == other["id"]))
        return ranked

    monkeypatch.setattr(module, "suggest", racing)
    response = client.get(f"/api/v1/claims/{claim['id']}/suggestions")
    assert response.status_code == 200
    assert response.json == []


def test_a_link_deleted_by_re_extraction_reaches_its_documents_subscription(
    client: FlaskClient,
    admin: dict[str, str],
    reviewer: dict[str, str],
    suggested_pair: dict[str, Any],
    session: Session,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Re-extraction deletes the replaced claim in the transaction that deletes its link: the
    # link's documents must still be known when the outbox routes the link's deletion.
    monkeypatch.setenv("CLAIMDESK_WEBHOOK_ALLOW_PRIVATE", "1")
    document, link = suggested_pair["document_id"], suggested_pair["link"]
    hook = client.post(
        "/api/v1/webhooks",
        json={"url": "http://127.0.0.1:9/hook", "document_id": document},
        headers=admin,
    )
    assert hook.status_code == 201, hook.json
    again = client.post(f"/api/v1/documents/{document}/extract", headers=reviewer)
    assert again.json["replaced"] == 1
    delivered = session.execute(
        text("SELECT event_type, entity_key FROM webhook_deliveries WHERE subscription_id = :s"),
        {"s": hook.json["id"]},
    ).all()
    assert ("link.deleted", f"claim_links:{link['id']}") in [tuple(row) for row in delivered]


def test_a_verdict_whose_support_is_taken_back_is_flagged_for_re_review(
    client: FlaskClient,
    reviewer: dict[str, str],
    editor: dict[str, str],
    make_document: Doc,
    make_claim: Doc,
    confirm_link: Doc,
) -> None:
    claim = _doc_with_claim(make_document, make_claim, outlet="Gazette")
    backing = _doc_with_claim(make_document, make_claim, TEXT + " (1)", outlet="Tribune")
    second = _doc_with_claim(make_document, make_claim, TEXT + " (2)", outlet="Herald")
    third = _doc_with_claim(make_document, make_claim, TEXT + " (3)", outlet="Courier")
    link = confirm_link(reviewer, claim["id"], backing["id"], "corroborates")
    confirm_link(reviewer, claim["id"], second["id"], "corroborates")
    verified = _set_status(client, editor, claim["id"], status="verified", rationale="backed")
    assert verified.status_code == 200, verified.json

    def flag() -> Any:
        return client.get(f"/api/v1/claims/{claim['id']}").json["review_flag"]

    # One of two corroborations taken back: the verdict still holds.
    etag = client.get(f"/api/v1/links/{link['id']}").headers["ETag"]
    taken_back = client.patch(
        f"/api/v1/links/{link['id']}",
        json={"state": "rejected", "rationale": "another ferry"},
        headers=reviewer | {"If-Match": etag},
    )
    assert taken_back.status_code == 200
    assert flag() is None
    # The last one goes with its claim: the verdict rests on nothing, and the claim says so.
    rejected = _set_status(client, reviewer, second["id"], status="rejected", rationale="ad")
    assert rejected.status_code == 200, rejected.json
    assert "what that verdict needs is gone" in flag()
    # It says what the verdict lacks, not every way support can be lost.
    assert "no confirmed corroboration from an independent outlet" in flag()
    assert "fact-check match rejected" not in flag()
    assert client.get(f"/api/v1/claims/{claim['id']}").json["status"] == "verified"
    # The editor's fresh decision is the re-review: with new backing it stands again.
    fresh = confirm_link(reviewer, claim["id"], third["id"], "corroborates")
    assert flag() is None
    # And a link the verdict rests on, given another relation, takes it away again.
    etag = client.get(f"/api/v1/links/{fresh['id']}").headers["ETag"]
    relabelled = client.patch(
        f"/api/v1/links/{fresh['id']}",
        json={"state": "confirmed", "relation": "conflicts", "rationale": "it contradicts"},
        headers=reviewer | {"If-Match": etag},
    )
    assert relabelled.status_code == 200, relabelled.json
    assert "what that verdict needs is gone" in flag()
    again = _set_status(
        client,
        editor,
        claim["id"],
        status="verified",
        rationale="port records",
        evidence=[{"url": "https://example.org/port-records"}],
    )
    assert again.status_code == 200, again.json
    assert flag() is None


def test_claims_that_need_review_are_listed_with_their_flag(
    client: FlaskClient,
    reviewer: dict[str, str],
    editor: dict[str, str],
    make_document: Doc,
    make_claim: Doc,
    confirm_link: Doc,
    session: Session,
) -> None:
    # Three verified claims, each backed by a link to its own claim elsewhere; two of the
    # backing claims are then rejected, so two verdicts rest on nothing. A fourth verdict
    # rests on an evidence URL and a fifth claim is flagged by a revision (stored flag).
    verified, backing = [], []
    for n, outlet in enumerate(("Gazette", "Tribune", "Herald")):
        made = (make_document, make_claim, confirm_link)
        claim_id, other_id = verified_on_a_link(client, (reviewer, editor), made, str(n), outlet)
        verified.append(claim_id)
        backing.append(other_id)
    by_url = _doc_with_claim(make_document, make_claim, TEXT + " [url]", outlet="Post")
    done = _set_status(
        client,
        editor,
        by_url["id"],
        status="disputed",
        rationale="port records",
        evidence=[{"url": "https://example.org/port-records"}],
    )
    assert done.status_code == 200, done.json
    revised = _doc_with_claim(make_document, make_claim, TEXT + " [rev]", outlet="Times")
    session.execute(
        update(Claim).where(Claim.id == revised["id"]).values(review_flag="the text changed")
    )
    session.commit()
    for other in (backing[0], backing[2]):
        gone = _set_status(client, reviewer, other, status="rejected", rationale="an ad")
        assert gone.status_code == 200, gone.json

    def listed(query: str) -> list[dict[str, Any]]:
        rows, url = [], f"/api/v1/claims?{query}"
        while url:
            page = client.get(url)
            assert page.status_code == 200, page.json
            rows += page.json
            url = page.headers.get("Link", "").partition("<")[2].partition(">")[0]
        return rows

    mine = {*verified, *backing, by_url["id"], revised["id"]}
    flagged = [c for c in listed("needs_review=true&limit=1") if c["id"] in mine]
    assert [c["id"] for c in flagged] == [verified[0], verified[2], revised["id"]]
    assert "what that verdict needs is gone" in flagged[0]["review_flag"]
    assert flagged[2]["review_flag"] == "the text changed"
    # The plain list shows the same flag as GET /claims/{id}, and writes nothing.
    plain = {c["id"]: c["review_flag"] for c in listed("limit=2") if c["id"] in mine}
    for claim_id, shown in plain.items():
        assert shown == client.get(f"/api/v1/claims/{claim_id}").json["review_flag"]
    assert "what that verdict needs is gone" in plain[verified[2]]
    assert plain[verified[1]] is None
    assert plain[by_url["id"]] is None
    stored = session.scalars(select(Claim.review_flag).where(Claim.id.in_(verified))).all()
    assert stored == [None, None, None]


def test_a_suggested_claim_shows_the_review_flag_its_own_page_shows(
    client: FlaskClient,
    reviewer: dict[str, str],
    editor: dict[str, str],
    make_document: Doc,
    make_claim: Doc,
    confirm_link: Doc,
) -> None:
    made = (make_document, make_claim, confirm_link)
    verdict, backing = verified_on_a_link(client, (reviewer, editor), made, "v")
    gone = _set_status(client, reviewer, backing, status="rejected", rationale="an ad")
    assert gone.status_code == 200, gone.json
    shown = client.get(f"/api/v1/claims/{verdict}").json["review_flag"]
    assert "what that verdict needs is gone" in shown
    asker = _doc_with_claim(make_document, make_claim, TEXT, outlet="Tribune")
    suggested = {
        s["claim"]["id"]: s["claim"]["review_flag"]
        for s in client.get(f"/api/v1/claims/{asker['id']}/suggestions").json
    }
    assert suggested[verdict] == shown


def test_the_queue_leaves_out_a_suggestion_to_a_claim_rejected_before_the_rule(
    session: Session, suggested_pair: dict[str, Any]
) -> None:
    # Rejecting a claim deletes its suggestions now; one stored before that rule stays in
    # the table and must not be offered for confirmation (it would be refused).
    from service.operations.queue import queued_links

    link = suggested_pair["link"]
    assert link["id"] in [q.link.id for q in queued_links(session)[0]]
    session.execute(
        update(Claim).where(Claim.id == suggested_pair["claim_id"]).values(status="rejected")
    )
    assert link["id"] not in [q.link.id for q in queued_links(session)[0]]


def test_a_claims_history_with_links_holds_each_links_life_a_deleted_ones_included(
    client: FlaskClient,
    session: Session,
    reviewer: dict[str, str],
    editor: dict[str, str],
    make_document: Doc,
    make_claim: Doc,
) -> None:
    a = _doc_with_claim(make_document, make_claim, outlet="Gazette")
    b = _doc_with_claim(make_document, make_claim, TEXT + " (2)", outlet="Tribune")
    c = _doc_with_claim(make_document, make_claim, TEXT + " (3)", outlet="Herald")
    kept = client.post(
        "/api/v1/links",
        json={"claim_a_id": b["id"], "claim_b_id": a["id"], "relation": "corroborates"},
        headers=reviewer,
    )
    client.patch(
        f"/api/v1/links/{kept.json['id']}",
        json={"state": "confirmed", "relation": "same_claim", "rationale": "one statement"},
        headers=reviewer | {"If-Match": kept.headers["ETag"]},
    )
    gone = client.post(
        "/api/v1/links",
        json={"claim_a_id": a["id"], "claim_b_id": c["id"], "relation": "conflicts"},
        headers=reviewer,
    )
    both = client.delete(
        f"/api/v1/links/{gone.json['id']}",
        json={"reason": "a", "rationale": "b"},
        headers=editor | {"If-Match": gone.headers["ETag"]},
    )
    assert both.status_code == 422
    # A review's word for why is taken as the delete's reason, and kept in the history.
    deleted = client.delete(
        f"/api/v1/links/{gone.json['id']}",
        json={"rationale": "two ferries, not one"},
        headers=editor | {"If-Match": gone.headers["ETag"]},
    )
    assert deleted.status_code == 204
    # A link between two other claims is not in a's history.
    client.post(
        "/api/v1/links",
        json={"claim_a_id": b["id"], "claim_b_id": c["id"], "relation": "corroborates"},
        headers=reviewer,
    )

    plain = client.get(f"/api/v1/claims/{a['id']}/history").json
    assert {e["entity_type"] for e in plain} == {"claims"}
    full = client.get(f"/api/v1/claims/{a['id']}/history?links=true").json
    assert [e["id"] for e in full] == sorted(e["id"] for e in full)
    links = [(e["entity_id"], e["action"]) for e in full if e["entity_type"] == "claim_links"]
    assert links == [
        (kept.json["id"], "link.created"),
        (kept.json["id"], "link.confirmed"),
        (gone.json["id"], "link.created"),
        (gone.json["id"], "link.deleted"),
    ]
    assert [e for e in full if e["entity_type"] == "claims"] == plain
    assert [e["reason"] for e in full if e["action"] == "link.deleted"] == ["two ferries, not one"]
    # The other end's history has the link too; a bad flag is a 422 naming it.
    other = client.get(f"/api/v1/claims/{b['id']}/history?links=true").json
    assert (kept.json["id"], "link.confirmed") in [(e["entity_id"], e["action"]) for e in other]
    refused = client.get(f"/api/v1/claims/{a['id']}/history?links=maybe")
    assert refused.status_code == 422
    assert "links" in str(refused.json)

    # The lookup is the two indexes', not a scan of every event.
    session.execute(text("SET LOCAL enable_seqscan = off"))
    query = history_statement(a["id"]).compile(
        dialect=session.get_bind().dialect, compile_kwargs={"literal_binds": True}
    )
    plan = "\n".join(session.scalars(text(f"EXPLAIN {query}")))
    assert "ix_events_link_claim_a" in plan
    assert "ix_events_link_claim_b" in plan
    # ...and no branch filters every event: written as one OR of the claim's events and its
    # links', the planner read the whole table through the primary key with that OR as a
    # filter (340 ms at 1.6M events, docs/scaling.md). Each branch has its own conditions.
    filters = [line for line in plan.splitlines() if "Filter:" in line]
    assert not [f for f in filters if " OR " in f], plan
