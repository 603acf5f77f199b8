"""Candidate claims for linking: claims of other documents sharing at least two of the
target's rarest words (full-text, GIN index), claims of the same speaker, and the claims
nearest in meaning (sentence embeddings, semantic.py, found by pgvector's index where the
server has it, vectors.py). Scoring happens in Python
(scoring.py) on this short list."""

from __future__ import annotations

import re
import time
from itertools import combinations
from threading import Lock

from sqlalchemy import ColumnElement, Select, select, text
from sqlalchemy.orm import Session

from service.db import among
from service.domain.enums import ClaimStatus
from service.linking import semantic, vectors
from service.linking.features import ClaimFeatures, features
from service.linking.scoring import Rarity
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

#: Per table: when its lexeme counts were read, the counts, and the rows they are out of.
_stats: dict[tuple[str, str], tuple[float, dict[str, int], float]] = {}
_stats_lock = Lock()

#: Postgres's own statistics of a table's tsvector column (`tsv`): the most common lexemes
#: and the share of rows holding each, kept up to date by ANALYZE (autovacuum). Reading them
#: costs a catalogue lookup, whatever the number of rows; a lexeme not among them is rarer
#: than all of them, which is all that choosing the rarest words needs. Each row carries the
#: table's row count too (what the shares are of).
_PG_STATS = text(
    "SELECT elem, freq * greatest(c.reltuples, 0) AS ndoc, greatest(c.reltuples, 0) AS rows "
    "FROM pg_stats s, pg_class c, "
    "unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs[1:array_length("
    "s.most_common_elems::text::text[], 1)]) AS m(elem, freq) "
    "WHERE s.tablename = :table AND s.attname = :column AND s.schemaname = current_schema() "
    "AND c.relname = :table AND c.relnamespace = current_schema()::regnamespace"
)

#: A table Postgres has not analysed yet (a new deployment loading its first documents):
#: its words counted directly, over at most this many rows (each row carries how many).
UNANALYSED_SAMPLE = 5000
_UNANALYSED = text(
    "SELECT word, ndoc, (SELECT count(*) FROM (SELECT 1 FROM claims WHERE tsv IS NOT NULL"
    f" LIMIT {UNANALYSED_SAMPLE}) AS s) FROM ts_stat("
    f"'SELECT tsv FROM claims WHERE tsv IS NOT NULL LIMIT {UNANALYSED_SAMPLE}')"
)


def _statistics(session: Session, table: str, column: str) -> tuple[dict[str, int], float]:
    with _stats_lock:
        read_at, counts, rows = _stats.get((table, column), (-STATS_TTL, {}, 0.0))
        if time.monotonic() - read_at > STATS_TTL:
            found = session.execute(_PG_STATS, {"table": table, "column": column}).all()
            counts = {str(word): int(ndoc) for word, ndoc, _ in found}
            rows = float(found[0][2]) if found else 0.0
            if counts:
                _stats[table, column] = (time.monotonic(), counts, rows)
        return counts, rows


def lexeme_frequencies(
    session: Session, table: str = "claims", column: str = "tsv"
) -> dict[str, int]:
    """About how many rows of `table` (claims, fact_checks) contain each common lexeme in its
    tsvector `column` (from pg_stats; never a scan of the table). Cached per process for a
    few minutes; stale or missing counts only change which rare words a search starts from."""
    return _statistics(session, table, column)[0]


def corpus_rarity(session: Session) -> Rarity:
    """How rare each word is among the stored claims (scoring.Rarity), from Postgres's own
    statistics of their words (cached as lexeme_frequencies is). Until Postgres has analysed
    the table (a new deployment: autovacuum analyses it once it has grown), the words of up
    to UNANALYSED_SAMPLE claims are counted directly, and not cached: the table is small
    and growing, and a count cached while it was empty would call every word rare."""
    counts, rows = _statistics(session, "claims", "tsv")
    if counts and rows > 0:
        return Rarity(counts, rows)
    found = session.execute(_UNANALYSED).all()
    sampled = float(found[0][2]) if found else 0.0
    return Rarity({str(word): int(ndoc) for word, ndoc, _ in found}, sampled)


def tsquery_text(terms: list[str], together: int = 2) -> str:
    """Any `together` of the terms (two by default): far fewer rows than any one, so ranking
    stays cheap on a large table, and one shared common word no longer makes a candidate.
    With fewer terms than that, all of them."""
    if len(terms) < together:
        return " & ".join(terms)
    return " | ".join(f"({' & '.join(c)})" for c in combinations(terms, together))


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


def _rare_terms(session: Session, targets: list[ClaimFeatures]) -> dict[int, str]:
    """Each target's tsquery over its TERMS rarest lexemes (as Postgres stemmed them, rarest
    in the corpus first), read for every target in one statement."""
    lexemes: dict[int, list[str]] = {t.claim_id: [] for t in targets}
    for claim_id, lexeme in session.execute(
        text("SELECT id, (unnest(tsv)).lexeme FROM claims WHERE id = ANY(CAST(:ids AS bigint[]))"),
        {"ids": list(lexemes)},
    ):
        if re.fullmatch(r"[a-z0-9]{3,}", str(lexeme)):
            lexemes[int(claim_id)].append(str(lexeme))
    freq = lexeme_frequencies(session)
    out = {}
    for claim_id, found in lexemes.items():
        # A lexeme the (possibly stale) counts do not know is new, hence rare.
        terms = sorted(found, key=lambda w: (freq.get(w, 0), w))[:TERMS]
        if terms:
            out[claim_id] = tsquery_text(terms)
    return out


