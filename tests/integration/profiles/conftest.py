"""One running profiles service (real MongoDB wire protocol, real broker) for these tests, and
what they use to drive it: HTTP calls with tokens, approaches made known, events observed, and
the real SMTP server it mails."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from datetime import UTC, datetime
from typing import Any

import aio_pika
import aiohttp
import pytest
from aiohttp import web
from pydantic import BaseModel

from integration_events.approaches import APPROACH_CREATED, ApproachSnapshot
from servicekit.envelope import CloudEvent, new_event
from services.profiles.app import CATALOGUE, STORE, build_app
from services.profiles.mailer import MailSettings, SmtpMailer
from services.profiles.store import ProfileStore
from tests.smtp import smtp_server
from tests.support import serving, token

MINIMAL = {
    "displayName": "Dr. Rosalind Q. Okonkwo-Brandt, PhD",
    "title": "Licensed Marriage & Family Therapist",
    "location": {"city": "Austin", "state": "TX"},
}
SENDER = "directory@directory.test"


@dataclasses.dataclass
class Reply:
    status: int
    body: Any
    headers: Any


@dataclasses.dataclass
class ProfilesService:
    url: str
    app: web.Application
    http: aiohttp.ClientSession

    @property
    def store(self) -> ProfileStore:
        return self.app[STORE]

    async def call(
        self,
        method: str,
        path: str,
        *,
        sub: str | None = None,
        roles: tuple[str, ...] = ("therapist",),
        json: Any = None,
        headers: dict[str, str] | None = None,
        bearer: str | None = None,
    ) -> Reply:
        sent = dict(headers or {})
        if bearer is not None:
            sent["Authorization"] = f"Bearer {bearer}"
        elif sub is not None:
            sent["Authorization"] = f"Bearer {token(sub, *roles)}"
        async with self.http.request(method, self.url + path, json=json, headers=sent) as response:
            raw = await response.read()
            body = await response.json(content_type=None) if raw else None
            return Reply(response.status, body, response.headers)

    async def create(self, sub: str | None = None, **fields: Any) -> dict[str, Any]:
        reply = await self.call("POST", "/v1/therapists", sub=sub or new_sub(), json={**MINIMAL, **fields})
        assert reply.status == 201, reply.body
        return reply.body

    async def learn_approach(
        self,
        slug: str,
        *,
        previous: tuple[str, ...] = (),
        version: int = 1,
        approach_id: str | None = None,
    ) -> ApproachSnapshot:
        """Hand the service's consumer an approach event, as if the approaches service had sent it."""
        snapshot = approach_snapshot(slug, previous=previous, version=version, approach_id=approach_id)
        await self.handle(approach_event(APPROACH_CREATED, snapshot))
        return snapshot

    async def handle(self, event: CloudEvent) -> str:
        """The outcome of the service's approach-event handler for `event`."""
        return await self.app[CATALOGUE].apply(event)

    async def known_slugs(self, *slugs: str) -> dict[str, str]:
        """The slugs the service knows among `slugs`, each mapped to its approach's current slug."""
        return await self.store.begin(None).approaches.current_slugs(slugs)


def approach_event(event_type: str, data: BaseModel) -> CloudEvent:
    return new_event(type=event_type, source="/tests", subject=data.id, data=data.model_dump(mode="json"))


def new_sub() -> str:
    return f"therapist-{uuid.uuid4().hex[:12]}"


def approach_snapshot(
    slug: str,
    *,
    previous: tuple[str, ...] = (),
    version: int = 1,
    approach_id: str | None = None,
) -> ApproachSnapshot:
    moment = datetime.now(UTC)
    return ApproachSnapshot(
        id=approach_id or f"approach-{uuid.uuid4().hex[:10]}",
        slug=slug,
        version=version,
        name=slug.replace("-", " ").title(),
        previousSlugs=list(previous),
        createdAt=moment,
        updatedAt=moment,
    )


@pytest.fixture(scope="package")
async def smtp():
    """The real SMTP server the service sends its mail to."""
    async with smtp_server() as server:
        yield server


@pytest.fixture(scope="package")
async def profiles(infra, smtp):
    settings = infra.settings("profiles", database=f"profiles_it_{uuid.uuid4().hex[:8]}")
    mailer = SmtpMailer(MailSettings(url=smtp.url, sender=SENDER))
    app = build_app(settings, relay_poll_interval=0.1, mailer=mailer)
    async with serving(app, settings.port) as url, aiohttp.ClientSession() as http:
        runtime = app["runtime"]
        await asyncio.wait_for(runtime.prepared.wait(), 30)
        await runtime.bus.wait_connected(timeout=30)
        yield ProfilesService(url, app, http)


class EventObserver:
    def __init__(self, queue: aio_pika.abc.AbstractQueue) -> None:
        self.queue = queue
        self.seen: list[CloudEvent] = []

    async def for_subject(self, subject: str, count: int, timeout: float = 10.0) -> list[CloudEvent]:
        """The first `count` events about `subject`, waiting for them to be published."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            mine = [e for e in self.seen if e.subject == subject]
            if len(mine) >= count:
                return mine
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                return mine
            message = await self.queue.get(no_ack=True, fail=False, timeout=min(remaining, 0.5))
            if message is not None:
                self.seen.append(CloudEvent.from_json(message.body))


@pytest.fixture
async def therapist_events(infra, profiles):
    """A temporary queue of the test vhost bound to every therapist event on `directory.events`."""
    connection = await aio_pika.connect_robust(infra.amqp_url)
    channel = await connection.channel()
    exchange = await channel.declare_exchange("directory.events", aio_pika.ExchangeType.TOPIC, durable=True)
    queue = await channel.declare_queue(exclusive=True, auto_delete=True)
    await queue.bind(exchange, routing_key="directory.therapist.#")
    yield EventObserver(queue)
    await connection.close()
