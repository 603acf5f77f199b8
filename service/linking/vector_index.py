"""Nearest claims in meaning: every stored claim vector in one matrix per database, kept per
process. PostgreSQL 15 here has no vector extension, so a nearest-neighbour search is a
matrix product in memory (float32, 1.5 KB a vector: ~75 MB and a few ms a query for 50k
check-worthy claims). New claims are appended at each call; a full reload every few minutes
drops rejected and re-extracted ones. Results are always re-read through SQL, so a stale row
costs a slot, never a wrong suggestion."""

from __future__ import annotations

import threading
import time

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.domain.enums import ClaimStatus
from service.linking.semantic import DIM, Vector
from service.models import Claim


class _Index:
    """Rows 0..size-1 of preallocated arrays; appending doubles the capacity when full, so a
    stream of new claims costs amortised O(1) copies instead of one full copy per call."""

    def __init__(self) -> None:
        self.size = 0
        self.ids = np.zeros(0, dtype=np.int64)
        self.documents = np.zeros(0, dtype=np.int64)
        self.matrix: Vector = np.zeros((0, DIM), dtype=np.float32)
        self.loaded_at = time.monotonic()

    def append(self, ids: list[int], documents: list[int], vectors: Vector) -> None:
        need = self.size + len(ids)
        if need > len(self.ids):
            capacity = max(need, 2 * len(self.ids), 1024)
            self.ids = np.resize(self.ids, capacity)
            self.documents = np.resize(self.documents, capacity)
            grown = np.zeros((capacity, DIM), dtype=np.float32)
            grown[: self.size] = self.matrix[: self.size]
            self.matrix = grown
        self.ids[self.size : need] = ids
        self.documents[self.size : need] = documents
        self.matrix[self.size : need] = vectors
        self.size = need


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


def _snapshot(session: Session) -> tuple[NDArray[np.int64], NDArray[np.int64], Vector]:
    """The process's index of the database `session` is bound to, brought up to date, as
    views of its first `size` rows: appends write past them or into new arrays, so the views
    stay valid without the lock."""
    key = str(session.get_bind().engine.url)
    with _index_lock:
        current = _indexes.get(key)
        if current is None or time.monotonic() - current.loaded_at > INDEX_TTL:
            current = _indexes[key] = _Index()
        after = int(current.ids[current.size - 1]) if current.size else 0
        ids, documents, blobs = _rows(session, after)
        if ids:
            added = np.frombuffer(b"".join(blobs), dtype=np.float16).reshape(-1, DIM)
            current.append(ids, documents, added.astype(np.float32))
        n = current.size
        return current.ids[:n], current.documents[:n], current.matrix[:n]


def nearest(
    session: Session, vector: Vector, document_id: int, limit: int, floor: float
) -> list[tuple[int, float]]:
    """Ids of the claims of other documents closest in meaning, with their similarity."""
    ids, documents, matrix = _snapshot(session)
    if not len(ids):
        return []
    sims = matrix @ vector
    sims[documents == document_id] = -1.0
    take = min(limit, len(ids))
    best = np.argpartition(-sims, take - 1)[:take]
    best = best[np.argsort(-sims[best])]
    return [(int(ids[i]), float(sims[i])) for i in best if sims[i] >= floor]
