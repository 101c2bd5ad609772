"""1,000 profile updates from 10 clients while, one after another, the profiles service, the
search service and the gateway are killed with SIGKILL and restarted, every broker connection
of the stack is cut, and MongoDB is stopped and restarted on the same storage.

Clients behave as real ones: on a 503, a 5xx, a GraphQL SERVICE_UNAVAILABLE or a dropped
connection they retry the same update. Afterwards every profile in search is at the version
its last acknowledged update produced, each stored version has exactly one event (no change
without its event, no event without its change; delivery is at-least-once, so the same event may
arrive twice), the outbox has nothing left to publish, and search never went back a version.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from dataclasses import dataclass, field

import aiohttp
from pymongo import AsyncMongoClient

from integration_events.subscriptions import SEARCH_EVENTS
from integration_events.therapists import THERAPIST_EVENT_TYPES
from servicekit.envelope import CloudEvent
from servicekit.settings import EVENTS_EXCHANGE
from services.search.store import stored_listing
from tests.reliability.processes import ProcessStack, broker_channel, queue_depth
from tests.support import create_austin_therapist, metric_value, token

CLIENTS = 10
UPDATES_PER_CLIENT = 100
PACE_SECONDS = 0.2
UPDATE_MUTATION = """
mutation Update($id: ID!, $patch: TherapistProfilePatch!) {
  updateMyProfile(therapistId: $id, patch: $patch) {
    __typename ... on ProfileUpdated { version } ... on ValidationFailed { message }
  }
}"""


class NotAcknowledged(Exception):
    """The update may or may not have been applied: the client must retry it."""


@dataclass
class Client:
    number: int
    therapist_id: str
    bearer: str
    via_gateway: bool
    acknowledged: list[tuple[int, int]] = field(default_factory=list)  # (update, version)
    retries: int = 0

    def patch(self, update: int) -> dict:
        return {
            "displayName": f"Fault Client {self.number} Update {update}",
            "email": f"client{self.number}.update{update}@example.test",
        }


async def send_update(http: aiohttp.ClientSession, stack: ProcessStack, client: Client, update: int) -> int:
    """One attempt; the stored version when acknowledged."""
    headers = {"Authorization": f"Bearer {client.bearer}"}
    try:
        if client.via_gateway:
            async with http.post(
                f"{stack.urls['gateway']}/graphql",
                headers=headers,
                json={
                    "query": UPDATE_MUTATION,
                    "variables": {"id": client.therapist_id, "patch": client.patch(update)},
                },
            ) as response:
                body = await response.json(content_type=None)
            if response.status != 200 or body.get("errors"):
                raise NotAcknowledged(f"{response.status} {body.get('errors')}")
            result = body["data"]["updateMyProfile"]
            assert result["__typename"] == "ProfileUpdated", result
            return result["version"]
        async with http.patch(
            f"{stack.urls['profiles']}/v1/therapists/{client.therapist_id}",
            headers=headers,
            json=client.patch(update),
        ) as response:
            body = await response.json(content_type=None)
        if response.status >= 500 or response.status == 409:
            raise NotAcknowledged(f"{response.status} {body}")
        assert response.status == 200, body
        return body["version"]
    except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
        raise NotAcknowledged(repr(exc)) from exc


async def run_client(http: aiohttp.ClientSession, stack: ProcessStack, client: Client) -> None:
    for update in range(1, UPDATES_PER_CLIENT + 1):
        delay = 0.1
        deadline = time.monotonic() + 60
        while True:
            try:
                version = await send_update(http, stack, client, update)
                break
            except NotAcknowledged:
                client.retries += 1
                assert time.monotonic() < deadline, (
                    f"update {update} of client {client.number} never acknowledged"
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, 1.0)
        client.acknowledged.append((update, version))
        await asyncio.sleep(PACE_SECONDS)


async def inject_faults(stack: ProcessStack, log: list[str]) -> None:
    started = time.monotonic()

    def note(what: str) -> None:
        log.append(f"{time.monotonic() - started:5.1f}s {what}")

    for name in ("profiles", "search", "gateway"):
        await asyncio.sleep(2)
        stack.kill(name)
        note(f"kill -9 {name}")
        await asyncio.sleep(0.5)
        await stack.restart(name)
        note(f"{name} ready again")
    await asyncio.sleep(2)
    note(f"closed {stack.vhost.close_connections()} broker connections")
    await asyncio.sleep(0.5)
    await stack.wait_ready("profiles", "search", "gateway", "approaches", timeout=60)
    note("all ready after the broker cut")
    await asyncio.sleep(2)
    note("stopping MongoDB")
    await stack.restart_mongo(down_for=1.5)
    note("MongoDB back")
    await stack.wait_ready("profiles", "search", "gateway", "approaches", timeout=60)
    note("all ready after the MongoDB restart")


OBSERVER_QUEUE = "fault-test.observed-therapist-events"


async def observe_therapist_events(stack: ProcessStack) -> None:
    """A durable queue of the test's own, bound to every therapist event: what the relays publish."""
    async with broker_channel(stack) as channel:
        exchange = await channel.get_exchange(EVENTS_EXCHANGE)
        queue = await channel.declare_queue(OBSERVER_QUEUE, durable=True)
        for event_type in THERAPIST_EVENT_TYPES:
            await queue.bind(exchange, routing_key=event_type)


