"""The controlled vocabularies. Stored as text with a CHECK constraint in Postgres."""

from __future__ import annotations

from enum import StrEnum


class DocumentKind(StrEnum):
    NEWS = "news"
    OP_ED = "op_ed"
    TRANSCRIPT = "transcript"
    BLOG = "blog"
    NOTES = "notes"
    PRESS_RELEASE = "press_release"
    #: Questions and answers: the questions are the interviewer's, the answers the guest's.
    INTERVIEW = "interview"
    OTHER = "other"


class DocumentState(StrEnum):
    """Where a document is in its processing (extraction, embedding, suggestions)."""

    #: Stored without extraction (`extract: false`).
    STORED = "stored"
    #: Waiting for a worker.
    QUEUED = "queued"
    #: A worker is extracting it.
    EXTRACTING = "extracting"
    #: Its claims, vectors and suggestions are stored.
    READY = "ready"
    #: Every attempt failed; `error` says why. Re-running loses nothing.
    FAILED = "failed"


class AnchorState(StrEnum):
    """Where a claim ended when its document was revised (service/revisions/anchoring.py)."""

    #: Its exact text is in the new version (perhaps at other offsets).
    ANCHORED = "anchored"
    #: Found, but its text changed: the old text is kept in `previous_text`.
    MOVED = "moved"
    #: Not found with confidence: its span still refers to the revision it was last seen in.
    ORPHANED = "orphaned"


class DeliveryStatus(StrEnum):
    """Where one webhook delivery (one event for one subscription) is."""

    #: Deferred with its event; not tried yet.
    PENDING = "pending"
    #: The receiver answered 2xx.
    DELIVERED = "delivered"
    #: An attempt failed; another is scheduled (`next_attempt_at`).
    RETRYING = "retrying"
    #: Every attempt failed (or the subscription was disabled for failing): replay it.
    FAILED = "failed"
    #: Not sent: the subscription was inactive when its turn came. Replay it to send.
    SKIPPED = "skipped"


class SpeakerKind(StrEnum):
    PERSON = "person"
    ORGANISATION = "organisation"
    UNKNOWN = "unknown"


class Attribution(StrEnum):
    DIRECT_QUOTE = "direct_quote"
    INDIRECT = "indirect"
    ANONYMOUS = "anonymous"
    DOCUMENT = "document"
    AUTHOR = "author"
    TRANSCRIPT_TURN = "transcript_turn"


class DatePrecision(StrEnum):
    DAY = "day"
    #: "last week": the claim date is that week's Monday.
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"


class ClaimStatus(StrEnum):
    UNREVIEWED = "unreviewed"
    VERIFIED = "verified"
    DISPUTED = "disputed"
    FALSE = "false"
    UNVERIFIABLE = "unverifiable"
    #: A candidate a reviewer judged not to be a claim: kept, never deleted.
    REJECTED = "rejected"


class ClaimOrigin(StrEnum):
    EXTRACTED = "extracted"
    MANUAL = "manual"


class LinkRelation(StrEnum):
    CORROBORATES = "corroborates"
    CONFLICTS = "conflicts"
    SAME_CLAIM = "same_claim"


class LinkState(StrEnum):
    SUGGESTED = "suggested"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


class Role(StrEnum):
    VIEWER = "viewer"
    REVIEWER = "reviewer"
    EDITOR = "editor"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return _ROLE_RANK[self]

    def allows(self, needed: Role) -> bool:
        return self.rank >= needed.rank


_ROLE_RANK = {Role.VIEWER: 0, Role.REVIEWER: 1, Role.EDITOR: 2, Role.ADMIN: 3}


def check_in(column: str, enum: type[StrEnum]) -> str:
    """SQL for a CHECK constraint restricting `column` to the enum's values."""
    values = ", ".join(f"'{member.value}'" for member in enum)
    return f"{column} IN ({values})"
