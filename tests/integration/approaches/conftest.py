"""A running approaches service (own database, the test vhost), an HTTP client, an admin token,
and an observer bound to `directory.events` that sees what the service publishes."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

import aio_pika
import aiohttp
import pytest
from aiohttp import web

from integration_events.approaches import APPROACH_EVENT_TYPES
from servicekit.envelope import CloudEvent, new_event
from servicekit.unit_of_work import MongoUnitOfWork
from services.approaches.app import build_app
from services.approaches.store import ApproachStore
from tests.support import auth_header, serving
from tests.support import eventually as support_eventually


def unique_slug(stem: str = "approach") -> str:
    """Tests share one service; unique slugs keep them independent of each other."""
    return f"{stem}-{uuid.uuid4().hex[:8]}"


def new_approach_body(slug: str | None = None, **fields: object) -> dict[str, object]:
    body: dict[str, object] = {
        "slug": slug or unique_slug(),
        "name": "Relational Therapy",
        "summary": "Therapy that treats the relationship between client and therapist as a place to learn.",
        "description": "First paragraph.\n\nSecond paragraph.",
    }
    body.update(fields)
    return body


@dataclass
class Service:
    app: web.Application
    http: aiohttp.ClientSession
    admin: dict[str, str] = field(default_factory=lambda: auth_header("admin-1", "admin"))

    @property
    def store(self) -> ApproachStore:
        return ApproachStore(self.app["runtime"].db)

    @property
    def uow(self) -> MongoUnitOfWork:
        runtime = self.app["runtime"]
        return MongoUnitOfWork(runtime.mongo, self.store.begin, runtime.outbox)

    async def reference_count(self, approach: dict) -> int:
        """How many therapists the service knows to refer to `approach` (by any of its slugs)."""
        reads = self.store.begin(None)
        return await reads.references.count([approach["slug"], *approach["previousSlugs"]])

    async def create(self, slug: str | None = None, **fields: object) -> dict:
        async with self.http.post(
            "/v1/approaches", json=new_approach_body(slug, **fields), headers=self.admin
        ) as response:
            assert response.status == 201, await response.text()
            return await response.json()

    async def patch(self, slug: str, patch: dict, **headers: str) -> aiohttp.ClientResponse:
        response = await self.http.patch(
            f"/v1/approaches/{slug}", json=patch, headers={**self.admin, **headers}, allow_redirects=False
        )
        await response.read()
        return response


async def start_service(infra, database_stem: str = "approaches"):
    database = f"{database_stem}_{uuid.uuid4().hex[:8]}{infra.database_suffix}"
    settings = infra.settings("approaches", database=database)
    app = build_app(settings, relay_poll_interval=0.2)
    return settings, app


@pytest.fixture(scope="module")
async def service(infra):
    settings, app = await start_service(infra)
    async with serving(app, settings.port) as url:
        runtime = app["runtime"]
        await asyncio.wait_for(runtime.prepared.wait(), 30)
        await runtime.bus.wait_connected(30)
        async with aiohttp.ClientSession(base_url=url) as http:
            yield Service(app, http)


class EventObserver:
    """A temporary queue bound to the events exchange: every approach event, as published."""

    def __init__(self) -> None:
        self.events: list[CloudEvent] = []
        self._arrived = asyncio.Condition()

    async def on_message(self, message: aio_pika.abc.AbstractIncomingMessage) -> None:
        async with message.process():
            async with self._arrived:
                self.events.append(CloudEvent.from_json(message.body))
                self._arrived.notify_all()

    async def for_subject(self, subject: str, count: int, timeout: float = 10.0) -> list[CloudEvent]:
        """The first `count` events about `subject` (waits for them to arrive)."""

        def seen() -> list[CloudEvent]:
            return [e for e in self.events if e.subject == subject]

        async with self._arrived:
            await asyncio.wait_for(self._arrived.wait_for(lambda: len(seen()) >= count), timeout)
        return seen()


@pytest.fixture(scope="module")
async def events(infra):
    connection = await aio_pika.connect_robust(infra.amqp_url)
    channel = await connection.channel()
    exchange = await channel.declare_exchange("directory.events", aio_pika.ExchangeType.TOPIC, durable=True)
    queue = await channel.declare_queue(exclusive=True, auto_delete=True)
    for event_type in APPROACH_EVENT_TYPES:
        await queue.bind(exchange, routing_key=event_type)
    observer = EventObserver()
    await queue.consume(observer.on_message)
    yield observer
    await connection.close()


@pytest.fixture(scope="module")
async def therapist_events(infra):
    """Publishes therapist events to the exchange, as the profiles service would."""
    connection = await aio_pika.connect_robust(infra.amqp_url)
    channel = await connection.channel(publisher_confirms=True)
    exchange = await channel.declare_exchange("directory.events", aio_pika.ExchangeType.TOPIC, durable=True)

    async def publish(event: CloudEvent) -> None:
        await exchange.publish(aio_pika.Message(event.to_json(), type=event.type), routing_key=event.type)

    yield publish
    await connection.close()


def therapist_profile(therapist_id: str, version: int, *slugs: str) -> dict[str, object]:
    """Data of therapist.created/updated.v1 making statements about `slugs`."""
    now = datetime.now(UTC).isoformat()
    return {
        "id": therapist_id,
        "version": version,
        "displayName": "Rowan Vell, LMFT",
        "title": "Licensed Marriage & Family Therapist",
        "location": {"city": "Austin", "state": "TX"},
        "approaches": [{"slug": slug, "statement": "I use it every week."} for slug in slugs],
        "createdAt": now,
        "updatedAt": now,
    }


def therapist_event(event_type: str, data: dict[str, object]) -> CloudEvent:
    return new_event(type=event_type, source="/directory/profiles", subject=str(data["id"]), data=data)


eventually = support_eventually
