"""The error catalogue: what can go wrong in a use case, and the one body every service answers
with, `{"error": {"code", "message", "details"}}`.

Domain and application code raise the `DomainError` subclasses below; they know nothing of HTTP.
The HTTP layer (`servicekit.http`) maps each class to its status once, so every service answers
the same failure with the same status and shape.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError


class ErrorDetail(BaseModel):
    """One problem, usually naming the field (dotted path) or parameter it concerns."""

    field: str | None = None
    message: str
    type: str | None = None

    model_config = {"extra": "allow"}


class ErrorContent(BaseModel):
    code: str
    message: str
    details: list[ErrorDetail]


class ErrorBody(BaseModel):
    """The body of every 4xx and 5xx answer of every service."""

    error: ErrorContent


def error_body(code: str, message: str, details: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or []}}


class DomainError(Exception):
    """A use case that cannot be carried out; the subclass says why, `code` says it for machines."""

    code = "domain_error"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        details: list[dict[str, Any]] | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if details is None and field is not None:
            details = [{"field": field, "message": message, "type": self.code}]
        self.details = details or []


class BadRequest(DomainError):
    """The request itself is malformed (a query parameter, a header)."""

    code = "invalid_parameter"


class InvalidInput(DomainError):
    """Well-formed input that breaks a rule; `details` name each field."""

    code = "validation_failed"


class Unauthenticated(DomainError):
    code = "unauthenticated"


class Forbidden(DomainError):
    code = "forbidden"


class NotFound(DomainError):
    code = "not_found"


class Conflict(DomainError):
    code = "conflict"


class PreconditionFailed(DomainError):
    """The caller's `If-Match` names a version that is no longer current."""

    code = "precondition_failed"

    def __init__(self, message: str, *, current_etag: str, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.current_etag = current_etag


class Moved(DomainError):
    """The thing is known under another name now (a renamed slug); `location` is where."""

    code = "moved"

    def __init__(self, message: str, *, location: str, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.location = location


class Unavailable(DomainError):
    """A backing service is down; nothing was changed."""

    code = "service_unavailable"


def invalid_input(exc: ValidationError, *, prefix: tuple[str | int, ...] = ()) -> InvalidInput:
    """A pydantic validation failure as InvalidInput naming each field, without echoing values."""
    details = [
        {
            "field": ".".join(str(part) for part in (*prefix, *err["loc"])) or "(body)",
            "message": err["msg"],
            "type": err["type"],
        }
        for err in exc.errors(include_url=False, include_input=False)
    ]
    fields = ", ".join(sorted({d["field"] for d in details}))
    return InvalidInput(f"Invalid value for: {fields}", details=details)


class ApiError(Exception):
    """An HTTP answer decided in the HTTP layer itself (media type, body size, token format)."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details or []
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return error_body(self.code, self.message, self.details)
