"""The editor workspace: sign-in, lock-out, CSRF, the inbox (Flask test client, real Postgres)."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.domain.enums import Role
from service.domain.errors import Conflict, InvalidInput
from service.operations.actors import SYSTEM
from service.operations.people import MAX_FAILURES, create_person

PASSWORD = "correct horse battery"


@pytest.fixture
def person(session: Session) -> str:
    create_person(session, SYSTEM, name="Mia Lund", role=Role.EDITOR, password=PASSWORD)
    session.flush()
    return "Mia Lund"


def _token(client: FlaskClient, path: str = "/sign-in") -> str:
    page = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, page
    return found.group(1)


def _sign_in(client: FlaskClient, name: str, password: str, **extra: str) -> Any:
    data = {"name": name, "password": password, "csrf_token": _token(client), **extra}
    return client.post("/sign-in", data=data)


def test_the_workspace_needs_a_signed_in_person(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")


def test_a_person_signs_in_sees_the_inbox_and_signs_out(
    client: FlaskClient, person: str, make_document: Callable[..., dict[str, Any]]
) -> None:
    make_document(
        body="The harbour board sold two ferries for 41 million kroner in 2023.", extract=True
    )
    response = _sign_in(client, person, PASSWORD)
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    inbox = client.get("/").get_data(as_text=True)
    assert "Inbox" in inbox
    assert "Mia Lund" in inbox
    assert 'class="n">1<' in inbox  # one unreviewed check-worthy claim
    found = client.get("/?q=ferries").get_data(as_text=True)
    assert "sold two ferries" in found
    assert client.post("/sign-out", data={"csrf_token": _token(client, "/")}).status_code == 302
    assert client.get("/").status_code == 302


def test_signing_out_ends_the_session_even_for_a_copied_cookie(
    app: Any, client: FlaskClient, person: str
) -> None:
    assert _sign_in(client, person, PASSWORD).status_code == 302
    stolen = client.get_cookie("session")
    assert stolen is not None
    thief = app.test_client()
    thief.set_cookie("session", stolen.value)
    assert thief.get("/").status_code == 200
    assert client.post("/sign-out", data={"csrf_token": _token(client, "/")}).status_code == 302
    assert thief.get("/").status_code == 302
    # Signing in again works, with a new session.
    assert _sign_in(client, person, PASSWORD).status_code == 302
    assert client.get("/").status_code == 200
    assert thief.get("/").status_code == 302


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(
    client: FlaskClient, person: str
) -> None:
    wrong = _sign_in(client, person, "not the password at all")
    unknown = _sign_in(client, "Nobody Here", PASSWORD)
    assert wrong.status_code == unknown.status_code == 401
    assert "do not match" in wrong.get_data(as_text=True)
    assert "do not match" in unknown.get_data(as_text=True)


def _error(page: str) -> str:
    found = re.search(r'role="alert"[^>]*>(.*?)<', page, re.S)
    assert found, page
    return found.group(1).strip()


def test_repeated_failures_lock_the_account_even_for_the_right_password(
    client: FlaskClient, person: str, monkeypatch: Any
) -> None:
    for _ in range(MAX_FAILURES):
        _sign_in(client, person, "guessing wrong again")
    locked = _sign_in(client, person, PASSWORD)
    assert locked.status_code == 401
    assert client.get("/").status_code == 302
    # The same words as for a name nobody has: a lock must not tell which names exist. Nor
    # its speed: a locked name checks its hash as an unknown one checks a dummy.
    import service.operations.people as people

    checked: list[str] = []
    real = people._verify

    def counting(password_hash: str, password: str) -> bool:
        checked.append(password)
        return real(password_hash, password)

    monkeypatch.setattr(people, "_verify", counting)
    assert _sign_in(client, person, PASSWORD).status_code == 401
    assert checked == [PASSWORD]
    unknown = _sign_in(client, "Nobody Here", "guessing wrong again")
    shown = [_error(r.get_data(as_text=True)) for r in (locked, unknown)]
    assert shown[0] == shown[1]
    assert "locked after 5 failed sign-ins" in shown[0]


def test_a_post_without_its_csrf_token_is_refused(client: FlaskClient, person: str) -> None:
    response = client.post("/sign-in", data={"name": person, "password": PASSWORD})
    assert response.status_code == 400
    assert "Forms carry a token" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302  # and nobody was signed in


def test_sign_in_never_redirects_off_the_site(client: FlaskClient, person: str) -> None:
    response = _sign_in(client, person, PASSWORD, next="https://evil.example/")
    assert response.headers["Location"] == "/"
    response = _sign_in(client, person, PASSWORD, next="//evil.example/")
    assert response.headers["Location"] == "/"


def test_people_need_a_long_password_and_a_free_name(session: Session, person: str) -> None:
    with pytest.raises(InvalidInput):
        create_person(session, SYSTEM, name="Ola Dahl", role=Role.VIEWER, password="short")
    with pytest.raises(Conflict):
        create_person(session, SYSTEM, name=person, role=Role.ADMIN, password=PASSWORD)


def test_api_writes_with_a_bearer_key_need_no_csrf_token(
    client: FlaskClient, reviewer: dict[str, str]
) -> None:
    response = client.post(
        "/api/v1/documents?wait=true", json={"body": "The yard closed in 2020."}, headers=reviewer
    )
    assert response.status_code == 201


def test_the_inbox_counts_each_documents_own_links_in_one_statement(
    client: FlaskClient,
    person: str,
    reviewer: dict[str, str],
    count_queries: list[str],
) -> None:
    sentence = "Harbour master Ingrid Solberg said the Nordhavn ferry carried 1.2 million in 2023."
    for outlet, body in (
        ("Gazette", sentence),
        ("Tribune", "The Nordhavn ferry carried 1.2 million in 2023, Ingrid Solberg said."),
        ("Courier", "The Bergen yard will close its dry dock in March, the owners said."),
    ):
        client.post(
            "/api/v1/documents?wait=true", json={"body": body, "outlet": outlet}, headers=reviewer
        )
    _sign_in(client, person, PASSWORD)
    count_queries.clear()
    page = client.get("/").get_data(as_text=True)
    rows = {
        outlet: re.findall(r'class="n">(\d+)<', row)
        for row in page.split("<tr>")[1:]
        for outlet in ("Gazette", "Tribune", "Courier")
        if f"<td>{outlet}</td>" in row
    }
    assert rows["Gazette"][1] == rows["Tribune"][1] == "1"  # the suggested link between them
    assert rows["Courier"][1] == "0"
    selects = [q for q in count_queries if q.lstrip().upper().startswith("SELECT")]
    # the signed-in person, their work (assigned claims, assigned documents), the verdicts to
    # look at again (one scan: none may need it), the documents with counts, the outlets
    assert len(selects) <= 6


def _submit(client: FlaskClient, page: str, action: str, **fields: str) -> Any:
    """POST a workspace form as the page `page` would, with its CSRF token."""
    return client.post(action, data={"csrf_token": _page_token(client, page), **fields})


def _page_token(client: FlaskClient, path: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True))
    assert found
    return found.group(1)


def test_confirming_a_suggestion_then_verifying_on_the_document_page(
    client: FlaskClient, person: str, reviewer: dict[str, str], suggested_pair: dict[str, Any]
) -> None:
    document_id, claim_id, link = suggested_pair.values()
    _sign_in(client, person, PASSWORD)
    path = f"/documents/{document_id}?claim={claim_id}"
    page = client.get(path).get_data(as_text=True)
    assert "Ingrid Solberg" in page
    assert "Confirm" in page
    # The tab's title is text: the script is loaded once, at the end of the page.
    title = page.split("<title>", 1)[1].split("</title>", 1)[0]
    assert "<" not in title
    assert page.count("workspace.js") == 1
    claim = client.get(f"/api/v1/claims/{claim_id}").json
    # Verifying before any confirmed independent link is refused, and the page says why.
    refused = _submit(
        client,
        path,
        f"/claims/{claim_id}/status",
        version=str(claim["version"]),
        status="verified",
        rationale="two outlets say so",
    )
    assert refused.status_code == 422
    assert "independent" in refused.get_data(as_text=True)
    before = client.get(f"/api/v1/claims/{claim_id}").json["corroboration"]
    confirmed = _submit(
        client,
        path,
        f"/links/{link['id']}/review",
        version=str(link["version"]),
        document=str(document_id),
        claim=str(claim_id),
        relation="same_claim",
        rationale="the same statement in two papers",
        decision="confirm",
    )
    assert confirmed.status_code == 302
    # Back at the claim (not the top of the page), told what was saved, once.
    assert confirmed.headers["Location"].endswith(f"claim={claim_id}#c{claim_id}")
    shown = client.get(confirmed.headers["Location"]).get_data(as_text=True)
    assert '<p class="saved" role="status">Link confirmed: same claim.</p>' in shown
    assert "Link confirmed" not in client.get(path).get_data(as_text=True)
    after = client.get(f"/api/v1/claims/{claim_id}").json
    assert after["corroboration"] != before
    verified = _submit(
        client,
        path,
        f"/claims/{claim_id}/status",
        version=str(after["version"]),
        status="verified",
        rationale="confirmed by an independent outlet",
    )
    assert verified.status_code == 302
    assert client.get(f"/api/v1/claims/{claim_id}").json["status"] == "verified"
    assert "Status saved." in client.get(verified.headers["Location"]).get_data(as_text=True)


def test_the_claims_history_on_the_panel_shows_its_links_life_and_opens_the_other_claim(
    client: FlaskClient, person: str, suggested_pair: dict[str, Any]
) -> None:
    document_id, claim_id, link = suggested_pair.values()
    other = link["claim_b_id"] if link["claim_a_id"] == claim_id else link["claim_a_id"]
    _sign_in(client, person, PASSWORD)
    path = f"/documents/{document_id}?claim={claim_id}"
    _submit(
        client,
        path,
        f"/links/{link['id']}/review",
        version=str(link["version"]),
        document=str(document_id),
        claim=str(claim_id),
        relation="same_claim",
        rationale="one statement, two papers",
        decision="reject",
    )
    history = client.get(path).get_data(as_text=True).split('id="history"', 1)[1]
    history = history.split("</section>", 1)[0]
    # Suggested by ingest (with its confidence), then rejected with the reviewer's reason.
    assert re.search(
        rf'link.created with <a href="/claims/{other}">claim {other}</a>: same '
        r"claim, suggested at confidence 0\.\d\d",
        history,
    )
    assert (
        f'link.rejected with <a href="/claims/{other}">claim {other}</a>: state suggested '
        "→ rejected: “one statement, two papers”" in history
    )
    # The other claim's address opens its document at it.
    opened = client.get(f"/claims/{other}")
    assert opened.status_code == 302
    assert opened.headers["Location"].endswith(f"claim={other}#c{other}")
    assert client.get("/claims/999999999", headers={"Accept": "text/html"}).status_code == 404


def test_reviewing_a_link_removed_meanwhile_says_so_on_the_page(
    client: FlaskClient, person: str, reviewer: dict[str, str], suggested_pair: dict[str, Any]
) -> None:
    document_id, link = suggested_pair["document_id"], suggested_pair["link"]
    _sign_in(client, person, PASSWORD)
    path = f"/documents/{document_id}"
    token = _page_token(client, path)
    # A re-extraction replaces the claim, and its suggestion goes with it.
    assert client.post(f"/api/v1/documents/{document_id}/extract", headers=reviewer).json[
        "replaced"
    ]
    gone = client.post(
        f"/links/{link['id']}/review",
        data={
            "csrf_token": token,
            "version": str(link["version"]),
            "document": str(document_id),
            "rationale": "the same statement",
            "decision": "confirm",
        },
    )
    assert gone.status_code == 404
    assert gone.mimetype == "text/html"
    assert "removed meanwhile" in gone.get_data(as_text=True)


def test_a_stale_save_is_refused_and_says_who_changed_it(
    client: FlaskClient, person: str, reviewer: dict[str, str], suggested_pair: dict[str, Any]
) -> None:
    document_id, link = suggested_pair["document_id"], suggested_pair["link"]
    _sign_in(client, person, PASSWORD)
    path = f"/documents/{document_id}"
    # Someone else rejects the suggestion through the API first.
    client.patch(
        f"/api/v1/links/{link['id']}",
        json={"state": "rejected", "rationale": "not the same ferry"},
        headers={**reviewer, "If-Match": client.get(f"/api/v1/links/{link['id']}").headers["ETag"]},
    )
    stale = _submit(
        client,
        path,
        f"/links/{link['id']}/review",
        version=str(link["version"]),
        document=str(document_id),
        relation="same_claim",
        rationale="looks the same",
        decision="confirm",
    )
    assert stale.status_code == 409
    text = stale.get_data(as_text=True)
    assert "changed while you were looking" in text
    assert "link.rejected" in text
    assert client.get(f"/api/v1/links/{link['id']}").json["state"] == "rejected"


def test_a_viewer_sees_no_write_controls_and_a_forged_write_is_refused(
    client: FlaskClient, session: Session, reviewer: dict[str, str], suggested_pair: dict[str, Any]
) -> None:
    document_id, link = suggested_pair["document_id"], suggested_pair["link"]
    create_person(session, SYSTEM, name="Vera Viewer", role=Role.VIEWER, password=PASSWORD)
    session.commit()
    _sign_in(client, "Vera Viewer", PASSWORD)
    claim_id = client.get(f"/api/v1/documents/{document_id}/claims").json[0]["id"]
    path = f"/documents/{document_id}?claim={claim_id}"
    page = client.get(path).get_data(as_text=True)
    assert "Confirm" not in page
    assert "Save decision" not in page
    forged = _submit(
        client,
        path,
        f"/links/{link['id']}/review",
        version=str(link["version"]),
        document=str(document_id),
        rationale="forged",
        decision="confirm",
    )
    assert forged.status_code == 403
    assert client.get(f"/api/v1/links/{link['id']}").json["state"] == "suggested"


def test_the_document_page_runs_a_fixed_number_of_statements_whatever_its_size(
    client: FlaskClient, person: str, reviewer: dict[str, str], count_queries: list[str]
) -> None:
    sentences = [
        f"The harbour board sold ferry number {n} to Nordvik Shipping in 2023." for n in range(40)
    ]
    doc = client.post(
        "/api/v1/documents?wait=true",
        json={"body": "\n".join(sentences), "outlet": "Gazette"},
        headers=reviewer,
    ).json
    claim_id = client.get(f"/api/v1/documents/{doc['id']}/claims").json[0]["id"]
    _sign_in(client, person, PASSWORD)
    count_queries.clear()
    page = client.get(f"/documents/{doc['id']}?claim={claim_id}")
    assert page.status_code == 200
    assert page.get_data(as_text=True).count('class="claim ') == 40
    selects = [q for q in count_queries if q.lstrip().upper().startswith("SELECT")]
    # person, document, claims with speakers, links with the other claims, the claim's
    # history, the document's copy suggestions, the claim's fact-check matches, and the
    # selected claim's evidence (shown with its decision), and the people it may be assigned to
    assert len(selects) <= 10


def test_speakers_show_aliases_and_merge_after_a_preview(
    client: FlaskClient, person: str, reviewer: dict[str, str]
) -> None:
    first = client.post("/api/v1/speakers", json={"name": "Ingrid Solberg"}, headers=reviewer).json
    second = client.post(
        "/api/v1/speakers", json={"name": "Ingrid Solbergh"}, headers=reviewer
    ).json
    _sign_in(client, person, PASSWORD)
    listing = client.get("/speakers?q=solberg").get_data(as_text=True)
    assert "Ingrid Solberg" in listing
    assert "Ingrid Solbergh" in listing
    preview = client.get(f"/speakers/{second['id']}/merge?into={first['id']}")
    text = preview.get_data(as_text=True)
    assert "would" in text
    assert "“Ingrid Solbergh” an alias of Ingrid Solberg" in text
    token = re.search(r'name="csrf_token" value="([^"]+)"', text)
    version = re.search(r'name="version" value="(\d+)"', text)
    assert token
    assert version
    merged = client.post(
        f"/speakers/{second['id']}/merge",
        data={"csrf_token": token.group(1), "into": str(first["id"]), "version": version.group(1)},
    )
    assert merged.status_code == 302
    after = client.get(f"/api/v1/speakers/{first['id']}").json
    assert "Ingrid Solbergh" in [a["alias"] for a in after["aliases"]]


def test_a_merge_offers_the_speakers_whose_names_share_a_part_and_finds_others_by_name(
    client: FlaskClient, person: str, reviewer: dict[str, str]
) -> None:
    def speaker(name: str) -> int:
        made = client.post("/api/v1/speakers", json={"name": name}, headers=reviewer)
        return int(made.json["id"])

    source = speaker("Steve Witkov")
    same = speaker("Steven Witkoff")
    titled = speaker("Envoy Witkoff")
    other = speaker("Tomas Berg")
    _sign_in(client, person, PASSWORD)
    listing = client.get("/speakers?q=witkov").get_data(as_text=True)
    assert f'href="/speakers/{source}/merge"' in listing
    offered = client.get(f"/speakers/{source}/merge").get_data(as_text=True)
    # Both spellings of the surname, the closest name first; never itself, nor a stranger.
    assert offered.index(f"into={same}") < offered.index(f"into={titled}")
    assert f"into={other}" not in offered
    assert f"into={source}" not in offered
    # A name or an id typed on the page finds whoever the parts did not.
    found = client.get(f"/speakers/{source}/merge?q=tomas").get_data(as_text=True)
    assert f"into={other}" in found
    assert f"into={same}" not in found
    assert f"into={other}" in client.get(f"/speakers/{source}/merge?q=%23{other}").get_data(
        as_text=True
    )
    nobody = client.get(f"/speakers/{source}/merge?q=nobody+at+all").get_data(as_text=True)
    assert "No other speaker matches" in nobody
    # The offer leads to the preview of what the merge would do.
    preview = client.get(f"/speakers/{source}/merge?into={same}").get_data(as_text=True)
    assert "“Steve Witkov” an alias of Steven Witkoff" in preview
    assert ">Merge</button>" in preview
    # A merge the server would refuse is not offered, and says where to go instead.
    itself = client.get(f"/speakers/{source}/merge?into={source}").get_data(as_text=True)
    assert "cannot be merged into itself" in itself
    assert ">Merge</button>" not in itself
    assert f"into={same}" in itself  # and the choice is offered again
    token = re.search(r'name="csrf_token" value="([^"]+)"', preview)
    assert token
    merged = client.post(
        f"/speakers/{titled}/merge",
        data={"csrf_token": token.group(1), "into": str(same), "version": "1"},
    )
    assert merged.status_code == 302
    gone = client.get(f"/speakers/{source}/merge?into={titled}").get_data(as_text=True)
    assert "was itself merged into another speaker" in gone
    assert f'href="/speakers/{source}/merge?into={same}"' in gone
    assert ">Merge</button>" not in gone
    # Forced anyway, the refusal names the rule, not the form's token, and leads back.
    refused = client.post(
        f"/speakers/{source}/merge",
        data={"csrf_token": token.group(1), "into": str(source), "version": "1"},
    )
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "cannot be merged into itself" in page
    assert "Forms carry a token" not in page
    assert f'href="/speakers/{source}/merge"' in page


def test_a_speaker_is_renamed_from_the_list_and_the_old_name_stays_an_alias(
    client: FlaskClient, person: str, reviewer: dict[str, str], make_document: Any, make_claim: Any
) -> None:
    made = client.post("/api/v1/speakers", json={"name": "Trump"}, headers=reviewer).json
    claim = make_claim(make_document(), speaker_id=made["id"])
    _sign_in(client, person, PASSWORD)
    listing = client.get("/speakers?q=trump").get_data(as_text=True)
    assert f'<label for="rename-{made["id"]}">New name for Trump</label>' in listing
    renamed = _submit(
        client,
        "/speakers?q=trump",
        f"/speakers/{made['id']}/rename",
        name="Donald Trump",
        version=str(made["version"]),
    )
    assert renamed.status_code == 302
    assert "Renamed: Donald Trump." in client.get(renamed.headers["Location"]).get_data(
        as_text=True
    )
    after = client.get(f"/api/v1/speakers/{made['id']}").json
    assert after["name"] == "Donald Trump"
    assert "Trump" in [a["alias"] for a in after["aliases"]]
    assert client.get(f"/api/v1/claims/{claim['id']}").json["speaker"]["name"] == "Donald Trump"
    # A rename on a stale page, or to nothing, is refused and says why.
    stale = _submit(
        client,
        "/speakers?q=trump",
        f"/speakers/{made['id']}/rename",
        name="D. Trump",
        version=str(made["version"]),
    )
    assert stale.status_code == 409
    assert "changed since the page was shown" in stale.get_data(as_text=True)
    empty = _submit(
        client,
        "/speakers?q=trump",
        f"/speakers/{made['id']}/rename",
        name="  ",
        version=str(after["version"]),
    )
    assert empty.status_code == 422
    assert "a speaker needs a name" in empty.get_data(as_text=True)


def _reviewer_person(session: Session) -> str:
    create_person(session, SYSTEM, name="Rolf Reviewer", role=Role.REVIEWER, password=PASSWORD)
    session.commit()
    return "Rolf Reviewer"


def test_a_reviewer_adds_a_claim_splits_one_and_rejects_a_candidate_but_cannot_verify(
    client: FlaskClient, session: Session, reviewer: dict[str, str]
) -> None:
    body = "The yard hired 40 welders in 2021 and it lost its ferry contract in 2020."
    doc = client.post(
        "/api/v1/documents?wait=true", json={"body": body, "outlet": "Gazette"}, headers=reviewer
    ).json
    original = client.get(f"/api/v1/documents/{doc['id']}/claims").json[0]
    _sign_in(client, _reviewer_person(session), PASSWORD)
    path = f"/documents/{doc['id']}?claim={original['id']}"
    at = body.index(" and it lost")
    split = client.post(
        f"/claims/{original['id']}/split",
        data={"csrf_token": _page_token(client, path), "version": "1", "at": str(at)},
    )
    assert split.status_code == 302
    claims = client.get(f"/api/v1/documents/{doc['id']}/claims").json
    texts = {c["text"]: c["status"] for c in claims}
    assert texts[body] == "rejected"
    assert texts["The yard hired 40 welders in 2021"] == "unreviewed"
    assert texts["and it lost its ferry contract in 2020."] == "unreviewed"
    # Each part is dated by its own words (the whole was dated 2021, by its first year).
    dates = {c["text"]: c["claim_date"] for c in claims}
    assert dates[body] == "2021-01-01"
    assert dates["The yard hired 40 welders in 2021"] == "2021-01-01"
    assert dates["and it lost its ferry contract in 2020."] == "2020-01-01"
    added = _submit(client, path, f"/documents/{doc['id']}/claims", span_start="4", span_end="8")
    assert added.status_code == 302
    assert "yard" in [c["text"] for c in client.get(f"/api/v1/documents/{doc['id']}/claims").json]
    first = next(c for c in claims if c["text"] == "The yard hired 40 welders in 2021")
    refused = _submit(
        client,
        path,
        f"/claims/{first['id']}/status",
        version=str(first["version"]),
        status="verified",
        rationale="looks right",
    )
    assert refused.status_code == 403
    assert "editor" in refused.get_data(as_text=True)
    # The panel offers a reviewer only what the role may choose.
    panel = client.get(f"{path}&claim={first['id']}").get_data(as_text=True)
    offered = re.search(r'<select id="status" name="status">(.*?)</select>', panel, re.S)
    assert offered
    assert re.findall(r'<option value="(\w+)"', offered.group(1)) == ["unreviewed", "rejected"]
    assert "are an editor's to give" in panel
    rejected = _submit(
        client,
        path,
        f"/claims/{first['id']}/status",
        version=str(first["version"]),
        status="rejected",
        rationale="not a claim after all",
    )
    assert rejected.status_code == 302
    # The header counts the claims still standing, and the rejected apart.
    now = [c["status"] for c in client.get(f"/api/v1/documents/{doc['id']}/claims").json]
    standing, gone = sum(s != "rejected" for s in now), now.count("rejected")
    assert (standing, gone) == (2, 2)  # the split's original and the candidate
    header = client.get(path).get_data(as_text=True)
    assert "· 2 claims (2 rejected)" in header


def test_a_reviewer_corrects_the_speaker_and_date_from_the_panel(
    client: FlaskClient, session: Session, reviewer: dict[str, str]
) -> None:
    doc = client.post(
        "/api/v1/documents?wait=true",
        json={"body": "The yard hired 40 welders in 2021.", "outlet": "Gazette"},
        headers=reviewer,
    ).json
    claim = client.get(f"/api/v1/documents/{doc['id']}/claims").json[0]
    _sign_in(client, _reviewer_person(session), PASSWORD)
    path = f"/documents/{doc['id']}?claim={claim['id']}"
    saved = _submit(
        client,
        path,
        f"/claims/{claim['id']}/edit",
        version=str(claim["version"]),
        speaker="Kari Vik",
        attribution="indirect",
        claim_date="2021-03-01",
        date_precision="month",
        reason="the yard's spokeswoman said it",
    )
    assert saved.status_code == 302
    after = client.get(f"/api/v1/claims/{claim['id']}").json
    assert after["speaker"]["name"] == "Kari Vik"
    history = client.get(path).get_data(as_text=True).split('id="history"', 1)[1]
    assert f"speaker {claim['speaker']['name']} → Kari Vik" in history
    assert (after["attribution"], after["claim_date"], after["date_precision"]) == (
        "indirect",
        "2021-03-01",
        "month",
    )


def test_a_speaker_typed_as_part_of_a_known_name_is_asked_about_not_created(
    client: FlaskClient, session: Session, reviewer: dict[str, str]
) -> None:
    known = client.post("/api/v1/speakers", json={"name": "Kari Vikdal"}, headers=reviewer).json
    doc = client.post(
        "/api/v1/documents?wait=true",
        json={"body": "The yard hired 40 welders in 2021.", "outlet": "Gazette"},
        headers=reviewer,
    ).json
    claim = client.get(f"/api/v1/documents/{doc['id']}/claims").json[0]
    _sign_in(client, _reviewer_person(session), PASSWORD)
    path = f"/documents/{doc['id']}?claim={claim['id']}"

    def correct(**fields: str) -> Any:
        version = client.get(f"/api/v1/claims/{claim['id']}").json["version"]
        return _submit(client, path, f"/claims/{claim['id']}/edit", version=str(version), **fields)

    asked = correct(speaker="Vikdal", reason="her surname")
    assert asked.status_code == 422
    page = asked.get_data(as_text=True)
    assert f"“Kari Vikdal” (#{known['id']}) is named alike" in page
    assert 'value="Vikdal"' in page  # what was typed stays
    assert client.get("/api/v1/speakers?q=vikdal").json == [
        client.get(f"/api/v1/speakers/{known['id']}").json
    ]
    # The full name is the known speaker; "a new speaker" makes a new one on purpose.
    assert correct(speaker="kari  vikdal", reason="her name").status_code == 302
    assert client.get(f"/api/v1/claims/{claim['id']}").json["speaker"]["id"] == known["id"]
    assert correct(speaker="Vikdal", new_speaker="1", reason="another Vikdal").status_code == 302
    now = client.get(f"/api/v1/claims/{claim['id']}").json["speaker"]
    assert (now["name"], now["id"] != known["id"]) == ("Vikdal", True)


def test_an_unknown_date_precision_or_a_split_past_the_text_is_a_422_on_the_page(
    client: FlaskClient, session: Session, reviewer: dict[str, str]
) -> None:
    doc = client.post(
        "/api/v1/documents?wait=true",
        json={"body": "The yard hired 40 welders in 2021.", "outlet": "Gazette"},
        headers=reviewer,
    ).json
    claim = client.get(f"/api/v1/documents/{doc['id']}/claims").json[0]
    _sign_in(client, _reviewer_person(session), PASSWORD)
    path = f"/documents/{doc['id']}?claim={claim['id']}"
    refused = _submit(
        client,
        path,
        f"/claims/{claim['id']}/edit",
        version=str(claim["version"]),
        claim_date="2021-03-01",
        date_precision="fortnight",
        reason="a typo",
    )
    assert refused.status_code == 422
    assert "not a precision" in refused.get_data(as_text=True)
    claim = client.get(f"/api/v1/claims/{claim['id']}").json
    split = _submit(
        client, path, f"/claims/{claim['id']}/split", version=str(claim["version"]), at="100000"
    )
    assert split.status_code == 422
    assert "split inside the claim" in split.get_data(as_text=True)


def test_a_fuzzy_speaker_match_can_be_undone_with_its_claims(
    client: FlaskClient, person: str, reviewer: dict[str, str]
) -> None:
    client.post(
        "/api/v1/documents?wait=true",
        json={
            "body": "Mayor Tomas Bergstrom said the levy raised 41 million in 2023.",
            "outlet": "Gazette",
        },
        headers=reviewer,
    )
    other = client.post(
        "/api/v1/documents?wait=true",
        json={"body": "Mayor Tomas Bergström said fees rose 9% in 2022.", "outlet": "Tribune"},
        headers=reviewer,
    ).json
    claim = client.get(f"/api/v1/documents/{other['id']}/claims").json[0]
    speaker = client.get(f"/api/v1/speakers/{claim['speaker']['id']}").json
    fuzzy = [a for a in speaker["aliases"] if a.get("match_score") and a["match_score"] < 1]
    assert fuzzy, speaker  # the matcher folded the accented spelling into the first speaker
    _sign_in(client, person, PASSWORD)
    page = client.get("/speakers").get_data(as_text=True)
    assert "undo match" in page
    alias_id = re.search(r"/aliases/(\d+)/undo", page)
    assert alias_id
    undone = client.post(
        f"/aliases/{alias_id.group(1)}/undo", data={"csrf_token": _token(client, "/speakers")}
    )
    assert undone.status_code == 302
    moved = client.get(f"/api/v1/claims/{claim['id']}").json["speaker"]
    assert moved["name"] == "Tomas Bergström"
    assert moved["id"] != speaker["id"]


def test_pages_run_no_inline_script_and_nothing_can_be_framed(
    client: FlaskClient, person: str
) -> None:
    sign_in_page = client.get("/sign-in")
    policy = sign_in_page.headers["Content-Security-Policy"]
    script_src = next(p for p in policy.split(";") if p.strip().startswith("script-src"))
    assert script_src.strip() == "script-src 'self'"
    assert "frame-ancestors 'none'" in policy
    assert "<script>" not in sign_in_page.get_data(as_text=True)
    api = client.get("/api/v1/documents")
    assert api.headers["X-Content-Type-Options"] == "nosniff"
    assert api.headers["Content-Security-Policy"] == "frame-ancestors 'none'"
    docs = client.get("/api/v1/docs")
    assert "frame-ancestors 'none'" in docs.headers["Content-Security-Policy"]
    assert docs.headers["X-Frame-Options"] == "DENY"


def test_ingesting_from_the_workspace_needs_a_reviewer_and_stores_nothing_on_a_refusal(
    client: FlaskClient, session: Session, person: str
) -> None:
    from sqlalchemy import func, select

    from service.models import Document

    create_person(session, SYSTEM, name="Vera Viewer", role=Role.VIEWER, password=PASSWORD)
    session.commit()
    before = session.scalar(select(func.count()).select_from(Document))
    _sign_in(client, "Vera Viewer", PASSWORD)
    page = client.get("/ingest").get_data(as_text=True)
    assert "needs the reviewer role" in page
    assert 'name="body"' not in page
    token = _token(client, "/ingest")
    refused = client.post("/ingest", data={"csrf_token": token, "body": "The mayor said 4."})
    assert refused.status_code == 403
    client.post("/sign-out", data={"csrf_token": token})
    _sign_in(client, person, PASSWORD)
    token = _token(client, "/ingest")
    nothing = client.post("/ingest", data={"csrf_token": token, "body": "  "})
    assert nothing.status_code == 422
    assert "paste the text" in nothing.get_data(as_text=True)
    bad_date = client.post(
        "/ingest", data={"csrf_token": token, "body": "The mayor said 4.", "published_on": "soon"}
    )
    assert bad_date.status_code == 422
    assert "YYYY-MM-DD" in bad_date.get_data(as_text=True)
    # Pasted text and a file at once: neither is dropped without a word.
    both = client.post(
        "/ingest",
        data={
            "csrf_token": token,
            "body": "The mayor said 4.",
            "file": (io.BytesIO(b"The council said 5."), "other.txt"),
        },
        content_type="multipart/form-data",
    )
    assert both.status_code == 422
    assert "not both" in both.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(Document)) == before


def test_text_pasted_in_the_workspace_is_stored_with_newline_breaks(
    client: FlaskClient, person: str, reviewer: dict[str, str]
) -> None:
    # A browser sends a textarea's line breaks as CRLF.
    _sign_in(client, person, PASSWORD)
    token = _token(client, "/ingest")
    sent = client.post(
        "/ingest",
        data={"csrf_token": token, "body": "Harbour news.\r\nThe yard hired 40 welders.\r\n"},
    )
    assert sent.status_code == 302
    document = int(sent.headers["Location"].split("/documents/")[1].split("?")[0])
    body = client.get(f"/api/v1/documents/{document}").json["body"]
    assert body == "Harbour news.\nThe yard hired 40 welders.\n"
    # Once extracted (a worker's turn, done here through the API), the page says what was
    # found, not only that the text was stored.
    page = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert f"Document {document} stored." in page
    assert client.post(f"/api/v1/documents/{document}/extract", headers=reviewer).status_code < 300
    page = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert re.search(rf"Document {document} stored: \d+ claims? found, \d+ check-worthy\.", page)


#: Five unrelated statements, each reported by two outlets in other words.
STATEMENTS = [
    (
        "Harbour master Ingrid Solberg said the Nordhavn ferry carried 1.2 million passengers.",
        "The Nordhavn ferry carried 1.2 million passengers, Ingrid Solberg said.",
    ),
    (
        "Finance minister Paul Okoro said inflation fell to 2.1 percent in March.",
        "Inflation fell to 2.1 percent in March, Paul Okoro told parliament.",
    ),
    (
        "Coach Dana Reyes said the club signed 14 academy players this season.",
        "The club signed 14 academy players this season, according to coach Dana Reyes.",
    ),
    (
        "Professor Lena Haas said glacier melt doubled in the Alps since 1990.",
        "Glacier melt in the Alps has doubled since 1990, Lena Haas said on Monday.",
    ),
    (
        "Mayor Tom Becker said the city planted 8,000 trees along the river.",
        "The city planted 8,000 trees along the river, Mayor Tom Becker said.",
    ),
]


def _paired_outlets(client: FlaskClient, reviewer: dict[str, str], n: int) -> None:
    """n statements each reported by two outlets: n suggested links, 2n claims."""
    for gazette, tribune in STATEMENTS[:n]:
        for outlet, text in (("Gazette", gazette), ("Tribune", tribune)):
            client.post(
                "/api/v1/documents?wait=true",
                json={"body": text, "outlet": outlet},
                headers=reviewer,
            )


def _bulk(client: FlaskClient, page: str, **fields: str | list[str]) -> Any:
    """POST the queue's bulk form as `page` would (ticked items as repeated fields)."""
    return client.post("/queue", data={"csrf_token": _page_token(client, page), **fields})


