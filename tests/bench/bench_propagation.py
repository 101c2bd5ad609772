"""From a profile write to its visibility on the approach page through the gateway.

Run with `./dev bench tests/bench/bench_propagation.py -s`. Prints the median and worst of 50
writes; each write is a PATCH of the display name, then ApproachPage is polled every 2 ms
until the new name shows.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable

import pytest

from tests.e2e.test_approach_page_end_to_end import (
    create_approach,
    create_therapist,
    put_statement,
    specialists,
)
from tests.support import auth_header

pytestmark = pytest.mark.bench
WRITES = 50


async def subject(directory, sub: str, name: str) -> tuple[str, str, dict[str, str]]:
    """A therapist to write to: their id, their profile's URL and their owner's headers."""
    profile = {
        "displayName": name,
        "title": "Licensed Professional Counselor",
        "location": {"city": "Boise", "state": "ID"},
    }
    therapist_id = await create_therapist(directory, sub, profile)
    url = f"{directory.urls['profiles']}/v1/therapists/{therapist_id}"
    return therapist_id, url, auth_header(sub, "therapist")


async def timed_writes(
    directory,
    url: str,
    headers: dict[str, str],
    prefix: str,
    seen: Callable[[str], Awaitable[None]],
    what: str,
) -> tuple[float, float, float]:
    """WRITES renames, each timed until `seen(name)` returns; median, p95 and worst in ms, printed."""
    latencies = []
    for n in range(1, WRITES + 1):
        name = f"{prefix} {n}"
        started = time.perf_counter()
        async with directory.http.patch(url, json={"displayName": name}, headers=headers) as response:
            assert response.status == 200
        await asyncio.wait_for(seen(name), 10)
        latencies.append((time.perf_counter() - started) * 1000)
    median, p95, worst = (
        statistics.median(latencies),
        sorted(latencies)[int(0.95 * WRITES) - 1],
        max(latencies),
    )
    print(
        f"\nwrite -> {what} over {WRITES} writes: median {median:.1f} ms, p95 {p95:.1f} ms, worst {worst:.1f} ms"
    )
    return median, p95, worst


async def test_profile_write_to_approach_page_visibility(directory):
    await create_approach(directory, "relational-therapy", "Relational Therapy")
    sub = "bench-propagation"
    therapist_id, url, headers = await subject(directory, sub, "Bench Subject 0")
    await put_statement(directory, sub, therapist_id, "relational-therapy", "I work relationally.")

    async def on_the_page(name: str) -> None:
        while True:
            edges = await specialists(directory, "relational-therapy")
            if any(e["node"]["id"] == therapist_id and e["node"]["displayName"] == name for e in edges):
                return

    *_, worst = await timed_writes(
        directory, url, headers, "Bench Subject", on_the_page, "ApproachPage visibility"
    )
    assert worst < 2000


async def test_profile_write_to_a_subscriber(directory):
    """The same kind of write, each awaited by a `therapistChanged` subscriber on the gateway's
    WebSocket (through the real broker); goal: p95 under 500 ms over 50 writes."""
    therapist_id, url, headers = await subject(directory, "bench-subscription", "Watched Subject 0")
    subscription = {
        "id": "1",
        "type": "subscribe",
        "payload": {
            "query": "subscription W($id: ID!) { therapistChanged(id: $id) { displayName } }",
            "variables": {"id": therapist_id},
        },
    }
    async with directory.http.ws_connect(
        f"{directory.urls['gateway']}/graphql", protocols=("graphql-transport-ws",)
    ) as ws:
        await ws.send_json({"type": "connection_init"})
        assert (await ws.receive_json(timeout=5))["type"] == "connection_ack"
        await ws.send_json(subscription)
        await asyncio.sleep(0.2)  # subscribed before the first write

        async def heard(name: str) -> None:
            while True:
                message = await ws.receive_json()
                if (
                    message["type"] == "next"
                    and message["payload"]["data"]["therapistChanged"]["displayName"] == name
                ):
                    return

        _, p95, _ = await timed_writes(directory, url, headers, "Watched Subject", heard, "subscriber")
    assert p95 < 500
