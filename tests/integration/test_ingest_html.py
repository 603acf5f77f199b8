"""HTML pages, URLs, sitemaps and feeds: what newsrooms have, ingested (local files and a
server on loopback; nothing leaves the machine)."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from service.domain.errors import InvalidInput
from service.ingest.feeds import listed_urls
from service.ingest.fetch import fetch
from service.ingest.html import from_html
from service.models import Document

PAGE = (Path(__file__).resolve().parents[1] / "data" / "html" / "harbour_levy.html").read_text()


def test_a_page_gives_its_article_text_and_metadata_without_the_navigation() -> None:
    article = from_html(PAGE)
    assert article is not None
    assert article.title == "Ferry levy to be scrapped, mayor says"
    assert (article.author, article.site) == ("Mia Lund", "Harbour Gazette")
    assert str(article.published_on) == "2024-06-12"
    assert article.url == "https://gazette.example/news/ferry-levy"
    assert article.body.startswith("The ferry levy that has funded")
    for debris in ("Most read", "Subscribe", "All rights reserved", "Sport"):
        assert debris not in article.body
    assert len(article.html_sha256) == 64


def test_a_page_with_no_date_in_its_markup_is_not_dated_by_a_year_in_its_text() -> None:
    text = (
        "The harbour board said the levy raised 4.1 million euros in 2022, and that it will "
        "rise again next year, the chairman told reporters outside the office."
    )
    page = f"<html><head><title>Levy</title></head><body><article><p>{text}</p><p>{text}</p>"
    article = from_html(page + "</article></body></html>")
    assert article is not None
    assert article.published_on is None


def test_sitemaps_rss_and_atom_list_their_pages_and_other_xml_is_not_a_list() -> None:
    sitemap = (
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<url><loc>https://a.example/1</loc></url><url><loc>https://a.example/2</loc></url>"
        "</urlset>"
    )
    rss = (
        "<rss><channel><item><link>https://b.example/x</link></item>"
        "<item><link>javascript:alert(1)</link></item></channel></rss>"
    )
    atom = (
        '<feed xmlns="http://www.w3.org/2005/Atom"><entry>'
        '<link rel="alternate" href="https://c.example/y"/></entry></feed>'
    )
    assert listed_urls(sitemap) == ["https://a.example/1", "https://a.example/2"]
    assert listed_urls(rss) == ["https://b.example/x"]
    assert listed_urls(atom) == ["https://c.example/y"]
    assert listed_urls("<html><body>hi</body></html>") is None
    assert listed_urls("not xml at all <") is None


def test_posting_an_html_page_stores_its_article_text_with_its_metadata(
    client: FlaskClient, reviewer: dict[str, str]
) -> None:
    response = client.post("/api/v1/documents?wait=true", json={"html": PAGE}, headers=reviewer)
    assert response.status_code == 201, response.json
    doc = response.json
    assert (doc["title"], doc["author"], doc["published_on"]) == (
        "Ferry levy to be scrapped, mayor says",
        "Mia Lund",
        "2024-06-12",
    )
    assert doc["outlet"]["name"] == "Harbour Gazette"
    claims = client.get(f"/api/v1/documents/{doc['id']}/claims").json
    assert any(c["speaker"] and c["speaker"]["name"] == "Tomas Berg" for c in claims)
    both = client.post(
        "/api/v1/documents?wait=true", json={"html": PAGE, "body": "text"}, headers=reviewer
    )
    assert both.status_code == 422
    empty = client.post(
        "/api/v1/documents?wait=true",
        json={"html": "<html><body><script>var a = 1;</script></body></html>"},
        headers=reviewer,
    )
    assert empty.status_code == 422
    assert "html" in str(empty.json)


@pytest.fixture
def site(tmp_path: Path) -> Iterator[str]:
    """A web server on loopback: the page, a sitemap listing it, a slow page, a huge page."""
    (tmp_path / "levy.html").write_text(PAGE)

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(tmp_path), **kwargs)

        def do_GET(self) -> None:
            if self.path == "/slow":
                time.sleep(2)
            if self.path == "/huge":
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.end_headers()
                self.wfile.write(b"<p>" + b"x" * 300_000 + b"</p>")
                return
            super().do_GET()

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    base = f"http://127.0.0.1:{server.server_port}"
    (tmp_path / "sitemap.xml").write_text(
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<url><loc>{base}/levy.html</loc></url></urlset>"
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base
    server.shutdown()
    server.server_close()
    thread.join()


def test_fetching_has_a_timeout_a_size_cap_and_only_http(site: str) -> None:
    page = fetch(f"{site}/levy.html")
    assert "Ferry levy" in page.text
    assert page.content_type == "text/html"
    with pytest.raises(InvalidInput, match="larger than"):
        fetch(f"{site}/huge", max_bytes=100_000)
    with pytest.raises(InvalidInput, match="could not be fetched"):
        fetch(f"{site}/slow", timeout=0.5)
    with pytest.raises(InvalidInput, match="only http"):
        fetch("file:///etc/passwd")


def test_cli_ingests_a_sitemap_url_and_a_folder_of_pages(
    scratch_engine: Engine, monkeypatch: Any, tmp_path: Path, site: str
) -> None:
    from click.testing import CliRunner

    from service.cli import main

    monkeypatch.setenv("DATABASE_URL", scratch_engine.url.render_as_string(hide_password=False))
    runner = CliRunner()
    assert runner.invoke(main, ["migrate"]).exit_code == 0
    # Queued for a worker, not followed: nothing is extracted yet.
    first = runner.invoke(main, ["ingest", "--no-follow", f"{site}/sitemap.xml"])
    assert first.exit_code == 0, first.output
    assert "1 documents stored" in first.output
    assert "0 ready (0 claims), 1 waiting for a worker" in first.output
    # A worker that stops when the queue is empty extracts it.
    worked = runner.invoke(main, ["worker", "--burst"])
    assert worked.exit_code == 0, worked.output
    with Session(scratch_engine) as session:
        assert session.scalars(select(Document.state)).all() == ["ready"]
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "levy.html").write_text(PAGE)
    (folder / "notes.txt").write_text("The yard hired 40 welders in 2021.\n")
    (folder / "logo.png").write_bytes(b"\x89PNG")
    (folder / "empty.txt").write_text("\n")
    # --wait extracts in the command itself.
    again = runner.invoke(main, ["ingest", "--wait", str(folder)])
    assert again.exit_code == 0, again.output
    assert "1 documents stored" in again.output  # the text file; the page is stored already
    assert "1 already stored" in again.output
    # An empty file is said to be skipped, by name (it was passed over in silence), and
    # each document names the file it came from.
    assert f"skipped {folder / 'empty.txt'}: it is empty" in again.output
    assert "1 skipped" in again.output
    assert f": {folder / 'notes.txt'}" in again.output
    assert "1 ready" in again.output