def test_the_queue_lists_work_across_documents_and_acts_in_bulk(
    client: FlaskClient, session: Session, person: str, reviewer: dict[str, str]
) -> None:
    from sqlalchemy import func, select

    from service.models import Event

    _paired_outlets(client, reviewer, 5)
    _sign_in(client, person, PASSWORD)
    page = client.get("/queue").get_data(as_text=True)
    links = re.findall(r'name="link" value="(\d+:\d+)"', page)
    claims = re.findall(r'name="claim" value="(\d+:\d+)"', page)
    assert len(links) == 5
    assert len(claims) == 10
    assert "Nordhavn" in page
    # Filtered by outlet: both ends of a link count, claims only their own.
    gazette = client.get("/queue?outlet=Gazette").get_data(as_text=True)
    assert len(re.findall(r'name="claim" value=', gazette)) == 5
    # A story: the claims whose words match, and the links with such a claim at either end.
    story = client.get("/queue?story=inflation+March").get_data(as_text=True)
    assert len(re.findall(r'name="claim" value=', story)) == 2
    assert len(re.findall(r'name="link" value=', story)) == 1
    assert "Nordhavn" not in story
    # A speaker by part of a name, in any case: claims of theirs, and links with one.
    solberg = client.get("/queue?speaker=solberg").get_data(as_text=True)
    assert len(re.findall(r'name="claim" value=', solberg)) == 2
    assert len(re.findall(r'name="link" value=', solberg)) == 1
    assert "inflation" not in solberg
    events_before = session.scalar(select(func.count()).select_from(Event))

    # One stale item refuses the whole batch, and says which.
    stale_id = links[0].split(":")[0]
    refused = _bulk(
        client,
        "/queue",
        action="confirm-links",
        rationale="same statement in two papers",
        link=[*links[1:], f"{stale_id}:99"],
    )
    assert refused.status_code == 409
    assert f"link {stale_id}" in refused.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(Event)) == events_before
    assert client.get("/api/v1/links?state=confirmed").json == []

    confirmed = _bulk(
        client,
        "/queue",
        action="confirm-links",
        rationale="same statement in two papers",
        link=links,
    )
    assert confirmed.status_code == 302
    assert "5+links+confirmed" in confirmed.headers["Location"]
    assert len(client.get("/api/v1/links?state=confirmed").json) == 5

    gone = _bulk(
        client,
        "/queue",
        action="reject-claims",
        rationale="duplicates of the wire copy",
        claim=claims[:4],
    )
    assert gone.status_code == 302
    picked = [int(c.split(":")[0]) for c in claims[:4]]
    assert {client.get(f"/api/v1/claims/{i}").json["status"] for i in picked} == {"rejected"}
    # One event per item: 5 links and 4 claims.
    assert session.scalar(select(func.count()).select_from(Event)) == events_before + 9
    rejected_page = client.get("/queue?rejected=1").get_data(as_text=True)
    again = re.findall(r'name="claim" value="(\d+:\d+)"', rejected_page)
    assert sorted(int(c.split(":")[0]) for c in again) == sorted(picked)
    restored = _bulk(
        client,
        "/queue?rejected=1",
        action="restore-claims",
        rationale="rejected by mistake",
        claim=again[:1],
    )
    assert restored.status_code == 302
    assert client.get(f"/api/v1/claims/{again[0].split(':')[0]}").json["status"] == "unreviewed"


