"""Keyset pagination on integer sort keys, with opaque cursors."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import Select, tuple_
from sqlalchemy.orm import InstrumentedAttribute, Session

from service.domain.errors import InvalidInput

T = TypeVar("T")


def like_contains(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, with LIKE's own wildcards escaped."""
    escaped = text.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_")
    return f"%{escaped}%"


#: How a list's tag reads to a client: the path it pages (tags are table names).
_LISTS = {
    "claim_links": "/links",
    "claims": "/claims",
    "documents": "/documents",
    "speakers": "/speakers",
    "events": "/events",
    "export": "the NDJSON export",
    "fact_checks": "/fact-checks",
    "document_copies": "/copies",
    "webhook_deliveries": "a webhook's deliveries",
}


def encode_cursor(values: Sequence[int], tag: str) -> str:
    """An opaque cursor: base64url of "k<tag>:<values>". The tag names the list it pages, so
    a cursor of one list is refused by another instead of paging it from a wrong place."""
    raw = f"k{tag}:" + ".".join(str(v) for v in values)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def list_tag(keys: Sequence[InstrumentedAttribute[Any]]) -> str:
    """The tag of a list ordered by `keys`: its table (lists of one resource share cursors)."""
    return str(keys[0].class_.__tablename__)


def cursor_at(row: Any, keys: Sequence[InstrumentedAttribute[Any]]) -> str:
    """The cursor of the page that follows `row` in a list ordered by `keys`."""
    return encode_cursor([getattr(row, key.key) for key in keys], list_tag(keys))


def decode_cursor(cursor: str, arity: int, tag: str, field: str = "after") -> tuple[int, ...]:
    """The values of a cursor this service issued for the list `tag`; one issued before
    cursors named their list ("k<values>") is taken as it always was."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if not raw.startswith("k"):
            raise ValueError(raw)
        named, _, numbers = raw[1:].rpartition(":")
        if ":" in raw and named != tag:
            raise InvalidInput(
                field,
                f"a cursor of another list ({_LISTS.get(named, named) or 'unnamed'}): page this "
                "one with the cursor from its own next link",
                location="query",
            )
        values = tuple(int(part) for part in numbers.split("."))
        # A forged cursor's number past Postgres's bigint failed in the query, unnamed.
        if len(values) != arity or any(not -(2**63) <= v < 2**63 for v in values):
            raise ValueError(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput(
            field, "not a cursor this service issued for this list", location="query"
        ) from exc
    return values


def keyset_page(
    session: Session,
    stmt: Select[T],
    keys: Sequence[InstrumentedAttribute[Any]],
    *,
    after: str | None,
    limit: int,
) -> tuple[list[T], str | None]:
    """One page of `stmt` ordered by `keys` (unique together), and the next page's cursor."""
    if after:
        values = decode_cursor(after, len(keys), list_tag(keys))
        stmt = stmt.where(tuple_(*keys) > tuple_(*values))
    rows = list(session.scalars(stmt.order_by(*keys).limit(limit + 1)).unique())
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    return rows, cursor_at(rows[-1], keys)
