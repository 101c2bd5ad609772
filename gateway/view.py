"""GraphQL over HTTP: the whole-response cache, execution and subscriptions (reading and checking
the request is gateway.operation_request's).

A subclass of strawberry's aiohttp `GraphQLView`: GraphiQL and the plumbing are strawberry's;
what runs before execution is the gateway's own, so a cached answer costs no GraphQL work.
Whole responses are cached only for anonymous queries (no Authorization header), keyed by the
document, operation name, variables and the visitor's rotation bucket, and tagged with the
data they were built from so the change events invalidate them.

Subscriptions come over a WebSocket (graphql-transport-ws, strawberry's handler) or as
server-sent events (GraphQL over SSE, distinct connections mode: a request that accepts
`text/event-stream`). An event stream passes the same checks as any request before it opens
(CSRF, media type, size, registered operations, the client's identity) and is never cached.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
from typing import Any

import orjson
from aiohttp import web
from prometheus_client import Counter
from strawberry.aiohttp.views import GraphQLView
from strawberry.exceptions import MissingQueryError
from strawberry.http import process_result
from strawberry.http.streaming import HTTPStreamTransport
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_SSE_PROTOCOL, GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import BaseGraphQLTransportWSHandler
from strawberry.subscriptions.protocols.graphql_transport_ws.types import SubscribeMessage
from strawberry.types.graphql import OperationType

from gateway.answers import (
    GRAPHQL_RESPONSE,
    NO_STORE,
    Answer,
    error_answer,
    if_none_match,
    response_media_type,
)
from gateway.cache import SingleFlight, TaggedCache
from gateway.clients import ReadTrace, ServiceClients
from gateway.context import GatewayContext
from gateway.errors import RateLimitExceeded
from gateway.new_matches import NewMatchesHub
from gateway.operation_request import (
    NOT_REGISTERED,
    OperationRequest,
    RequestRejected,
    is_query,
    read_operation,
    resolve_persisted,
)
from gateway.persisted import PersistedQueries, query_hash
from gateway.ratelimit import ClientIdentity, ClientRateLimiter
from gateway.settings import GatewaySettings
from gateway.subscriptions import ChangeHub

RESPONSES = Counter(
    "directory_gateway_responses_total", "GraphQL responses by whole-response cache outcome", ["cache"]
)
CACHE_HITS, CACHE_MISSES, CACHE_BYPASSES = (RESPONSES.labels(o) for o in ("hit", "miss", "bypass"))
ANY_BUCKET = "*"
CLIENT = web.RequestKey("gateway.client", str)  # who the request counts against (gateway.ratelimit)


def visitor_session(request: web.Request) -> str | None:
    return request.headers.get("X-Visitor-Session") or request.cookies.get("visitor_session") or None


class RegisteredOperationsOverWebSocket(BaseGraphQLTransportWSHandler[GatewayContext, None]):
    """Strawberry's graphql-transport-ws handler, refusing an operation the gateway's registered
    set does not allow (production), as a request over HTTP is refused."""

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        persisted = self.view.persisted  # type: ignore[attr-defined]  # a DirectoryGraphQLView
        query = message["payload"]["query"]
        if (
            persisted.only_registered
            and self.connection_acknowledged
            and message["id"] not in self.operations
            and not (isinstance(query, str) and persisted.allows(query_hash(query)))
        ):
            error = {"message": NOT_REGISTERED, "extensions": {"code": "PERSISTED_QUERY_NOT_ALLOWED"}}
            await self.send_message({"id": message["id"], "type": "error", "payload": [error]})
            return
        await super().handle_subscribe(message)


class DirectoryGraphQLView(GraphQLView):
    graphql_transport_ws_handler_class = RegisteredOperationsOverWebSocket

    def __init__(
        self,
        schema: Any,
        settings: GatewaySettings,
        *,
        read_cache: TaggedCache,
        response_cache: TaggedCache,
        persisted: PersistedQueries,
        identity: ClientIdentity,
        rate_limiter: ClientRateLimiter | None = None,
        hub: ChangeHub | None = None,
        new_matches: NewMatchesHub | None = None,
    ) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.graphiql_on else None,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_SSE_PROTOCOL),
            max_subscriptions_per_connection=settings.subscriptions_per_connection,
        )
        self.hub = hub
        self.new_matches = new_matches
        self.identity = identity
        self.rate_limiter = rate_limiter
        self.settings = settings
        self.read_cache = read_cache
        self.response_cache = response_cache
        self.persisted = persisted
        self.clients: ServiceClients | None = None  # set when the app starts
        self.flights: SingleFlight[Answer] = SingleFlight()

    async def __call__(self, request: web.Request) -> web.StreamResponse:
        if request.method == "GET" and "query" not in request.query and "extensions" not in request.query:
            return await super().__call__(request)  # GraphiQL for browsers
        try:
            operation = resolve_persisted(await read_operation(request, self.settings), self.persisted)
        except RequestRejected as rejected:
            return rejected.response()
        if self.rate_limiter is not None:
            request[CLIENT] = await self.identity.of(request)
        transport = self._get_stream_transport_from_headers(request.headers)
        if transport is not None:
            return await self.stream_events(request, operation, transport)
        if "Authorization" in request.headers:
            CACHE_BYPASSES.inc()
            answer = await self.execute(request, operation)
        else:
            answer = await self.answer_anonymous(request, operation)
        # GraphQL over HTTP: a client that accepts application/graphql-response+json gets it, and
        # is told with a 4xx that its document never ran; plain JSON clients get the classic 200.
        content_type = response_media_type(request)
        if answer.retry_after is not None:  # whatever the client accepts: it is told to wait
            return web.Response(
                body=answer.body,
                status=429,
                content_type=content_type,
                headers={"Retry-After": str(answer.retry_after), "Cache-Control": "no-store"},
            )
        if answer.refused and content_type == GRAPHQL_RESPONSE:
            return web.Response(body=answer.body, status=400, content_type=GRAPHQL_RESPONSE)
        headers = {**dict(answer.headers), "X-Cache": answer.cache}
        if answer.etag is not None and answer.etag in if_none_match(request):
            return web.Response(status=304, headers=headers)
        return web.Response(
            body=answer.body, status=answer.status, content_type=content_type, headers=headers
        )

    # -- answering ---------------------------------------------------------------------------------

    async def answer_anonymous(self, request: web.Request, operation: OperationRequest) -> Answer:
        clients = self.clients
        assert clients is not None
        base = hashlib.sha256(
            b"|".join(
                (
                    operation.digest.encode(),
                    (operation.operation_name or "").encode(),
                    orjson.dumps(operation.variables, option=orjson.OPT_SORT_KEYS),
                )
            )
        ).hexdigest()
        session = visitor_session(request)
        bucket = clients.rotation_bucket(session)
        for key in (f"{base}|{ANY_BUCKET}", f"{base}|{bucket}" if bucket is not None else None):
            entry = self.response_cache.get(key) if key is not None else None
            if entry is not None:
                CACHE_HITS.inc()
                return await self.charged(request, entry.value)
        CACHE_MISSES.inc()
        if not is_query(operation.query, operation.operation_name):
            return await self.execute(request, operation)  # each visitor's mutation is their own
        # Identical reads arriving together (a popular page right after an invalidation) share
        # one execution.
        flight = f"{base}|{bucket if bucket is not None else 's:' + str(session)}"
        executed = False

        async def lead() -> Answer:
            nonlocal executed
            executed = True
            return await self.execute(request, operation, cache_key=base)

        answer = await self.flights.run(flight, lead)
        if executed:
            return answer
        if answer.retry_after is not None:  # the leader's client was over its limit, not this one
            return await self.execute(request, operation, cache_key=base)
        return await self.charged(request, answer)

    async def charged(self, request: web.Request, answer: Answer) -> Answer:
        """`answer`, computed for another request, charged to this request's client."""
        if self.rate_limiter is None:
            return answer
        wait = await self.rate_limiter.charge(request[CLIENT], answer.cost)
        if wait is None:
            return answer
        refused = error_answer(429, RateLimitExceeded(wait))
        return dataclasses.replace(refused, retry_after=wait, cost=answer.cost)

    async def stream_events(
        self, request: web.Request, operation: OperationRequest, transport: HTTPStreamTransport
    ) -> web.StreamResponse:
        """The operation's results as server-sent events, in strawberry's wire format. What the
        operation's own checks refuse (syntax, validation, cost, the rate limit, the subscription
        limit) is the stream's one `next` event, as GraphQL over SSE has it; nothing is cached."""
        context = self.new_context(request)
        context.client = context.client or await self.identity.of(request)
        results = await self.schema.stream(
            operation.query,
            variable_values=operation.variables,
            context_value=context,
            operation_name=operation.operation_name,
            operation_extensions=operation.extensions,
            allowed_operation_types=transport.allowed_operation_types(
                OperationType.from_http(request.method)
            ),
        )
        events = self._stream_result(request, results, transport)()
        # no-store, where strawberry says no-cache: nothing of a stream may be kept, by anyone.
        response = web.StreamResponse(
            headers={**transport.headers, "Cache-Control": "no-store, no-transform"}
        )
        await response.prepare(request)
        async with contextlib.aclosing(events):
            try:
                async for event in events:
                    await response.write(event.encode())
                await response.write_eof()
            except ConnectionResetError:  # the subscriber left (seen at the latest by a heartbeat)
                pass
        return response

    def encode_json(self, data: object) -> str:
        # A str, not orjson's bytes: strawberry sends bytes over a WebSocket as binary frames.
        return orjson.dumps(data).decode()

    async def get_context(self, request: web.Request, response: Any) -> GatewayContext:  # type: ignore[override]
        """The context of a WebSocket connection (strawberry runs its subscriptions)."""
        context = self.new_context(request)
        context.client = await self.identity.of(request)
        return context

    def new_context(self, request: web.Request) -> GatewayContext:
        assert self.clients is not None
        return GatewayContext(
            clients=self.clients,
            caches=(self.read_cache, self.response_cache),
            request_id=request.get("request_id", "unknown"),
            authorization=request.headers.get("Authorization"),
            visitor_session=visitor_session(request),
            client_address=self.identity.address(request),
            client=request.get(CLIENT),
            rate_limiter=self.rate_limiter,
            hub=self.hub,
            new_matches=self.new_matches,
        )

    async def execute(
        self, request: web.Request, operation: OperationRequest, *, cache_key: str | None = None
    ) -> Answer:
        context = self.new_context(request)
        since = self.response_cache.generation
        try:
            result = await self.schema.execute(
                operation.query,
                variable_values=operation.variables,
                context_value=context,
                operation_name=operation.operation_name,
                # Subscriptions stream: over a WebSocket or as server-sent events, not as one answer.
                allowed_operation_types=OperationType.from_http(request.method)
                - {OperationType.SUBSCRIPTION},
                operation_extensions=operation.extensions,
            )
        except InvalidOperationTypeError as exc:
            if exc.operation_type is OperationType.SUBSCRIPTION:
                return error_answer(
                    400,
                    "BAD_REQUEST",
                    "A subscription needs a WebSocket (graphql-transport-ws) or a request that accepts "
                    "text/event-stream",
                )
            return error_answer(405, "METHOD_NOT_ALLOWED", exc.as_http_error_reason(request.method))
        except CannotGetOperationTypeError as exc:
            return error_answer(400, "BAD_REQUEST", exc.as_http_error_reason())
        except MissingQueryError:
            return error_answer(400, "BAD_REQUEST", "No GraphQL query found in the request")
        processed = process_result(result)
        # Refused before it ran (not parsed, not valid, over a limit): no `data` entry at all, as
        # the GraphQL spec has it; an executed operation whose data is null keeps `"data": null`.
        refused = result.data is None and bool(result.errors) and not context.executed
        body = orjson.dumps({k: v for k, v in processed.items() if k != "data"} if refused else processed)
        cost = context.operation_cost or 0
        trace = context.trace
        cacheable = (
            cache_key is not None
            and not result.errors
            and trace.cacheable
            and context.operation_type is OperationType.QUERY
        )
        headers = self.http_caching(body, trace) if cacheable else NO_STORE
        answer = Answer(
            200,
            body,
            refused=refused,
            cost=cost,
            retry_after=context.retry_after,
            headers=headers,
        )
        if cacheable:
            assert cache_key is not None
            bucket = trace.rotation_bucket or ANY_BUCKET
            cached = Answer(200, body, "hit", cost=cost, headers=headers)
            self.response_cache.put(f"{cache_key}|{bucket}", cached, trace.tags, since=since)
        return answer

    def http_caching(self, body: bytes, trace: ReadTrace) -> tuple[tuple[str, str], ...]:
        """Headers for an anonymous answer that caches may keep: an ETag, how long, and the tags
        the change events purge it by (`Surrogate-Key` and `Cache-Tag`, as CDNs name them).

        One that depends on the visitor's rotation bucket is for that browser only; one built
        while its source may still be applying a change is revalidated every time."""
        tags = sorted(trace.tags)
        scope = "private" if trace.rotation_bucket is not None else "public"
        if self.response_cache.settling(tags):
            control = f"{scope}, no-cache"
        elif scope == "private":
            control = f"private, max-age={self.settings.cdn_max_age}"
        else:
            control = (
                f"public, max-age={self.settings.cdn_max_age}, "
                f"stale-while-revalidate={self.settings.cdn_stale_while_revalidate}"
            )
        return (
            ("Cache-Control", control),
            ("ETag", f'"{hashlib.sha256(body).hexdigest()[:32]}"'),
            ("Surrogate-Key", " ".join(tags)),
            ("Cache-Tag", ",".join(tags)),
        )