def test_the_queue_pages_and_a_viewer_cannot_act(
    client: FlaskClient, session: Session, reviewer: dict[str, str]
) -> None:
    from service.operations.queue import queued_claims, queued_links

    _paired_outlets(client, reviewer, 3)
    first, cursor = queued_claims(session, limit=4)
    rest, end = queued_claims(session, limit=4, after=cursor)
    assert len(first) == 4
    assert len(rest) == 2
    assert end is None
    assert not {r.claim.id for r in first} & {r.claim.id for r in rest}
    scores = [r.claim.checkworthiness for r in first + rest]
    assert scores == sorted(scores, reverse=True)
    one, link_cursor = queued_links(session, limit=2)
    two, _ = queued_links(session, limit=2, after=link_cursor)
    assert len(one) + len(two) == 3
    # A link suggested by hand has no score: it is listed last, and the page shows it.
    mine = first[0].claim
    linked = {
        x
        for link in client.get(f"/api/v1/links?claim_id={mine.id}").json
        for x in (link["claim_a_id"], link["claim_b_id"])
    }
    free = next(
        r.claim
        for r in first + rest
        if r.claim.document_id != mine.document_id and r.claim.id not in linked
    )
    by_hand = client.post(
        "/api/v1/links",
        json={"claim_a_id": mine.id, "claim_b_id": free.id, "relation": "conflicts"},
        headers=reviewer,
    )
    assert by_hand.status_code == 201, by_hand.json
    everything, _ = queued_links(session, limit=10)
    assert everything[-1].link.id == by_hand.json["id"]
    create_person(session, SYSTEM, name="Vera Viewer", role=Role.VIEWER, password=PASSWORD)
    session.commit()
    _sign_in(client, "Vera Viewer", PASSWORD)
    page = client.get("/queue").get_data(as_text=True)
    assert "by hand" in page
    assert "Reject picked" not in page
    value = re.findall(r'name="claim" value="(\d+:\d+)"', page)[0]
    forged = _bulk(client, "/queue", action="reject-claims", rationale="x", claim=value)
    assert forged.status_code == 403
    assert client.get(f"/api/v1/claims/{value.split(':')[0]}").json["status"] == "unreviewed"


