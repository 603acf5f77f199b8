"""The workspace in a real browser: Playwright driving Debian's Chromium (no browser download)
against the app served on loopback, on the test database.

`.ci/run` installs Chromium with apt-get; where it is missing these tests skip and say so.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from service.domain.enums import Role
from service.operations.actors import SYSTEM
from service.operations.people import create_person

CHROMIUM = os.environ.get("CLAIMDESK_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(
    not os.path.exists(CHROMIUM), reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)"
)
#: Headless as root on a machine with no network: no sandbox, no background connections.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "correct horse battery"
#: Screenshots of the pages as the tests leave them, to look at (not committed).
SHOTS = Path(os.environ.get("CLAIMDESK_SCREENSHOTS", "/tmp/claimdesk-screenshots"))
SHOTS.mkdir(parents=True, exist_ok=True)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context()
    opened = context.new_page()
    yield opened
    context.close()


def _people(session: Session) -> None:
    create_person(session, SYSTEM, name="Mia Lund", role=Role.EDITOR, password=PASSWORD)
    create_person(session, SYSTEM, name="Vera Viewer", role=Role.VIEWER, password=PASSWORD)
    session.commit()


def _follow(page: Any, name: str) -> None:
    """Click the link and wait for the page it opens: click() returns before the navigation,
    and reading the page at once can read the one being left (the queue's links were once
    counted as 0 on a busy machine)."""
    with page.expect_navigation():
        page.get_by_role("link", name=name).click()
    page.wait_for_load_state()


def _sign_in(page: Any, live: str, name: str) -> None:
    page.goto(f"{live}/sign-in")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live}/")


def _at_first_claim(
    page: Any, live: str, client: FlaskClient, reviewer: dict[str, str], name: str, body: str
) -> None:
    """A document of `body` stored, `name` signed in on its page, its first claim opened
    with the j key."""
    doc = client.post(
        "/api/v1/documents?wait=true", json={"body": body, "outlet": "Gazette"}, headers=reviewer
    ).json
    _sign_in(page, live, name)
    page.goto(f"{live}/documents/{doc['id']}")
    page.keyboard.press("j")
    page.wait_for_url("**claim=*")


def test_sign_in_confirm_a_suggestion_and_verify_in_a_browser(
    page: Any,
    live: str,
    client: FlaskClient,
    session: Session,
    reviewer: dict[str, str],
    suggested_pair: dict[str, Any],
) -> None:
    _people(session)
    document_id, claim_id, link = suggested_pair.values()
    other_id = link["claim_b_id"] if link["claim_a_id"] == claim_id else link["claim_a_id"]
    before = [client.get(f"/api/v1/claims/{i}").json["corroboration"] for i in (claim_id, other_id)]
    _sign_in(page, live, "Mia Lund")
    assert page.get_by_role("heading", name="Inbox").is_visible()
    page.goto(f"{live}/documents/{document_id}?claim={claim_id}")
    # Verifying with no confirmed independent link is refused, and the page says why.
    page.get_by_label("Status").select_option("verified")
    page.get_by_label("Rationale").fill("two papers say so")
    page.get_by_role("button", name="Save decision").click()
    assert "independent" in page.get_by_role("alert").text_content()
    page.get_by_label("Why").fill("the same statement in two papers")
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_load_state()
    assert "confirmed" in page.content()
    after = [client.get(f"/api/v1/claims/{i}").json["corroboration"] for i in (claim_id, other_id)]
    assert after[0] != before[0]
    assert after[1] != before[1]
    page.get_by_label("Status").select_option("verified")
    page.get_by_label("Rationale").fill("an independent outlet reports the same")
    page.get_by_role("button", name="Save decision").click()
    page.wait_for_load_state()
    assert client.get(f"/api/v1/claims/{claim_id}").json["status"] == "verified"


def test_c_reviews_the_first_suggestion_below_a_confirmed_link_whose_relation_is_corrected(
    page: Any,
    live: str,
    client: FlaskClient,
    session: Session,
    reviewer: dict[str, str],
    suggested_pair: dict[str, Any],
) -> None:
    """`c` did nothing when the claim's first link was already confirmed."""
    _people(session)
    document_id, claim_id, link = suggested_pair.values()
    etag = client.get(f"/api/v1/links/{link['id']}").headers["ETag"]
    confirmed = client.patch(
        f"/api/v1/links/{link['id']}",
        json={"state": "confirmed", "rationale": "one statement"},
        headers=reviewer | {"If-Match": etag},
    )
    assert confirmed.status_code == 200, confirmed.json
    text = "Harbour master Ingrid Solberg said ferry traffic rose in 2023."
    third = client.post(
        "/api/v1/documents?wait=true",
        json={"body": text, "outlet": "Herald", "extract": False},
        headers=reviewer,
    ).json
    other = client.post(
        "/api/v1/claims",
        json={"document_id": third["id"], "span": {"start": 0, "end": len(text)}},
        headers=reviewer,
    ).json
    waiting = client.post(
        "/api/v1/links",
        json={"claim_a_id": claim_id, "claim_b_id": other["id"], "relation": "corroborates"},
        headers=reviewer,
    ).json
    _sign_in(page, live, "Mia Lund")
    page.goto(f"{live}/documents/{document_id}?claim={claim_id}")
    forms = page.locator("form.review")
    assert "suggested" not in (forms.first.get_attribute("class") or "")  # confirmed first
    page.locator("body").press("c")
    page.keyboard.type("the same harbour master on traffic")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert client.get(f"/api/v1/links/{waiting['id']}").json["state"] == "confirmed"
    # The confirmed link's relation is corrected in one step, not rejected and confirmed again.
    page.get_by_text("Change this review").first.click()
    page.get_by_label("Relation").first.select_option("corroborates")
    page.get_by_label("Why").first.fill("the second paper adds the year")
    with page.expect_navigation():
        page.get_by_role("button", name="Save the relation").first.click()
    after = client.get(f"/api/v1/links/{link['id']}").json
    assert (after["state"], after["relation"]) == ("confirmed", "corroborates")