#: For each target (a row of the unnested arrays): claims of other documents sharing any two
#: of its rarest words, or its speaker, ranked by words among at most :pool matches.
#: The queries arrive as tsquery values (parsed once, in the unnest), never as text turned
#: into a tsquery inside the scan: there, to_tsquery ran once per row the planner visited,
#: and a table scan with forty long queries outran the statement timeout. The lexemes are
#: already stemmed, so parsing them as they are is what to_tsquery('simple', …) did.
_BY_WORDS = text(
    "SELECT q.id, m.id FROM unnest(CAST(:ids AS bigint[]), CAST(:qs AS tsquery[]),"
    " CAST(:speakers AS bigint[]), CAST(:docs AS bigint[])) AS q(id, query, speaker, doc)"
    " CROSS JOIN LATERAL ("
    # Each pool row is ranked as it is read (the LIMIT stops the scan, so no more than the
    # pool is ranked), not fetched a second time by its id to be ranked.
    "  SELECT p.id FROM ("
    "   SELECT id, ts_rank(tsv, q.query) AS rank FROM claims"
    "   WHERE document_id <> q.doc AND status <> 'rejected' AND checkworthiness >= :cw"
    "    AND (tsv @@ q.query OR speaker_id = q.speaker) LIMIT :pool"
    "  ) AS p ORDER BY p.rank DESC NULLS LAST, p.id LIMIT :n"
    " ) AS m"
)


def _lineage(
    session: Session, targets: list[ClaimFeatures], usable: tuple[ColumnElement[bool], ...]
) -> dict[int, list[int]]:
    """A summary and its source: every claim of the other is a candidate, so that each
    restatement can be linked as the same claim whatever words it uses. One statement per
    document among the targets (a document's claims share it)."""
    out: dict[int, list[int]] = {}
    by_document: dict[tuple[int, int | None], list[int]] = {}
    for t in targets:
        by_document.setdefault((t.document_id, t.source_document_id), []).append(t.claim_id)
    for (document_id, source_id), ids in by_document.items():
        # The related documents first (an index lookup; most documents have none): asked as
        # a subquery inside the claims' statement, the planner walked the claims' primary
        # key in id order for ORDER BY ... LIMIT, reading every claim when none matched.
        lineage = list(
            session.scalars(select(Document.id).where(Document.derived_from_id == document_id))
        )
        if source_id is not None:
            lineage.append(source_id)
        if not lineage:
            continue
        found = list(
            session.scalars(
                select(Claim.id)
                .where(*usable, Claim.document_id != document_id, Claim.document_id.in_(lineage))
                .order_by(Claim.id)
                .limit(LINEAGE_CANDIDATES)
            )
        )
        for claim_id in ids:
            out[claim_id] = found
    return out


def candidate_rows_many(
    session: Session, targets: list[ClaimFeatures], min_checkworthiness: float = 0.0
) -> dict[int, list[CandidateRow]]:
    """For each target (by claim id), the (id, document_id, speaker_id, text, embedding,
    source document) of claims worth scoring against it: those sharing rare words or the
    speaker, those of a summary or its source, and those nearest in meaning. A fixed number
    of statements for the whole batch (a document's claims), whatever its size."""
    if not targets:
        return {}
    usable = (Claim.status != ClaimStatus.REJECTED, Claim.checkworthiness >= min_checkworthiness)
    wanted: dict[int, set[int]] = {t.claim_id: set() for t in targets}
    queries = _rare_terms(session, targets)
    lexical = [t for t in targets if t.claim_id in queries or t.speaker_id is not None]
    if lexical:
        # Ranking is bounded: at most LEXICAL_POOL matches are read and ranked, so a claim
        # whose rarest words are common after all (or a prolific speaker) costs the same as
        # any other, whatever the size of the table. The lexemes are already stemmed: the
        # 'simple' configuration keeps them as they are.
        for target_id, claim_id in session.execute(
            _BY_WORDS,
            {
                "ids": [t.claim_id for t in lexical],
                "qs": [queries.get(t.claim_id) for t in lexical],
                "speakers": [t.speaker_id for t in lexical],
                "docs": [t.document_id for t in lexical],
                "cw": min_checkworthiness,
                "pool": LEXICAL_POOL,
                "n": CANDIDATES,
            },
        ):
            wanted[int(target_id)].add(int(claim_id))
    for target_id, found in _lineage(session, targets, usable).items():
        wanted[target_id].update(found)
    near = vectors.nearest_many(
        session,
        [(t.claim_id, t.document_id, t.vector) for t in targets if t.vector is not None],
        SEMANTIC_CANDIDATES,
        SEMANTIC_FLOOR,
    )
    for target_id, claim_id in near:
        wanted[target_id].add(claim_id)
    every = set().union(*wanted.values())
    rows: dict[int, CandidateRow] = {}
    if every:
        stmt = _columns().where(*usable, among(Claim.id, every))
        rows = {r[0]: (r[0], r[1], r[2], r[3], r[4], r[5]) for r in session.execute(stmt)}
    document_of = {t.claim_id: t.document_id for t in targets}
    return {
        target_id: [
            rows[i] for i in sorted(found) if i in rows and rows[i][1] != document_of[target_id]
        ]
        for target_id, found in wanted.items()
    }


def candidates_many(
    session: Session, targets: list[ClaimFeatures], min_checkworthiness: float = 0.0
) -> dict[int, list[ClaimFeatures]]:
    """Candidates as features, each candidate claim featurised once however many targets
    it is a candidate of."""
    made: dict[int, ClaimFeatures] = {}

    def feature(row: CandidateRow) -> ClaimFeatures:
        i, d, s, t, e, src = row
        if i not in made:
            made[i] = features(i, d, s, t, semantic.from_bytes(e) if e is not None else None, src)
        return made[i]

    return {
        target_id: [feature(r) for r in rows]
        for target_id, rows in candidate_rows_many(session, targets, min_checkworthiness).items()
    }