async def observed_events(stack: ProcessStack) -> list[CloudEvent]:
    events = []
    async with broker_channel(stack) as channel:
        queue = await channel.declare_queue(OBSERVER_QUEUE, durable=True)
        while (message := await queue.get(no_ack=True, fail=False, timeout=2)) is not None:
            events.append(CloudEvent.from_json(message.body))
    return events


async def watch_search_versions(read_model, ids: list[str], seen: dict[str, list[int]], stop: asyncio.Event):
    """Sample the search read model; records every version seen per therapist, in order."""
    while not stop.is_set():
        try:
            async for doc in read_model.find({"_id": {"$in": ids}}, {"version": 1}):
                history = seen[doc["_id"]]
                if not history or history[-1] != doc["version"]:
                    history.append(doc["version"])
        except Exception:  # MongoDB is down for a moment: that is one of the faults
            pass
        await asyncio.sleep(0.2)


async def create_profiles(http: aiohttp.ClientSession, stack: ProcessStack) -> list[Client]:
    clients = []
    for number in range(CLIENTS):
        bearer = token(f"fault-client-{number}-{time.time_ns()}")
        body = await create_austin_therapist(
            http,
            stack.urls["profiles"],
            bearer,
            f"Fault Client {number} Update 0",
            email=f"client{number}.update0@example.test",
        )
        clients.append(Client(number, body["id"], bearer, via_gateway=number % 2 == 1))
    return clients


async def test_acknowledged_updates_survive_crashes_and_outages_exactly_once(stack: ProcessStack):
    async with (
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http,
        AsyncMongoClient(stack.mongo.uri, serverSelectionTimeoutMS=2000) as mongo,
    ):
        await observe_therapist_events(stack)
        clients = await create_profiles(http, stack)
        async with broker_channel(stack) as channel:
            dead_before = await queue_depth(channel, SEARCH_EVENTS.dead_letter_queue)
        ids = [c.therapist_id for c in clients]
        seen: dict[str, list[int]] = defaultdict(list)
        stop = asyncio.Event()
        watcher = asyncio.create_task(watch_search_versions(mongo.search.therapists, ids, seen, stop))
        faults: list[str] = []
        started = time.monotonic()
        await asyncio.gather(inject_faults(stack, faults), *(run_client(http, stack, c) for c in clients))
        elapsed = time.monotonic() - started

        # Search catches up with every profile's final version.
        deadline = time.monotonic() + 45
        while True:
            stored = {d["_id"]: d async for d in mongo.profiles.therapists.find({"_id": {"$in": ids}})}
            indexed = {d["_id"]: d async for d in mongo.search.therapists.find({"_id": {"$in": ids}})}
            behind = [i for i in ids if indexed.get(i, {}).get("version") != stored[i]["version"]]
            unpublished = await mongo.profiles.outbox.count_documents({})
            if not (behind or unpublished) or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.25)
        stop.set()
        await watcher
    published: dict[str, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    display_names: dict[tuple[str, int], str] = {}
    for event in await observed_events(stack):
        therapist_id, version = event.data["id"], event.version
        published[therapist_id][version].add(event.id)
        display_names[therapist_id, version] = event.data["displayName"]

    print(
        f"\n{CLIENTS * UPDATES_PER_CLIENT} updates in {elapsed:.1f} s, "
        f"{sum(c.retries for c in clients)} retried attempts; faults:\n  " + "\n  ".join(faults)
    )
    search_metrics = await stack.metrics("search")
    print(
        "search events consumed since its restart: applied",
        metric_value(search_metrics, "directory_events_consumed_total", outcome="applied"),
        "stale",
        metric_value(search_metrics, "directory_events_consumed_total", outcome="stale"),
    )

    assert not behind, f"search never caught up for {behind}"
    async with broker_channel(stack) as channel:  # no valid event was parked on the way
        assert await queue_depth(channel, SEARCH_EVENTS.dead_letter_queue) == dead_before
    assert unpublished == 0, f"{unpublished} outbox events never published"
    for client in clients:
        profile = stored[client.therapist_id]
        last_update, last_version = client.acknowledged[-1]
        assert [u for u, _ in client.acknowledged] == list(range(1, UPDATES_PER_CLIENT + 1))
        # The profile ends at the last acknowledged update, in both its public and private fields.
        assert profile["version"] == last_version
        assert profile["displayName"] == client.patch(last_update)["displayName"]
        assert profile["email"] == client.patch(last_update)["email"]
        # Search holds exactly that version, with the same content.
        card = indexed[client.therapist_id]
        assert card["version"] == last_version and not card["deleted"]
        assert stored_listing(card)[0]["displayName"] == profile["displayName"]
        # Exactly one event per stored version: none lost, no two for one version, none half-applied.
        events = published[client.therapist_id]
        assert sorted(events) == list(range(1, last_version + 1)), sorted(events)
        assert all(len(ids_) == 1 for ids_ in events.values()), events
        # Each acknowledgement names the version that holds that update.
        for update, version in client.acknowledged:
            assert display_names[client.therapist_id, version] == client.patch(update)["displayName"]
        # Search never went back to an older version, through every crash and redelivery.
        history = seen[client.therapist_id]
        assert history == sorted(history), history