def test_claim_search_pages_past_fifty_results(
    client: FlaskClient, person: str, reviewer: dict[str, str]
) -> None:
    body = "\n".join(
        f"The harbour board sold ferry number {n} to Nordvik Shipping in 2023." for n in range(60)
    )
    client.post(
        "/api/v1/documents?wait=true", json={"body": body, "outlet": "Gazette"}, headers=reviewer
    )
    _sign_in(client, person, PASSWORD)
    first = client.get("/?q=harbour+ferry").get_data(as_text=True)
    assert first.count("sold ferry number") == 50
    assert "More results" in first
    # The same words open the story report across documents.
    story = re.search(r'<a href="(/api/v1/reports/story[^"]+)">Story report', first)
    assert story
    report = client.get(story.group(1).replace("&amp;", "&"))
    assert report.status_code == 200
    assert report.get_data(as_text=True).count("sold ferry number") >= 50
    second = client.get("/?q=harbour+ferry&page=2").get_data(as_text=True)
    assert second.count("sold ferry number") == 10
    assert "More results" not in second
    assert "Previous results" in second
    shown = set(re.findall(r"ferry number (\d+) ", first)) | set(
        re.findall(r"ferry number (\d+) ", second)
    )
    assert len(shown) == 60


def test_suggestions_on_demand_show_on_the_panel_with_their_reasons(
    client: FlaskClient, person: str, reviewer: dict[str, str], suggested_pair: dict[str, Any]
) -> None:
    document_id, claim_id = suggested_pair["document_id"], suggested_pair["claim_id"]
    link = suggested_pair["link"]
    _sign_in(client, person, PASSWORD)

    def finder(query: str) -> str:
        page = client.get(f"/documents/{document_id}?claim={claim_id}&{query}")
        text = page.get_data(as_text=True)
        return text[text.index('aria-label="Find claims to link"') :]

    fresh = finder("suggest=1")
    assert re.search(r"suggested same claim, confidence", fresh)
    assert "Nordhavn ferry carried 1.2 million in 2023, Ingrid Solberg said." in fresh
    # Why, as a stored suggestion says it: the words the two claims share.
    assert re.search(r"· shared: [^<]*nordhavn", fresh)
    # The pair is already a stored suggestion: the panel points to it instead of offering a
    # second link, which would be refused (409, already linked).
    assert "Already suggested (same claim) in this claim's links above" in fresh
    assert f'action="/claims/{claim_id}/links"' not in fresh
    # Rejected, the pair leaves the fresh suggestions; found by words, it says it was rejected.
    client.patch(
        f"/api/v1/links/{link['id']}",
        json={"state": "rejected", "rationale": "not the same ferry"},
        headers={**reviewer, "If-Match": client.get(f"/api/v1/links/{link['id']}").headers["ETag"]},
    )
    assert "Solberg said." not in finder("suggest=1")
    searched = finder("link_q=ferry")
    assert f"Rejected earlier as same claim (link {link['id']}: “not the same ferry”)" in searched
    assert f'action="/claims/{claim_id}/links"' not in searched


