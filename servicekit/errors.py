"""The error shape every service answers with: {"error": {"code", "message", "details"}}."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError


class ApiError(Exception):
    def __init__(
        self, status: int, code: str, message: str, details: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details or []
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


def validation_error(exc: ValidationError, *, prefix: tuple[str | int, ...] = ()) -> ApiError:
    """A 422 naming each invalid field; the submitted values are not echoed back."""
    details = [
        {
            "field": ".".join(str(part) for part in (*prefix, *err["loc"])) or "(body)",
            "message": err["msg"],
            "type": err["type"],
        }
        for err in exc.errors(include_url=False, include_input=False)
    ]
    fields = ", ".join(sorted({d["field"] for d in details}))
    return ApiError(422, "validation_failed", f"Invalid value for: {fields}", details)
