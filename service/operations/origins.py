"""The lineage that independence needs, read in one query for the documents involved.

Reports and decisions used to read the whole documents table (a row per document, on every
request that touched a confirmed link). `lineage` reads only what can join the given
documents into one origin: what they derive from and what derives from them, and the
documents of their outlets that are themselves part of a derivation (a document of the same
outlet with no derivation joins nothing further: the outlet already groups it). The origin
groups it gives for the documents asked about are the ones the whole table would give.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import text
from sqlalchemy.orm import Session

from service.db import driver_rows
from service.domain.independence import OPINION_KINDS, Lineage, Origin, independent_origins

#: One step of the reach: what a reached document ties to (its source, what derives from
#: it, the documents of its outlet that are part of a derivation).
_STEP = """
        SELECT n.doc
          FROM reach r
          JOIN documents d ON d.id = r.doc
          CROSS JOIN LATERAL (
              SELECT d.derived_from_id WHERE d.derived_from_id IS NOT NULL
              UNION ALL
              SELECT x.id FROM documents x WHERE x.derived_from_id = d.id
              UNION ALL
              SELECT x.id FROM documents x
               WHERE x.outlet_id = d.outlet_id AND x.derived_from_id IS NOT NULL
              UNION ALL
              -- the outlet's documents that something derives from; asked as a
              -- semi-join on the (few) derived documents, not a probe per document of
              -- the outlet (0.57 -> 0.07 ms, 576 -> 31 buffers, at 25k documents)
              SELECT x.id FROM documents x
               WHERE x.outlet_id = d.outlet_id
                 AND x.id IN (SELECT y.derived_from_id FROM documents y
                               WHERE y.derived_from_id IS NOT NULL)
          ) AS n(doc)
"""
_REACH = (
    """
    WITH RECURSIVE reach(doc) AS (
        SELECT unnest(CAST(:docs AS bigint[]))
      UNION"""
    + _STEP
    + """    )
"""
)
#: Each reached document's row by its primary key. The planner cannot know how few rows a
#: recursive CTE gives (it guesses hundreds), so a plain join or `IN (SELECT doc FROM reach)`
#: read the whole documents table to hash it: 2 of a linked claim's 3 ms at 25k documents. The
#: LIMIT keeps the subquery from being pulled up into such a join: one index probe per reached
#: document (the recursive UNION already made them distinct).
_EACH = f"""
    CROSS JOIN LATERAL (
        SELECT x.id, x.outlet_id, x.derived_from_id,
               x.kind IN ({", ".join(f"'{k}'" for k in sorted(OPINION_KINDS))}) AS opinion
          FROM documents x WHERE x.id = r.doc LIMIT 1
    ) AS d"""
_LINEAGE = text(
    _REACH
    + """
    SELECT d.id, d.outlet_id, d.derived_from_id, d.opinion FROM reach r"""
    + _EACH
)
#: The same for one claim, its documents read in the statement: the claim's own document
#: (kind 1) and those of the claims confirmed as corroborating it or as the same claim (kind
#: 2, as `claims._supporting` reads them), their lineage (kind 0) and the suggested copies
#: among them (kind 3). Bound by the claim's id alone, so Postgres keeps one generic plan for
#: it (psycopg prepares a statement run five times): an array of documents made it plan the
#: recursive statement anew for each claim, 0.3 of its 0.55 ms at 1M claims.
_CLAIM_LINEAGE_AND_COPIES = (
    """
    WITH RECURSIVE docs(doc, supporting) AS (
        SELECT c.document_id, false FROM claims c WHERE c.id = %(claim_id)s
      UNION ALL
        SELECT o.document_id, true
          FROM claim_links l
          JOIN claims o
            ON o.id = CASE WHEN l.claim_a_id = %(claim_id)s THEN l.claim_b_id
                           ELSE l.claim_a_id END
           AND o.status <> 'rejected'
         WHERE (l.claim_a_id = %(claim_id)s OR l.claim_b_id = %(claim_id)s)
           AND l.state = 'confirmed' AND l.relation IN ('corroborates', 'same_claim')
    ), reach(doc) AS (
        SELECT doc FROM docs
      UNION"""
    + _STEP
    + """    )
    SELECT 0 AS kind, d.id, d.outlet_id, d.derived_from_id, d.opinion FROM reach r"""
    + _EACH
    + """
    UNION ALL
    SELECT CASE WHEN supporting THEN 2 ELSE 1 END, doc, NULL, NULL, NULL FROM docs
    UNION ALL
    SELECT 3, c.document_id, c.source_id, NULL, NULL
      FROM document_copies c
     WHERE c.state = 'suggested'
       AND c.document_id IN (SELECT doc FROM docs)
       AND c.source_id IN (SELECT doc FROM docs)
    """
)


def claim_origins_and_possible_copies(session: Session, claim_id: int) -> tuple[int, int]:
    """(independent origins backing the claim, how many of them are possible copies): the
    origins of the documents of the claims confirmed as corroborating it or as the same claim,
    beyond its own document's; the second is how many fewer there would be if every copy
    suggested among these documents and not yet reviewed were confirmed. One statement."""
    found: dict[int, Origin] = {}
    own: list[int] = []
    supporting: list[int] = []
    pairs: list[tuple[int, int]] = []
    for kind, a, b, derived, opinion in driver_rows(
        session, _CLAIM_LINEAGE_AND_COPIES, {"claim_id": claim_id}
    ):
        if kind == 0:
            found[int(a)] = Origin(b, derived, bool(opinion))
        elif kind == 1:
            own.append(int(a))
        elif kind == 2:
            supporting.append(int(a))
        else:
            pairs.append((int(a), int(b)))
    if not supporting:
        return 0, 0
    count = independent_origins(own, supporting, found)
    if not pairs:
        return count, 0
    return count, count - independent_origins(own, supporting, found, pairs)


def lineage(session: Session, document_ids: Iterable[int]) -> Lineage:
    """{document id: Origin} for the documents and all that can tie them into one origin."""
    ids = sorted(set(document_ids))
    if not ids:
        return {}
    rows = session.execute(_LINEAGE, {"docs": ids})
    return {int(d): Origin(o, f, bool(op)) for d, o, f, op in rows}
