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

from service.domain.independence import Lineage, independent_origins

_REACH = """
    WITH RECURSIVE reach(doc) AS (
        SELECT unnest(CAST(:docs AS bigint[]))
      UNION
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
    )
"""
#: Each reached document's row by its primary key. The planner cannot know how few rows a
#: recursive CTE gives (it guesses hundreds), so a plain join or `IN (SELECT doc FROM reach)`
#: read the whole documents table to hash it: 2 of a linked claim's 3 ms at 25k documents. The
#: LIMIT keeps the subquery from being pulled up into such a join: one index probe per reached
#: document (the recursive UNION already made them distinct).
_EACH = """
    CROSS JOIN LATERAL (
        SELECT x.id, x.outlet_id, x.derived_from_id FROM documents x WHERE x.id = r.doc LIMIT 1
    ) AS d"""
_LINEAGE = text(
    _REACH
    + """
    SELECT d.id, d.outlet_id, d.derived_from_id FROM reach r"""
    + _EACH
)
#: The lineage (copy = false) and the suggested, unreviewed copy pairs among the documents
#: (copy = true: document, source), in one round trip.
_LINEAGE_AND_COPIES = text(
    _REACH
    + """
    SELECT false AS copy, d.id, d.outlet_id, d.derived_from_id FROM reach r"""
    + _EACH
    + """
    UNION ALL
    SELECT true, c.document_id, c.source_id, NULL
      FROM document_copies c
     WHERE c.state = 'suggested'
       AND c.document_id = ANY(CAST(:docs AS bigint[]))
       AND c.source_id = ANY(CAST(:docs AS bigint[]))
    """
)


def lineage(session: Session, document_ids: Iterable[int]) -> Lineage:
    """{document id: (outlet id, derived_from id)} for the documents and all that can tie
    them into one origin."""
    ids = sorted(set(document_ids))
    if not ids:
        return {}
    rows = session.execute(_LINEAGE, {"docs": ids})
    return {int(d): (o, f) for d, o, f in rows}


def independent_origin_count(
    session: Session, own_documents: Iterable[int], supporting_documents: Iterable[int]
) -> int:
    """Distinct origins among the supporting documents beyond the claim's own."""
    own, supporting = list(own_documents), list(supporting_documents)
    if not supporting:
        return 0
    return independent_origins(own, supporting, lineage(session, own + supporting))


def origins_and_possible_copies(
    session: Session, own_documents: Iterable[int], supporting_documents: Iterable[int]
) -> tuple[int, int]:
    """(independent origins, how many of them are possible copies): the second is how many
    fewer origins there would be if every copy suggested among these documents and not yet
    reviewed were confirmed."""
    own, supporting = list(own_documents), list(supporting_documents)
    if not supporting:
        return 0, 0
    found: dict[int, tuple[int | None, int | None]] = {}
    pairs: list[tuple[int, int]] = []
    for copy, a, b, derived in session.execute(
        _LINEAGE_AND_COPIES, {"docs": sorted(set(own + supporting))}
    ):
        if copy:
            pairs.append((int(a), int(b)))
        else:
            found[int(a)] = (b, derived)
    count = independent_origins(own, supporting, found)
    if not pairs:
        return count, 0
    return count, count - independent_origins(own, supporting, found, pairs)
