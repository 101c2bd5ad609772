"""The uncached path: requests through the gateway that no cache can answer, on the directory as
`./dev up` runs it (`python -m devstack`: embedded database on disk, demo data, every service).

Run with `./dev bench tests/bench/bench_uncached.py -s` (UNCACHED_SECONDS sets each phase's
length, 20 s). The load generator is `wrk` (tests/load/wrk.py: each request's body from a file written
beforehand), 50 keep-alive connections, one request in flight on each, on the same two cores as
everything else. Phases, each after a short warm-up of its own kind:
- long-tail search: the contract's `Search`, each request's variables built from one demo
  therapist (tests/load/long_tail.py) and none alike, so neither the response cache nor the read
  cache can answer;
- ApproachPage: every request a different (slug, first, after), the cursors collected first from
  the pages themselves, so every response-cache lookup misses.
Each phase prints requests/s, p50/p99, errors and the CPU time each process spent per request
(gateway, each service, the database server, the supervisor, the load generator); the goals are
asserted at the end.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import time
from pathlib import Path

import aiohttp
import orjson
import pytest

from tests.bench.calibration import machine_line
from tests.load import wrk
from tests.load.cpu import SystemCpu, cpu_line
from tests.load.load_directory import OPERATIONS, Directory
from tests.load.long_tail import long_tail_searches

pytestmark = pytest.mark.bench

SECONDS = float(os.environ.get("UNCACHED_SECONDS", "20"))
WARM_UP_SECONDS = 3.0
CONNECTIONS = 50
# Bodies written per phase: more than the fastest run could send, so none is sent twice.
BODIES = int(os.environ.get("UNCACHED_BODIES", str(int(2000 * (SECONDS + WARM_UP_SECONDS)))))
SEARCH = (OPERATIONS / "Search.graphql").read_text()
APPROACH_PAGE = (OPERATIONS / "ApproachPage.graphql").read_text()
CATALOGUE = Path(__file__).resolve().parents[2] / "devstack" / "demo" / "approaches.json"


def search_bodies(searches, count: int) -> list[wrk.Request]:
    return [
        wrk.graphql("search", orjson.dumps({"query": SEARCH, "variables": v, "operationName": "Search"}))
        for v in itertools.islice(searches, count)
    ]


async def approach_cursors(http: aiohttp.ClientSession, gateway: str) -> dict[str, list[str]]:
    """Every specialist's cursor on every approach page (walked one at a time, no session)."""
    query = "query C($slug: String!, $after: String) { approach(slug: $slug) { specialists(first: 100, after: $after) { edges { cursor } } } }"
    cursors: dict[str, list[str]] = {}
    for approach in json.loads(CATALOGUE.read_text()):
        slug = approach["slug"]
        variables = {"slug": slug, "after": None}
        async with http.post(f"{gateway}/graphql", json={"query": query, "variables": variables}) as r:
            page = (await r.json())["data"]["approach"]
        cursors[slug] = [e["cursor"] for e in page["specialists"]["edges"]] if page else []
    return cursors


def approach_page_bodies(cursors: dict[str, list[str]], seed: int) -> list[wrk.Request]:
    """Every (slug, first, after) once, in a random order: first from 2 to 30, after none or
    any specialist's cursor but the last."""
    combinations = [
        {"slug": slug, "first": first, "after": after}
        for slug, found in cursors.items()
        for after in [None, *found[:-1]]
        for first in range(2, 31)
    ]
    random.Random(seed).shuffle(combinations)
    return [
        wrk.graphql(
            "page", orjson.dumps({"query": APPROACH_PAGE, "variables": v, "operationName": "ApproachPage"})
        )
        for v in combinations
    ]


def measured(name: str, system: SystemCpu, url: str, bodies: list[wrk.Request], folder: Path) -> dict:
    warm_up, bodies = bodies[: len(bodies) // 8], bodies[len(bodies) // 8 :]
    wrk.run(url, warm_up, WARM_UP_SECONDS, folder, connections=CONNECTIONS)
    load = os.getloadavg()[0]
    result = wrk.run_measured(system, url, bodies, SECONDS, folder, connections=CONNECTIONS)
    (figures,) = result["operations"].values()
    result.update(p50_ms=figures["p50_ms"], p99_ms=figures["p99_ms"])
    print(
        f"{name}: {result['rps']:.1f} req/s  p50 {result['p50_ms']:.1f} ms  p99 {result['p99_ms']:.1f} ms  "
        f"errors {result['errors']}  ({result['requests']} requests in "
        f"{result['seconds']:.1f} s, {result['repeated']} bodies sent twice; load average before {load:.2f})"
    )
    print(f"  {cpu_line(result['cpu'])}")
    return result


async def test_requests_no_cache_can_answer(amqp_url, tmp_path):
    wrk.skip_unless_installed()
    print(f"\n{machine_line()}")
    directory = Directory(tmp_path, amqp_url)
    try:
        startup = await directory.start()
        print(f"`python -m devstack` ready with demo data in {startup:.1f} s; {CONNECTIONS} connections")
        system = SystemCpu(directory.process.pid)
        gateway = directory.urls["gateway"]
        searches = long_tail_searches(seed=int(time.time()))
        search = measured("long-tail search", system, gateway, search_bodies(searches, BODIES), tmp_path)
        async with aiohttp.ClientSession() as http:
            cursors = await approach_cursors(http, gateway)
        bodies = approach_page_bodies(cursors, seed=int(time.time()))
        page = measured("ApproachPage, first/after varied", system, gateway, bodies, tmp_path)
    finally:
        directory.stop()
    for result in (search, page):
        assert result["errors"] == result["repeated"] == 0, (result, result["samples"])
    print(
        f"goals: long-tail search {search['rps']:.0f} req/s (>= 600), p99 {search['p99_ms']:.0f} ms (< 150); "
        f"ApproachPage {page['rps']:.0f} req/s (>= 800), p99 {page['p99_ms']:.0f} ms (< 150)"
    )
    assert search["rps"] >= 600 and search["p99_ms"] < 150
    assert page["rps"] >= 800 and page["p99_ms"] < 150