def test_a_stale_save_shows_the_conflict_in_a_browser(
    page: Any,
    live: str,
    client: FlaskClient,
    session: Session,
    reviewer: dict[str, str],
    suggested_pair: dict[str, Any],
) -> None:
    _people(session)
    document_id, claim_id, link = suggested_pair.values()
    _sign_in(page, live, "Mia Lund")
    page.goto(f"{live}/documents/{document_id}?claim={claim_id}")
    etag = client.get(f"/api/v1/links/{link['id']}").headers["ETag"]
    client.patch(
        f"/api/v1/links/{link['id']}",
        json={"state": "rejected", "rationale": "not the same ferry"},
        headers={**reviewer, "If-Match": etag},
    )
    page.get_by_label("Why").fill("looks the same to me")
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_load_state()
    alert = page.get_by_role("alert").text_content()
    assert "changed while you were looking" in alert
    assert "state: 'suggested' → 'rejected'" in alert
    assert client.get(f"/api/v1/links/{link['id']}").json["state"] == "rejected"


def test_the_r_key_says_what_enter_will_do_and_a_click_still_takes_its_own_button(
    page: Any,
    live: str,
    client: FlaskClient,
    session: Session,
    suggested_pair: dict[str, Any],
) -> None:
    _people(session)
    document_id, claim_id, link = suggested_pair.values()
    _sign_in(page, live, "Mia Lund")
    page.goto(f"{live}/documents/{document_id}?claim={claim_id}")
    # The link's controls are a group named by the other claim.
    group = page.locator("div.link[role=group]").first
    assert group.get_attribute("aria-labelledby") == f"link-{link['id']}-other"
    page.locator("body").press("r")
    assert (
        page.get_by_role("status").text_content() == "Enter will reject this link: say why first."
    )
    reject = page.get_by_role("button", name="Reject")
    assert reject.get_attribute("aria-pressed") == "true"
    assert page.get_by_role("button", name="Confirm").get_attribute("aria-pressed") == "false"
    page.keyboard.type("the same ferry after all")
    # Changing one's mind with the mouse: the button clicked is the action taken.
    with page.expect_navigation():
        page.get_by_role("button", name="Confirm").click()
    assert client.get(f"/api/v1/links/{link['id']}").json["state"] == "confirmed"


def test_r_then_enter_rejects_the_link(
    page: Any,
    live: str,
    client: FlaskClient,
    session: Session,
    suggested_pair: dict[str, Any],
) -> None:
    # Enter in the "why" box submits through the form's first button (Confirm): the key's
    # choice must hold all the same.
    _people(session)
    document_id, claim_id, link = suggested_pair.values()
    _sign_in(page, live, "Mia Lund")
    page.goto(f"{live}/documents/{document_id}?claim={claim_id}")
    page.locator("body").press("r")
    page.keyboard.type("a different ferry")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert client.get(f"/api/v1/links/{link['id']}").json["state"] == "rejected"


def test_keys_move_between_claims(
    page: Any, live: str, client: FlaskClient, session: Session, reviewer: dict[str, str]
) -> None:
    _people(session)
    body = "The yard hired 40 welders in 2021.\nThe yard lost its ferry contract in 2020.\n"
    _at_first_claim(page, live, client, reviewer, "Mia Lund", body)
    first = page.url
    page.keyboard.press("j")
    page.wait_for_url(lambda url: url != first)
    assert "lost its ferry contract" in page.locator("aside blockquote").first.text_content()


def test_a_viewer_gets_no_write_controls_and_a_post_without_token_is_refused(
    page: Any,
    live: str,
    client: FlaskClient,
    session: Session,
    reviewer: dict[str, str],
    suggested_pair: dict[str, Any],
) -> None:
    _people(session)
    document_id, claim_id, link = suggested_pair.values()
    _sign_in(page, live, "Vera Viewer")
    page.goto(f"{live}/documents/{document_id}?claim={claim_id}")
    assert page.get_by_role("button", name="Confirm").count() == 0
    assert page.get_by_role("button", name="Save decision").count() == 0
    forged = page.request.post(
        f"{live}/links/{link['id']}/review",
        form={"decision": "confirm", "rationale": "forged", "version": "1"},
    )
    assert forged.status == 400  # no CSRF token
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    with_token = page.request.post(
        f"{live}/links/{link['id']}/review",
        form={
            "csrf_token": token,
            "decision": "confirm",
            "rationale": "forged",
            "version": str(link["version"]),
            "document": str(document_id),
        },
    )
    assert with_token.status == 403  # a viewer's write, token or not
    assert client.get(f"/api/v1/links/{link['id']}").json["state"] == "suggested"


