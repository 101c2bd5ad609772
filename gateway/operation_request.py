"""Reading a GraphQL operation from an HTTP request: GET parameters or a JSON body within the size
limit, persisted queries by hash, and the gateway's rule of registered operations; whatever is
wrong is a RequestRejected naming it, before anything runs."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import orjson
from aiohttp import web
from graphql import GraphQLError, OperationDefinitionNode, parse

from gateway.answers import GRAPHQL_RESPONSE, JSON, error_answer
from gateway.persisted import PersistedQueries, query_hash
from gateway.settings import GatewaySettings

PREFLIGHT_HEADER = "GraphQL-Require-Preflight"
NOT_REGISTERED = "Only registered operations are allowed on this gateway"


class RequestRejected(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def response(self) -> web.Response:
        answer = error_answer(self.status, self.code, self.message)
        return web.Response(body=answer.body, status=answer.status, content_type=JSON)


@dataclass(frozen=True)
class OperationRequest:
    query: str
    digest: str
    variables: dict[str, Any] | None
    operation_name: str | None
    extensions: dict[str, Any] | None


def _json_param(raw: str | None, name: str) -> Any:
    if raw is None or raw == "":
        return None
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise RequestRejected(400, "BAD_REQUEST", f"The {name} parameter is not valid JSON") from exc


async def read_operation(request: web.Request, settings: GatewaySettings) -> dict[str, Any]:
    """The operation a GET or POST carries, as its JSON object; RequestRejected says what is wrong."""
    if request.method == "GET":
        if settings.csrf_prevention and not request.headers.get(PREFLIGHT_HEADER):
            # A POST must be JSON, which a browser sends cross-site only after asking; a GET
            # must carry a header that makes it ask too.
            raise RequestRejected(
                400,
                "CSRF_PREVENTED",
                f"A GET request needs a non-empty {PREFLIGHT_HEADER} header (or POST it as JSON): "
                "without it a page on another site could have sent it",
            )
        params = request.query
        return {
            "query": params.get("query"),
            "variables": _json_param(params.get("variables"), "variables"),
            "operationName": params.get("operationName"),
            "extensions": _json_param(params.get("extensions"), "extensions"),
        }
    if request.content_type not in (JSON, GRAPHQL_RESPONSE):
        raise RequestRejected(415, "UNSUPPORTED_MEDIA_TYPE", "Send the operation as application/json")
    limit = settings.limits.max_body_bytes
    length = request.content_length
    if length is not None and length > limit:
        raise RequestRejected(413, "PAYLOAD_TOO_LARGE", f"The body is larger than {limit} bytes")
    if length is not None:
        raw = await request.read()
    else:  # chunked: stop reading as soon as it is too large
        chunks, size = [], 0
        async for chunk in request.content.iter_chunked(16384):
            size += len(chunk)
            if size > limit:
                raise RequestRejected(413, "PAYLOAD_TOO_LARGE", f"The body is larger than {limit} bytes")
            chunks.append(chunk)
        raw = b"".join(chunks)
    try:
        payload = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise RequestRejected(400, "BAD_REQUEST", "The body is not valid JSON") from exc
    if isinstance(payload, list):
        raise RequestRejected(400, "BATCHING_NOT_SUPPORTED", "Send one operation per request")
    if not isinstance(payload, dict):
        raise RequestRejected(400, "BAD_REQUEST", "The body must be a JSON object")
    return payload


def resolve_persisted(payload: dict[str, Any], registry: PersistedQueries) -> OperationRequest:
    """The operation to run: its document (from the persisted store when only a hash came) and its
    digest; refused unless this gateway allows it."""
    query, operation_name = payload.get("query"), payload.get("operationName")
    variables, extensions = payload.get("variables"), payload.get("extensions")
    if not isinstance(query, str | None) or not isinstance(operation_name, str | None):
        raise RequestRejected(400, "BAD_REQUEST", "query and operationName must be strings")
    if not isinstance(variables, dict | None) or not isinstance(extensions, dict | None):
        raise RequestRejected(400, "BAD_REQUEST", "variables and extensions must be objects")
    persisted = (extensions or {}).get("persistedQuery")
    if persisted is not None:
        digest = persisted.get("sha256Hash") if isinstance(persisted, dict) else None
        if not isinstance(digest, str) or persisted.get("version") != 1:
            raise RequestRejected(
                400, "PERSISTED_QUERY_UNSUPPORTED", "persistedQuery needs version 1 and a sha256Hash"
            )
        if query is None:
            query = registry.lookup(digest)
            if query is None:
                raise RequestRejected(200, "PERSISTED_QUERY_NOT_FOUND", "PersistedQueryNotFound")
        elif query_hash(query) != digest:
            raise RequestRejected(
                400, "PERSISTED_QUERY_HASH_MISMATCH", "The sha256Hash does not match the query"
            )
        else:
            registry.remember(digest, query)
    else:
        if query is None:
            raise RequestRejected(400, "BAD_REQUEST", "No GraphQL query found in the request")
        digest = query_hash(query)
    if not registry.allows(digest):
        raise RequestRejected(400, "PERSISTED_QUERY_NOT_ALLOWED", NOT_REGISTERED)
    return OperationRequest(query, digest, variables, operation_name, extensions)


@functools.lru_cache(maxsize=1024)
def is_query(query: str, operation_name: str | None) -> bool:
    """Whether the operation a request chose is a query (or cannot be told: execution refuses
    those with its own error)."""
    try:
        document = parse(query)
    except GraphQLError:
        return True
    chosen = [
        definition
        for definition in document.definitions
        if isinstance(definition, OperationDefinitionNode)
        and (
            operation_name is None
            or (definition.name is not None and definition.name.value == operation_name)
        )
    ]
    return len(chosen) != 1 or chosen[0].operation.value == "query"
