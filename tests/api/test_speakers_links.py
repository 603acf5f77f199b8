"""Speakers (aliases, merge) and links (unordered pairs, review workflow, deletion)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from service.extraction.model import Candidate
from service.models import Document
from service.operations.actors import SYSTEM
from service.operations.claims import NewClaim, SpeakerChoice, create_claims
from service.operations.documents import NewDocument, create_document
from service.operations.extraction import SpeakerResolver
from service.operations.speakers import (
    create_speaker,
    get_speaker,
    lock_for_merge,
    merge_speakers,
)

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


def test_an_alias_is_kept_tidy_and_never_another_speakers_name(
    client: FlaskClient, reviewer: dict[str, str]
) -> None:
    jane = _speaker(client, reviewer, "Jane Doe")
    other = _speaker(client, reviewer, "Janet Dole")
    added = client.post(
        f"/api/v1/speakers/{other['id']}/aliases",
        json={"alias": "J\u200bDole"},
        headers=reviewer,
    )
    assert added.status_code == 201, added.json
    assert "JDole" in [a["alias"] for a in added.json["aliases"]]
    taken = client.post(
        f"/api/v1/speakers/{other['id']}/aliases",
        json={"alias": "Jane\u2060 Doe"},
        headers=reviewer,
    )
    assert taken.status_code == 409
    assert f"speaker {jane['id']} is already known as 'Jane Doe'" in taken.json["detail"]


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
    # Why it goes is required, as for every other change to what reviewers decided.
    unexplained = client.delete(url, headers=editor | {"If-Match": etag})
    assert unexplained.status_code == 422
    assert "reason" in unexplained.json["errors"]["json"]
    blank = client.delete(url, json={"reason": "  "}, headers=editor | {"If-Match": etag})
    assert blank.status_code == 422
    gone = client.delete(url, json={"reason": "a duplicate"}, headers=editor | {"If-Match": etag})
    assert gone.status_code == 204
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
        assert resolver.resolve_all([said]) == [target]


def _waiting_on_a_lock(engine: Engine, seconds: float = 10.0) -> None:
    """Returns once some session of this database waits on a lock."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            if conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND wait_event_type = 'Lock'"
                )
            ).scalar():
                return
        time.sleep(0.05)
    raise AssertionError("nothing waited on a lock")


def _free(engine: Engine, speaker_id: int) -> bool:
    """Whether no other transaction holds a lock on the speaker's row."""
    with engine.connect() as conn:
        try:
            conn.execute(
                text("SELECT id FROM speakers WHERE id = :i FOR UPDATE NOWAIT"), {"i": speaker_id}
            )
        except OperationalError:
            return False
        finally:
            conn.rollback()
    return True


def _jane_and_zed(engine: Engine) -> tuple[int, int]:
    """Two committed speakers, Jane Doe's id the lower."""
    with Session(engine) as session:
        jane = create_speaker(session, SYSTEM, "Jane Doe").id
        zed = create_speaker(session, SYSTEM, "Zed Brown").id
        session.commit()
    assert jane < zed
    return jane, zed


def _lock_order(
    engine: Engine, first: int, second: int, run: Callable[[Session], Any], table: str = "speakers"
) -> bool:
    """Runs `run` in a thread while another transaction holds row `first` of `table`; says
    whether speaker `second` stayed free while it waited (so it locks `first` before it)."""
    results: list[Any] = []
    with Session(engine) as blocker:
        blocker.execute(text(f"SELECT id FROM {table} WHERE id = :i FOR UPDATE"), {"i": first})

        def work() -> None:
            with Session(engine) as session:
                results.append(run(session))
                session.rollback()

        thread = threading.Thread(target=work)
        thread.start()
        _waiting_on_a_lock(engine)
        free = _free(engine, second)
        blocker.rollback()
    thread.join(30)
    assert results, "the locked work did not finish"
    return free