def _select(page: Any, words: str) -> None:
    """Select `words` in the article's first text node as a reader would, then release the
    mouse (the page fills the "Add a claim" span from the selection)."""
    page.evaluate(
        """(words) => {
            const article = document.querySelector("article.text");
            const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
            const node = walker.nextNode();
            const at = node.textContent.indexOf(words);
            const range = document.createRange();
            range.setStart(node, at);
            range.setEnd(node, at + words.length);
            const selection = window.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
            document.dispatchEvent(new MouseEvent("mouseup", {bubbles: true}));
        }""",
        words,
    )


def test_selecting_words_in_the_text_adds_a_claim(
    page: Any, live: str, client: FlaskClient, session: Session, reviewer: dict[str, str]
) -> None:
    _people(session)
    body = "Café owners said rents rose 12% in 2023. The council approved the budget."
    doc = client.post(
        "/api/v1/documents?wait=true",
        json={"body": body, "outlet": "Gazette", "extract": False},
        headers=reviewer,
    ).json
    _sign_in(page, live, "Mia Lund")
    page.goto(f"{live}/documents/{doc['id']}")
    # Select "rents rose 12%" in the article as a reader would, then release the mouse.
    _select(page, "rents rose 12%")
    assert page.get_by_label("From character").input_value() == str(body.index("rents"))
    page.get_by_role("button", name="Add claim").click()
    page.wait_for_url("**claim=*")
    claims = client.get(f"/api/v1/documents/{doc['id']}/claims").json
    assert [c["text"] for c in claims] == ["rents rose 12%"]


def test_a_claim_marked_in_a_text_with_windows_line_breaks_gets_the_words_chosen(
    page: Any, live: str, client: FlaskClient, session: Session, reviewer: dict[str, str]
) -> None:
    # The API stores a body as sent, CRLF included; the HTML parser drops each CR of the
    # page's copy unless it is written as a reference, and the offsets came out short.
    _people(session)
    body = "Harbour news.\r\nThe yard hired 40 welders in 2021.\r\nMore to follow.\r\n"
    doc = client.post(
        "/api/v1/documents?wait=true",
        json={"body": body, "outlet": "Gazette", "extract": False},
        headers=reviewer,
    ).json
    _sign_in(page, live, "Mia Lund")
    page.goto(f"{live}/documents/{doc['id']}")
    _select(page, "40 welders")
    assert page.get_by_label("From character").input_value() == str(body.index("40 welders"))
    page.get_by_role("button", name="Add claim").click()
    page.wait_for_url("**claim=*")
    claims = client.get(f"/api/v1/documents/{doc['id']}/claims").json
    assert [c["text"] for c in claims] == ["40 welders"]


def test_a_revision_and_a_copy_are_reviewed_in_a_browser(
    page: Any, live: str, client: FlaskClient, session: Session, editor: dict[str, str]
) -> None:
    from tests.api.test_copies import REPRINT, WIRE
    from tests.api.test_revisions import FIRST, P2, P3, P4, SECOND, URL

    _people(session)
    post = "/api/v1/documents?wait=true"
    client.post(post, json={"body": WIRE, "outlet": "Wire", "extract": False}, headers=editor)
    reprint = client.post(
        post, json={"body": REPRINT, "outlet": "Daily", "extract": False}, headers=editor
    ).json
    doc = client.post(
        post,
        json={"body": FIRST, "url": URL, "title": "Harbour levy", "extract": False},
        headers=editor,
    ).json
    for sentence in (P2, P3, P4):
        start = FIRST.index(sentence)
        span = {"start": start, "end": start + len(sentence)}
        client.post("/api/v1/claims", json={"document_id": doc["id"], "span": span}, headers=editor)
    revised = client.post(post, json={"body": SECOND, "url": URL, "extract": False}, headers=editor)
    assert revised.json["revision"] == 2
    _sign_in(page, live, "Mia Lund")

    # The copy: seen on the reprint's page, confirmed there, one origin after.
    page.goto(f"{live}/documents/{reprint['id']}")
    copies = page.get_by_role("region", name="Possible copies")
    assert "looks like a copy of" in copies.text_content()
    page.screenshot(path="/tmp/claimdesk-copy.png", full_page=True)
    page.get_by_label("Why it is or is not a copy").fill("the agency story with a new lede")
    page.get_by_role("button", name="Confirm copy (one origin)").click()
    page.wait_for_load_state()
    assert "one origin" in page.get_by_role("region", name="Possible copies").text_content()
    assert client.get(f"/api/v1/documents/{reprint['id']}").json["derived_from_id"] is not None

    # The revision: the orphaned claim is listed (not highlighted), the diff is a click away.
    page.goto(f"{live}/documents/{doc['id']}")
    revisions = page.get_by_role("region", name="Revisions")
    assert "1 orphaned claim" in revisions.text_content()
    assert P3 in revisions.text_content()
    assert P3 not in page.get_by_role("article").text_content()
    page.screenshot(path="/tmp/claimdesk-revised.png", full_page=True)
    _follow(page, "revision 2: what changed")
    diff = page.get_by_role("region", name="Changes against the revision before")
    assert page.locator(".diff .removed").filter(has_text=P3).count() == 1
    assert page.locator(".diff .added").count() >= 2
    assert "Changes against revision 1" in diff.text_content()
    changed = page.get_by_role("region", name="Claims whose text changed")
    assert "re-review" not in changed.text_content()  # unreviewed: nothing to re-review
    page.screenshot(path="/tmp/claimdesk-revision.png", full_page=True)


