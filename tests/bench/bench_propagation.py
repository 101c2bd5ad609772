"""From a profile write to its visibility on the approach page through the gateway.

Run with `./dev bench tests/bench/bench_propagation.py -s`. Prints the median and worst of 50
writes; each write is a PATCH of the display name, then ApproachPage is polled every 2 ms
until the new name shows.
"""

from __future__ import annotations

import statistics
import time

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


async def test_profile_write_to_approach_page_visibility(directory):
    await create_approach(directory, "relational-therapy", "Relational Therapy")
    sub = "bench-propagation"
    therapist_id = await create_therapist(
        directory,
        sub,
        {
            "displayName": "Bench Subject 0",
            "title": "Licensed Professional Counselor",
            "location": {"city": "Boise", "state": "ID"},
        },
    )
    await put_statement(directory, sub, therapist_id, "relational-therapy", "I work relationally.")
    headers = auth_header(sub, "therapist")
    url = f"{directory.urls['profiles']}/v1/therapists/{therapist_id}"
    latencies = []
    for n in range(1, WRITES + 1):
        name = f"Bench Subject {n}"
        started = time.perf_counter()
        async with directory.http.patch(url, json={"displayName": name}, headers=headers) as response:
            assert response.status == 200
        while True:
            edges = await specialists(directory, "relational-therapy")
            if any(e["node"]["id"] == therapist_id and e["node"]["displayName"] == name for e in edges):
                break
            if time.perf_counter() - started > 10:
                raise AssertionError(f"write {n} not visible after 10 s")
        latencies.append((time.perf_counter() - started) * 1000)
    median, worst = statistics.median(latencies), max(latencies)
    print(
        f"\nwrite -> ApproachPage visibility over {WRITES} writes: "
        f"median {median:.1f} ms, p95 {sorted(latencies)[int(0.95 * WRITES) - 1]:.1f} ms, "
        f"worst {worst:.1f} ms"
    )
    assert worst < 2000
