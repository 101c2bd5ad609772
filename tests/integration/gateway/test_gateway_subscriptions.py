"""Subscriptions over WebSocket (graphql-transport-ws): a therapist's change reaches subscribers
on every replica through the real broker; identical subscriptions share one execution, each
still hearing under its own id; limits per connection and per client; only registered
operations in production; a clean end when the gateway shuts down."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import aiohttp

from gateway.persisted import read_operation
from integration_events.therapists import THERAPIST_UPDATED
from tests.integration.gateway.backends import StubDirectory
from tests.integration.gateway.conftest import RunningGateway, publish, running_gateway
from tests.integration.gateway.operations import OPERATIONS

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


async def subscribe_to(client: Subscriber, query: str, therapist_id: str) -> str:
    client.ids += 1
    operation = str(client.ids)
    payload = {"query": query, "variables": {"id": therapist_id}}
    await client.ws.send_json({"id": operation, "type": "subscribe", "payload": payload})
    return operation


async def next_by_id(client: Subscriber, count: int) -> dict[str, Any]:
    messages = [await client.message() for _ in range(count)]
    assert all(m["type"] == "next" for m in messages), messages
    return {m["id"]: m["payload"]["data"]["therapistChanged"] for m in messages}


async def test_identical_subscriptions_share_one_execution_and_each_hears_under_its_own_id(infra, publisher):
    titles = "subscription Titles($id: ID!) { therapistChanged(id: $id) { id title } }"
    stub = StubDirectory.with_demo_data()
    async with running_gateway(infra, stub) as gw, subscriber(gw) as one, subscriber(gw) as two:
        for client in (one, one, two):
            await client.subscribe("t0003")
        await subscribe_to(two, titles, "t0003")  # another document: executed on its own
        await one.subscribe("t0004")  # other variables: another execution too
        await asyncio.sleep(0.2)
        assert len(gw.gateway.view.schema.shared_subscriptions) == 3
        stub.profiles["t0003"]["displayName"] = "Rowan Q. Elbery-Three, LMFT"
        await publish(publisher, THERAPIST_UPDATED, {"id": "t0003", "version": 2})
        name = {"id": "t0003", "displayName": "Rowan Q. Elbery-Three, LMFT"}
        assert await next_by_id(one, 2) == {"1": name, "2": name}
        assert await next_by_id(two, 2) == {
            "1": name,
            "2": {"id": "t0003", "title": stub.profiles["t0003"]["title"]},
        }
        with contextlib.suppress(TimeoutError):  # nothing for the subscription to t0004
            assert await one.message(timeout=0.3) is None


async def test_a_shared_execution_ends_with_its_last_subscriber(infra, publisher):
    async with (
        running_gateway(infra, StubDirectory.with_demo_data(), subscriptions_per_client=2) as gw,
        subscriber(gw) as client,
    ):
        shared = gw.gateway.view.schema.shared_subscriptions
        first, second = [await client.subscribe("t0003") for _ in range(2)]
        await asyncio.sleep(0.2)
        await client.ws.send_json({"id": first, "type": "complete"})
        await asyncio.sleep(0.1)
        assert len(shared) == 1  # the other still reads it
        await publish(publisher, THERAPIST_UPDATED, {"id": "t0003", "version": 2})
        assert (await client.message())["id"] == second
        await client.ws.send_json({"id": second, "type": "complete"})
        await asyncio.sleep(0.1)
        assert len(shared) == 0
        for _ in range(2):  # and both slots are the client's again
            await client.subscribe("t0003")
        await asyncio.sleep(0.2)
        await publish(publisher, THERAPIST_UPDATED, {"id": "t0003", "version": 3})
        assert [(await client.message())["type"] for _ in range(2)] == ["next", "next"]


async def test_an_internal_error_reaches_each_identical_subscriber_masked(infra, publisher):
    async with running_gateway(infra, StubDirectory.with_demo_data()) as gw, subscriber(gw) as client:
        operations = [await client.subscribe("t0003") for _ in range(2)]
        await asyncio.sleep(0.2)

        async def broken(*_: Any) -> None:
            raise RuntimeError("a detail no client may see")

        gw.gateway.clients.therapist = broken  # type: ignore[method-assign]
        await publish(publisher, THERAPIST_UPDATED, {"id": "t0003", "version": 2})
        messages = [await client.message() for _ in range(4)]
        errors = {m["id"]: m["payload"]["errors"] for m in messages if m["type"] == "next"}
        assert sorted(errors) == operations
        for [error] in errors.values():
            assert error["extensions"]["code"] == "INTERNAL"
            assert error["message"].startswith("Internal error (request id ")
        assert "detail" not in str(messages)
        assert sorted(m["id"] for m in messages if m["type"] == "complete") == operations


async def test_only_registered_operations_run_over_a_websocket_in_production(infra, publisher):
    registered = read_operation(OPERATIONS / "TherapistChanged.graphql")
    stub = StubDirectory.with_demo_data()
    async with running_gateway(infra, stub, environment="production") as gw, subscriber(gw) as client:
        refused = await subscribe_to(client, CHANGED, "t0003")
        message = await client.message()
        assert message["id"] == refused and message["type"] == "error", message
        assert message["payload"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_ALLOWED"
        subscribed = await subscribe_to(client, registered, "t0003")
        await asyncio.sleep(0.2)
        await publish(publisher, THERAPIST_UPDATED, {"id": "t0003", "version": 2})
        message = await client.message()
        assert message["id"] == subscribed and message["payload"]["data"]["therapistChanged"]["id"] == "t0003"
