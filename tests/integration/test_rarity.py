"""How rare a word is among the stored claims (link scoring's `rare_shared`), read from
Postgres's statistics of the claims' words, or counted directly where there are none yet."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from service.linking import retrieval

Doc = Callable[..., dict[str, Any]]


def _stored(make_document: Doc, make_claim: Doc, texts: list[str]) -> None:
    for body in texts:
        make_claim(make_document(body=body), start=0, end=len(body))


def test_words_every_claim_holds_are_common_and_words_none_holds_are_rare(
    connection: Connection, session: Session, make_document: Doc, make_claim: Doc
) -> None:
    texts = [f"The Quillmoor ferry crossed the fjord {n} times with {n} cars." for n in range(40)]
    texts += ["A Varnholt official inspected the Quillmoor ferry."]
    _stored(make_document, make_claim, texts)
    # Postgres's own statistics, as autovacuum leaves them (ANALYZE sees this transaction's
    # rows; the statistics roll back with it).
    connection.execute(text("ANALYZE claims"))
    retrieval._stats.clear()
    analysed = retrieval.corpus_rarity(session)
    retrieval._stats.clear()
    assert analysed.claims >= len(texts)
    assert analysed("quillmoor") < analysed("varnholt") <= 1.0
    assert analysed("zzyzxqu") == 1.0  # no stored claim holds it
    assert analysed("between") == 0.0  # a function word, never counted by Postgres


def test_without_statistics_the_words_are_counted_directly(
    session: Session, make_document: Doc, make_claim: Doc, monkeypatch: Any
) -> None:
    texts = [f"The Quillmoor ferry crossed the fjord {n} times." for n in range(20)]
    _stored(make_document, make_claim, texts)
    # As on a new deployment that Postgres has not analysed yet: pg_stats has no row.
    monkeypatch.setattr(retrieval, "_PG_STATS", text("SELECT NULL, NULL WHERE false"))
    retrieval._stats.clear()
    counted = retrieval.corpus_rarity(session)
    retrieval._stats.clear()
    total = session.execute(text("SELECT count(*) FROM claims")).scalar_one()
    assert counted.claims == min(total, retrieval.UNANALYSED_SAMPLE)
    assert counted.counts["quillmoor"] >= 20
    assert counted("quillmoor") < 1.0
