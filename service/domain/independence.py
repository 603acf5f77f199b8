"""Independent origins: documents of one outlet, or linked by derivation, are one origin.

The one rule for "independently backed", used by the claim view, the decision rules, the
reports and the exports. It is pure: the caller hands it the lineage of the documents
involved (service/operations/origins.py reads it in one query per request).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from typing import Generic, NamedTuple, TypeVar

K = TypeVar("K", bound=Hashable)


class Origin(NamedTuple):
    """What ties a document to others into one origin, and whether it can back a claim."""

    outlet_id: int | None
    derived_from_id: int | None
    #: An opinion piece (an op-ed): it argues from what others reported, so a claim in it is
    #: not independent reporting and backs no other claim's independence. A claim in it can
    #: still be backed by reporting elsewhere.
    opinion: bool = False


#: Document kinds whose claims back no other claim's independence (Origin.opinion).
OPINION_KINDS = frozenset({"op_ed"})

#: {document id: Origin}; a plain (outlet id, derived_from id) pair reads as not opinion.
Lineage = Mapping[int, Origin | tuple[int | None, int | None]]


def is_opinion(lineage: Lineage, document_id: int) -> bool:
    """Whether the document is an opinion piece, by its lineage entry."""
    entry = lineage.get(document_id)
    return entry is not None and len(entry) > 2 and bool(entry[2])


class DisjointSets(Generic[K]):
    """Union-find with path halving; the smallest key of a set is its representative, so
    results do not depend on the order of unions."""

    def __init__(self, keys: Iterable[K] = ()) -> None:
        self.parent: dict[K, K] = {k: k for k in keys}

    def add(self, key: K) -> None:
        self.parent.setdefault(key, key)

    def find(self, key: K) -> K:
        parent = self.parent
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    def union(self, a: K, b: K) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            low, high = (ra, rb) if ra < rb else (rb, ra)  # type: ignore[operator]
            self.parent[high] = low

    def groups(self) -> dict[K, list[K]]:
        out: dict[K, list[K]] = {}
        for key in self.parent:
            out.setdefault(self.find(key), []).append(key)
        return out


def origin_groups(
    documents: Lineage, also_joined: Iterable[tuple[int, int]] = ()
) -> dict[int, int]:
    """Map document id → origin id: documents joined by the same outlet or by derivation.
    A document with no known outlet is its own origin unless derivation ties it to another.
    `also_joined` ties more pairs (possible copies, to ask what would remain if they were)."""
    sets = DisjointSets(documents)
    for a, b in also_joined:
        sets.add(a)
        sets.add(b)
        sets.union(a, b)
    first_of_outlet: dict[int, int] = {}
    for doc, entry in documents.items():
        outlet_id, derived_from_id = entry[0], entry[1]
        if outlet_id is not None:
            sets.union(doc, first_of_outlet.setdefault(outlet_id, doc))
        if derived_from_id is not None and derived_from_id in sets.parent:
            sets.union(doc, derived_from_id)
    return {doc: sets.find(doc) for doc in documents}


def independent_origins(
    own_documents: Iterable[int],
    supporting_documents: Iterable[int],
    lineage: Lineage,
    also_joined: Iterable[tuple[int, int]] = (),
) -> int:
    """How many origins the supporting documents span beyond those of the claim's own
    document(s) (several for a cluster of appearances of the same claim). Documents missing
    from the lineage count as origins of their own; opinion pieces count as none."""
    groups = origin_groups(lineage, also_joined)
    own = {groups.get(d, d) for d in own_documents}
    backing = {groups.get(d, d) for d in supporting_documents if not is_opinion(lineage, d)}
    return len(backing - own)
