"""Ingesting an article from the workspace: pasted text, an uploaded HTML or text file, or a
URL fetched by the same fetcher as `claimdesk ingest` (vetted: only public addresses, each
redirect too). The document is stored and queued for a worker in one transaction, and the
page lands on it, showing the extraction's progress."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from typing import Any

from flask import redirect, render_template, request, url_for
from flask_login import login_required
from sqlalchemy import func, select

from service.api.context import db_session, settings
from service.domain.enums import DocumentKind, Role
from service.domain.errors import DomainError, InvalidInput
from service.extraction.dates import written_date
from service.ingest.fetch import MAX_BYTES, fetch
from service.jobs import enqueue_extraction
from service.operations.documents import NewDocument, Outcome, document_from_html, submit_document
from service.web import _role, blp, person_actor_of
from service.webhooks.targets import UnsafeTarget, check_target

#: Upload and paste limit: what the API takes in a body.
MAX_UPLOAD_BYTES = MAX_BYTES


def public_page(url: str) -> list[str]:
    """A URL the server may fetch for a person: http(s) and a public address (a private one
    only with CLAIMDESK_WEBHOOK_ALLOW_PRIVATE=1), or InvalidInput saying why. Returns the
    addresses vetted: the fetch connects to one of them, not to the name again."""
    try:
        return check_target(url, only_public="the server fetches pages only from public addresses")
    except UnsafeTarget as exc:
        raise InvalidInput("url", f"{url} cannot be fetched: {exc}") from None
    except ValueError:  # an address the ipaddress module cannot read
        raise InvalidInput("url", f"{url} cannot be fetched") from None


def _looks_like_html(name: str, text: str) -> bool:
    head = text.lstrip()[:512].lower()
    return name.lower().endswith((".html", ".htm")) or head.startswith(("<!doctype", "<html"))


def _metadata() -> NewDocument:
    form = request.form
    kind = form.get("kind", DocumentKind.NEWS)
    if kind not in set(DocumentKind):
        raise InvalidInput("kind", "choose a kind")
    published = form.get("published_on", "").strip()
    try:
        published_on = date.fromisoformat(published) if published else None
    except ValueError:
        raise InvalidInput("published_on", "a date as YYYY-MM-DD") from None
    return NewDocument(
        body="",
        outlet=form.get("outlet", "").strip() or None,
        title=form.get("title", "").strip() or None,
        author=form.get("author", "").strip() or None,
        url=form.get("url", "").strip() or None,
        published_on=published_on,
        kind=DocumentKind(kind),
    )


#: What else a date stamp's line may hold: its label, a weekday, a time and its zone.
_STAMP_WORDS = re.compile(
    r"\b(?:(?i:posted|published|updated|date|dated|on|at|last|modified|am|pm|a\.m|p\.m"
    r"|monday|tuesday|wednesday|thursday|friday|saturday|sunday"
    r"|mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)|[A-Z]{2,4})\b"
)
#: A time's "am"/"pm" written onto its digits ("9:03am").
_FUSED_TIME = re.compile(r"(?<=\d)(?:am|pm)\b", re.I)
_STAMP_LINES = 6


def stamped_date(text: str) -> date | None:
    """The date a pasted article's stamp line gives ("POSTED: 1052 GMT, April 10, 2007",
    "Apr 12, 2007", "12 April 2007", "2007-04-12"), looked for in its first lines: a line
    that holds a full date (with its year) and nothing else but a label, a weekday, a time
    and its zone. A headline or sentence that mentions a date is not a stamp."""
    lines = [line.strip() for line in text.lstrip("\ufeff").splitlines() if line.strip()]
    for line in lines[:_STAMP_LINES]:
        if len(line) > 100:
            continue
        found = written_date(line)
        if found is None:
            continue
        day, start, end = found
        rest = _STAMP_WORDS.sub(" ", _FUSED_TIME.sub(" ", line[:start] + " " + line[end:]))
        if not re.search(r"[A-Za-z]{2,}", rest):  # other words: a headline or sentence
            return day
    return None


def _from_text(base: NewDocument, text: str) -> NewDocument:
    """A plain text (pasted or a text file) with what it says of itself filling what the
    form left empty: its headline as the title, its date stamp as the publication date."""
    return replace(
        base, body=_lines(text), title=_title(base, text), published_on=_published(base, text)
    )


def _title(base: NewDocument, text: str) -> str | None:
    """The title given, else the text's headline; never a guess for a text with a URL: the
    same URL again is a revision of a stored document, whose title a guess must not replace."""
    return base.title or (None if base.url else headline(text))


def _published(base: NewDocument, text: str) -> date | None:
    """The date given, else the text's stamp; never a guess for a text with a URL (see
    _title)."""
    return base.published_on or (None if base.url else stamped_date(text))


#: First lines that are page furniture, not a headline: a byline, a time stamp, a dateline
#: running into the text ("BERGEN (Reuters) -"), a cut-off line ("…").
_NOT_HEADLINE = re.compile(
    r"^(?:by|updated|published|posted|last modified|share)\b|[-–—…:;,.!]$", re.I
)


def headline(text: str) -> str | None:
    """The first line of a pasted text when it reads as its headline: a line of its own,
    followed by more text, of 2 to 30 words and at most 200 characters, not ending as a
    sentence does (a question mark may end a headline) and not page furniture
    (_NOT_HEADLINE). Otherwise None."""
    first, _, rest = text.lstrip("\ufeff \t\r\n").partition("\n")
    first = first.strip()
    if len(first) > 200 or not rest.strip() or not 2 <= len(first.split()) <= 30:
        return None
    return None if _NOT_HEADLINE.search(first.rstrip("\"'”’)")) else first


def _lines(text: str) -> str:
    """Line breaks as "\n": a browser sends a textarea's as CRLF, and a Windows file has
    them. The page shows the text through HTML, whose parser turns CRLF into LF, so a claim
    marked on it would be counted short of the stored text by one for every break before it
    (the page keeps any CR the API stored, see document.html)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _new_document() -> NewDocument:
    """From whichever source the form gives: a file, else pasted text, else the URL."""
    base = _metadata()
    upload = request.files.get("file")
    pasted = request.form.get("body", "")
    if upload is not None and upload.filename and pasted.strip():
        # One article at a time: which of the two was meant is not for the server to guess
        # (the pasted text was dropped without a word).
        raise InvalidInput("body", "paste the text or choose a file, not both")
    if upload is not None and upload.filename:
        raw = upload.read(MAX_UPLOAD_BYTES + 1)
        if len(raw) > MAX_UPLOAD_BYTES:
            raise InvalidInput("file", f"the file is larger than {MAX_UPLOAD_BYTES} bytes")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInput("file", "the file is not UTF-8 text or HTML") from None
        if _looks_like_html(upload.filename, text):
            return document_from_html(text, base)
        return _from_text(base, text)
    if pasted.strip():
        if len(pasted.encode("utf-8")) > MAX_UPLOAD_BYTES:
            raise InvalidInput("body", f"the text is larger than {MAX_UPLOAD_BYTES} bytes")
        return _from_text(base, pasted)
    if base.url:
        fetched = fetch(base.url, vet=public_page)
        if "html" in fetched.content_type or _looks_like_html("", fetched.text):
            return document_from_html(fetched.text, replace(base, url=fetched.url))
        return replace(base, body=fetched.text, url=fetched.url)
    raise InvalidInput("body", "paste the text, choose a file, or give the article's URL")


