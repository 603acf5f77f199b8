"""The lineage query reads only what can tie documents into one origin, and the origin
groups it gives for those documents are the ones the whole documents table gives."""

from __future__ import annotations

import random

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from service.domain.independence import origin_groups
from service.models import Document
from service.operations.actors import SYSTEM
from service.operations.documents import NewDocument, create_document
from service.operations.origins import lineage


def _same_partition(groups: dict[int, int], docs: list[int], other: dict[int, int]) -> bool:
    return all(
        (groups[a] == groups[b]) == (other[a] == other[b]) for a in docs for b in docs if a < b
    )


def test_lineage_gives_the_whole_tables_origin_groups_for_the_documents_asked(
    session: Session,
) -> None:
    rng = random.Random(7)
    outlets = ["Gazette", "Tribune", "Herald", "Courier", None]
    ids: list[int] = []
    for n in range(60):
        outlet = rng.choice(outlets)
        doc, _ = create_document(
            session, SYSTEM, NewDocument(body=f"Document {n}: the levy rose 4%.", outlet=outlet)
        )
        ids.append(doc.id)
    # A few derivations, some across outlets (they tie both outlets into one origin).
    for doc_id in rng.sample(ids[10:], 12):
        source = rng.choice([i for i in ids if i < doc_id])
        session.execute(
            update(Document).where(Document.id == doc_id).values(derived_from_id=source)
        )
    session.flush()
    whole = origin_groups(
        {
            d: (o, f)
            for d, o, f in session.execute(
                select(Document.id, Document.outlet_id, Document.derived_from_id).where(
                    Document.id.in_(ids)
                )
            )
        }
    )
    for _ in range(40):
        asked = rng.sample(ids, rng.randint(2, 6))
        partial = lineage(session, asked)
        assert set(asked) <= set(partial)
        assert _same_partition(whole, asked, origin_groups(partial))
    assert lineage(session, []) == {}


def test_lineage_leaves_out_documents_that_tie_nothing(session: Session) -> None:
    docs = [
        create_document(
            session, SYSTEM, NewDocument(body=f"Plain {n}: 12 berths.", outlet="Gazette")
        )[0].id
        for n in range(5)
    ]
    # The other four documents of the outlet share its origin without being read.
    assert set(lineage(session, docs[:1])) == {docs[0]}
