"""Composition root: the gateway's aiohttp application, its caches, clients and event listener."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web

from gateway.cache import BoundedMap, TaggedCache
from gateway.clients import ServiceClients
from gateway.events import ChangeEventListener
from gateway.persisted import PersistedQueries
from gateway.schema import build_schema
from gateway.settings import GatewaySettings
from gateway.view import DirectoryGraphQLView
from gateway.web import add_web_routes
from servicekit.bus import EventBus
from servicekit.http import create_app
from servicekit.settings import ServiceSettings
from servicekit.tracing import client_trace_config

BACKENDS = ("profiles", "approaches", "search")
CORS_HEADERS = "Authorization, Content-Type, X-Visitor-Session, X-Request-Id"


class Gateway:
    """The parts one gateway process owns (reachable in tests as `app[GATEWAY]`)."""

    def __init__(self, settings: GatewaySettings) -> None:
        self.settings = settings
        service = settings.service
        self.read_cache, self.response_cache = (
            TaggedCache(entries, settings.cache_ttl_seconds, settle_seconds=settings.search_settle_seconds,
                        settling_ttl=settings.settling_ttl_seconds)
            for entries in (settings.read_cache_entries, settings.response_cache_entries)
        )
        self.rotation_buckets = BoundedMap(100_000)
        self.bus = EventBus(
            service.amqp_url, service="gateway", exchange=service.events_exchange,
            dead_letter_exchange=service.dead_letter_exchange, delivery_limit=service.delivery_limit,
        )
        self.listener = ChangeEventListener(self.bus, (self.read_cache, self.response_cache))
        self.view = DirectoryGraphQLView(
            build_schema(settings.limits), settings, read_cache=self.read_cache,
            response_cache=self.response_cache,
            persisted=PersistedQueries.from_manifest(
                settings.persisted_queries_manifest, only_registered=settings.persisted_queries_only
            ),
        )
        self.session: aiohttp.ClientSession | None = None
        self.clients: ServiceClients | None = None

    async def lifecycle(self, _: web.Application) -> AsyncIterator[None]:
        self.session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=200, keepalive_timeout=30), raise_for_status=False,
            trace_configs=[client_trace_config()],  # the caller's trace continues into the services
        )
        self.clients = ServiceClients(
            self.session, self.settings.urls, self.read_cache, self.rotation_buckets,
            timeout_seconds=self.settings.backend_timeout_seconds,
        )
        self.view.clients = self.clients
        await self.bus.start()
        self.listener.start()
        yield
        await self.listener.stop()
        await self.bus.close()
        await self.session.close()

    async def rabbitmq_ready(self) -> bool:
        return self.bus.is_connected and self.listener.consuming.is_set()

    async def backends_ready(self) -> bool:
        if self.clients is None:
            return False
        return all(await asyncio.gather(*(self.clients.reachable(name) for name in BACKENDS)))


GATEWAY = web.AppKey("gateway", Gateway)


def cors_middleware(allowed: tuple[str, ...]):
    allow_any = "*" in allowed

    @web.middleware
    async def middleware(request: web.Request, handler):
        origin = request.headers.get("Origin")
        permitted = origin is not None and (allow_any or origin in allowed)
        if request.method == "OPTIONS" and permitted and "Access-Control-Request-Method" in request.headers:
            response: web.StreamResponse = web.Response(status=204)
            response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
            response.headers["Access-Control-Allow-Headers"] = CORS_HEADERS
            response.headers["Access-Control-Max-Age"] = "600"
        else:
            response = await handler(request)
        if permitted:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Expose-Headers"] = "X-Request-Id"
            response.headers["Vary"] = "Origin"
        return response

    return middleware


def build_app(settings: GatewaySettings | ServiceSettings) -> web.Application:
    if isinstance(settings, ServiceSettings):
        settings = GatewaySettings(service=settings)
    gateway = Gateway(settings)
    app = create_app(
        "gateway", {"rabbitmq": gateway.rabbitmq_ready, "backends": gateway.backends_ready}
    )
    if settings.cors_allow_origins:
        app.middlewares.append(cors_middleware(settings.cors_allow_origins))
    app[GATEWAY] = gateway
    app.cleanup_ctx.append(gateway.lifecycle)
    app.router.add_route("GET", "/graphql", gateway.view)
    app.router.add_route("POST", "/graphql", gateway.view)
    add_web_routes(app)
    return app
