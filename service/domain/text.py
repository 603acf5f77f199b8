"""Text no database can hold: pure."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Any


def lone_surrogate(value: Any, path: str = "") -> str | None:
    """The path ("body", "items.0.text") of the first string in a parsed JSON value that
    holds a lone UTF-16 surrogate, or None. JSON's \\ud800 escape decodes to one, and no
    UTF-8 text (Postgres's, a hash's input) can hold it."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return path or "_schema"
        return None
    if isinstance(value, dict):
        items: Iterable[tuple[Any, Any]] = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        found = lone_surrogate(item, f"{path}.{key}" if path else str(key))
        if found:
            return found
    return None


def tidy_name(name: str) -> str:
    """A name (a speaker's, an outlet's) as one is kept: in Unicode's composed form (NFC), with
    no invisible format characters (zero-width spaces and joiners, bidirectional overrides,
    soft hyphens: Unicode category Cf) and single spaces. Two names that look the same are
    then the same text, so "Jessica Mendoza" with a zero-width space is not a second speaker
    and a right-to-left override cannot garble the rows shown beside it. (Letters of other
    scripts that look alike, a Cyrillic "а", are kept: they are real text in some names.)"""
    composed = unicodedata.normalize("NFC", name)
    visible = "".join(c for c in composed if unicodedata.category(c) != "Cf")
    return " ".join(visible.split())
