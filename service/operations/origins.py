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


def _reach(seed: str) -> str:
    """The documents that can tie the seed documents into one origin (a recursive CTE
    named `reach`); `seed` is SQL yielding document ids."""
    return f"""
    WITH RECURSIVE reach(doc) AS (
        {seed}
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
              SELECT y.derived_from_id FROM documents y
                JOIN documents x ON x.id = y.derived_from_id
               WHERE x.outlet_id = d.outlet_id
          ) AS n(doc)
    )
"""


_ROWS = """
    SELECT false AS copy, d.id, d.outlet_id, d.derived_from_id
      FROM documents d
     WHERE d.id IN (SELECT doc FROM reach)
    UNION ALL
    SELECT true, c.document_id, c.source_id, NULL
      FROM document_copies c
     WHERE c.state = 'suggested'
       AND c.document_id = ANY({docs})
       AND c.source_id = ANY({docs})
"""
_PARAM_DOCS = "CAST(:docs AS bigint[])"
_LINEAGE = text(
    _reach(f"SELECT unnest({_PARAM_DOCS})")
    + """
    SELECT d.id, d.outlet_id, d.derived_from_id
      FROM documents d
     WHERE d.id IN (SELECT doc FROM reach)
    """
)
#: The lineage (copy = false: document, outlet, derived_from) and the suggested, unreviewed
#: copy pairs among the documents (copy = true: document, source, NULL), in one round trip.
_LINEAGE_AND_COPIES = text(_reach(f"SELECT unnest({_PARAM_DOCS})") + _ROWS.format(docs=_PARAM_DOCS))


def lineage_of_claim_sql(claim: str, supporting: str) -> str:
    """SQL for a scalar: the rows of `_LINEAGE_AND_COPIES` as a json array, for the claim
    whose table alias is `claim`, backed by the documents of `supporting` (SQL for a
    bigint[], correlated with the claim); NULL when nothing backs it. Lets the claim view
    read a claim and the lineage of its backers in one statement."""
    docs = f"array_append({supporting}, {claim}.document_id)"
    return (
        f"CASE WHEN cardinality({supporting}) > 0 THEN ("
        + _reach(f"SELECT unnest({docs})")
        + "SELECT json_agg(json_build_array(r.copy, r.id, r.outlet_id, r.derived_from_id))"
        + f" FROM ({_ROWS.format(docs=docs)}) AS r) END"
    )


Row = tuple[bool, int, int | None, int | None]


def origins_from_rows(
    own: list[int], supporting: list[int], rows: Iterable[Row]
) -> tuple[int, int]:
    """(independent origins, how many of them are possible copies) from the rows of
    `_LINEAGE_AND_COPIES`: the second is how many fewer origins there would be if every
    copy suggested among these documents and not yet reviewed were confirmed."""
    found: dict[int, tuple[int | None, int | None]] = {}
    pairs: list[tuple[int, int]] = []
    for copy, a, b, derived in rows:
        if copy:
            pairs.append((int(a), int(b or 0)))
        else:
            found[int(a)] = (b, derived)
    count = independent_origins(own, supporting, found)
    if not pairs:
        return count, 0
    return count, count - independent_origins(own, supporting, found, pairs)


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
    """(independent origins, possible copies among them): see `origins_from_rows`."""
    own, supporting = list(own_documents), list(supporting_documents)
    if not supporting:
        return 0, 0
    rows = session.execute(_LINEAGE_AND_COPIES, {"docs": sorted(set(own + supporting))})
    return origins_from_rows(own, supporting, rows)
