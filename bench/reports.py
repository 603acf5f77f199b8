"""The sourcing report of a 200-claim document with 1,000 links, against the bench database
(100k claims): the report (queries + shaping), its HTML, and through the API, each compared
with the same four SQL statements run bare in this process (baseline). Everything is
written in one transaction that is rolled back at the end."""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session
from werkzeug.test import Client

from service.app import create_app
from service.config import Settings
from service.db import create_db_engine
from service.models import Claim, Document
from service.reports import render
from service.reports.query import _claim_rows, _lineage, _link_ends, document_report

N_CLAIMS, N_LINKS, RUNS = 200, 1000, 30
SENTENCE = re.compile(r"[A-Z][^.!?\n]{40,200}[.!?]")


def _arrange(session: Session, n_claims: int = N_CLAIMS, n_links: int = N_LINKS) -> int:
    sentences = []
    for body in session.scalars(select(Document.body).limit(5)):
        sentences += SENTENCE.findall(body)
    body = ""
    spans = []
    for i in range(n_claims):
        s = sentences[i % len(sentences)]
        spans.append((len(body), len(body) + len(s), s))
        body += s + " "
    doc = session.execute(
        text(
            "INSERT INTO documents (title, body, body_sha256, kind, language, outlet_id)"
            " VALUES ('Bench report', :body, md5(:body) || md5(:body), 'news', 'en', NULL)"
            " RETURNING id"
        ),
        {"body": body},
    ).scalar_one()
    mine = [
        session.execute(
            text(
                "INSERT INTO claims (document_id, text, span_start, span_end, prefix, suffix,"
                " attribution, checkworthiness, reasons, status, version, origin)"
                " VALUES (:d, :t, :s, :e, '', '', :a, 0.7, '[]', 'unreviewed', 1, 'manual')"
                " RETURNING id"
            ),
            {"d": doc, "t": t, "s": s, "e": e, "a": ["anonymous", "author", "indirect"][i % 3]},
        ).scalar_one()
        for i, (s, e, t) in enumerate(spans)
    ]
    others = list(session.scalars(select(Claim.id).where(Claim.document_id != doc).limit(20000)))
    rng = random.Random(7)
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < n_links:
        a, b = sorted((rng.choice(mine), rng.choice(others)))
        pairs.add((a, b))
    relations = ["corroborates", "same_claim", "conflicts"]
    states = ["confirmed", "suggested"]
    session.execute(
        text(
            "INSERT INTO claim_links (claim_a_id, claim_b_id, relation, state, reasons, version)"
            " VALUES (:a, :b, :r, :s, '{}', 1)"
        ),
        [
            {"a": a, "b": b, "r": relations[i % 3], "s": states[i % 2]}
            for i, (a, b) in enumerate(sorted(pairs))
        ],
    )
    return int(doc)


def _time(fn: Callable[[], Any]) -> float:
    fn()
    took = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()
        took.append(time.perf_counter() - start)
    took.sort()
    return took[len(took) // 2]


def main(url: str) -> float:
    engine = create_db_engine(url)
    with engine.connect() as connection:
        transaction = connection.begin()
        session = Session(bind=connection, join_transaction_mode="create_savepoint")
        doc = _arrange(session)
        session.flush()

        def bare() -> None:
            session.execute(select(Document).where(Document.id == doc)).all()
            claims = _claim_rows(session, Claim.document_id == doc, (Claim.span_start,))
            links = _link_ends(session, lambda c: c.document_id == doc)
            _lineage(session, claims, links)

        def report() -> None:
            document_report(session, doc)

        def html() -> None:
            render.document_html(document_report(session, doc))

        client = Client(create_app(Settings(database_url=url), bind=connection))

        def api() -> None:
            assert client.get(f"/api/v1/documents/{doc}/report").status_code == 200

        base, full, page, http = _time(bare), _time(report), _time(html), _time(api)
        links = sum(
            len(c["corroborating"]) + len(c["conflicting"])
            for c in document_report(session, doc)["claims"]
        )
        session.close()
        transaction.rollback()
    engine.dispose()
    print(f"Sourcing report of a {N_CLAIMS}-claim document with {N_LINKS} links (median of {RUNS})")
    print(f"  the four SQL statements alone (baseline) {base * 1000:6.1f} ms")
    print(f"  report (SQL + shaping)                   {full * 1000:6.1f} ms  (target < 100 ms)")
    print(f"  report as HTML                           {page * 1000:6.1f} ms")
    print(f"  GET /api/v1/documents/{{id}}/report (JSON) {http * 1000:6.1f} ms")
    print(f"  ({links} links shown) speed relative to SQL alone = {base / full:.2f}")
    return base / full