def test_a_fact_check_published_elsewhere_is_confirmed_in_a_browser(
    page: Any, live: str, client: FlaskClient, session: Session, editor: dict[str, str]
) -> None:
    from tests.api.test_factchecks import ARTICLE_PAGE

    _people(session)
    body = (
        "Rosa Haddad said the Old Mill footbridge repair will cost Lakeport 14.2 million dollars."
    )
    # Published two days after the reviewed statement was made (REVIEW's itemReviewed date).
    doc = client.post(
        "/api/v1/documents?wait=true",
        json={"body": body, "extract": False, "published_on": "2025-03-05"},
        headers=editor,
    ).json
    claim = client.post(
        "/api/v1/claims",
        json={"document_id": doc["id"], "span": {"start": 0, "end": len(body)}},
        headers=editor,
    ).json
    # From the review's page: its article is kept and read by the matching.
    client.post("/api/v1/fact-checks", json={"html": ARTICLE_PAGE}, headers=editor)
    _sign_in(page, live, "Mia Lund")
    page.goto(f"{live}/documents/{doc['id']}?claim={claim['id']}")
    panel = page.get_by_role("region", name="Checked elsewhere")
    assert "Lakeport Checks" in panel.text_content()
    assert "strongly suggested" in panel.text_content()
    assert "said 2 days apart" in panel.text_content()
    assert "the claim's words are in the review's article" in panel.text_content()
    page.screenshot(path="/tmp/claimdesk-checked.png", full_page=True)
    page.get_by_label("Why this review does or does not check the claim").fill("same figure")
    page.get_by_role("button", name="Same claim: cite it").click()
    page.wait_for_load_state()
    assert "confirmed" in page.get_by_role("region", name="Checked elsewhere").text_content()
    shown = client.get(f"/api/v1/claims/{claim['id']}/fact-checks").json
    assert shown[0]["state"] == "confirmed"


def test_an_editor_publishes_a_review_and_the_public_reads_it(
    page: Any, live: str, client: FlaskClient, session: Session, editor: dict[str, str]
) -> None:
    _people(session)
    body = "The harbour authority said the ferry carried 1.2 million passengers in 2023."
    doc = client.post(
        "/api/v1/documents?wait=true", json={"body": body, "extract": False}, headers=editor
    ).json
    claim = client.post(
        "/api/v1/claims",
        json={"document_id": doc["id"], "span": {"start": 0, "end": len(body)}},
        headers=editor,
    )
    decided = client.put(
        f"/api/v1/claims/{claim.json['id']}/status",
        json={
            "status": "false",
            "rationale": "the annual report gives 0.9 million",
            "evidence": [{"url": "https://port.example/report"}],
        },
        headers=editor | {"If-Match": claim.headers["ETag"]},
    )
    assert decided.status_code == 200, decided.json
    _sign_in(page, live, "Mia Lund")
    page.goto(f"{live}/documents/{doc['id']}?claim={claim.json['id']}")
    panel = page.get_by_role("region", name="Public review")
    assert "not published" in panel.text_content()
    page.get_by_label("Headline").fill("No, the ferry did not carry 1.2 million")
    page.get_by_role("button", name="Publish").click()
    page.wait_for_load_state()
    _follow(page, "the public page")
    assert (
        page.get_by_role("heading", level=1).text_content()
        == "No, the ferry did not carry 1.2 million"
    )
    assert "Our verdict: False" in page.content()
    page.screenshot(path="/tmp/claimdesk-public-review.png", full_page=True)
    # Back on the panel, a published review offers no "draft": saving changes the public page.
    page.goto(f"{live}/documents/{doc['id']}?claim={claim.json['id']}")
    panel = page.get_by_role("region", name="Public review")
    assert panel.get_by_role("button", name="Save draft").count() == 0
    assert "saving changes the public page" in panel.text_content()
    assert panel.get_by_role("button", name="Save the public review").is_visible()


def _long_document(client: FlaskClient, reviewer: dict[str, str], sentences: int) -> dict[str, Any]:
    body = "\n".join(
        f"The council said the harbour budget for district {n} rose by {n + 3} percent in 2024."
        for n in range(sentences)
    )
    return client.post(  # type: ignore[no-any-return]
        "/api/v1/documents?wait=true", json={"body": body, "outlet": "Gazette"}, headers=reviewer
    ).json


def _in_view(locator: Any, height: int = 800) -> None:
    box = locator.bounding_box()
    assert box is not None
    assert box["y"] >= 0, box
    assert box["y"] + box["height"] <= height, box


def test_the_panel_stays_in_view_beside_a_long_text_and_follows_the_keys(
    page: Any, live: str, client: FlaskClient, session: Session, reviewer: dict[str, str]
) -> None:
    """Selecting claim 101 of a long document left the panel 5,876 px above the viewport."""
    _people(session)
    doc = _long_document(client, reviewer, 120)
    claims = client.get(f"/api/v1/documents/{doc['id']}/claims?limit=200").json
    assert len(claims) >= 110
    late = claims[100]
    _sign_in(page, live, "Mia Lund")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live}/documents/{doc['id']}?claim={late['id']}#c{late['id']}")
    heading = page.locator("aside#panel h2").first
    assert f"Claim {late['id']}" in heading.text_content()
    # The panel's heading is on screen beside the selected claim, and the panel scrolls on
    # its own: its decision form comes into view while the claim stays in view.
    _in_view(heading)
    _in_view(page.locator("a.claim.selected"))
    save = page.get_by_role("button", name="Save decision")
    save.scroll_into_view_if_needed()
    _in_view(save)
    _in_view(page.locator("a.claim.selected"))
    page.keyboard.press("j")
    page.wait_for_url(lambda url: f"claim={late['id']}" not in url)
    _in_view(page.locator("aside#panel h2").first)
    _in_view(page.locator("a.claim.selected"))
    page.screenshot(path=str(SHOTS / "panel-sticky.png"))
    # A refused decision says why on the panel, in view (it was at the top of the page).
    page.get_by_label("Status").select_option("verified")
    page.get_by_label("Rationale").fill("two papers say so")
    with page.expect_navigation():
        page.get_by_role("button", name="Save decision").click()
    page.wait_for_load_state("load")
    alert = page.locator("#panel-problem")
    assert "independent" in alert.text_content()
    _in_view(alert)
    assert page.get_by_role("alert").count() == 1


