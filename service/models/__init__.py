"""SQLAlchemy models, one module per aggregate; importing this registers them all."""

from service.models.auth import ApiKey, User
from service.models.claim import Claim, Evidence
from service.models.copy import DocumentBand, DocumentCopy
from service.models.document import Document, DocumentRevision, Outlet
from service.models.event import Event
from service.models.factcheck import FactCheck, FactCheckMatch, FactCheckTerm, RatingLabel
from service.models.limit import RateLimitCounter
from service.models.link import ClaimLink
from service.models.review import PublishedReview
from service.models.speaker import Speaker, SpeakerAlias
from service.models.webhook import WebhookDelivery, WebhookSubscription

__all__ = [
    "ApiKey",
    "Claim",
    "ClaimLink",
    "Document",
    "DocumentBand",
    "DocumentCopy",
    "DocumentRevision",
    "Event",
    "Evidence",
    "FactCheck",
    "FactCheckMatch",
    "FactCheckTerm",
    "Outlet",
    "PublishedReview",
    "RateLimitCounter",
    "RatingLabel",
    "Speaker",
    "SpeakerAlias",
    "User",
    "WebhookDelivery",
    "WebhookSubscription",
]
