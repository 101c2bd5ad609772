"""A running search service on its own database, fed by events published to the real exchange.

`Search.publish_*` build events with the shared contracts; `Search.eventually` polls the HTTP API
until the read side shows what a test expects (events are asynchronous).
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from integration_events.approaches import APPROACH_CREATED, APPROACH_UPDATED
from integration_events.inquiries import INQUIRY_ANSWERED, INQUIRY_RECEIVED
from integration_events.subscriptions import SEARCH_EVENTS
from integration_events.therapists import THERAPIST_CREATED, THERAPIST_DELETED, THERAPIST_UPDATED
from servicekit.bus import EventBus
from servicekit.envelope import CloudEvent, new_event
from services.search.app import build_app
from tests.support import eventually, purge_queues, serving

NOW = datetime.now(UTC)


def profile(**fields: Any) -> dict[str, Any]:
    """A valid public profile (event data); override any field."""
    therapist_id = fields.pop("id", None) or f"t-{uuid.uuid4().hex[:10]}"
    data: dict[str, Any] = {
        "id": therapist_id,
        "version": 1,
        "displayName": "Maren Oakhollow, LMFT",
        "title": "Licensed Marriage & Family Therapist",
        "location": {"city": "Austin", "state": "TX"},
        "locations": [{"city": "Austin", "state": "TX", "postalCode": "78701", "isPrivate": True}],
        "licences": [{"kind": "LMFT", "state": "TX"}],
        "telehealthStates": ["TX"],
        "formats": ["in_person", "video"],
        "newClientStatus": "newpt",
        "availabilityConfirmedAt": (NOW - timedelta(days=3)).isoformat(),
        "money": {"fees": [{"sessionType": "individual", "amountUsd": 140}], "insurance": ["aetna"]},
        "approaches": [{"slug": "relational-therapy", "statement": "I work with what happens between us."}],
        "issues": [{"slug": "anxiety", "top": True}, {"slug": "grief"}],
        "ageGroups": ["adults"],
        "languages": ["en"],
        "identity": {"gender": "woman", "lgbtq": False},
        "bio": {
            "helpWith": "Worry that will not settle.",
            "approach": "Warm and direct.",
            "about": "Gardener.",
        },
        "createdAt": NOW.isoformat(),
        "updatedAt": NOW.isoformat(),
    }
    data.update(fields)
    return data


def approach(slug: str, **fields: Any) -> dict[str, Any]:
    data = {
        "id": fields.pop("id", None) or f"a-{uuid.uuid4().hex[:8]}",
        "slug": slug,
        "version": 1,
        "name": slug.replace("-", " ").title(),
        "createdAt": NOW.isoformat(),
        "updatedAt": NOW.isoformat(),
    }
    data.update(fields)
    return data


@dataclass
class Search:
    app: web.Application
    http: aiohttp.ClientSession
    bus: EventBus

    async def publish(self, event_type: str, data: dict[str, Any]) -> CloudEvent:
        event = new_event(type=event_type, source="/tests", subject=data["id"], data=data)
        await self.bus.publish(event)
        return event

    async def put_therapist(self, data: dict[str, Any]) -> None:
        await self.publish(THERAPIST_CREATED if data["version"] == 1 else THERAPIST_UPDATED, data)

    async def seed(self, people: dict[str, dict[str, Any]]) -> dict[str, str]:
        """Publish each profile and wait until search has it; returns each one's name -> id."""
        for data in people.values():
            await self.put_therapist(data)
        for data in people.values():
            await self.settled(data["id"], data["version"])
        return {name: data["id"] for name, data in people.items()}

    async def delete_therapist(self, therapist_id: str, version: int) -> None:
        await self.publish(THERAPIST_DELETED, {"id": therapist_id, "version": version})

    async def put_approach(self, data: dict[str, Any]) -> None:
        await self.publish(APPROACH_CREATED if data["version"] == 1 else APPROACH_UPDATED, data)

    async def inquiry_received(self, therapist_id: str, inquiry_id: str, at: datetime) -> None:
        data = {"id": inquiry_id, "therapistId": therapist_id, "version": 1, "receivedAt": at.isoformat()}
        await self.publish(INQUIRY_RECEIVED, data)

    async def inquiry_answered(
        self, therapist_id: str, inquiry_id: str, at: datetime, after: timedelta
    ) -> None:
        data = {
            "id": inquiry_id,
            "therapistId": therapist_id,
            "version": 2,
            "receivedAt": at.isoformat(),
            "answeredAt": (at + after).isoformat(),
        }
        await self.publish(INQUIRY_ANSWERED, data)

    async def get(self, path: str, **params: Any) -> tuple[int, Any]:
        async with self.http.get(path, params=params) as response:
            return response.status, await response.json()

    async def search(self, **params: Any) -> dict[str, Any]:
        status, body = await self.get("/v1/therapists", **params)
        assert status == 200, body
        return body

    async def eventually(self, check: Callable[[], Awaitable[bool]], timeout: float = 10.0) -> None:
        await eventually(check, timeout=timeout)

    async def card(self, therapist_id: str) -> dict[str, Any] | None:
        status, body = await self.get(f"/v1/therapists/{therapist_id}")
        return body if status == 200 else None

    async def settled(self, therapist_id: str, version: int) -> dict[str, Any]:
        """Wait until the stored read model holds `version` of the therapist and its index caught up."""
        store = self.app["read_model"]

        async def stored() -> bool:
            doc = await store.therapists.find_one({"_id": therapist_id})
            index = self.app["index_sync"].index
            return bool(
                doc
                and doc["version"] >= version
                and index
                and index.versions.get(therapist_id, 0) >= version
                and not index.dirty
                and not index.lock.locked()  # a commit under way is not searchable yet
            )

        await self.eventually(stored)
        await asyncio.sleep(0.05)
        return await store.therapists.find_one({"_id": therapist_id})


async def purge_search_queue(amqp_url: str) -> None:
    """Other suites publish therapist events; start from an empty queue."""
    await purge_queues(amqp_url, [SEARCH_EVENTS.queue])


@contextlib.asynccontextmanager
async def running_search(infra, database: str, *, consume: bool = True, search_settings=None):
    settings = infra.settings("search", database=database)
    app = build_app(settings, consume=consume, change_wait_ms=50, search_settings=search_settings)
    async with serving(app, settings.port) as base_url, aiohttp.ClientSession(base_url) as http:
        # Ready as its probe means it: index built and the broker connected (the connection is made
        # in the background, so a build that finishes first would otherwise be served early).
        await asyncio.wait_for(app["runtime"].prepared.wait(), 30)
        await app["runtime"].bus.wait_connected(30)
        yield app, http


async def connected_bus(amqp_url: str, service: str) -> EventBus:
    """A publisher on the test exchange (what the owning services' outbox relays do)."""
    bus = EventBus(
        amqp_url,
        service=service,
        exchange="directory.events",
        dead_letter_exchange="directory.dead-letter",
        delivery_limit=3,
    )
    await bus.start()
    await bus.wait_connected(10)
    return bus


@pytest.fixture(scope="module")
async def search(infra):
    await purge_search_queue(infra.amqp_url)
    bus = await connected_bus(infra.amqp_url, "search-tests")
    database = f"search_{uuid.uuid4().hex[:8]}"
    async with running_search(infra, database) as (app, http):
        yield Search(app, http, bus)
    await bus.close()