def test_an_extraction_locks_its_speakers_in_id_order_whatever_order_the_text_names_them(
    migrated_scratch: tuple[Engine, str],
) -> None:
    # The extraction took a share lock on each speaker as the text named it, and a merge
    # locked its source, then its target: "Zed Brown ... Jane Doe" in a document while Jane
    # Doe was merged into Zed Brown deadlocked, and one of the two failed. Both now lock in
    # id order; this one holds no speaker while it waits for the first.
    engine, _ = migrated_scratch
    jane, zed = _jane_and_zed(engine)
    named = [
        Candidate(0, 8, "It rose.", "Zed Brown", "indirect", "said", 0.9, None, 0.5),
        Candidate(9, 17, "It fell.", "Jane Doe", "indirect", "said", 0.9, None, 0.5),
        Candidate(18, 26, "It held.", "Doe", "indirect", "said", 0.9, None, 0.5),
        Candidate(27, 35, "It sank.", "Zed Browne", "indirect", "said", 0.9, None, 0.5),
    ]

    def extract(session: Session) -> list[int | None]:
        return SpeakerResolver(session, SYSTEM, Document(id=999, outlet=None)).resolve_all(named)

    assert _lock_order(engine, jane, zed, extract)
    with Session(engine) as session:
        assert SpeakerResolver(session, SYSTEM, Document(id=999, outlet=None)).resolve_all(
            named
        ) == [zed, jane, jane, zed]
        # The near name became an alias (Zed Brown's row locked for writing, in its turn).
        assert "Zed Browne" in {a.alias for a in get_speaker(session, zed).aliases}


def test_a_merge_locks_its_two_speakers_in_id_order(
    migrated_scratch: tuple[Engine, str],
) -> None:
    engine, _ = migrated_scratch
    jane, zed = _jane_and_zed(engine)

    def merge(session: Session) -> int:
        source, target = lock_for_merge(session, zed, jane)
        assert source is not None
        assert target is not None
        return merge_speakers(session, SYSTEM, source, target).id

    assert _lock_order(engine, jane, zed, merge)


def test_a_merge_waits_for_its_claims_before_it_locks_a_speaker(
    migrated_scratch: tuple[Engine, str],
) -> None:
    # An edit giving one of Jane Doe's claims to Zed Brown locks the claim, then Zed
    # Brown's key; a merge of Jane Doe into Zed Brown locked both speakers, then waited for
    # that claim in its UPDATE: a deadlock. It now waits for the claim holding no speaker.
    engine, _ = migrated_scratch
    jane, zed = _jane_and_zed(engine)
    with Session(engine) as session:
        doc, _ = create_document(session, SYSTEM, NewDocument(body="Rents rose 4% in May."))
        [made] = create_claims(
            session, SYSTEM, [NewClaim(doc.id, 0, 21, speaker=SpeakerChoice(speaker_id=jane))]
        )
        claim = made.id
        session.commit()

    def merge(session: Session) -> int:
        source, target = lock_for_merge(session, jane, zed)
        assert source is not None
        assert target is not None
        return merge_speakers(session, SYSTEM, source, target).id

    assert _lock_order(engine, claim, zed, merge, table="claims")


def test_numbered_commenters_are_their_pages_and_signed_ones_are_people(
    migrated_scratch: tuple[Engine, str],
) -> None:
    engine, _ = migrated_scratch
    numbered = Candidate(
        0, 8, "It rose.", "Reader comment 1", "author", "reader comment", 0.5, None, 0.5
    )
    signed = Candidate(
        9, 17, "It fell.", "Tess Amundsen", "author", "reader comment", 0.5, None, 0.5
    )
    with Session(engine) as session:
        ids = SpeakerResolver(session, SYSTEM, Document(id=999, outlet=None)).resolve_all(
            [numbered, signed]
        )
        names = [get_speaker(session, i).name for i in ids if i is not None]
    assert names == ["Reader comment 1 on document 999", "Tess Amundsen"]


