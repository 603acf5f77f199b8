"""Who works on what: a claim or a document assigned to a person, and comments on claims.
Both are kept in the append-only history (a comment is an event about the claim, with its
text as the reason), and "my work" lists what is assigned to a person and still open."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.domain.enums import ClaimStatus
from service.domain.errors import InvalidInput
from service.models import Claim, Document, User
from service.operations.actors import Actor
from service.operations.events import record_event, snapshot

MAX_COMMENT = 5000


def _person(session: Session, person_id: int | None) -> User | None:
    if person_id is None:
        return None
    person = session.get(User, person_id)
    if person is None or person.role is None:
        raise InvalidInput("assignee", f"no person {person_id} who signs in")
    return person


def assign(
    session: Session, actor: Actor, entity: Claim | Document, person_id: int | None
) -> Claim | Document:
    """Assign a claim or a document to a person (None: to nobody); one event, from whom to
    whom. The same assignee again changes nothing and records nothing."""
    person = _person(session, person_id)
    if entity.assignee_id == (person.id if person else None):
        return entity
    before = snapshot(entity)
    entity.assignee_id = person.id if person else None
    session.flush()
    kind = "claim" if isinstance(entity, Claim) else "document"
    record_event(
        session,
        actor,
        f"{kind}.assigned",
        entity,
        before=before,
        after=snapshot(entity),
        reason=f"assigned to {person.name}" if person else "unassigned",
    )
    return entity


def comment(session: Session, actor: Actor, claim: Claim, text: str) -> None:
    """A comment on a claim, kept in its history."""
    text = text.strip()
    if not text:
        raise InvalidInput("comment", "write the comment")
    if len(text) > MAX_COMMENT:
        raise InvalidInput("comment", f"at most {MAX_COMMENT} characters")
    record_event(session, actor, "claim.commented", claim, reason=text)


@dataclass(frozen=True)
class MyWork:
    claims: list[tuple[Claim, str | None]]
    documents: list[tuple[Document, int]]


def my_work(session: Session, person_id: int, limit: int = 50) -> MyWork:
    """What is assigned to the person and still open: claims not yet decided (with their
    document's title), and documents with how many of their claims wait (unreviewed)."""
    claims = [
        (c, t)
        for c, t in session.execute(
            select(Claim, Document.title)
            .join(Document, Document.id == Claim.document_id)
            .where(Claim.assignee_id == person_id, Claim.status == ClaimStatus.UNREVIEWED)
            .order_by(Claim.checkworthiness.desc(), Claim.id)
            .limit(limit)
        )
    ]
    waiting = (
        select(func.count())
        .where(Claim.document_id == Document.id, Claim.status == ClaimStatus.UNREVIEWED)
        .correlate(Document)
        .scalar_subquery()
    )
    documents = [
        (d, int(n))
        for d, n in session.execute(
            select(Document, waiting)
            .where(Document.assignee_id == person_id)
            .order_by(Document.id.desc())
            .limit(limit)
        )
    ]
    return MyWork(claims, documents)
