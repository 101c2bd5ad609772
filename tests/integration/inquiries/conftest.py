"""A running inquiries service (own database, the test vhost), a small stand-in of the profiles
service's ownership check, therapists made known through real therapist events, and an observer
of the inquiry events the service publishes."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field

import aio_pika
import aiohttp
import pytest
from aiohttp import web

from devstack.embedded_mongo import free_port
from integration_events.inquiries import INQUIRY_EVENT_TYPES
from integration_events.therapists import THERAPIST_CREATED
from servicekit.auth import TokenVerifier
from servicekit.errors import ApiError
from services.inquiries.app import STORE, build_app
from services.inquiries.settings import InquirySettings

# The approaches tests already observe events and publish therapist events as profiles would.
from tests.integration.approaches.conftest import (
    EventObserver,
    therapist_event,
    therapist_events,
    therapist_profile,
)
from tests.support import TEST_AUTH, auth_header, eventually, serving

__all__ = ["eventually", "therapist_event", "therapist_events"]

CLIENT_LIMIT = 3


class OwnershipStandIn:
    """`GET /v1/therapists/{id}/ownership` as the profiles service answers it: 204 for the owner
    or an admin, 403 for anyone else, 404 for no such profile, 401 for a token that is not valid."""

    def __init__(self) -> None:
        self.owners: dict[str, str] = {}  # therapist id -> owner's sub
        self.verifier = TokenVerifier(TEST_AUTH)

    async def ownership(self, request: web.Request) -> web.Response:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        try:
            principal = await self.verifier.verify(token) if scheme.lower() == "bearer" else None
        except ApiError:
            principal = None
        owner = self.owners.get(request.match_info["id"])
        if principal is None:
            return web.Response(status=401)
        if owner is None:
            return web.Response(status=404)
        return web.Response(status=204 if principal.is_admin or principal.sub == owner else 403)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/v1/therapists/{id}/ownership", self.ownership)
        return app


@dataclass
class Service:
    app: web.Application
    http: aiohttp.ClientSession
    profiles: OwnershipStandIn
    publish: object  # publishes a therapist event to the exchange
    admin: dict[str, str] = field(default_factory=lambda: auth_header("admin-1", "admin"))

    @property
    def raw_inquiries(self):
        return self.app[STORE].inquiries

    async def therapist(self, owner_sub: str | None = None) -> tuple[str, dict[str, str]]:
        """A therapist the service has learnt of from its created event; its id and owner's header."""
        therapist_id = str(uuid.uuid4())
        owner_sub = owner_sub or f"owner-{therapist_id[:8]}"
        self.profiles.owners[therapist_id] = owner_sub
        await self.publish(therapist_event(THERAPIST_CREATED, therapist_profile(therapist_id, 1)))
        therapists = self.app[STORE].therapists
        await eventually(lambda: therapists.find_one({"_id": therapist_id}), what="therapist known")
        return therapist_id, auth_header(owner_sub, "therapist")

    async def send(
        self, therapist_id: str, *, client: str | None = None, **fields: object
    ) -> aiohttp.ClientResponse:
        body = {**inquiry_body(therapist_id), **fields}
        # Each test is its own client unless it says otherwise: the per-client limit is small.
        headers = {"X-Client-Address": client or uuid.uuid4().hex}
        response = await self.http.post("/v1/inquiries", json=body, headers=headers)
        await response.read()
        return response


MESSAGE = "I’ve been feeling “low” since spring — could we talk? Evenings only, please."


def inquiry_body(therapist_id: str) -> dict[str, object]:
    return {
        "therapistId": therapist_id,
        "name": "Sam Rivera",
        "email": "sam.rivera@example.org",
        "phone": "+1 (512) 555-0147",
        "message": MESSAGE,
        "consent": True,
    }


@pytest.fixture(scope="module")
async def events(infra):
    """Every inquiry event, as published."""
    connection = await aio_pika.connect_robust(infra.amqp_url)
    channel = await connection.channel()
    exchange = await channel.declare_exchange("directory.events", aio_pika.ExchangeType.TOPIC, durable=True)
    queue = await channel.declare_queue(exclusive=True, auto_delete=True)
    for event_type in INQUIRY_EVENT_TYPES:
        await queue.bind(exchange, routing_key=event_type)
    observer = EventObserver()
    await queue.consume(observer.on_message)
    yield observer
    await connection.close()


@pytest.fixture(scope="module")
async def service(infra, therapist_events):
    profiles = OwnershipStandIn()
    profiles_port = free_port()
    async with serving(profiles.app(), profiles_port) as profiles_url:
        database = f"inquiries_{uuid.uuid4().hex[:8]}{infra.database_suffix}"
        settings = infra.settings("inquiries", database=database)
        settings = settings.model_copy(update={"urls": {**settings.urls, "profiles": profiles_url}})
        own = InquirySettings(rate_per_client=f"{CLIENT_LIMIT}/hour", rate_per_therapist="1000/day")
        app = build_app(settings, relay_poll_interval=0.2, inquiry_settings=own)
        async with serving(app, settings.port) as url:
            runtime = app["runtime"]
            await asyncio.wait_for(runtime.prepared.wait(), 30)
            await runtime.bus.wait_connected(30)
            async with aiohttp.ClientSession(base_url=url) as http:
                yield Service(app, http, profiles, therapist_events)