def test_on_a_phone_the_panel_follows_the_text_and_no_page_scrolls_sideways(
    page: Any, live: str, client: FlaskClient, session: Session, reviewer: dict[str, str]
) -> None:
    """At 390 px the document kept two columns (one word a line, the panel over the text) and
    the queue, inbox and report pages were 584-898 px wide."""
    _people(session)
    doc = _long_document(client, reviewer, 40)
    claims = client.get(f"/api/v1/documents/{doc['id']}/claims?limit=100").json
    late = claims[30]
    _sign_in(page, live, "Mia Lund")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live}/documents/{doc['id']}?claim={late['id']}#c{late['id']}")
    page.wait_for_load_state("load")
    text_box = page.locator("article.text").bounding_box()
    panel_box = page.locator("aside#panel").bounding_box()
    assert text_box is not None
    assert panel_box is not None
    assert text_box["width"] > 300  # the text has the width of the screen
    assert panel_box["y"] >= text_box["y"] + text_box["height"] - 1  # the panel below it
    _in_view(page.locator("aside#panel h2").first, 844)  # and opened at the chosen claim
    page.screenshot(path="/tmp/claimdesk-phone-document.png")
    # An outlet with a long name widens every outlet select (the inbox was 438 px wide).
    client.post(
        "/api/v1/documents?wait=true",
        json={
            "body": "The regional council said it cut bus fares by 10 percent in 2024.",
            "outlet": "The Northern Regional Newspaper and Broadcasting Corporation Ltd",
        },
        headers=reviewer,
    )
    paths = ("/", "/queue", "/ingest", "/speakers")
    for path in (*paths, f"/api/v1/documents/{doc['id']}/report?format=html"):
        page.goto(f"{live}{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        wide = page.evaluate(
            "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect()"
            ".right > 391 && !e.closest('table')).slice(0, 3).map(e => e.outerHTML.slice(0, 80))"
        )
        assert width <= 390, (path, width, wide)
        page.screenshot(path=f"/tmp/claimdesk-phone{path.replace('/', '-')[:20]}.png")


def test_one_tab_reaches_the_claim_panel(
    page: Any, live: str, client: FlaskClient, session: Session, reviewer: dict[str, str]
) -> None:
    _people(session)
    doc = _long_document(client, reviewer, 30)
    claim = client.get(f"/api/v1/documents/{doc['id']}/claims").json[0]
    _sign_in(page, live, "Mia Lund")
    page.goto(f"{live}/documents/{doc['id']}?claim={claim['id']}")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to the claim panel"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "panel"


def test_split_halves_are_highlighted_and_the_keys_reach_them(
    page: Any, live: str, client: FlaskClient, session: Session, reviewer: dict[str, str]
) -> None:
    _people(session)
    body = (
        "The mayor said the ferry carried 1.2 million passengers in 2023, and the port "
        "authority said the harbour lost 4 million euros that year.\n"
    )
    doc = client.post(
        "/api/v1/documents?wait=true", json={"body": body, "outlet": "Gazette"}, headers=reviewer
    ).json
    original = client.get(f"/api/v1/documents/{doc['id']}/claims").json[0]
    _sign_in(page, live, "Mia Lund")
    page.goto(f"{live}/documents/{doc['id']}?claim={original['id']}")
    page.get_by_role("button", name="Split into two claims").click()
    page.wait_for_load_state()
    live_claims = [
        c
        for c in client.get(f"/api/v1/documents/{doc['id']}/claims?limit=200").json
        if c["status"] != "rejected"
    ]
    assert len(live_claims) == 2
    shown = page.locator("article a.claim").evaluate_all("els => els.map(e => e.id)")
    assert shown == [f"c{c['id']}" for c in sorted(live_claims, key=lambda c: c["span"]["start"])]
    page.goto(f"{live}/documents/{doc['id']}")
    page.keyboard.press("j")
    page.wait_for_url("**claim=*")
    page.keyboard.press("j")
    page.wait_for_url(lambda url: f"claim={live_claims[0]['id']}" not in url)
    assert f"claim={live_claims[1]['id']}" in page.url