def test_a_name_that_ends_in_an_organisations_word_is_an_organisation(
    migrated_scratch: tuple[Engine, str],
) -> None:
    engine, _ = migrated_scratch
    said = [
        Candidate(0, 8, "It rose.", name, "indirect", "said", 0.9, None, 0.5)
        for name in ("Linden Falls Transportation Department", "Acme Corp", "Owen Mbeki")
    ]
    with Session(engine) as session:
        ids = SpeakerResolver(session, SYSTEM, Document(id=999, outlet=None)).resolve_all(said)
        kinds = [get_speaker(session, i).kind for i in ids if i is not None]
    assert kinds == ["organisation", "organisation", "person"]


def test_a_speaker_by_hash_id_and_no_two_speakers_of_one_name(
    client: FlaskClient, reviewer: dict[str, str], make_document: Doc, make_claim: Doc
) -> None:
    dana = _speaker(client, reviewer, "Dana Whitfield")
    other = _speaker(client, reviewer, "recent reporting")
    # "#id" where a name is asked for is that speaker (it became a speaker named "#31").
    claim = make_claim(make_document(), speaker_name=f"#{dana['id']}")
    assert claim["speaker"]["id"] == dana["id"]
    missing = client.post(
        "/api/v1/claims",
        json={
            "document_id": claim["document_id"],
            "span": claim["span"],
            "speaker_name": "#999999999",
        },
        headers=reviewer,
    )
    assert missing.status_code == 422
    assert "speaker_name" in missing.json["errors"]["json"]
    # Renaming onto a name another speaker holds is refused, pointing at the merge.
    renamed = client.patch(
        f"/api/v1/speakers/{other['id']}",
        json={"name": "dana  whitfield"},
        headers=reviewer | {"If-Match": other["etag"]},
    )
    assert renamed.status_code == 409
    assert f"merge speaker {other['id']} into {dana['id']}" in renamed.json["detail"]
    again = client.post("/api/v1/speakers", json={"name": "Dana Whitfield"}, headers=reviewer)
    assert again.status_code == 409
    assert f"speaker {dana['id']}" in again.json["detail"]


def test_a_merge_keeps_the_role_the_target_lacks(
    client: FlaskClient, reviewer: dict[str, str]
) -> None:
    engineer = client.post(
        "/api/v1/speakers", json={"name": "D. Whitfield", "role": "city engineer"}, headers=reviewer
    ).json
    dana = _speaker(client, reviewer, "Dana Whitfield")
    merged = client.post(
        f"/api/v1/speakers/{engineer['id']}/merge", json={"into": dana["id"]}, headers=reviewer
    )
    assert merged.status_code == 200, merged.json
    assert merged.json["role"] == "city engineer"


@pytest.mark.parametrize(
    "lookalike",
    [
        "Zo\u00eb\u200b Lund",  # a zero-width space
        "Zo\u00eb Lund\u2060",  # a word joiner
        "\u202eZo\u00eb Lund",  # a right-to-left override
        "Zo\u00eb \u00adLund",  # a soft hyphen
        "Zoe\u0308 Lund",  # the diaeresis as a combining mark (decomposed)
    ],
)
def test_a_name_with_invisible_characters_is_the_same_speaker_and_outlet(
    client: FlaskClient,
    reviewer: dict[str, str],
    make_document: Callable[..., dict[str, Any]],
    lookalike: str,
) -> None:
    first = _speaker(client, reviewer, "Zo\u00eb Lund")
    again = client.post("/api/v1/speakers", json={"name": lookalike}, headers=reviewer)
    assert again.status_code == 409, again.json
    assert f"speaker {first['id']}" in again.json["detail"]
    one = make_document(outlet="Harbour Gazette")
    two = make_document(outlet="Harbour\u200b Gazette\u202e")
    assert one["outlet"]["id"] == two["outlet"]["id"]
