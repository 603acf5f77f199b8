"""Candidate claims for linking, found in SQL: full-text matches in other documents, and
claims of the same speaker. Scoring happens in Python (scoring.py) on this short list."""

from __future__ import annotations

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from service.domain.enums import ClaimStatus
from service.linking.features import ClaimFeatures, features, search_terms
from service.models import Claim

#: How many full-text candidates to score per claim.
CANDIDATES = 60


def candidate_rows(
    session: Session, target: ClaimFeatures, min_checkworthiness: float = 0.0
) -> list[tuple[int, int, int | None, str]]:
    """(id, document_id, speaker_id, text) of claims worth scoring against `target`."""
    terms = search_terms(target)
    conditions: list[ColumnElement[bool]] = []
    query = None
    if terms:
        query = func.to_tsquery("english", " | ".join(terms))
        conditions.append(Claim.tsv.bool_op("@@")(query))
    if target.speaker_id is not None:
        conditions.append(Claim.speaker_id == target.speaker_id)
    if not conditions:
        return []
    stmt = (
        select(Claim.id, Claim.document_id, Claim.speaker_id, Claim.text)
        .where(
            Claim.document_id != target.document_id,
            Claim.status != ClaimStatus.REJECTED,
            Claim.checkworthiness >= min_checkworthiness,
            or_(*conditions),
        )
        .limit(CANDIDATES)
    )
    if query is not None:
        stmt = stmt.order_by(func.ts_rank(Claim.tsv, query).desc(), Claim.id)
    return [(r[0], r[1], r[2], r[3]) for r in session.execute(stmt)]


def candidates(
    session: Session, target: ClaimFeatures, min_checkworthiness: float = 0.0
) -> list[ClaimFeatures]:
    return [features(*row) for row in candidate_rows(session, target, min_checkworthiness)]
