"""Independent origins: documents of one outlet, or linked by derivation, are one origin."""

from __future__ import annotations

from collections.abc import Iterable, Mapping


def origin_groups(documents: Mapping[int, tuple[int | None, int | None]]) -> dict[int, int]:
    """Map document id → origin id, given {document id: (outlet id, derived_from id)}.

    Union-find over two kinds of edge: same outlet, and derived_from. A document with no
    known outlet is its own origin unless derivation ties it to another.
    """
    parent: dict[int, int] = {doc: doc for doc in documents}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: int, b: int) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    first_of_outlet: dict[int, int] = {}
    for doc, (outlet_id, derived_from_id) in documents.items():
        if outlet_id is not None:
            union(doc, first_of_outlet.setdefault(outlet_id, doc))
        if derived_from_id is not None and derived_from_id in parent:
            union(doc, derived_from_id)
    return {doc: find(doc) for doc in documents}


def independent_origins(
    own_document: int,
    supporting_documents: Iterable[int],
    documents: Mapping[int, tuple[int | None, int | None]],
) -> int:
    """How many distinct origins, other than the claim's own, the supporting documents span."""
    groups = origin_groups(documents)
    own = groups[own_document]
    return len({groups[d] for d in supporting_documents} - {own})
