"""MongoDB or RabbitMQ down: readiness says so, writes answer a clear 503 (or, for profiles
while only the broker is down, succeed with the event held in the outbox), and everything
recovers by itself when the dependency returns, with no event lost or parked."""

from __future__ import annotations

import asyncio
import time

import aiohttp
from pymongo import AsyncMongoClient

from integration_events.subscriptions import SEARCH_EVENTS
from tests.reliability.events import probe_event, publish
from tests.reliability.processes import ProcessStack, broker_channel, eventually, queue_depth
from tests.support import token

MONGO_BACKED = ("profiles", "approaches", "search", "inquiries")
# Longer than the search consumer's whole retry budget against an unreachable database
# (3 deliveries, each waiting out the driver's 3 s server selection).
LONG_OUTAGE_SECONDS = 12


async def create_profile(http: aiohttp.ClientSession, stack: ProcessStack, sub: str) -> dict:
    async with http.post(
        f"{stack.urls['profiles']}/v1/therapists",
        headers={"Authorization": f"Bearer {token(sub)}"},
        json={"displayName": "Outage Probe", "title": "Licensed Psychologist", "location": {"state": "TX"}},
    ) as response:
        assert response.status == 201
        return await response.json()


async def patch_profile(http, stack: ProcessStack, sub: str, therapist_id: str, name: str):
    async with http.patch(
        f"{stack.urls['profiles']}/v1/therapists/{therapist_id}",
        headers={"Authorization": f"Bearer {token(sub)}"},
        json={"displayName": name},
    ) as response:
        return response.status, await response.json(content_type=None)


async def search_version(stack: ProcessStack, therapist_id: str) -> int | None:
    async with AsyncMongoClient(stack.mongo.uri) as mongo:
        doc = await mongo.search.therapists.find_one({"_id": therapist_id})
    return doc["version"] if doc else None


def assert_clear_503(status: int, body: dict) -> None:
    assert status == 503, body
    assert body["error"]["code"] == "service_unavailable"
    assert "unavailable" in body["error"]["message"] and "Traceback" not in str(body)


async def test_with_mongodb_down_services_are_unready_writes_503_and_all_recovers_by_itself(
    stack: ProcessStack,
):
    sub = f"outage-mongo-{time.time_ns()}"
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15)) as http:
        profile = await create_profile(http, stack, sub)
        async with broker_channel(stack) as channel:
            dead_before = await queue_depth(channel, SEARCH_EVENTS.dead_letter_queue)
        stack.mongo.stop()
        try:
            for name in MONGO_BACKED:
                body = await stack.wait_until(name, 503)
                assert body["checks"]["mongodb"] is False
            assert_clear_503(*await patch_profile(http, stack, sub, profile["id"], "While Mongo Is Down"))
            async with http.post(
                f"{stack.urls['approaches']}/v1/approaches",
                headers={"Authorization": f"Bearer {token('outage-admin', 'admin')}"},
                json={
                    "slug": "outage-approach",
                    "name": "Outage Approach",
                    "summary": "s",
                    "description": "d",
                },
            ) as response:
                assert_clear_503(response.status, await response.json())
            # An event reaches search while its database is away, for longer than its retry budget.
            arriving = probe_event("Arrived During The Outage")
            async with broker_channel(stack) as channel:
                await publish(channel, arriving)
            await asyncio.sleep(LONG_OUTAGE_SECONDS)
        finally:
            await asyncio.to_thread(stack.mongo.start)
        await stack.wait_ready(*MONGO_BACKED, "gateway", timeout=60)
        status, body = await patch_profile(http, stack, sub, profile["id"], "After Mongo Returned")
        assert status == 200, body
        assert await eventually(lambda: _at_least(stack, profile["id"], 2), what="update indexed")
        # The event that arrived during the outage is applied, not parked in the dead-letter queue.
        assert await eventually(lambda: search_version(stack, arriving.subject), what="event applied") == 1
        async with broker_channel(stack) as channel:
            assert await queue_depth(channel, SEARCH_EVENTS.dead_letter_queue) == dead_before


async def test_with_rabbitmq_down_profiles_writes_wait_in_the_outbox_and_are_delivered_after(
    stack: ProcessStack,
):
    sub = f"outage-amqp-{time.time_ns()}"
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15)) as http:
        profile = await create_profile(http, stack, sub)
        await eventually(lambda: search_version(stack, profile["id"]), what="profile indexed")
        stack.vhost.refuse()
        try:
            for name in ("profiles", "approaches", "search", "inquiries", "gateway"):
                body = await stack.wait_until(name, 503)
                assert body["checks"]["rabbitmq"] is False, (name, body)
            status, body = await patch_profile(
                http, stack, sub, profile["id"], "Written While The Broker Was Down"
            )
            assert status == 200, body
            async with AsyncMongoClient(stack.mongo.uri) as mongo:
                held = await mongo.profiles.outbox.count_documents({"envelope.data.id": profile["id"]})
            assert held == 1
            await asyncio.sleep(2)
            assert await search_version(stack, profile["id"]) == 1
        finally:
            stack.vhost.allow()
        await stack.wait_ready("profiles", "approaches", "search", "inquiries", "gateway", timeout=60)
        assert await eventually(lambda: _at_least(stack, profile["id"], 2), what="held event delivered")


async def _at_least(stack: ProcessStack, therapist_id: str, version: int) -> bool:
    return (await search_version(stack, therapist_id) or 0) >= version
