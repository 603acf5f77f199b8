"""Syndicated copies: a reprint is proposed as derived from the earlier document, counted as
a possible copy until a reviewer decides, and as one origin once confirmed."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from service.models import Document, DocumentCopy
from service.operations.actors import SYSTEM
from service.operations.copies import suggest_copies
from service.operations.documents import NewDocument, create_document

# A wire story written for these tests (about 190 words), and what outlets do to one.
WIRE = (
    "Lakeport, March 3 (Wire) - The Lakeport city council voted 6-3 on Tuesday to close the "
    "Old Mill footbridge for eighteen months while engineers replace its corroded steel "
    "deck, a repair the city estimates will cost 14.2 million dollars.\n\n"
    "Council member Rosa Haddad, who chairs the infrastructure committee, said inspections "
    "last autumn found that two of the bridge's four main girders had lost more than a "
    'third of their thickness to rust. "We were told plainly that it would not survive '
    'another winter of road salt," Haddad said.\n\n'
    "About 4,000 pedestrians and cyclists cross the footbridge on a typical weekday, "
    "according to the city's transport department, which plans a free shuttle bus between "
    "the two banks during the closure. Shop owners on Mill Street warned that the detour "
    "would cut their trade by half.\n\n"
    "The council rejected an amendment that would have kept one lane open for cyclists "
    "during the works. Construction is due to begin in May, and the contract will be "
    "awarded to one of three firms that bid for it last year, the city said in a statement "
    "after the vote.\n\n"
    "The bridge opened in 1962 and was last renovated in 1994."
)
REPRINT = "Commuters in Lakeport face a long detour this summer.\n\n" + WIRE.rsplit("\n\n", 1)[
    0
].replace("(Wire) - ", "- ")
SAME_TOPIC = (
    "Lakeport's footbridge closure will reshape how people cross the river, our reporter "
    "found on a walk along Mill Street on Wednesday. Several shop owners said they had not "
    "been consulted before the council vote, and a bakery owner, Tomas Riedel, said his "
    "weekday sales already fell sharply during a shorter closure in 2019. Cyclists "
    "gathered outside city hall in the evening to ask for a temporary pontoon instead of "
    "the shuttle bus, which they described as too slow for people who commute to the "
    "factories on the east bank. A spokesperson for the transport department said a "
    "pontoon had been studied and found too expensive, at roughly twice the cost of the "
    "buses over eighteen months. Rosa Haddad repeated that the bridge could not survive "
    "another winter. Residents of the east bank plan a public meeting next week at the "
    "library, where they hope to hear from the engineers who inspected the girders and "
    "from the firms that bid for the repair contract."
)


def _post(client: FlaskClient, headers: dict[str, str], body: str, outlet: str, day: str) -> Any:
    response = client.post(
        "/api/v1/documents?wait=true",
        json={"body": body, "outlet": outlet, "published_on": day, "extract": False},
        headers=headers,
    )
    assert response.status_code == 201, response.json
    return response.json


def test_a_reprint_with_a_new_lede_and_trimmed_ending_is_proposed_as_a_copy(
    client: FlaskClient, reviewer: dict[str, str]
) -> None:
    wire = _post(client, reviewer, WIRE, "Wire", "2025-03-03")
    reprint = _post(client, reviewer, REPRINT, "Lakeport Daily", "2025-03-04")
    other = _post(client, reviewer, SAME_TOPIC, "Lakeport Daily", "2025-03-05")
    copies = client.get(f"/api/v1/documents/{reprint['id']}/copies").json
    assert len(copies) == 1
    found = copies[0]
    assert (found["document_id"], found["source_id"]) == (reprint["id"], wire["id"])
    assert found["state"] == "suggested"
    assert found["containment"] >= 0.9
    assert 0.5 < found["similarity"] < 1
    assert client.get(f"/api/v1/documents/{wire['id']}/copies").json == copies
    # Same subject, same names, a shared quote: not a copy.
    assert client.get(f"/api/v1/documents/{other['id']}/copies").json == []
    events = client.get("/api/v1/events?entity_type=document_copies").json["events"]
    assert [e["action"] for e in events] == ["document.copy_suggested"]


def test_a_copy_counts_as_a_possible_copy_then_as_one_origin_once_confirmed(
    client: FlaskClient,
    reviewer: dict[str, str],
    make_document: Callable[..., dict[str, Any]],
    make_claim: Callable[..., dict[str, Any]],
    confirm_link: Callable[..., dict[str, Any]],
    session: Session,
) -> None:
    wire = _post(client, reviewer, WIRE, "Wire", "2025-03-03")
    reprint = _post(client, reviewer, REPRINT, "Lakeport Daily", "2025-03-04")
    claim = make_claim(make_document(outlet="City Desk"))
    for doc in (wire, reprint):
        backing = make_claim(doc)
        confirm_link(reviewer, claim["id"], backing["id"], "corroborates")
    shown = client.get(f"/api/v1/claims/{claim['id']}").json["corroboration"]
    assert (shown["independent_origins"], shown["possible_copies"]) == (2, 1)

    copy = client.get(f"/api/v1/documents/{reprint['id']}/copies").json[0]
    etag = client.get(f"/api/v1/copies/{copy['id']}").headers["ETag"]
    no_reason = client.patch(
        f"/api/v1/copies/{copy['id']}",
        json={"state": "confirmed"},
        headers=reviewer | {"If-Match": etag},
    )
    assert no_reason.status_code == 422
    confirmed = client.patch(
        f"/api/v1/copies/{copy['id']}",
        json={"state": "confirmed", "rationale": "the agency story, reprinted"},
        headers=reviewer | {"If-Match": etag},
    )
    assert confirmed.status_code == 200, confirmed.json
    assert client.get(f"/api/v1/documents/{reprint['id']}").json["derived_from_id"] == wire["id"]
    shown = client.get(f"/api/v1/claims/{claim['id']}").json["corroboration"]
    assert (shown["independent_origins"], shown["possible_copies"]) == (1, 0)
    stale = client.patch(
        f"/api/v1/copies/{copy['id']}",
        json={"state": "rejected", "rationale": "changed my mind"},
        headers=reviewer | {"If-Match": etag},
    )
    assert stale.status_code == 412
    # Rejected after all: independent again, and never proposed again.
    etag = client.get(f"/api/v1/copies/{copy['id']}").headers["ETag"]
    rejected = client.patch(
        f"/api/v1/copies/{copy['id']}",
        json={"state": "rejected", "rationale": "a rewrite with its own reporting"},
        headers=reviewer | {"If-Match": etag},
    )
    assert rejected.status_code == 200
    assert client.get(f"/api/v1/documents/{reprint['id']}").json["derived_from_id"] is None
    shown = client.get(f"/api/v1/claims/{claim['id']}").json["corroboration"]
    assert (shown["independent_origins"], shown["possible_copies"]) == (2, 0)
    again = _post(client, reviewer, REPRINT + " Updated.", "Lakeport Daily", "2025-03-04")
    proposed = client.get(f"/api/v1/documents/{again['id']}/copies").json
    # The new text is proposed against both stored versions; the rejected pair stays rejected.
    assert {(c["document_id"], c["source_id"], c["state"]) for c in proposed} >= {
        (again["id"], wire["id"], "suggested")
    }
    assert client.get(f"/api/v1/copies/{copy['id']}").json["state"] == "rejected"
    # Indexed again, the reprint finds its source again, and the rejected pair is not
    # proposed again.
    again_found = suggest_copies(session, SYSTEM, session.get(Document, reprint["id"]))
    assert all(c.source_id != wire["id"] for c in again_found)
    assert client.get(f"/api/v1/copies/{copy['id']}").json["state"] == "rejected"


def test_a_declared_derivation_is_not_proposed_again(
    client: FlaskClient, reviewer: dict[str, str]
) -> None:
    wire = _post(client, reviewer, WIRE, "Wire", "2025-03-03")
    declared = client.post(
        "/api/v1/documents?wait=true",
        json={
            "body": REPRINT,
            "outlet": "Lakeport Daily",
            "derived_from_id": wire["id"],
            "extract": False,
        },
        headers=reviewer,
    ).json
    assert client.get(f"/api/v1/documents/{declared['id']}/copies").json == []


def test_confirming_a_copy_under_a_verdict_shows_it_needs_another_look(
    client: FlaskClient, reviewer: dict[str, str], editor: dict[str, str]
) -> None:
    # A claim verified on a corroboration from another outlet; that outlet's article turns
    # out to be a reprint of the wire story the claim came from: nothing independent is left.
    wire = _post(client, reviewer, WIRE, "Wire", "2025-03-03")
    reprint = _post(client, reviewer, REPRINT, "Lakeport Daily", "2025-03-04")
    sentence = "About 4,000 pedestrians and cyclists cross the footbridge on a typical weekday"
    ids = []
    for doc, body in ((wire, WIRE), (reprint, REPRINT)):
        start = body.index(sentence)
        made = client.post(
            "/api/v1/claims",
            json={"document_id": doc["id"], "span": {"start": start, "end": start + len(sentence)}},
            headers=reviewer,
        )
        assert made.status_code == 201, made.json
        ids.append(made.json["id"])
    link = client.post(
        "/api/v1/links",
        json={
            "claim_a_id": ids[0],
            "claim_b_id": ids[1],
            "relation": "corroborates",
            "state": "confirmed",
            "rationale": "the same count",
        },
        headers=reviewer,
    )
    assert link.status_code == 201, link.json
    etag = client.get(f"/api/v1/claims/{ids[0]}").headers["ETag"]
    verified = client.put(
        f"/api/v1/claims/{ids[0]}/status",
        json={"status": "verified", "rationale": "another paper says so"},
        headers=editor | {"If-Match": etag},
    )
    assert verified.status_code == 200, verified.json
    assert client.get(f"/api/v1/claims/{ids[0]}").json["review_flag"] is None
    copy = client.get(f"/api/v1/documents/{reprint['id']}/copies").json[0]
    etag = client.get(f"/api/v1/copies/{copy['id']}").headers["ETag"]
    confirmed = client.patch(
        f"/api/v1/copies/{copy['id']}",
        json={"state": "confirmed", "rationale": "a reprint"},
        headers=reviewer | {"If-Match": etag},
    )
    assert confirmed.status_code == 200, confirmed.json
    view = client.get(f"/api/v1/claims/{ids[0]}").json
    assert view["corroboration"]["independent_origins"] == 0
    assert "what that verdict needs is gone" in view["review_flag"]


def test_two_reprints_ingested_at_once_are_still_proposed_as_copies(
    migrated_scratch: tuple[Engine, str],
) -> None:
    # Each ingest looked for the other's band keys before either had committed them.
    engine, _ = migrated_scratch
    first = Session(engine)
    create_document(first, SYSTEM, NewDocument(body=WIRE, outlet="Wire"))
    errors: list[Exception] = []

    def second() -> None:
        with Session(engine) as session:
            try:
                create_document(session, SYSTEM, NewDocument(body=REPRINT, outlet="Lakeport"))
                session.commit()
            except Exception as exc:
                errors.append(exc)

    thread = threading.Thread(target=second)
    thread.start()
    time.sleep(0.5)  # the second ingest now waits for the first's keys
    first.commit()
    first.close()
    thread.join()
    assert errors == []
    with Session(engine) as session:
        assert session.scalars(select(DocumentCopy)).all(), "no copy proposed"


def test_a_revision_and_a_reprint_of_it_ingested_at_once_do_not_deadlock(
    migrated_scratch: tuple[Engine, str], monkeypatch: Any
) -> None:
    # A revision of the wire story (same URL) while a reprint of it is ingested: the
    # revision locked the document and then asked for its new text's band keys, while the
    # reprint held those keys and checked the document's key for its copy proposal.
    # (Found by reviewer helpers, twice.)
    from service.operations import documents

    engine, _ = migrated_scratch
    url = "https://wire.example/footbridge"
    with Session(engine) as session:
        documents.submit_document(
            session, SYSTEM, NewDocument(body=WIRE, outlet="Wire", url=url), extract=False
        )
        session.commit()
    revising = documents.revise_document

    def slow_revision(*args: Any, **kwargs: Any) -> Any:
        done = revising(*args, **kwargs)
        time.sleep(0.7)  # the reprint arrives while the revision holds what it holds
        return done

    monkeypatch.setattr(documents, "revise_document", slow_revision)
    errors: list[str] = []

    def revise() -> None:
        with Session(engine) as session:
            try:
                body = WIRE + "\n\nCorrection: the vote was 6-3."
                documents.submit_document(
                    session, SYSTEM, NewDocument(body=body, outlet="Wire", url=url), extract=False
                )
                session.commit()
            except Exception as exc:
                errors.append("revision: " + type(getattr(exc, "orig", exc)).__name__)

    thread = threading.Thread(target=revise)
    thread.start()
    time.sleep(0.3)
    with Session(engine) as session:
        try:
            create_document(session, SYSTEM, NewDocument(body=REPRINT, outlet="Lakeport"))
            session.commit()
        except Exception as exc:
            errors.append("reprint: " + type(getattr(exc, "orig", exc)).__name__)
    thread.join(30)
    assert errors == []


def test_indexing_stored_documents_holds_one_documents_locks_at_a_time(
    migrated_scratch: tuple[Engine, str], monkeypatch: Any
) -> None:
    # Indexing takes an advisory lock per band key (64 a document) until commit: a batch of
    # documents in one transaction ran out of the server's lock table (found by a reviewer).
    import random

    from click.testing import CliRunner
    from sqlalchemy import text

    from service.cli import main

    engine, url = migrated_scratch
    pick = random.Random(7)
    words = [f"w{i}" for i in range(5000)]
    for n in range(250):
        with Session(engine) as session:
            body = " ".join(pick.choice(words) for _ in range(150)) + f" document {n}."
            create_document(session, SYSTEM, NewDocument(body=body))
            session.commit()
    with engine.begin() as connection:  # as if stored before copy detection
        connection.execute(text("DELETE FROM document_bands"))
    monkeypatch.setenv("DATABASE_URL", url)
    result = CliRunner().invoke(main, ["index-copies"])
    assert result.exit_code == 0, result.output
    assert "250 documents indexed" in result.output


def test_a_revision_and_a_reprint_declaring_it_as_source_do_not_deadlock(
    migrated_scratch: tuple[Engine, str], monkeypatch: Any
) -> None:
    # The reprint's insert checks its source's key before it asks for its band keys; the
    # revision held those keys and waited for that key check. (Found by a reviewer helper.)
    from service.operations import documents

    engine, _ = migrated_scratch
    url = "https://wire.example/footbridge"
    with Session(engine) as session:
        d, _, _ = documents.submit_document(
            session, SYSTEM, NewDocument(body=WIRE, outlet="Wire", url=url), extract=False
        )
        session.commit()
        d_id = d.id
    real_locked = documents._locked

    def slow_locked(*a: Any, **k: Any) -> Any:
        time.sleep(0.7)  # band keys held; the reprint checks its derived_from key meanwhile
        return real_locked(*a, **k)

    monkeypatch.setattr(documents, "_locked", slow_locked)
    errors: list[str] = []

    def revise() -> None:
        with Session(engine) as session:
            try:
                body = WIRE + "\n\nCorrection: the vote was 6-3."
                documents.submit_document(
                    session, SYSTEM, NewDocument(body=body, outlet="Wire", url=url), extract=False
                )
                session.commit()
            except Exception as exc:
                errors.append("revision: " + type(getattr(exc, "orig", exc)).__name__)

    thread = threading.Thread(target=revise)
    thread.start()
    time.sleep(0.3)
    with Session(engine) as session:
        try:
            create_document(
                session,
                SYSTEM,
                NewDocument(body=REPRINT, outlet="Lakeport", derived_from_id=d_id),
            )
            session.commit()
        except Exception as exc:
            errors.append("reprint: " + type(getattr(exc, "orig", exc)).__name__)
    thread.join(30)
    assert errors == []
