"""What extraction takes and gives: plain dataclasses, no Flask, no database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True)
class DocumentContext:
    """What is known about a document besides its body."""

    published_on: date | None = None
    author: str | None = None
    outlet: str | None = None
    kind: str = "news"


@dataclass(frozen=True)
class ResolvedDate:
    value: date
    precision: str  # day | month | year
    how: str  # the words it was read from and the rule used


@dataclass
class Candidate:
    """One candidate claim: an exact span of the body plus what we inferred about it."""

    start: int
    end: int
    text: str
    speaker: str | None
    attribution: str
    cue: str | None
    confidence: float
    claim_date: ResolvedDate | None
    checkworthiness: float
    reasons: list[str] = field(default_factory=list)
    #: Title, role or affiliation the text gives the speaker ("head of Russia's wealth fund").
    speaker_role: str | None = None
    #: The check-worthiness features the score was computed from (the parse path), for
    #: fitting and explaining the weights; not part of the API shape.
    features: dict[str, float] = field(default_factory=dict)
    #: The sentence's vector (semantic.py), where the parse path computed it to score the
    #: sentence: ingest stores it rather than encoding the sentence again.
    vector: Any = field(default=None, repr=False, compare=False)

    def as_json(self) -> dict[str, object]:
        """The API's claim shape, without ids."""
        return {
            "text": self.text,
            "span": {"start": self.start, "end": self.end},
            "speaker": {"name": self.speaker, "role": self.speaker_role} if self.speaker else None,
            "attribution": self.attribution,
            "cue": self.cue,
            "attribution_confidence": round(self.confidence, 2),
            "claim_date": self.claim_date.value.isoformat() if self.claim_date else None,
            "date_precision": self.claim_date.precision if self.claim_date else None,
            "date_how": self.claim_date.how if self.claim_date else None,
            "checkworthiness": round(self.checkworthiness, 2),
            "reasons": self.reasons,
        }
