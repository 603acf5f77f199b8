"""Candidate claims for linking: claims of other documents sharing at least two of the
target's rarest words (full-text, GIN index), claims of the same speaker, and the claims
nearest in meaning (sentence embeddings, semantic.py, found by pgvector's index where the
server has it, vectors.py). Scoring happens in Python
(scoring.py) on this short list."""

from __future__ import annotations

import re
import time
from threading import Lock

from sqlalchemy import ColumnElement, Select, func, literal_column, or_, select, text
from sqlalchemy.orm import Session

from service.domain.enums import ClaimStatus
from service.linking import semantic, vectors
from service.linking.features import ClaimFeatures, features
from service.models import Claim, Document

#: How many full-text candidates to score per claim, ranked among at most LEXICAL_POOL matches.
CANDIDATES = 60
LEXICAL_POOL = 1000
#: Claims of a summary's source (or of a source's summaries) scored against each claim.
LINEAGE_CANDIDATES = 400
#: How many claims nearest in meaning to score per claim, and how near they must be (cosine).
SEMANTIC_CANDIDATES = 30
SEMANTIC_FLOOR = 0.3
#: How many of the target's rarest lexemes to search with (any two must match).
TERMS = 5
#: Corpus lexeme frequencies are re-read at most this often (seconds).
STATS_TTL = 300.0

#: Per table: when its lexeme counts were read, and the counts.
_stats: dict[str, tuple[float, dict[str, int]]] = {}
_stats_lock = Lock()

#: Postgres's own statistics of a table's tsvector column (`tsv`): the most common lexemes
#: and the share of rows holding each, kept up to date by ANALYZE (autovacuum). Reading them
#: costs a catalogue lookup, whatever the number of rows; a lexeme not among them is rarer
#: than all of them, which is all that choosing the rarest words needs.
_PG_STATS = text(
    "SELECT elem, freq * greatest(c.reltuples, 0) AS ndoc "
    "FROM pg_stats s, pg_class c, "
    "unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs[1:array_length("
    "s.most_common_elems::text::text[], 1)]) AS m(elem, freq) "
    "WHERE s.tablename = :table AND s.attname = 'tsv' AND s.schemaname = current_schema() "
    "AND c.relname = :table AND c.relnamespace = current_schema()::regnamespace"
)


def lexeme_frequencies(session: Session, table: str = "claims") -> dict[str, int]:
    """About how many rows of `table` (claims, fact_checks) contain each common lexeme (from
    pg_stats; never a scan of the table). Cached per process for a few minutes; stale or
    missing counts only change which rare words a search starts from."""
    with _stats_lock:
        read_at, counts = _stats.get(table, (-STATS_TTL, {}))
        if time.monotonic() - read_at > STATS_TTL:
            rows = session.execute(_PG_STATS, {"table": table})
            counts = {str(word): int(ndoc) for word, ndoc in rows}
            _stats[table] = (time.monotonic(), counts)
        return counts


def rare_lexemes(session: Session, claim_id: int, limit: int = TERMS) -> list[str]:
    """The claim's lexemes (as Postgres stemmed them), rarest in the corpus first."""
    lexemes: list[str] = list(
        session.scalars(
            select(literal_column("(unnest(tsv)).lexeme"))
            .select_from(Claim)
            .where(Claim.id == claim_id)
        )
    )
    lexemes = [w for w in lexemes if re.fullmatch(r"[a-z0-9]{3,}", w)]
    freq = lexeme_frequencies(session)
    # A lexeme the (possibly stale) counts do not know is new, hence rare.
    lexemes.sort(key=lambda w: (freq.get(w, 0), w))
    return lexemes[:limit]


def tsquery_text(terms: list[str]) -> str:
    """Any two of the terms: far fewer rows than any one, so ranking stays cheap on a large
    table, and one shared common word no longer makes a candidate."""
    if len(terms) < 2:
        return " | ".join(terms)
    return " | ".join(f"({a} & {b})" for i, a in enumerate(terms) for b in terms[i + 1 :])


CandidateRow = tuple[int, int, int | None, str, bytes | None, int | None]


def _columns() -> Select[int, int, int | None, str, bytes | None, int | None]:
    return select(
        Claim.id,
        Claim.document_id,
        Claim.speaker_id,
        Claim.text,
        Claim.embedding,
        Document.derived_from_id,
    ).join(Document, Document.id == Claim.document_id)


def candidate_rows(
    session: Session, target: ClaimFeatures, min_checkworthiness: float = 0.0
) -> list[CandidateRow]:
    """(id, document_id, speaker_id, text, embedding, source document) of claims worth
    scoring against `target`: those sharing rare words or the speaker, and those nearest in
    meaning."""
    usable = (
        Claim.document_id != target.document_id,
        Claim.status != ClaimStatus.REJECTED,
        Claim.checkworthiness >= min_checkworthiness,
    )
    rows: dict[int, CandidateRow] = {}
    terms = rare_lexemes(session, target.claim_id)
    conditions: list[ColumnElement[bool]] = []
    query = None
    if terms:
        # The lexemes are already stemmed: the 'simple' configuration keeps them as they are.
        query = func.to_tsquery("simple", tsquery_text(terms))
        conditions.append(Claim.tsv.bool_op("@@")(query))
    if target.speaker_id is not None:
        conditions.append(Claim.speaker_id == target.speaker_id)
    if conditions:
        # Ranking is bounded: at most LEXICAL_POOL matches are read and ranked, so a claim
        # whose rarest words are common after all (or a prolific speaker) costs the same as
        # any other, whatever the size of the table.
        pool = select(Claim.id).where(*usable, or_(*conditions)).limit(LEXICAL_POOL)
        stmt = _columns().where(Claim.id.in_(pool.scalar_subquery())).limit(CANDIDATES)
        if query is not None:
            stmt = stmt.order_by(func.ts_rank(Claim.tsv, query).desc(), Claim.id)
        rows.update({r[0]: (r[0], r[1], r[2], r[3], r[4], r[5]) for r in session.execute(stmt)})
    # A summary and its source: every claim of the other is a candidate, so that each
    # restatement can be linked as the same claim whatever words it uses.
    related = select(Document.id).where(Document.derived_from_id == target.document_id)
    lineage: list[ColumnElement[bool]] = [Claim.document_id.in_(related)]
    if target.source_document_id is not None:
        lineage.append(Claim.document_id == target.source_document_id)
    stmt = _columns().where(*usable, or_(*lineage)).order_by(Claim.id).limit(LINEAGE_CANDIDATES)
    rows.update({r[0]: (r[0], r[1], r[2], r[3], r[4], r[5]) for r in session.execute(stmt)})
    if target.vector is not None:
        near = [
            i
            for i, _ in vectors.nearest(
                session, target.vector, target.document_id, SEMANTIC_CANDIDATES, SEMANTIC_FLOOR
            )
            if i not in rows
        ]
        if near:
            stmt = _columns().where(*usable, Claim.id.in_(near))
            rows.update({r[0]: (r[0], r[1], r[2], r[3], r[4], r[5]) for r in session.execute(stmt)})
    return list(rows.values())


def candidates(
    session: Session, target: ClaimFeatures, min_checkworthiness: float = 0.0
) -> list[ClaimFeatures]:
    return [
        features(i, d, s, t, semantic.from_bytes(e) if e is not None else None, src)
        for i, d, s, t, e, src in candidate_rows(session, target, min_checkworthiness)
    ]