def test_a_claim_and_a_document_are_assigned_commented_and_listed_as_my_work(
    client: FlaskClient, session: Session, person: str, suggested_pair: dict[str, Any]
) -> None:
    from service.models import User

    create_person(session, SYSTEM, name="Rolf Reviewer", role=Role.REVIEWER, password=PASSWORD)
    session.commit()
    rolf = session.scalar(select(User.id).where(User.name == "Rolf Reviewer"))
    document_id, claim_id = suggested_pair["document_id"], suggested_pair["claim_id"]
    _sign_in(client, person, PASSWORD)
    path = f"/documents/{document_id}?claim={claim_id}"
    version = client.get(f"/api/v1/claims/{claim_id}").json["version"]
    assigned = _submit(
        client, path, f"/claims/{claim_id}/assign", assignee=str(rolf), version=str(version)
    )
    assert assigned.status_code == 302
    doc_assigned = _submit(client, path, f"/documents/{document_id}/assign", assignee=str(rolf))
    assert doc_assigned.status_code == 302
    shown = client.get(doc_assigned.headers["Location"]).get_data(as_text=True)
    assert '<p class="saved" role="status">Document assigned.</p>' in shown
    commented = _submit(
        client, path, f"/claims/{claim_id}/comments", comment="Call the harbour office first."
    )
    assert commented.status_code == 302
    empty = _submit(client, path, f"/claims/{claim_id}/comments", comment="   ")
    assert empty.status_code == 422
    history = client.get(f"/api/v1/claims/{claim_id}/history").json
    actions = [e["action"] for e in history]
    assert actions[-2:] == ["claim.assigned", "claim.commented"]
    assert history[-1]["reason"] == "Call the harbour office first."
    page = client.get(path).get_data(as_text=True)
    assert "Call the harbour office first." in page
    assert "assigned to Rolf Reviewer" in page
    # The history names the person, not an id.
    assert "claim.assigned assignee — → Rolf Reviewer" in page
    # A stale assignment (the claim changed since the form was shown) is refused.
    stale = _submit(client, path, f"/claims/{claim_id}/assign", assignee="", version=str(version))
    assert stale.status_code == 409
    client.post("/sign-out", data={"csrf_token": _page_token(client, "/")})
    _sign_in(client, "Rolf Reviewer", PASSWORD)
    inbox = client.get("/").get_data(as_text=True)
    assert "My work" in inbox
    assert "Harbour master Ingrid Solberg said" in inbox
    assert "(1 unreviewed)" in inbox


