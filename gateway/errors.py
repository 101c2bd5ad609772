"""Errors the gateway shows to clients as they are; anything else is masked (see `masking`)."""

from __future__ import annotations

from typing import Any


class GatewayError(Exception):
    """An expected failure, reported to the client with a stable `extensions.code`."""

    code = "GATEWAY_ERROR"

    def __init__(self, message: str, **extensions: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extensions = {"code": self.code, **extensions}


class BadUserInput(GatewayError):
    code = "BAD_USER_INPUT"


class Unauthenticated(GatewayError):
    code = "UNAUTHENTICATED"


class Forbidden(GatewayError):
    code = "FORBIDDEN"


class BackendUnavailable(GatewayError):
    """A service did not answer (in time, or with a 5xx): retrying later may work."""

    code = "SERVICE_UNAVAILABLE"


class RateLimitExceeded(GatewayError):
    """The client has spent its allowance of cost units for now (gateway.ratelimit): nothing ran."""

    code = "RATE_LIMITED"

    def __init__(self, wait: int, **extensions: Any) -> None:
        super().__init__(f"Too many requests: try again in {wait} s", retryAfterSeconds=wait, **extensions)


class CostLimitExceeded(GatewayError):
    """The operation's static cost (gateway.cost) is over `GATEWAY_MAX_COST`: nothing ran."""

    code = "COST_LIMIT_EXCEEDED"
