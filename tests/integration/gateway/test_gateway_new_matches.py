"""`newMatches(filter)` over WebSocket: a therapist event heard through the real broker makes each
replica ask search (a stand-in here) which open searches the therapist fits, and the subscribers
whose search they came to fit are told, once."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

from gateway.persisted import own_operations, query_hash, web_client_operations
from integration_events.therapists import THERAPIST_CREATED, THERAPIST_DELETED, THERAPIST_UPDATED
from tests.integration.gateway.backends import StubDirectory, card
from tests.integration.gateway.conftest import RunningGateway, publish, running_gateway
from tests.integration.gateway.test_gateway_subscriptions import CHANGED, subscriber

NEW_MATCHES = """
subscription NewMatches($filter: TherapistFilter!, $text: String) {
  newMatches(filter: $filter, text: $text) { id displayName newClientStatus }
}"""
IN_AUSTIN = {"city": "Austin", "state": "TX"}
AUSTIN_ACCEPTING = {"city": "Austin", "state": "TX", "newClientStatus": ["newpt"]}
QUIET = 0.7  # long enough for a check to have reached search and come back


async def watch(client, filter: dict[str, Any], text: str | None = None, *, query: str = NEW_MATCHES) -> str:
    client.ids += 1
    operation = str(client.ids)
    variables = {"filter": filter, "text": text}
    await client.ws.send_json(
        {"id": operation, "type": "subscribe", "payload": {"query": query, "variables": variables}}
    )
    return operation


async def announced(client, timeout: float = 5.0) -> str:
    message = await client.message(timeout)
    assert message["type"] == "next", message
    assert "errors" not in message["payload"], message
    return message["payload"]["data"]["newMatches"]["id"]


async def silent(client) -> None:
    with contextlib.suppress(TimeoutError):
        message = await client.message(QUIET)
        raise AssertionError(f"told of something: {message}")


def waitlisted(stub: StubDirectory, therapist_id: str) -> None:
    """The therapist is not accepting new clients (in profiles and in search alike)."""
    set_status(stub, therapist_id, "waitlist", version=stub.profiles[therapist_id]["version"])


def set_status(stub: StubDirectory, therapist_id: str, status: str, *, version: int) -> None:
    listed = next(c for c in stub.cards if c["id"] == therapist_id)
    listed["newClientStatus"] = status
    stub.profiles[therapist_id].update(newClientStatus=status, version=version)


async def change(gw: RunningGateway, publisher, therapist_id: str, status: str, version: int) -> None:
    set_status(gw.stub, therapist_id, status, version=version)
    await publish(publisher, THERAPIST_UPDATED, {"id": therapist_id, "version": version})


def canonical(filters: list[dict[str, Any]]) -> list[str]:
    return sorted(json.dumps(f, sort_keys=True) for f in filters)


def fits_calls(stub: StubDirectory, therapist_id: str) -> list[Any]:
    return [c.body for c in stub.calls if c.path == f"/v1/therapists/{therapist_id}/fits"]


async def test_a_therapist_who_starts_accepting_and_fits_reaches_the_subscriber(gw, publisher):
    waitlisted(gw.stub, "t0003")
    async with subscriber(gw) as client:
        await watch(client, IN_AUSTIN)
        await asyncio.sleep(0.2)  # subscribed before the change
        await change(gw, publisher, "t0003", "newpt", 2)
        message = await client.message()
        assert message["payload"]["data"]["newMatches"] == {
            "id": "t0003",
            "displayName": "Rowan Q. Elbery-3, LMFT",
            "newClientStatus": "ACCEPTING",
        }
    # One call for the change, asking about the one search open, among accepting therapists.
    [body] = fits_calls(gw.stub, "t0003")
    assert body == {"filters": [AUSTIN_ACCEPTING]}


async def test_a_therapist_who_does_not_fit_is_not_announced(gw, publisher):
    for therapist_id in ("t0003", "t0007", "t0008"):
        waitlisted(gw.stub, therapist_id)
    async with subscriber(gw) as client:
        await watch(client, IN_AUSTIN)
        await asyncio.sleep(0.2)
        await change(gw, publisher, "t0007", "newpt", 2)  # accepting, but has no city
        await change(gw, publisher, "t0008", "waitlist", 2)  # in Austin, not accepting
        await silent(client)
        await change(gw, publisher, "t0003", "newpt", 2)
        assert await announced(client) == "t0003"


async def test_a_therapist_told_of_is_not_told_again_while_they_go_on_fitting(gw, publisher):
    for therapist_id in ("t0003", "t0005"):
        waitlisted(gw.stub, therapist_id)
    async with subscriber(gw) as client:
        await watch(client, IN_AUSTIN)
        await asyncio.sleep(0.2)
        await change(gw, publisher, "t0003", "newpt", 2)
        assert await announced(client) == "t0003"
        gw.stub.profiles["t0003"]["displayName"] = "Rowan Q. Elbery-Three, LMFT"
        await change(gw, publisher, "t0003", "newpt", 3)  # still fits: a new name is no news
        await silent(client)
        await change(gw, publisher, "t0005", "newpt", 2)
        assert await announced(client) == "t0005"
        # Once they stopped fitting, fitting again is news again.
        await change(gw, publisher, "t0003", "waitlist", 4)
        await silent(client)
        await change(gw, publisher, "t0003", "newpt", 5)
        assert await announced(client) == "t0003"
    assert len(fits_calls(gw.stub, "t0003")) == 4  # one call per event


async def test_the_answer_waits_until_search_has_applied_the_change(gw, publisher):
    waitlisted(gw.stub, "t0003")
    gw.stub.search_versions["t0003"] = 1  # search has not applied version 2 yet: still waitlisted
    async with subscriber(gw) as client:
        await watch(client, IN_AUSTIN)
        await asyncio.sleep(0.2)
        stale_card = next(c for c in gw.stub.cards if c["id"] == "t0003")
        await publish(publisher, THERAPIST_UPDATED, {"id": "t0003", "version": 2})
        await silent(client)
        asked = len(fits_calls(gw.stub, "t0003"))
        assert asked >= 2  # asked again while search was behind
        stale_card["newClientStatus"] = "newpt"  # search applies version 2
        gw.stub.search_versions["t0003"] = 2
        assert await announced(client) == "t0003"


async def test_each_replica_tells_its_own_subscribers(infra, publisher):
    stub = StubDirectory.with_demo_data()
    waitlisted(stub, "t0003")
    async with running_gateway(infra, stub) as first, running_gateway(infra, stub) as second:
        async with subscriber(first) as one, subscriber(second) as two:
            await watch(one, IN_AUSTIN)
            await watch(two, {"approaches": ["relational-therapy"]}, text="elbery-3")
            await asyncio.sleep(0.2)
            set_status(stub, "t0003", "newpt", version=2)
            await publish(publisher, THERAPIST_UPDATED, {"id": "t0003", "version": 2})
            assert await announced(one) == "t0003"
            assert await announced(two) == "t0003"
    # Each replica asked search about its own subscriber's search only.
    asked = sorted(canonical(body["filters"]) for body in fits_calls(stub, "t0003"))
    by_text = {"text": "elbery-3", "approach": ["relational-therapy"], "newClientStatus": ["newpt"]}
    assert asked == sorted([canonical([AUSTIN_ACCEPTING]), canonical([by_text])])


async def test_equal_searches_are_asked_about_once(gw, publisher):
    waitlisted(gw.stub, "t0003")
    async with subscriber(gw) as one, subscriber(gw) as two:
        await watch(one, IN_AUSTIN)
        await watch(two, {"state": "TX", "city": "Austin"})  # the same search
        await watch(two, {"approaches": ["emdr", "relational-therapy"]})
        await watch(one, {"approaches": ["relational-therapy", "emdr"]})  # the same again
        await asyncio.sleep(0.2)
        await change(gw, publisher, "t0003", "newpt", 2)
        assert [await announced(one), await announced(one)] == ["t0003", "t0003"]
        assert [await announced(two), await announced(two)] == ["t0003", "t0003"]
    [body] = fits_calls(gw.stub, "t0003")
    assert len(body["filters"]) == 2


async def test_a_therapist_without_a_public_profile_is_never_announced(gw, publisher):
    gw.stub.cards.append(card(99, ["emdr"]))  # search lists them, profiles has no such profile
    waitlisted(gw.stub, "t0003")
    async with subscriber(gw) as client:
        await watch(client, IN_AUSTIN)
        await asyncio.sleep(0.2)
        await publish(publisher, THERAPIST_CREATED, {"id": "t0099", "version": 1})
        await publish(publisher, THERAPIST_DELETED, {"id": "t0004", "version": 2})
        await silent(client)
        await change(gw, publisher, "t0003", "newpt", 2)
        assert await announced(client) == "t0003"
    assert fits_calls(gw.stub, "t0004") == []  # a deletion asks nothing


async def test_a_search_for_other_statuses_or_one_search_cannot_read_is_refused(gw):
    for filter, field in (
        ({"newClientStatus": ["WAITLIST"]}, "filter.newClientStatus"),
        ({"state": "Texas"}, None),
    ):
        async with subscriber(gw) as client:
            operation = await watch(client, filter)
            message = await client.message()
            assert message["id"] == operation and message["type"] == "next", message
            [error] = message["payload"]["errors"]
            assert error["extensions"]["code"] == "BAD_USER_INPUT", message
            assert error["extensions"].get("field") == field
            assert await client.message() == {"id": operation, "type": "complete"}


async def test_new_matches_and_therapist_changed_share_the_limit_per_client(infra):
    async with running_gateway(infra, StubDirectory.with_demo_data(), subscriptions_per_client=2) as gw:
        async with subscriber(gw) as one, subscriber(gw) as two:
            await one.ws.send_json(
                {"id": "w", "type": "subscribe", "payload": {"query": CHANGED, "variables": {"id": "t0003"}}}
            )
            await watch(one, IN_AUSTIN)
            await asyncio.sleep(0.3)
            refused = await watch(two, IN_AUSTIN)  # the client's third on this replica
            message = await two.message()
            assert message["id"] == refused, message
            errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
            assert errors[0]["extensions"]["code"] == "SUBSCRIPTION_LIMIT_EXCEEDED", message


async def test_subscribers_are_told_their_subscriptions_completed_when_the_gateway_stops(gw):
    async with subscriber(gw) as client:
        operation = await watch(client, IN_AUSTIN)
        await asyncio.sleep(0.2)
        gw.gateway.new_matches.close()  # what the gateway's shutdown does (gateway.app)
        assert await client.message() == {"id": operation, "type": "complete"}


async def test_the_web_clients_subscription_is_registered_and_runs_in_production_mode(infra, publisher):
    document = web_client_operations()["NEW_MATCHES"]
    assert query_hash(document) in own_operations()
    stub = StubDirectory.with_demo_data()
    waitlisted(stub, "t0003")
    async with running_gateway(infra, stub, environment="production") as gw, subscriber(gw) as client:
        await watch(client, IN_AUSTIN, query=document)
        await asyncio.sleep(0.2)
        await change(gw, publisher, "t0003", "newpt", 2)
        message = await client.message()
        assert message["payload"]["data"]["newMatches"]["location"] == {"city": "Austin", "state": "TX"}
