"""Subscriptions as server-sent events (GraphQL over SSE, distinct connections mode): a change
reaches the stream through the real broker; an event stream passes every check a request does
(CSRF, registered operations, cost, the rate limit, the subscription limit) and is never
cached; it completes when the gateway stops."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import orjson

from gateway.persisted import query_hash
from gateway.settings import QueryLimits
from integration_events.therapists import THERAPIST_UPDATED
from tests.integration.gateway.backends import StubDirectory
from tests.integration.gateway.conftest import RunningGateway, publish, running_gateway

CHANGED = "subscription Watch($id: ID!) { therapistChanged(id: $id) { id displayName } }"
# 1 + 10 approaches x (1 + their approach): 21, over the limit these tests set.
DEAR = "subscription Dear($id: ID!) { therapistChanged(id: $id) { id approaches { approach { name } } } }"
EVENT_STREAM = {"Accept": "text/event-stream"}
PREFLIGHT = {"GraphQL-Require-Preflight": "1"}


class EventStream:
    """The events of one response, as the GraphQL over SSE protocol frames them."""

    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self.response = response

    async def event(self, timeout: float = 5.0) -> tuple[str, Any]:
        while True:
            block = await asyncio.wait_for(self.response.content.readuntil(b"\r\n\r\n"), timeout)
            fields = dict(
                line.split(": ", 1)
                for line in block.decode().split("\r\n")
                if line and not line.startswith(":")
            )
            if "event" in fields:  # else a heartbeat comment
                data = fields.get("data", "")
                return fields["event"], orjson.loads(data) if data else None


@contextlib.asynccontextmanager
async def event_stream(
    gw: RunningGateway,
    query: str = CHANGED,
    variables: dict[str, Any] | None = None,
    *,
    headers: dict[str, str] | None = None,
) -> AsyncIterator[EventStream]:
    async with gw.http.post(
        f"{gw.url}/graphql",
        json={"query": query, "variables": variables or {"id": "t0003"}},
        headers={**EVENT_STREAM, **(headers or {})},
    ) as response:
        assert response.status == 200, await response.text()
        yield EventStream(response)


async def refusal(stream: EventStream) -> dict[str, Any]:
    """The one error of a stream refused before it subscribed, which then completes."""
    kind, payload = await stream.event()
    assert kind == "next" and payload["data"] is None, payload
    assert await stream.event() == ("complete", None)
    [error] = payload["errors"]
    return error


async def test_a_change_reaches_a_subscriber_over_server_sent_events(gw, publisher):
    async with event_stream(gw) as stream:
        await asyncio.sleep(0.2)  # subscribed before the change
        gw.stub.profiles["t0003"]["displayName"] = "Rowan Q. Elbery-Three, LMFT"
        await publish(publisher, THERAPIST_UPDATED, {"id": "t0003", "version": 2})
        kind, payload = await stream.event()
        assert kind == "next"
        assert payload["data"]["therapistChanged"] == {
            "id": "t0003",
            "displayName": "Rowan Q. Elbery-Three, LMFT",
        }


async def test_an_event_stream_is_never_cached(gw, publisher):
    for _ in range(2):  # the second is not an answer kept from the first
        async with event_stream(gw) as stream:
            headers = stream.response.headers
            assert headers["Content-Type"].startswith("text/event-stream")
            assert headers["Cache-Control"].split(",")[0] == "no-store"
            assert "ETag" not in headers and "X-Cache" not in headers
            await asyncio.sleep(0.2)
            await publish(publisher, THERAPIST_UPDATED, {"id": "t0003", "version": 2})
            assert (await stream.event())[0] == "next"


async def test_a_subscription_sent_as_one_answer_is_refused(gw):
    status, body = await gw.post(CHANGED, {"id": "t0003"})
    assert status == 400 and body["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert "text/event-stream" in body["errors"][0]["message"]


async def test_an_event_stream_over_the_cost_limit_is_refused(infra):
    async with running_gateway(infra, StubDirectory.with_demo_data(), limits=QueryLimits(max_cost=5)) as gw:
        async with event_stream(gw, DEAR) as stream:
            error = await refusal(stream)
        assert error["extensions"]["code"] == "COST_LIMIT_EXCEEDED"
        assert error["extensions"]["cost"] > 5


async def test_an_event_stream_of_a_client_past_its_rate_limit_is_refused(infra):
    async with running_gateway(infra, StubDirectory.with_demo_data(), rate_limit=1) as gw:
        async with event_stream(gw) as first:
            async with event_stream(gw) as second:
                error = await refusal(second)
            assert error["extensions"]["code"] == "RATE_LIMITED"
            assert error["extensions"]["retryAfterSeconds"] >= 1
            assert not first.response.content.at_eof()  # the one it paid for goes on


async def test_event_streams_count_against_the_clients_subscription_limit(infra):
    async with running_gateway(infra, StubDirectory.with_demo_data(), subscriptions_per_client=1) as gw:
        async with event_stream(gw), event_stream(gw) as second:
            error = await refusal(second)
        assert error["extensions"]["code"] == "SUBSCRIPTION_LIMIT_EXCEEDED"


def production_registering(infra, tmp_path, query: str):
    """A gateway in production mode with `query` among its registered operations."""
    manifest = tmp_path / "persisted.json"
    manifest.write_bytes(orjson.dumps({query_hash(query): query}))
    return running_gateway(
        infra, StubDirectory.with_demo_data(), environment="production", persisted_queries_manifest=manifest
    )


async def test_only_registered_subscriptions_stream_in_production(infra, tmp_path):
    async with production_registering(infra, tmp_path, CHANGED) as gw:
        async with gw.http.post(
            f"{gw.url}/graphql", json={"query": DEAR, "variables": {"id": "t0003"}}, headers=EVENT_STREAM
        ) as response:
            body = await response.json()
        assert response.status == 400
        assert body["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_ALLOWED"
        async with event_stream(gw) as stream:  # registered: it streams
            assert stream.response.headers["Content-Type"].startswith("text/event-stream")


async def test_a_get_event_stream_needs_the_preflight_header_in_production(infra, tmp_path):
    async with production_registering(infra, tmp_path, CHANGED) as gw:
        params = {"query": CHANGED, "variables": orjson.dumps({"id": "t0003"}).decode()}
        async with gw.http.get(f"{gw.url}/graphql", params=params, headers=EVENT_STREAM) as response:
            body = await response.json()
        assert response.status == 400 and body["errors"][0]["extensions"]["code"] == "CSRF_PREVENTED"
        async with gw.http.get(
            f"{gw.url}/graphql", params=params, headers={**EVENT_STREAM, **PREFLIGHT}
        ) as response:
            assert response.status == 200
            assert response.headers["Content-Type"].startswith("text/event-stream")


async def test_event_streams_complete_when_the_gateway_stops(infra):
    async with aiohttp.ClientSession() as http, contextlib.AsyncExitStack() as gateway:
        gw = await gateway.enter_async_context(running_gateway(infra, StubDirectory.with_demo_data()))
        async with http.post(
            f"{gw.url}/graphql", json={"query": CHANGED, "variables": {"id": "t0003"}}, headers=EVENT_STREAM
        ) as response:
            stream = EventStream(response)
            await asyncio.sleep(0.2)
            stopping = asyncio.create_task(gateway.aclose())
            assert await stream.event() == ("complete", None)
            await asyncio.wait_for(stopping, 15)  # the open stream did not hold the shutdown up
