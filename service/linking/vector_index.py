"""Nearest claims in meaning: every stored claim vector in one matrix per database, kept per
process. PostgreSQL 15 here has no vector extension, so a nearest-neighbour search is a
matrix product in memory (float32, 1.5 KB a vector: ~75 MB and a few ms a query for 50k
check-worthy claims). New claims are appended at each call; a full reload every few minutes
drops rejected and re-extracted ones. Results are always re-read through SQL, so a stale row
costs a slot, never a wrong suggestion."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.domain.enums import ClaimStatus
from service.linking.semantic import DIM, Vector
from service.models import Claim


@dataclass
class _Index:
    ids: NDArray[np.int64]
    documents: NDArray[np.int64]
    matrix: Vector
    loaded_at: float


#: The index is reloaded in full this often (seconds); in between only new claims are added.
INDEX_TTL = 300.0
_indexes: dict[str, _Index] = {}
_index_lock = threading.Lock()


def _rows(session: Session, after: int) -> tuple[list[int], list[int], list[bytes]]:
    rows = session.execute(
        select(Claim.id, Claim.document_id, Claim.embedding)
        .where(
            Claim.id > after,
            Claim.embedding.is_not(None),
            Claim.status != ClaimStatus.REJECTED,
        )
        .order_by(Claim.id)
    ).all()
    return [r[0] for r in rows], [r[1] for r in rows], [bytes(r[2] or b"") for r in rows]


def _index(session: Session) -> _Index:
    """The process's index of the database `session` is bound to, brought up to date."""
    key = str(session.get_bind().engine.url)
    with _index_lock:
        current = _indexes.get(key)
        if current is None or time.monotonic() - current.loaded_at > INDEX_TTL:
            current = _Index(
                np.zeros(0, dtype=np.int64),
                np.zeros(0, dtype=np.int64),
                np.zeros((0, DIM), dtype=np.float32),
                time.monotonic(),
            )
        after = int(current.ids[-1]) if len(current.ids) else 0
        ids, documents, blobs = _rows(session, after)
        if ids:
            added = np.frombuffer(b"".join(blobs), dtype=np.float16).reshape(-1, DIM)
            current = _Index(
                np.concatenate([current.ids, np.array(ids, dtype=np.int64)]),
                np.concatenate([current.documents, np.array(documents, dtype=np.int64)]),
                np.concatenate([current.matrix, added.astype(np.float32)]),
                current.loaded_at,
            )
        _indexes[key] = current
        return current


def nearest(
    session: Session, vector: Vector, document_id: int, limit: int, floor: float
) -> list[tuple[int, float]]:
    """Ids of the claims of other documents closest in meaning, with their similarity."""
    index = _index(session)
    if not len(index.ids):
        return []
    sims = index.matrix @ vector
    sims[index.documents == document_id] = -1.0
    take = min(limit, len(sims))
    best = np.argpartition(-sims, take - 1)[:take]
    best = best[np.argsort(-sims[best])]
    return [(int(index.ids[i]), float(sims[i])) for i in best if sims[i] >= floor]