def test_a_refused_decision_keeps_what_was_typed_and_a_decision_shows_its_reasons(
    page: Any,
    live: str,
    client: FlaskClient,
    session: Session,
    suggested_pair: dict[str, Any],
) -> None:
    _people(session)
    document_id, claim_id, _ = suggested_pair.values()
    _sign_in(page, live, "Mia Lund")
    page.goto(f"{live}/documents/{document_id}?claim={claim_id}")
    # The link card says where the other claim stands.
    assert "that claim is unreviewed" in page.locator("aside#panel").text_content()
    page.get_by_label("Status").select_option("verified")
    page.get_by_label("Rationale").fill("two papers say so, and I checked the port figures")
    page.get_by_role("button", name="Save decision").click()
    page.wait_for_load_state()
    assert "independent" in page.get_by_role("alert").text_content()
    assert page.get_by_label("Rationale").input_value() == (
        "two papers say so, and I checked the port figures"
    )
    assert page.get_by_label("Status").input_value() == "verified"
    # Typed again with evidence, the decision goes through and shows its reasons.
    page.get_by_label("Evidence URL (optional)").fill("https://port.example/report-2023")
    page.get_by_role("button", name="Save decision").click()
    page.wait_for_load_state()
    panel = page.locator("aside#panel").text_content()
    assert "unreviewed → verified by Mia Lund" in panel
    assert "I checked the port figures" in panel
    assert page.get_by_role("link", name="https://port.example/report-2023").is_visible()
    history = page.locator("aside#panel ol").last.text_content()
    assert "status unreviewed → verified" in history
    page.screenshot(path=str(SHOTS / "decision-reasons.png"), full_page=True)


ARTICLE_HTML = b"""<!doctype html><html><head><title>Ferry figures</title>
<meta name="author" content="Kari Holm"></head><body><article><h1>Ferry figures</h1>
<p>Harbour master Ingrid Solberg said the Nordhavn ferry carried 1.2 million passengers in
2023, up from 900,000 the year before.</p>
<p>The port authority said the harbour lost 4 million euros in 2023 because fuel prices rose
by 30 percent.</p>
<p>Critics said the council had ignored three warnings about the budget since 2021.</p>
</article></body></html>"""


def test_an_article_is_ingested_from_the_workspace_and_its_extraction_followed(
    page: Any, live: str, client: FlaskClient, session: Session, reviewer: dict[str, str]
) -> None:
    _people(session)
    _sign_in(page, live, "Mia Lund")
    page.get_by_role("link", name="Ingest").click()
    page.screenshot(path=str(SHOTS / "ingest-form.png"), full_page=True)
    page.get_by_label("Paste the text").fill(
        "The mayor said the ferry carried 1.2 million passengers in 2023.\n"
        "The port lost 4 million euros that year, the council said.\n"
    )
    page.get_by_label("Outlet").fill("Gazette")
    page.get_by_label("Title").fill("Ferry year")
    page.get_by_role("button", name="Ingest").click()
    page.wait_for_url("**/documents/*")
    assert "stored" in page.get_by_role("status").first.text_content()
    assert "waiting for a worker" in page.locator("main").text_content()
    document_id = int(page.url.split("/documents/")[1].split("?")[0])
    assert client.get(f"/api/v1/documents/{document_id}").json["state"] == "queued"
    page.screenshot(path=str(SHOTS / "ingest-queued.png"))
    # A worker's turn, done here through the API; the page refreshes itself and shows claims.
    client.post(f"/api/v1/documents/{document_id}/extract", headers=reviewer)
    page.wait_for_selector("article a.claim", timeout=10_000)
    assert page.locator("article a.claim").count() == 2
    assert "waiting for a worker" not in page.locator("main").text_content()
    assert "2 claims found" in page.get_by_role("status").first.text_content()


def test_an_uploaded_page_and_a_fetched_url_are_ingested_and_a_private_url_refused(
    page: Any,
    live: str,
    client: FlaskClient,
    session: Session,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import http.server

    _people(session)
    _sign_in(page, live, "Mia Lund")
    page.goto(f"{live}/ingest")
    page.get_by_label("or upload an HTML or text file").set_input_files(
        {"name": "ferry.html", "mimeType": "text/html", "buffer": ARTICLE_HTML}
    )
    page.get_by_role("button", name="Ingest").click()
    page.wait_for_url("**/documents/*")
    uploaded = int(page.url.split("/documents/")[1].split("?")[0])
    doc = client.get(f"/api/v1/documents/{uploaded}").json
    assert doc["title"] == "Ferry figures"
    assert "Nordhavn ferry carried 1.2 million" in doc["body"]
    assert "<p>" not in doc["body"]

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = ARTICLE_HTML.replace(b"Ferry figures</title>", b"Port losses</title>")
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body.replace(b"4 million", b"5 million"))

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}/port-losses"
    try:
        # The server fetches for a person only from public addresses: loopback is refused,
        # and what was typed stays in the form.
        monkeypatch.delenv("CLAIMDESK_WEBHOOK_ALLOW_PRIVATE", raising=False)
        page.goto(f"{live}/ingest")
        page.get_by_label("or fetch its URL").fill(url)
        page.get_by_label("Outlet").fill("Tribune")
        page.get_by_role("button", name="Ingest").click()
        page.wait_for_load_state()
        refusal = page.get_by_role("alert").text_content()
        assert "cannot be fetched" in refusal
        assert "fetches pages only from public addresses" in refusal  # not a webhook's words
        assert page.get_by_label("Outlet").input_value() == "Tribune"
        monkeypatch.setenv("CLAIMDESK_WEBHOOK_ALLOW_PRIVATE", "1")
        page.get_by_role("button", name="Ingest").click()
        page.wait_for_url("**/documents/*")
        fetched = int(page.url.split("/documents/")[1].split("?")[0])
        doc = client.get(f"/api/v1/documents/{fetched}").json
        assert doc["url"] == url
        assert doc["outlet"]["name"] == "Tribune"
        assert "5 million euros" in doc["body"]
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