def test_a_stale_correction_keeps_what_was_typed(
    client: FlaskClient, person: str, reviewer: dict[str, str], suggested_pair: dict[str, Any]
) -> None:
    document_id, claim_id = suggested_pair["document_id"], suggested_pair["claim_id"]
    _sign_in(client, person, PASSWORD)
    path = f"/documents/{document_id}?claim={claim_id}"
    answer = client.get(f"/api/v1/claims/{claim_id}")
    shown = answer.json
    changed = client.patch(
        f"/api/v1/claims/{claim_id}",
        json={"attribution": "direct_quote"},
        headers={**reviewer, "If-Match": answer.headers["ETag"]},
    )
    assert changed.status_code == 200
    refused = _submit(
        client,
        path,
        f"/claims/{claim_id}/edit",
        version=str(shown["version"]),
        speaker="Harbour Office Spokesperson",
        attribution="anonymous",
        claim_date="2023-06-01",
        date_precision="month",
        reason="the quote is the spokesperson's",
    )
    assert refused.status_code == 409
    page = refused.get_data(as_text=True)
    assert 'value="Harbour Office Spokesperson"' in page
    assert 'value="the quote is the spokesperson&#39;s"' in page
    assert '<option value="anonymous" selected>' in page
    assert '<option value="month" selected>' in page


def test_the_link_finder_looks_past_the_documents_own_matches(
    client: FlaskClient,
    person: str,
    make_document: Callable[..., dict[str, Any]],
    make_claim: Callable[..., dict[str, Any]],
) -> None:
    # Twelve claims of this document match its own words best; the one claim of another
    # document that matches must still be found (the search used to take ten, then drop
    # this document's).
    body = " ".join(f"The harbour ferry number {i} sailed late." for i in range(12))
    mine = make_document(body=body, outlet="Gazette")
    claims = []
    for i in range(12):
        start = body.index(f"The harbour ferry number {i} ")
        claims.append(make_claim(mine, start=start, end=body.index(".", start) + 1))
    elsewhere = "A harbour ferry sailed late on Monday."
    make_claim(make_document(body=elsewhere, outlet="Tribune"), start=0, end=len(elsewhere))
    _sign_in(client, person, PASSWORD)
    page = client.get(f"/documents/{mine['id']}?claim={claims[0]['id']}&link_q=harbour+ferry")
    text = page.get_data(as_text=True)
    assert "No claim of another document matches" not in text
    assert "on Monday" in text


def test_the_panel_refuses_evidence_that_is_not_a_web_address(
    client: FlaskClient, person: str, suggested_pair: dict[str, Any]
) -> None:
    # The API's schema refuses these; the panel's form reaches the same operation, which now
    # refuses them too: a bare word must not satisfy "verified needs an evidence URL", nor a
    # javascript: address become a link on the pages and in the published ClaimReview.
    document_id, claim_id = suggested_pair["document_id"], suggested_pair["claim_id"]
    _sign_in(client, person, PASSWORD)
    path = f"/documents/{document_id}?claim={claim_id}"
    for address in ("n/a", "javascript:alert(1)"):
        claim = client.get(f"/api/v1/claims/{claim_id}").json
        refused = _submit(
            client,
            path,
            f"/claims/{claim_id}/status",
            version=str(claim["version"]),
            status="verified",
            rationale="see the link",
            evidence_url=address,
        )
        assert refused.status_code == 422, address
        assert "not an absolute http(s) URL" in refused.get_data(as_text=True)
    after = client.get(f"/api/v1/claims/{claim_id}").json
    assert (after["status"], after["evidence"]) == ("unreviewed", [])


def test_two_editors_saving_one_review_do_not_overwrite_each_other(
    client: FlaskClient,
    person: str,
    editor: dict[str, str],
    make_document: Callable[..., dict[str, Any]],
    make_claim: Callable[..., dict[str, Any]],
) -> None:
    body = "The harbour authority said the ferry carried 1.2 million passengers in 2023."
    document = make_document(body=body)
    claim = make_claim(document, 0, len(body))
    etag = client.get(f"/api/v1/claims/{claim['id']}").headers["ETag"]
    decided = client.put(
        f"/api/v1/claims/{claim['id']}/status",
        json={
            "status": "false",
            "rationale": "the port's report gives 0.9 million",
            "evidence": [{"url": "https://port.example/report"}],
        },
        headers=editor | {"If-Match": etag},
    )
    assert decided.status_code == 200, decided.json
    _sign_in(client, person, PASSWORD)
    path = f"/documents/{document['id']}?claim={claim['id']}"
    shown = client.get(path).get_data(as_text=True)
    assert 'name="version" value="0"' in shown
    # Another editor saves first, through the API.
    other = client.put(
        f"/api/v1/claims/{claim['id']}/review",
        json={"headline": "False: 0.9 million", "body": "Their text.", "version": 0},
        headers=editor,
    )
    assert other.status_code == 200, other.json
    mine = client.post(
        f"/reviews/{claim['id']}",
        data={
            "csrf_token": _page_token(client, path),
            "document": str(document["id"]),
            "version": "0",
            "headline": "Mine",
            "body": "My text.",
            "action": "save",
        },
    )
    assert mine.status_code == 409
    assert "changed while you were writing" in mine.get_data(as_text=True)
    kept = client.get(f"/api/v1/claims/{claim['id']}/review", headers=editor).json
    assert kept["body"] == "Their text."
    # A form that says not which version it edits is refused, not saved over theirs.
    blind = client.post(
        f"/reviews/{claim['id']}",
        data={
            "csrf_token": _page_token(client, path),
            "document": str(document["id"]),
            "body": "My text.",
            "action": "save",
        },
    )
    assert blind.status_code == 422
    assert client.get(f"/api/v1/claims/{claim['id']}/review", headers=editor).json == kept


