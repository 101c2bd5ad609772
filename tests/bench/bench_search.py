"""Search benchmark: 250,000 synthetic therapists (most in big metros, 3 to 8 approaches, long bios).

Measures and prints: index build time from the read model in MongoDB; in-service p95 of a query with text,
three filters and a 50 km radius (top 20 with facets) and its ratio to the bare tantivy work for
the same hits; the resident memory of one replica process; over HTTP the single-client p95 and
the throughput with 20 concurrent clients; and write-to-visibility p95 (event published to the
exchange -> the card found over HTTP).

Run: .venv/bin/python -m pytest -m bench tests/bench/bench_search.py -s
(BENCH_THERAPISTS overrides the number of profiles. With MONGODB_URI set, the read model goes to
that MongoDB; otherwise to an embedded server of the benchmark's own, whose cache holds it all.)
"""

from __future__ import annotations

import dataclasses
import gc
import os
import random
import statistics
import time

import aiohttp
import pytest
from pymongo import AsyncMongoClient

from services.search.index import FACET_NAMES
from services.search.store import ReadModel
from services.search.sync import IndexSync
from tests.bench.calibration import machine_line
from tests.bench.search_measures import (
    bench_mongodb,
    http_one_client,
    http_throughput,
    in_service_times,
    percentile,
    replica_build,
    replica_process,
    rss_detail,
    rss_mib,
    write_to_visible,
)
from tests.bench.synthetic import load_read_model
from tests.integration.search.conftest import purge_search_queue

THERAPISTS = int(os.environ.get("BENCH_THERAPISTS", "250000"))


@pytest.mark.bench
async def test_search_benchmark(infra, tmp_path):
    """The read model of THERAPISTS profiles is written to MongoDB (untimed), then an index is
    built from it as a replica builds one at start-up (timed). HTTP is measured against a replica
    in its own process, which builds its own index from the same read model and then follows its
    change stream, with this process as the load generator."""
    print("\n" + machine_line())
    failures: list[str] = []
    with bench_mongodb(tmp_path / "mongodb") as mongodb:
        await _measure(dataclasses.replace(infra, mongodb_uri=mongodb.uri), mongodb.kind, failures)
    assert not failures, "; ".join(failures)


async def _measure(infra, mongodb_kind: str, failures: list[str]) -> None:
    # ---- the read model in MongoDB, then the index build from it
    database = f"search_bench_{random.randrange(1 << 30):x}"
    client = AsyncMongoClient(infra.mongodb_uri, tz_aware=True)
    db = client[database]
    read_model = ReadModel(db)
    started = time.perf_counter()
    await load_read_model(read_model, THERAPISTS)
    loading = time.perf_counter() - started
    sync = IndexSync(read_model)
    index = await sync.build()
    rss, peak = rss_mib()
    print(
        f"\nindex build from the read model in MongoDB ({mongodb_kind}), {index.size} profiles: "
        f"{sync.build_seconds:.1f} s, of which {sync.build_first_batch_seconds:.1f} s until MongoDB's first "
        f"batch and {sync.build_waited_on_mongo:.1f} s waiting on MongoDB in all (generating and writing the "
        f"read model took {loading:.1f} s before, excluded); segments {index.searcher.num_segments}"
    )
    print(f"bench process RSS with the {THERAPISTS}-profile index: {rss:.0f} MiB (peak {peak:.0f} MiB)")
    if sync.build_seconds >= 30:
        failures.append(f"index build {sync.build_seconds:.1f} s (goal < 30 s)")

    # ---- in-service query and the bare engine for the same hits
    times = in_service_times(index)
    p95, bare95 = times.p95, times.bare95
    print(
        f"in-service query (text + approach + insurance + format + 50 km, top 20 + "
        f"{len(FACET_NAMES)} facets), two passes: "
        f"p50 {times.p50:.2f} ms, p95 {p95:.2f} ms; median hits {times.median_hits:.0f}"
    )
    print(
        f"bare tantivy, exact final query, two passes: top-20+count p95 {bare95:.2f} ms "
        f"(ratio {p95 / bare95:.2f}x); top-20+count+same facet aggregation p95 "
        f"{times.bare_with_facets95:.2f} ms (ratio {p95 / times.bare_with_facets95:.2f}x)"
    )
    if p95 >= 5 or p95 / bare95 > 2:
        failures.append(f"in-service p95 {p95:.2f} ms, ratio {p95 / bare95:.2f}x (goals < 5 ms, <= 2x)")
    del index
    gc.collect()

    # ---- a replica in its own process: memory, HTTP, and write-to-visibility through queue + stream
    settings = infra.settings("search", database=database)
    await purge_search_queue(infra.amqp_url)
    async with (
        replica_process(settings) as (url, pid),
        aiohttp.ClientSession(url, connector=aiohttp.TCPConnector(limit=20)) as http,
    ):
        print(f"replica process serving {THERAPISTS} profiles: {rss_detail(pid)}")
        built = await replica_build(http)
        print(
            f"replica's own index build at start-up (its /metrics): {built.documents:.0f} documents in "
            f"{built.seconds:.1f} s, of which {built.first_batch_seconds:.1f} s until MongoDB's first batch"
        )
        if built.seconds >= 30:
            failures.append(f"the replica's index build {built.seconds:.1f} s (goal < 30 s)")

        latencies = await http_one_client(http)
        http95 = percentile(latencies, 95)
        print(
            f"HTTP, one client (replica in its own process): p50 {statistics.median(latencies):.2f} ms, "
            f"p95 {http95:.2f} ms"
        )
        rate = await http_throughput(http)
        print(f"HTTP, 20 concurrent clients (load generator in this process): {rate:.0f} queries/s")
        print(f"replica process after the HTTP load: {rss_detail(pid)}")
        if http95 >= 8 or rate < 400:
            failures.append(f"HTTP p95 {http95:.2f} ms, {rate:.0f} q/s (goals < 8 ms, >= 400 q/s)")

        visibility, _ = await write_to_visible(http, infra.amqp_url, THERAPISTS)
        seen95 = percentile(visibility, 95)
        print(
            f"write-to-visibility (event published -> found over HTTP), {len(visibility)} writes: "
            f"p50 {statistics.median(visibility):.0f} ms, p95 {seen95:.0f} ms, "
            f"max {max(visibility):.0f} ms"
        )
        if seen95 >= 150:
            failures.append(f"write-to-visibility p95 {seen95:.0f} ms (goal < 150 ms)")
        rss, peak = rss_mib(pid)
        print(f"replica process at the end: {rss_detail(pid)}")
        if peak >= 1024:
            failures.append(f"replica peak RSS {peak:.0f} MiB (goal < 1 GiB)")
    await client.drop_database(database)
    await client.close()