def test_the_queue_confirms_five_suggestions_and_rejects_junk_in_a_few_actions(
    page: Any, live: str, client: FlaskClient, session: Session, reviewer: dict[str, str]
) -> None:
    from tests.api.test_workspace import STATEMENTS, _paired_outlets

    _people(session)
    _paired_outlets(client, reviewer, len(STATEMENTS))
    _sign_in(page, live, "Mia Lund")
    actions = 0
    _follow(page, "Queue")
    actions += 1
    links = page.locator("input[name=link]")
    assert links.count() == 5
    # On a short window the actions stay in view below the list, not after its last row.
    page.set_viewport_size({"width": 1280, "height": 560})
    _in_view(page.get_by_role("button", name="Confirm picked links"), 560)
    assert page.get_by_role("checkbox", name="pick the link of").count() == 5
    for n in range(5):
        links.nth(n).check()
        actions += 1
    page.locator("#links-why").fill("the same statement in two papers")
    page.get_by_role("button", name="Confirm picked links").click()
    actions += 2
    page.wait_for_load_state()
    assert "5 links confirmed" in page.get_by_role("status").text_content()
    assert len(client.get("/api/v1/links?state=confirmed").json) == 5
    claims = page.locator("input[name=claim]")
    for n in range(3):
        claims.nth(n).check()
        actions += 1
    page.locator("#claims-why").fill("wire copy, checked elsewhere")
    page.get_by_role("button", name="Reject picked candidates").click()
    actions += 2
    page.wait_for_load_state()
    assert "3 claims rejected" in page.get_by_role("status").text_content()
    page.screenshot(path=str(SHOTS / "queue.png"), full_page=True)
    # Counted for the closing note: 1 to open the queue, 1 per pick, 2 to say why and act.
    print(f"queue: 5 confirmations and 3 rejections in {actions} actions")


def test_a_claim_is_linked_by_hand_from_a_search_on_the_panel(
    page: Any, live: str, client: FlaskClient, session: Session, reviewer: dict[str, str]
) -> None:
    _people(session)
    first = client.post(
        "/api/v1/documents?wait=true",
        json={"body": "The mayor said the city planted 8,000 trees in 2024.", "outlet": "Gazette"},
        headers=reviewer,
    ).json
    client.post(
        "/api/v1/documents?wait=true",
        json={
            "body": "Parks officials said only 3,000 saplings went into the ground last year.",
            "outlet": "Tribune",
        },
        headers=reviewer,
    )
    client.post(
        "/api/v1/documents?wait=true",
        json={"body": "The city planted 8,000 trees in 2024, the mayor said.", "outlet": "Herald"},
        headers=reviewer,
    )
    claim = client.get(f"/api/v1/documents/{first['id']}/claims").json[0]
    _sign_in(page, live, "Mia Lund")
    page.goto(f"{live}/documents/{first['id']}?claim={claim['id']}")
    _follow(page, "Suggest links now")
    assert page.locator("aside#panel").is_visible()
    finder = page.locator("section[aria-label='Find claims to link']")
    finder.screenshot(path=str(SHOTS / "suggest-now.png"))
    # A fresh suggestion says why, as a stored one does: the words the claims share.
    fresh = finder.locator("div.link").first.text_content()
    assert "8,000 trees in 2024, the mayor said" in fresh
    assert "shared: " in fresh
    assert "trees" in fresh.split("shared: ")[1]
    # Ingest stored that pair as a suggestion: the panel points to it, with no second form.
    assert "Already suggested (same claim) in this claim's links above" in fresh
    page.get_by_label("Link to… (words of the other claim)").fill("saplings")
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state()
    found = page.locator("section[aria-label='Find claims to link'] blockquote")
    assert "3,000 saplings" in found.first.text_content()
    page.locator("section[aria-label='Find claims to link'] select").first.select_option(
        "conflicts"
    )
    page.locator("section[aria-label='Find claims to link'] input[name=rationale]").first.fill(
        "8,000 trees against 3,000 saplings"
    )
    page.get_by_role("button", name="Link (confirmed)").first.click()
    page.wait_for_load_state()
    links = client.get(f"/api/v1/links?claim_id={claim['id']}&state=confirmed").json
    assert [(x["relation"], x["state"]) for x in links] == [("conflicts", "confirmed")]
    assert "confirmed conflicts" in page.locator("aside#panel").text_content()
    # Found again by words, the linked claim is pointed to, with no second form.
    page.get_by_label("Link to… (words of the other claim)").fill("saplings")
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state()
    again = page.locator("section[aria-label='Find claims to link'] div.link").first
    assert "Already linked: confirmed conflicts" in again.text_content()
    assert again.get_by_role("button", name="Link (confirmed)").count() == 0