def test_the_inbox_lists_verdicts_to_look_at_again_a_page_at_a_time(
    client: FlaskClient,
    person: str,
    reviewer: dict[str, str],
    editor: dict[str, str],
    make_document: Callable[..., dict[str, Any]],
    make_claim: Callable[..., dict[str, Any]],
    confirm_link: Callable[..., dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from service.operations import inbox as inbox_operations
    from tests.api.test_linking_api import _set_status, verified_on_a_link

    made = (make_document, make_claim, confirm_link)
    verdicts = [
        verified_on_a_link(client, (reviewer, editor), made, str(n), outlet)
        for n, outlet in enumerate(("Gazette", "Tribune", "Herald"))
    ]
    assert _sign_in(client, person, PASSWORD).status_code == 302
    assert "Verdicts to look at again" not in client.get("/").get_data(as_text=True)
    # The first and third verdicts lose the claim they rested on; the second keeps it.
    for _, backing in (verdicts[0], verdicts[2]):
        gone = _set_status(client, reviewer, backing, status="rejected", rationale="an ad")
        assert gone.status_code == 200, gone.json
    page = client.get("/").get_data(as_text=True)
    assert "Verdicts to look at again" in page
    section = page.split('id="review-h"')[1].split("</section>")[0]
    shown = [int(n) for n in re.findall(r"claim=(\d+)#c", section)]
    flagged = [verdicts[0][0], verdicts[2][0]]
    assert [n for n in shown if n in {c for c, _ in verdicts}] == flagged
    assert "what that verdict needs is gone" in page
    # A page at a time: the next verdict is one link away, and the first page one link back.
    monkeypatch.setattr(inbox_operations, "REVIEW_PAGE", 1)
    first = client.get("/").get_data(as_text=True)
    assert f"claim={flagged[0]}#" in first
    assert f"claim={flagged[1]}#" not in first
    more = re.search(r'href="([^"]*review_after=[^"]+)">More verdicts to look at', first)
    assert more, first
    second = client.get(more.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert f"claim={flagged[1]}#" in second
    assert f"claim={flagged[0]}#" not in second
    assert "First verdicts to look at" in second
    # Each list keeps the other's place: a search on this page keeps the verdicts' page.
    searched = client.get(more.group(1).replace("&amp;", "&") + "&q=ferry").get_data(as_text=True)
    assert f"claim={flagged[1]}#" in searched.split('id="review-h"')[1].split("</section>")[0]
    assert 'name="review_after"' in searched
    # A cursor the list did not issue shows the first page instead of an error.
    edited = client.get("/?review_after=not-a-cursor")
    assert edited.status_code == 200
    assert f"claim={flagged[0]}#" in edited.get_data(as_text=True)


def test_the_inbox_judges_a_bounded_number_of_verdicts_a_view(
    client: FlaskClient,
    person: str,
    reviewer: dict[str, str],
    editor: dict[str, str],
    make_document: Callable[..., dict[str, Any]],
    make_claim: Callable[..., dict[str, Any]],
    confirm_link: Callable[..., dict[str, Any]],
    count_queries: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Healthy verdicts are candidates: however many come before the one that needs review, a
    # view judges at most REVIEW_JUDGED of them, and "More" goes on from there.
    import service.operations.claims as claims
    from service.operations import inbox as inbox_operations
    from tests.api.test_linking_api import _set_status, verified_on_a_link

    monkeypatch.setattr(claims, "_SCAN", 2)
    monkeypatch.setattr(inbox_operations, "REVIEW_JUDGED", 4)
    made = (make_document, make_claim, confirm_link)

    def statements() -> int:
        count_queries.clear()
        assert client.get("/").status_code == 200
        return len([q for q in count_queries if q.lstrip().upper().startswith("SELECT")])

    for n in range(5):
        verified_on_a_link(client, (reviewer, editor), made, str(n), f"Gazette {n}")
    assert _sign_in(client, person, PASSWORD).status_code == 302
    few = statements()
    for n in range(5, 11):
        verified_on_a_link(client, (reviewer, editor), made, str(n), f"Gazette {n}")
    last, backing = verified_on_a_link(client, (reviewer, editor), made, "11", "Gazette 11")
    gone = _set_status(client, reviewer, backing, status="rejected", rationale="an advert")
    assert gone.status_code == 200, gone.json
    assert statements() == few
    path, views = "/", 0
    while True:
        page = client.get(path).get_data(as_text=True)
        views += 1
        if f"claim={last}#" in page:
            break
        more = re.search(r'href="([^"]*review_after=[^"]+)">More verdicts to look at', page)
        assert more, page
        path = more.group(1).replace("&amp;", "&")
    assert views > 2


def test_a_long_paste_is_read_whole_and_not_refused_as_a_large_form_field(
    client: FlaskClient, person: str
) -> None:
    # Werkzeug's default refuses a form field over 500 kB: half of what a body may hold.
    _sign_in(client, person, PASSWORD)
    token = _token(client, "/ingest")
    body = "The Nordhavn yard hired 40 welders in Bergen this spring. " * 11_000  # 638 kB
    # As a browser sends the form (multipart), encoded in memory: the test client's own
    # encoder would spool it to a temporary file it never closes.
    from werkzeug.test import encode_multipart

    boundary, data = encode_multipart({"csrf_token": token, "body": body})
    sent = client.post(
        "/ingest", data=data, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert sent.status_code == 302, sent.get_data(as_text=True)[:300]
    document = int(sent.headers["Location"].split("/documents/")[1].split("?")[0])
    assert len(client.get(f"/api/v1/documents/{document}").json["body"]) == len(body)


def test_a_browser_is_told_of_an_error_on_a_page_and_a_client_by_a_problem_document(
    client: FlaskClient, person: str
) -> None:
    _sign_in(client, person, PASSWORD)
    html = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
    missing = client.get("/documents/999999", headers=html)
    assert missing.status_code == 404
    assert missing.content_type.startswith("text/html")
    page = missing.get_data(as_text=True)
    assert "404 · Not found" in page
    assert "no document 999999" in page
    assert "Back to the inbox" in page
    # A form's address opened again (after a refused decision, the address bar holds it).
    again = client.get("/claims/1/status", headers=html)
    assert again.status_code == 405
    assert "405 · Method Not Allowed" in again.get_data(as_text=True)
    assert "Accept" in missing.headers["Vary"]
    # Tools, and any client that does not ask for HTML, keep RFC 9457.
    assert client.get("/documents/999999").content_type == "application/problem+json"
    api = client.get("/api/v1/claims/999999", headers=html)
    assert api.status_code == 404
    assert api.content_type == "application/problem+json"


def test_the_same_text_pasted_under_another_outlet_says_that_outlet_was_not_recorded(
    client: FlaskClient, person: str
) -> None:
    _sign_in(client, person, PASSWORD)
    body = "The Nordhavn yard in Bergen hired 40 welders, the harbour master said.\n"
    first = client.post(
        "/ingest", data={"csrf_token": _token(client, "/ingest"), "body": body, "outlet": "Gazette"}
    )
    assert first.status_code == 302
    again = client.post(
        "/ingest",
        data={"csrf_token": _token(client, "/ingest"), "body": body, "outlet": "Tribune"},
        follow_redirects=True,
    )
    page = again.get_data(as_text=True)
    assert "already stored." in page
    assert "The outlet you gave was not recorded" in page
    assert "from Gazette" in page
    same = client.post(
        "/ingest",
        data={"csrf_token": _token(client, "/ingest"), "body": body, "outlet": "gazette"},
        follow_redirects=True,
    )
    assert "already stored." in same.get_data(as_text=True)
    assert "was not recorded" not in same.get_data(as_text=True)


def test_a_reviewed_link_can_be_taken_back_on_the_page_rejected_ones_included(
    client: FlaskClient, person: str, suggested_pair: dict[str, Any]
) -> None:
    # A mis-click is not a dead end: a confirmed link can be rejected instead, and a rejected
    # one (shown apart) confirmed instead, each with its reason in the claim's history.
    document_id, claim_id, link = suggested_pair.values()
    _sign_in(client, person, PASSWORD)
    path = f"/documents/{document_id}?claim={claim_id}"
    review = f"/links/{link['id']}/review"
    where = {"document": str(document_id), "claim": str(claim_id), "relation": "same_claim"}

    def decide(decision: str, why: str) -> None:
        version = client.get(f"/api/v1/links/{link['id']}").json["version"]
        sent = _submit(
            client, path, review, version=str(version), rationale=why, decision=decision, **where
        )
        assert sent.status_code == 302, sent.get_data(as_text=True)[:500]

    decide("reject", "not the same ferry")
    page = client.get(path).get_data(as_text=True)
    assert "Rejected links (1)" in page
    assert "“not the same ferry”" in page
    assert "Confirm instead" in page
    decide("confirm", "it is the same ferry after all")
    assert client.get(f"/api/v1/links/{link['id']}").json["state"] == "confirmed"
    page = client.get(path).get_data(as_text=True)
    assert "Rejected links" not in page
    assert "Reject instead" in page
    decide("reject", "the harbour master corrected it")
    assert client.get(f"/api/v1/links/{link['id']}").json["state"] == "rejected"


def test_an_address_naming_a_claim_the_document_does_not_hold_says_so(
    client: FlaskClient, person: str, suggested_pair: dict[str, Any]
) -> None:
    document_id, claim_id, _ = suggested_pair.values()
    _sign_in(client, person, PASSWORD)
    for asked in ("999999", "abc", "-1"):
        page = client.get(f"/documents/{document_id}?claim={asked}")
        assert page.status_code == 404
        assert f"this document has no claim {asked}" in page.get_data(as_text=True)
    assert client.get(f"/documents/{document_id}?claim={claim_id}").status_code == 200
    assert client.get(f"/documents/{document_id}").status_code == 200


def test_a_pasted_texts_headline_is_its_title_unless_one_is_given(
    client: FlaskClient, person: str
) -> None:
    _sign_in(client, person, PASSWORD)
    body = "Ferry strike ends in Bergen\n\nThe strike at the Nordhavn yard ended on Monday.\n"
    sent = client.post("/ingest", data={"csrf_token": _token(client, "/ingest"), "body": body})
    document = int(sent.headers["Location"].split("/documents/")[1].split("?")[0])
    stored = client.get(f"/api/v1/documents/{document}").json
    assert stored["title"] == "Ferry strike ends in Bergen"
    assert stored["published_on"] is None  # no stamp in the text
    other = body.replace("Monday", "Tuesday")
    titled = client.post(
        "/ingest",
        data={"csrf_token": _token(client, "/ingest"), "body": other, "title": "Strike over"},
    )
    document = int(titled.headers["Location"].split("/documents/")[1].split("?")[0])
    assert client.get(f"/api/v1/documents/{document}").json["title"] == "Strike over"


def test_a_revision_pasted_with_its_url_keeps_the_documents_title(
    client: FlaskClient, person: str, reviewer: dict[str, str]
) -> None:
    # The same URL again is a new revision of the stored document: a first line guessed as a
    # headline must not replace the title it has.
    url = "https://news.example.org/2025/03/strike"
    first = "The strike at the Nordhavn yard ended on Monday after nine days.\n"
    doc = client.post(
        "/api/v1/documents?wait=true",
        json={"body": first, "url": url, "title": "Nordhavn strike ends", "extract": False},
        headers=reviewer,
    ).json
    _sign_in(client, person, PASSWORD)
    revised = client.post(
        "/ingest",
        data={
            "csrf_token": _token(client, "/ingest"),
            "body": "Harbour strike over at last\n" + first.replace("nine", "ten"),
            "url": url,
        },
    )
    assert revised.status_code == 302
    stored = client.get(f"/api/v1/documents/{doc['id']}").json
    assert stored["revision"] == 2
    assert stored["title"] == "Nordhavn strike ends"


def test_a_pasted_texts_date_stamp_is_its_publication_date_unless_one_is_given(
    client: FlaskClient, person: str
) -> None:
    _sign_in(client, person, PASSWORD)
    body = (
        "Ferry strike ends in Bergen\n"
        "POSTED: 0930 GMT, March 5, 2025\n\n"
        "The Nordhavn yard said on Monday that 40 welders went back to work.\n"
    )
    sent = client.post("/ingest", data={"csrf_token": _token(client, "/ingest"), "body": body})
    document = int(sent.headers["Location"].split("/documents/")[1].split("?")[0])
    assert client.get(f"/api/v1/documents/{document}").json["published_on"] == "2025-03-05"
    given = client.post(
        "/ingest",
        data={
            "csrf_token": _token(client, "/ingest"),
            "body": body.replace("40", "41"),
            "published_on": "2025-03-06",
        },
    )
    document = int(given.headers["Location"].split("/documents/")[1].split("?")[0])
    assert client.get(f"/api/v1/documents/{document}").json["published_on"] == "2025-03-06"


def test_a_corrected_text_is_posted_from_the_document_page_as_its_next_revision(
    client: FlaskClient, person: str, reviewer: dict[str, str]
) -> None:
    # Pasting the corrected article into Ingest made a document of its own: its claims
    # unreviewed again, its decisions not carried over.
    body = "The pier will reopen in March 2027.\n\nThe council voted 7-2 on Tuesday."
    doc = client.post(
        "/api/v1/documents?wait=true",
        json={"body": body, "outlet": "Harbour News"},
        headers=reviewer,
    ).json
    before = {c["id"] for c in client.get(f"/api/v1/documents/{doc['id']}/claims").json}
    _sign_in(client, person, PASSWORD)
    page = client.get(f"/documents/{doc['id']}").get_data(as_text=True)
    assert "Store as revision 2" in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    posted = client.post(
        f"/documents/{doc['id']}/revise",
        data={"csrf_token": token.group(1), "body": body.replace("March", "April")},
    )
    assert posted.status_code == 302
    after = client.get(f"/api/v1/documents/{doc['id']}").json
    assert after["revision"] == 2
    claims = client.get(f"/api/v1/documents/{doc['id']}/claims").json
    assert before <= {c["id"] for c in claims}  # the same claims, re-anchored
    shown = client.get(posted.headers["Location"]).get_data(as_text=True)
    assert "Stored as revision 2" in shown
    assert len(client.get("/api/v1/documents").json) == 1  # no second document
    same = client.post(
        f"/documents/{doc['id']}/revise",
        data={"csrf_token": token.group(1), "body": body.replace("March", "April")},
    )
    assert "Nothing stored" in client.get(same.headers["Location"]).get_data(as_text=True)


def test_a_reviewer_is_not_offered_a_decision_form_that_can_only_be_refused(
    client: FlaskClient,
    session: Session,
    editor: dict[str, str],
    make_document: Callable[..., dict[str, Any]],
    make_claim: Callable[..., dict[str, Any]],
) -> None:
    doc = make_document()
    claim = make_claim(doc)
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
    _sign_in(client, _reviewer_person(session), PASSWORD)
    page = client.get(f"/documents/{doc['id']}?claim={claim['id']}").get_data(as_text=True)
    # From "verified" every way is an editor's: no form, and the page says so.
    assert "Save decision" not in page
    assert "This claim is verified. Changing it is an editor's decision" in page
    # Nor a correction form whose fields are now an editor's to change.
    assert "Save corrections" not in page
    assert "an editor's to correct" in page


def test_the_document_page_says_only_what_ingest_said_never_what_an_address_says(
    client: FlaskClient, person: str
) -> None:
    # A link can carry any words: the page shows its own notice for a known key, no more.
    _sign_in(client, person, PASSWORD)
    body = "The Nordhavn yard in Bergen hired 40 welders, the harbour master said.\n"
    stored = client.post(
        "/ingest",
        data={"csrf_token": _token(client, "/ingest"), "body": body, "outlet": "Gazette"},
        follow_redirects=True,
    )
    assert f"Document {stored.request.path.rsplit('/', 1)[1]} stored" in stored.get_data(
        as_text=True
    )
    spoof = client.get(
        stored.request.path + "?ingested=was+flagged+as+fake%3A+call+555-0100&not_recorded=Evil"
    ).get_data(as_text=True)
    assert "555-0100" not in spoof
    assert "Evil" not in spoof
    assert "was not recorded" not in spoof
