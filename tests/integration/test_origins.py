"""The lineage query reads only what can tie documents into one origin, and the origin
groups it gives for those documents are the ones the whole documents table gives."""

from __future__ import annotations

import random

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from service.domain.enums import LinkRelation, LinkState
from service.domain.independence import independent_origins, origin_groups
from service.models import ClaimLink, Document, DocumentCopy
from service.operations.actors import SYSTEM
from service.operations.claims import NewClaim, create_claim
from service.operations.documents import NewDocument, create_document
from service.operations.links import NewLink, create_link
from service.operations.origins import claim_origins_and_possible_copies, lineage


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


def test_a_claims_origins_read_by_its_id_are_those_of_the_whole_table(session: Session) -> None:
    """claim_origins_and_possible_copies reads a claim's documents and their lineage in one
    statement bound by the claim's id; its counts are those the whole documents table gives,
    for claims with every kind of link (confirmed or not, backing or conflicting) and with
    suggested copies among their documents."""
    rng = random.Random(11)
    outlets = ["Gazette", "Tribune", "Herald", None]
    docs: list[int] = []
    claims: list[tuple[int, int]] = []  # (claim, its document)
    for n in range(24):
        body = f"Report {n}: the levy rose 4%."
        doc, _ = create_document(
            session, SYSTEM, NewDocument(body=body, outlet=rng.choice(outlets))
        )
        docs.append(doc.id)
        claim = create_claim(
            session, SYSTEM, NewClaim(document_id=doc.id, span_start=0, span_end=len(body))
        )
        claims.append((claim.id, doc.id))
    for doc_id in rng.sample(docs[6:], 6):
        source = rng.choice([d for d in docs if d < doc_id])
        session.execute(
            update(Document).where(Document.id == doc_id).values(derived_from_id=source)
        )
    for a, b in rng.sample([(a, b) for a in docs for b in docs if a > b], 8):
        session.add(DocumentCopy(document_id=a, source_id=b, similarity=0.9, containment=0.9))
    linked: set[frozenset[int]] = set()
    for _ in range(40):
        (a, _da), (b, _db) = rng.sample(claims, 2)
        if frozenset((a, b)) in linked:
            continue
        linked.add(frozenset((a, b)))
        state = rng.choice([LinkState.CONFIRMED, LinkState.CONFIRMED, LinkState.SUGGESTED])
        relation = rng.choice(list(LinkRelation))
        create_link(session, SYSTEM, NewLink((a, b), relation, state, rationale="checked"))
    session.flush()
    whole = {
        d: (o, f)
        for d, o, f in session.execute(
            select(Document.id, Document.outlet_id, Document.derived_from_id)
        )
    }
    copies = [
        (d, s)
        for d, s in session.execute(
            select(DocumentCopy.document_id, DocumentCopy.source_id).where(
                DocumentCopy.state == LinkState.SUGGESTED
            )
        )
    ]
    document_of = dict(claims)
    backed = 0
    for claim_id, own in claims:
        supporting = [
            document_of[other]
            for other, relation, state in _links(session, claim_id)
            if state == LinkState.CONFIRMED
            and relation in (LinkRelation.CORROBORATES, LinkRelation.SAME_CLAIM)
        ]
        involved = {own, *supporting}
        among = [(d, s) for d, s in copies if d in involved and s in involved]
        count = independent_origins([own], supporting, whole) if supporting else 0
        fewer = count - independent_origins([own], supporting, whole, among) if among else 0
        assert claim_origins_and_possible_copies(session, claim_id) == (count, fewer)
        backed += count > 0
    assert backed >= 5  # the draw gave claims backed by other origins


def _links(session: Session, claim_id: int) -> list[tuple[int, str, str]]:
    rows = session.execute(
        select(
            ClaimLink.claim_a_id, ClaimLink.claim_b_id, ClaimLink.relation, ClaimLink.state
        ).where(or_(ClaimLink.claim_a_id == claim_id, ClaimLink.claim_b_id == claim_id))
    )
    return [(b if a == claim_id else a, relation, state) for a, b, relation, state in rows]