def test_axe_core_finds_no_violation_on_any_workspace_page(
    page: Any,
    live: str,
    client: FlaskClient,
    session: Session,
    reviewer: dict[str, str],
    suggested_pair: dict[str, Any],
) -> None:
    """axe-core (4.12, shipped by axe-playwright-python) on every page family, filled with
    data: sign-in, inbox with a search, document with a claim selected and suggestions,
    queue, ingest, speakers, and the rejected-candidates queue."""
    from axe_playwright_python.sync_playwright import Axe

    _people(session)
    document_id, claim_id, _ = suggested_pair.values()
    axe = Axe()
    page.goto(f"{live}/sign-in")
    pages = {"/sign-in": axe.run(page)}
    _sign_in(page, live, "Mia Lund")
    for path in (
        "/?q=ferry",
        f"/documents/{document_id}?claim={claim_id}&suggest=1&link_q=ferry",
        "/queue",
        "/queue?rejected=1",
        "/ingest",
        "/speakers",
    ):
        page.goto(f"{live}{path}")
        pages[path] = axe.run(page)
    found = {
        path: [v["id"] for v in result.response["violations"]]
        for path, result in pages.items()
        if result.violations_count
    }
    assert found == {}, {p: pages[p].generate_report() for p in found}


def test_a_verdict_that_lost_its_link_is_found_from_the_inbox_and_decided_again(
    page: Any,
    live: str,
    client: FlaskClient,
    session: Session,
    reviewer: dict[str, str],
    editor: dict[str, str],
    suggested_pair: dict[str, Any],
) -> None:
    """The editor's round: a verdict that rested on one link loses it (the other claim is
    rejected); the inbox lists it with why, one click opens it, and a new decision with
    evidence takes it off the list. Every page is checked by axe-core on the way."""
    from axe_playwright_python.sync_playwright import Axe

    from tests.api.test_linking_api import _set_status

    _people(session)
    document_id, claim_id, link = suggested_pair.values()
    other_id = link["claim_b_id"] if link["claim_a_id"] == claim_id else link["claim_a_id"]
    etag = client.get(f"/api/v1/links/{link['id']}").headers["ETag"]
    confirmed = client.patch(
        f"/api/v1/links/{link['id']}",
        json={"state": "confirmed", "rationale": "the same statement"},
        headers=reviewer | {"If-Match": etag},
    )
    assert confirmed.status_code == 200, confirmed.json
    done = _set_status(client, editor, claim_id, status="verified", rationale="two papers")
    assert done.status_code == 200, done.json
    gone = _set_status(client, reviewer, other_id, status="rejected", rationale="a reprint ad")
    assert gone.status_code == 200, gone.json

    axe, actions = Axe(), 0
    _sign_in(page, live, "Mia Lund")
    actions += 3  # name, password, sign in
    listed = page.locator("section", has=page.get_by_role("heading", name="Verdicts to look at"))
    assert "what that verdict needs is gone" in listed.text_content()
    inbox_axe = axe.run(page)
    page.screenshot(path=str(SHOTS / "inbox-verdicts-to-review.png"), full_page=True)
    # The document's sourcing report, as a reader gets it, says so too.
    report = page.context.new_page()
    report.goto(f"{live}/api/v1/documents/{document_id}/report?format=html")
    assert "to look at again" in report.locator(f"#claim-{claim_id}").text_content()
    report_axe = axe.run(report)
    report.screenshot(path=str(SHOTS / "report-to-look-at-again.png"), full_page=True)
    report.close()
    with page.expect_navigation():
        listed.get_by_role("link").first.click()
    actions += 1
    panel = page.locator("aside#panel")
    assert "Re-review:" in panel.text_content()
    panel_axe = axe.run(page)
    page.get_by_label("Evidence URL (optional)").fill("https://port.example/report-2023")
    page.get_by_label("Rationale").fill("the port's own report gives the figure")
    page.get_by_role("button", name="Save decision").click()
    page.wait_for_load_state()
    actions += 3
    assert "Re-review:" not in page.locator("aside#panel").text_content()
    page.goto(f"{live}/")
    actions += 1
    assert page.get_by_role("heading", name="Verdicts to look at").count() == 0
    assert client.get(f"/api/v1/claims/{claim_id}").json["review_flag"] is None
    print(f"verdict to look at again: found and decided again in {actions} actions")
    checked = (("inbox", inbox_axe), ("report", report_axe), ("panel", panel_axe))
    found = {name: r.response["violations"] for name, r in checked}
    assert all(not v for v in found.values()), found


def test_v_tells_a_reviewer_that_a_verdict_is_an_editors(
    page: Any, live: str, client: FlaskClient, session: Session, reviewer: dict[str, str]
) -> None:
    # The key set the status select to an option a reviewer is not offered, which blanked
    # it; saving then asked to "choose a status".
    create_person(session, SYSTEM, name="Rui Reviewer", role=Role.REVIEWER, password=PASSWORD)
    session.commit()
    _at_first_claim(
        page, live, client, reviewer, "Rui Reviewer", "The yard hired 40 welders in 2021.\n"
    )
    status = page.locator("form.decide select[name=status]")
    before = status.input_value()
    page.keyboard.press("v")
    assert "editor's decision" in page.locator("form.decide .key-note").text_content()
    assert status.input_value() == before


def test_ctrl_enter_saves_a_decision_from_its_rationale(
    page: Any, live: str, client: FlaskClient, session: Session, reviewer: dict[str, str]
) -> None:
    # Enter in the rationale is a new line; saving took Tab, Tab, Enter.
    _people(session)
    _at_first_claim(
        page, live, client, reviewer, "Mia Lund", "The yard hired 40 welders in 2021.\n"
    )
    page.keyboard.press("v")
    page.keyboard.type("the yard's payroll")
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")
    page.wait_for_load_state()
    # Verifying with no support is refused: the form was sent, and says why.
    assert page.locator("#panel-problem").count() == 1
    assert page.locator("textarea[name=rationale]").input_value() == "the yard's payroll"