def _form(problem: str | None = None, status: int = 200) -> Any:
    return (
        render_template(
            "ingest.html",
            problem=problem,
            typed=request.form if request.method == "POST" else {},
            kinds=list(DocumentKind),
            can_ingest=_role().allows(Role.REVIEWER),
        ),
        status,
    )


@blp.get("/ingest")
@login_required
def ingest_page() -> Any:
    return _form()


@blp.post("/ingest")
@login_required
def ingest_submit() -> Any:
    if not _role().allows(Role.REVIEWER):
        return _form("Ingesting an article needs the reviewer role.", 403)
    session = db_session()
    try:
        new = _new_document()
        doc, outcome, _ = submit_document(
            session,
            person_actor_of(session),
            new,
            queue=enqueue_extraction,
            suggest_min=settings().suggest_min,
        )
    except DomainError as exc:
        session.rollback()
        return _form(exc.detail, exc.status)
    session.commit()
    # The page says what a known key means: an address never puts its own words on it.
    said = outcome.value
    stored_outlet = doc.outlet.name if doc.outlet else None
    given = " ".join((new.outlet or "").split())
    # Compared as the outlets' unique index compares names: spaces collapsed, case folded
    # by Postgres.
    if (
        outcome == Outcome.EXISTING
        and given
        and (
            stored_outlet is None
            or not session.scalar(select(func.lower(given) == func.lower(stored_outlet)))
        )
    ):
        # The text is stored once, under the outlet it came with first: say so, rather than
        # drop the outlet typed now without a word.
        return redirect(
            url_for("web.document_page", document_id=doc.id, ingested=said, not_recorded=1)
        )
    return redirect(url_for("web.document_page", document_id=doc.id, ingested=said))
