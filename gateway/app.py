"""Composition root: the gateway's aiohttp application, its caches, clients and event listener."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import aiohttp_cors
from aiohttp import hdrs, web

from gateway.cache import BoundedMap, TaggedCache
from gateway.cdn import CdnPurger
from gateway.clients import ServiceClients
from gateway.events import ChangeEventListener
from gateway.new_matches import NewMatchesHub
from gateway.operation_request import PREFLIGHT_HEADER
from gateway.persisted import PersistedQueries
from gateway.ratelimit import ClientIdentity, ClientRateLimiter, trusted_networks
from gateway.schema import build_schema
from gateway.settings import GatewaySettings
from gateway.signin import add_sign_in_routes
from gateway.subscriptions import ChangeHub
from gateway.view import DirectoryGraphQLView
from gateway.web import add_web_routes
from servicekit.auth import TokenVerifier
from servicekit.bus import EventBus
from servicekit.http import create_app
from servicekit.settings import ServiceSettings
from servicekit.tracing import client_trace_config

BACKENDS = ("profiles", "approaches", "search")
# What a browser page from an allowed origin may send.
CORS_REQUEST_HEADERS = (
    "Authorization",
    "Content-Type",
    "X-Visitor-Session",
    "X-Request-Id",
    PREFLIGHT_HEADER,
)


class Gateway:
    """The parts one gateway process owns (reachable in tests as `app[GATEWAY]`)."""

    def __init__(self, settings: GatewaySettings) -> None:
        self.settings = settings
        service = settings.service
        self.read_cache, self.response_cache = (
            TaggedCache(
                entries,
                settings.cache_ttl_seconds,
                settle_seconds=settings.search_settle_seconds,
                settling_ttl=settings.settling_ttl_seconds,
            )
            for entries in (settings.read_cache_entries, settings.response_cache_entries)
        )
        self.rotation_buckets = BoundedMap(100_000)
        self.bus = EventBus(
            service.amqp_url,
            service="gateway",
            exchange=service.events_exchange,
            dead_letter_exchange=service.dead_letter_exchange,
            delivery_limit=service.delivery_limit,
        )
        self.purger = (
            CdnPurger(settings.cdn_purge_url, settle_seconds=settings.search_settle_seconds)
            if settings.cdn_purge_url
            else None
        )
        self.hub = ChangeHub(per_client=settings.subscriptions_per_client)
        self.new_matches = NewMatchesHub(self.hub.slots)
        self.listener = ChangeEventListener(
            self.bus,
            (self.read_cache, self.response_cache),
            purger=self.purger,
            hub=self.hub,
            new_matches=self.new_matches,
        )
        self.view = DirectoryGraphQLView(
            build_schema(settings.limits, introspection=settings.introspection_on),
            settings,
            read_cache=self.read_cache,
            response_cache=self.response_cache,
            persisted=PersistedQueries.from_manifest(
                settings.persisted_queries_manifest, only_registered=settings.only_registered
            ),
            identity=ClientIdentity(TokenVerifier(service.auth), trusted_networks(settings.trusted_proxies)),
            hub=self.hub,
            new_matches=self.new_matches,
        )
        self.session: aiohttp.ClientSession | None = None
        self.clients: ServiceClients | None = None

    async def lifecycle(self, _: web.Application) -> AsyncIterator[None]:
        self.session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=200, keepalive_timeout=30),
            raise_for_status=False,
            trace_configs=[client_trace_config()],  # the caller's trace continues into the services
        )
        self.clients = ServiceClients(
            self.session,
            self.settings.urls,
            self.read_cache,
            self.rotation_buckets,
            timeout_seconds=self.settings.backend_timeout_seconds,
        )
        self.view.clients = self.clients
        self.new_matches.fits = self.clients.therapist_fits
        if self.settings.rate_limit:
            # Made here: the in-memory store schedules its expiry on the running loop.
            self.view.rate_limiter = ClientRateLimiter(
                self.settings.rate_limit, redis_url=self.settings.redis_url
            )
        if self.purger is not None:
            self.purger.start()
        await self.bus.start()
        self.listener.start()
        yield
        self.hub.close()  # subscribers are told their subscriptions completed
        self.new_matches.close()
        await self.listener.stop()
        if self.purger is not None:
            await self.purger.stop()
        await self.bus.close()
        await self.session.close()

    async def end_subscriptions(self, _: web.Application) -> None:
        """At the start of shutdown, before the server waits for its requests to finish: every
        subscription completes, over a WebSocket or an event stream, and its client is told."""
        self.hub.close()
        self.new_matches.close()

    async def rabbitmq_ready(self) -> bool:
        return self.bus.is_connected and self.listener.consuming.is_set()

    async def backends_ready(self) -> bool:
        if self.clients is None:
            return False
        return all(await asyncio.gather(*(self.clients.reachable(name) for name in BACKENDS)))


GATEWAY = web.AppKey("gateway", Gateway)


def allow_cross_origin(app: web.Application, origins: tuple[str, ...]) -> None:
    """Let browser pages from `origins` ("*" = any) call every route of `app` (aiohttp-cors)."""
    options = aiohttp_cors.ResourceOptions(
        allow_headers=CORS_REQUEST_HEADERS,
        expose_headers=("X-Request-Id",),
        max_age=600,
        allow_methods=("GET", "POST"),
    )
    cors = aiohttp_cors.setup(app, defaults={origin: options for origin in origins})
    for route in list(app.router.routes()):
        cors.add(route)
    app.on_response_prepare.append(_vary_on_origin)


async def _vary_on_origin(_: web.Request, response: web.StreamResponse) -> None:
    # aiohttp-cors names the caller's origin but leaves out `Vary: Origin`, which a cache needs to
    # keep one origin's answer from another.
    if hdrs.ACCESS_CONTROL_ALLOW_ORIGIN in response.headers:
        response.headers.add(hdrs.VARY, hdrs.ORIGIN)


def build_app(settings: GatewaySettings | ServiceSettings) -> web.Application:
    if isinstance(settings, ServiceSettings):
        settings = GatewaySettings(service=settings)
    gateway = Gateway(settings)
    app = create_app("gateway", {"rabbitmq": gateway.rabbitmq_ready, "backends": gateway.backends_ready})
    app[GATEWAY] = gateway
    app.cleanup_ctx.append(gateway.lifecycle)
    app.on_shutdown.append(gateway.end_subscriptions)
    app.router.add_route("GET", "/graphql", gateway.view)
    app.router.add_route("POST", "/graphql", gateway.view)
    add_web_routes(app, issuer_origin=settings.issuer_origin)
    add_sign_in_routes(app, settings)
    if settings.cors_allow_origins:
        allow_cross_origin(app, settings.cors_allow_origins)
    return app
