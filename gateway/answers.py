"""What the gateway answers over HTTP, before strawberry's shapes: a body, a status and the headers
that say how long caches may keep it."""

from __future__ import annotations

from dataclasses import dataclass

import orjson
from aiohttp import web

from gateway.errors import GatewayError

JSON = "application/json"
GRAPHQL_RESPONSE = "application/graphql-response+json"
NO_STORE = (("Cache-Control", "no-store"),)  # anything signed in, changing, failed or refused


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    cache: str = "miss"  # "hit" when served from the whole-response cache
    # The document was refused before execution (syntax, validation, limits): no data at all.
    refused: bool = False
    cost: int = 0  # its static cost (gateway.cost), charged again when it is served from cache
    retry_after: int | None = None  # refused by the client's rate limit: wait this long
    # HTTP caching (`http_caching`): Cache-Control, and for anonymous answers ETag and the tags.
    headers: tuple[tuple[str, str], ...] = NO_STORE

    @property
    def etag(self) -> str | None:
        return next((value for name, value in self.headers if name == "ETag"), None)


def response_media_type(request: web.Request) -> str:
    """application/graphql-response+json when the client accepts it, else application/json."""
    accept = request.headers.get("Accept", "")
    return GRAPHQL_RESPONSE if GRAPHQL_RESPONSE in accept else JSON


def if_none_match(request: web.Request) -> set[str]:
    """The entity tags of `If-None-Match` (weak ones compared by their value, as RFC 9110 says)."""
    raw = request.headers.get("If-None-Match", "")
    return {tag.strip().removeprefix("W/") for tag in raw.split(",") if tag.strip()}


def error_answer(status: int, code: str | GatewayError, message: str = "") -> Answer:
    """An answer of one error: a code and message, or a GatewayError with its extensions."""
    if isinstance(code, GatewayError):
        error = {"message": code.message, "extensions": code.extensions}
    else:
        error = {"message": message, "extensions": {"code": code}}
    return Answer(status, orjson.dumps({"errors": [error]}))
