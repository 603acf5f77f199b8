"""Named domain errors, each carrying its HTTP status and a problem type slug.

The API turns them into RFC 9457 problem documents; operations raise them without
knowing about HTTP beyond the status number.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    status = 400
    slug = "bad-request"
    title = "Bad request"

    def __init__(self, detail: str, *, errors: dict[str, Any] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors


class NotFound(DomainError):
    status = 404
    slug = "not-found"
    title = "Not found"


class Conflict(DomainError):
    status = 409
    slug = "conflict"
    title = "Conflict"


class InvalidInput(DomainError):
    """Well-formed input that breaks a rule about the data (span outside body, …)."""

    status = 422
    slug = "validation-error"
    title = "Invalid input"

    def __init__(self, field: str, message: str, location: str = "json") -> None:
        """`location`: where the field was sent (the body, or "query" for the URL's)."""
        # A whole-input error ("_schema", marshmallow's name for it) is no field to name.
        detail = message if field.startswith("_") else f"{field}: {message}"
        super().__init__(detail, errors={location: {field: [message]}})
        self.field = field


class RuleViolation(DomainError):
    """An editorial rule refuses the change (e.g. verifying without corroboration)."""

    status = 422
    slug = "rule-violation"
    title = "Editorial rule not met"

    def __init__(self, rule: str, detail: str, field: str | None = None) -> None:
        errors = {"json": {field: [detail]}} if field else None
        super().__init__(detail, errors=errors)
        self.rule = rule


class Unauthenticated(DomainError):
    status = 401
    slug = "unauthenticated"
    title = "Authentication required"


class Forbidden(DomainError):
    status = 403
    slug = "forbidden"
    title = "Forbidden"
