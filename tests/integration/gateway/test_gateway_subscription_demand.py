"""Demand control of subscriptions over a WebSocket: priced when they subscribe, refused above
the cost limit, charged then to the client's rate limit; the updates delivered afterwards are
not charged (docs/architecture.md, "Demand control and rate limits")."""

from __future__ import annotations

import asyncio

from graphql import parse

from gateway.cost import operation_cost
from gateway.persisted import own_operations
from gateway.schema import schema
from gateway.settings import QueryLimits
from integration_events.therapists import THERAPIST_UPDATED
from tests.integration.gateway.backends import StubDirectory
from tests.integration.gateway.conftest import RunningGateway, publish, running_gateway
from tests.integration.gateway.test_gateway_subscriptions import Subscriber, subscriber

ONE_THERAPIST = '{ therapist(id: "t0004") { id displayName } }'  # costs 1, as CHANGED does
# 1 + 10 approaches x (1 + their approach): 21, over the limit set below.
DEAR = "subscription Dear($id: ID!) { therapistChanged(id: $id) { id approaches { approach { name } } } }"
NEW_MATCHES = 'subscription { newMatches(filter: {state: "TX"}) { id } }'


async def refused(client: Subscriber, operation: str) -> dict:
    """The one error of a subscription refused as it subscribed, which then completes."""
    message = await client.message()
    assert message["id"] == operation and message["type"] == "next", message
    assert message["payload"]["data"] is None
    assert await client.message() == {"id": operation, "type": "complete"}
    [error] = message["payload"]["errors"]
    return error


async def queries_answered(gw: RunningGateway, times: int) -> list[int]:
    statuses = []
    for _ in range(times):
        status, _ = await gw.post(ONE_THERAPIST)
        statuses.append(status)
    return statuses


async def test_a_subscription_over_the_cost_limit_is_refused_before_it_subscribes(infra):
    async with (
        running_gateway(infra, StubDirectory.with_demo_data(), limits=QueryLimits(max_cost=5)) as gw,
        subscriber(gw) as client,
    ):
        operation = str(client.ids + 1)
        await client.ws.send_json(
            {"id": operation, "type": "subscribe", "payload": {"query": DEAR, "variables": {"id": "t0003"}}}
        )
        error = await refused(client, operation)
        assert error["extensions"]["code"] == "COST_LIMIT_EXCEEDED"
        assert error["extensions"]["cost"] == 21 and error["extensions"]["limit"] == 5
        assert len(gw.gateway.view.schema.shared_subscriptions) == 0  # nothing runs for it


async def test_subscribing_is_charged_to_the_clients_rate_limit(infra):
    async with (
        running_gateway(infra, StubDirectory.with_demo_data(), rate_limit=2) as gw,
        subscriber(gw) as client,
    ):
        for _ in range(2):
            await client.subscribe("t0003")
        third = await client.subscribe("t0003")
        error = await refused(client, third)
        assert error["extensions"]["code"] == "RATE_LIMITED"
        assert error["extensions"]["retryAfterSeconds"] >= 1
        assert await queries_answered(gw, 1) == [429]  # the same allowance


async def test_a_subscription_that_is_not_shared_is_charged_too(infra):
    async with (
        running_gateway(infra, StubDirectory.with_demo_data(), rate_limit=1) as gw,
        subscriber(gw) as client,
    ):
        assert await queries_answered(gw, 1) == [200]
        operation = str(client.ids + 1)
        await client.ws.send_json({"id": operation, "type": "subscribe", "payload": {"query": NEW_MATCHES}})
        assert (await refused(client, operation))["extensions"]["code"] == "RATE_LIMITED"


async def test_the_updates_a_subscription_delivers_are_not_charged(infra, publisher):
    async with (
        running_gateway(infra, StubDirectory.with_demo_data(), rate_limit=3) as gw,
        subscriber(gw) as client,
    ):
        await client.subscribe("t0003")  # 1 of 3
        await asyncio.sleep(0.2)
        for version in range(2, 6):
            await publish(publisher, THERAPIST_UPDATED, {"id": "t0003", "version": version})
            assert (await client.message())["type"] == "next"
        assert await queries_answered(gw, 3) == [200, 200, 429]


def test_the_gateways_own_subscriptions_cost_less_than_the_limit():
    subscriptions = [q for q in own_operations().values() if q.lstrip().startswith("subscription")]
    assert len(subscriptions) >= 2  # TherapistChanged, and the web client's NewMatches
    for query in subscriptions:
        assert 0 < operation_cost(schema._schema, parse(query)) <= QueryLimits().max_cost, query
