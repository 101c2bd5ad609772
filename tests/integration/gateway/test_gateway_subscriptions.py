"""Subscriptions over WebSocket (graphql-transport-ws): a therapist's change reaches subscribers
on every replica through the real broker; limits per connection and per client; a clean end
when the gateway shuts down."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import aiohttp

from integration_events.therapists import THERAPIST_UPDATED
from tests.integration.gateway.backends import StubDirectory
from tests.integration.gateway.conftest import RunningGateway, publish, running_gateway

CHANGED = "subscription Watch($id: ID!) { therapistChanged(id: $id) { id displayName } }"


class Subscriber:
    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.ids = 0

    async def subscribe(self, therapist_id: str) -> str:
        self.ids += 1
        operation = str(self.ids)
        await self.ws.send_json(
            {
                "id": operation,
                "type": "subscribe",
                "payload": {"query": CHANGED, "variables": {"id": therapist_id}},
            }
        )
        return operation

    async def message(self, timeout: float = 5.0) -> dict[str, Any]:
        while True:
            received = await asyncio.wait_for(self.ws.receive(), timeout)
            if received.type != aiohttp.WSMsgType.TEXT:
                return {"type": received.type.name}
            message = received.json()
            if message["type"] not in ("ping", "pong"):
                return message


@contextlib.asynccontextmanager
async def subscriber(gw: RunningGateway, headers: dict[str, str] | None = None):
    async with gw.http.ws_connect(
        f"{gw.url}/graphql", protocols=("graphql-transport-ws",), headers=headers or {}
    ) as ws:
        await ws.send_json({"type": "connection_init"})
        client = Subscriber(ws)
        assert (await client.message())["type"] == "connection_ack"
        yield client


async def test_a_change_reaches_the_subscribers_of_every_replica(infra, publisher):
    stub = StubDirectory.with_demo_data()
    async with running_gateway(infra, stub) as first, running_gateway(infra, stub) as second:
        async with subscriber(first) as one, subscriber(second) as two:
            for client in (one, two):
                await client.subscribe("t0003")
            await asyncio.sleep(0.2)  # subscribed before the change
            stub.profiles["t0003"]["displayName"] = "Rowan Q. Elbery-Three, LMFT"
            await publish(publisher, THERAPIST_UPDATED, {"id": "t0003", "version": 2})
            for client in (one, two):
                message = await client.message()
                assert message["type"] == "next", message
                assert message["payload"]["data"]["therapistChanged"] == {
                    "id": "t0003",
                    "displayName": "Rowan Q. Elbery-Three, LMFT",
                }


async def test_other_therapists_changes_are_not_sent(gw, publisher):
    async with subscriber(gw) as client:
        await client.subscribe("t0003")
        await asyncio.sleep(0.2)
        await publish(publisher, THERAPIST_UPDATED, {"id": "t0004", "version": 2})
        await publish(publisher, THERAPIST_UPDATED, {"id": "t0003", "version": 2})
        message = await client.message()
        assert message["payload"]["data"]["therapistChanged"]["id"] == "t0003"


async def test_subscriptions_are_limited_per_connection_and_per_client(infra):
    async with running_gateway(
        infra, StubDirectory.with_demo_data(), subscriptions_per_connection=2, subscriptions_per_client=3
    ) as gw:
        async with subscriber(gw) as first:
            for _ in range(2):
                await first.subscribe("t0003")
            third = await first.subscribe("t0003")  # a third on this connection
            message = await first.message()
            assert message["id"] == third and message["type"] == "error", message
            assert "limit" in message["payload"][0]["message"]
        async with subscriber(gw) as one, subscriber(gw) as two:
            for client in (one, one, two):
                await client.subscribe("t0003")
            await asyncio.sleep(0.2)
            refused = await two.subscribe("t0003")  # the client's fourth on this replica
            message = await two.message()
            assert message["id"] == refused and message["type"] in ("error", "next"), message
            errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
            assert errors[0]["extensions"]["code"] == "SUBSCRIPTION_LIMIT_EXCEEDED", message


async def test_subscribers_are_told_their_subscriptions_completed_when_the_gateway_stops(infra):
    async with contextlib.AsyncExitStack() as stack:
        gw = await stack.enter_async_context(running_gateway(infra, StubDirectory.with_demo_data()))
        client = await stack.enter_async_context(subscriber(gw))
        operation = await client.subscribe("t0003")
        await asyncio.sleep(0.2)
        gw.gateway.hub.close()
        message = await client.message()
        assert message == {"id": operation, "type": "complete"}


async def test_the_subscribers_of_one_therapist_share_one_read_of_the_change(infra, publisher):
    stub = StubDirectory.with_demo_data()
    async with running_gateway(infra, stub) as gw, subscriber(gw) as client:
        for _ in range(10):
            await client.subscribe("t0005")
        await asyncio.sleep(0.2)
        before = stub.count("profiles", "/v1/therapists/t0005")
        await publish(publisher, THERAPIST_UPDATED, {"id": "t0005", "version": 2})
        for _ in range(10):
            assert (await client.message())["type"] == "next"
        assert stub.count("profiles", "/v1/therapists/t0005") == before + 1
