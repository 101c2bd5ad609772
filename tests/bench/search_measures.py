"""What the search benchmarks measure, one way for all of them (`bench_search`, `bench_scale`).

The query is the directory's typical one: text, an approach, an insurer and a format within
50 km of a metro's centre, top 20 with every facet. It is measured in the service against the
bare engine for the same hits, then over HTTP against a replica in its own process, with the
benchmark as the load generator; last, events are published to the exchange and the time until
each change is found over HTTP is taken.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import random
import statistics
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp

from devstack.embedded_mongo import EmbeddedMongo
from integration_events.therapists import THERAPIST_CREATED, THERAPIST_UPDATED
from servicekit.envelope import new_event
from servicekit.settings import ServiceSettings
from services.search.domain import SearchQuery
from services.search.engine import SearchEngine
from services.search.index import SearchIndex, all_of, facet_aggregations
from tests.bench.synthetic import APPROACHES, INSURANCE, METROS, synthetic_therapist
from tests.integration.search.conftest import connected_bus
from tests.support import metric_value, service_env

ROOT = Path(__file__).resolve().parents[2]
READY_TIMEOUT = 1800
# The embedded server keeps the read model in its cache (250,000 profiles: ~2 GiB on disk).
EMBEDDED_CACHE = "8G"
# An oplog that holds the whole load, as one is sized for the writes it must cover: past its cap,
# each bulk write would also delete as many of the oldest entries.
EMBEDDED_OPLOG = 3_000_000


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def _status(pid: int | str) -> dict[str, float]:
    """MiB figures of /proc/<pid>/status."""
    lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    return {
        k: int(v.split()[0]) / 1024 for k, v in (line.split(":", 1) for line in lines) if v.endswith("kB")
    }


def rss_mib(pid: int | str = "self") -> tuple[float, float]:
    status = _status(pid)
    return status["VmRSS"], status["VmHWM"]


def rss_detail(pid: int | str) -> str:
    status = _status(pid)
    return (
        f"RSS {status['VmRSS']:.0f} MiB (heap and other anonymous {status['RssAnon']:.0f}, "
        f"mapped index files {status['RssFile']:.0f}), peak {status['VmHWM']:.0f} MiB"
    )


def bench_queries(n: int) -> list[dict]:
    rng = random.Random(11)
    queries = []
    for _ in range(n):
        city, state, zip_code, _ = rng.choice(METROS[:12])
        queries.append(
            {
                "text": rng.choice(["anxiety", "couples", "trauma healing", "grief", "shame", "family"]),
                "approach": rng.choice(APPROACHES[:10]),
                "insurance": rng.choice(INSURANCE[:5]),
                "format": "in_person",
                "zip": zip_code,
                "radius": "50",
            }
        )
    return queries


def as_search_query(params: dict) -> SearchQuery:
    return SearchQuery(
        text=params["text"],
        approaches=(params["approach"],),
        insurance=params["insurance"],
        formats=(params["format"],),
        zip=params["zip"],
        radius_km=float(params["radius"]),
    )


@dataclasses.dataclass
class BenchMongo:
    uri: str
    kind: str
    server: EmbeddedMongo | None  # None for MONGODB_URI

    def release_memory(self) -> None:
        """Restart the embedded server (its data is on disk), which keeps the memory of its
        largest query result for the next: at 1M profiles a full scan leaves it holding ~18 GiB
        of a 24 GiB machine, and the index files of the replica on the same machine would then be
        read from disk again and again. A real MongoDB streams a scan and runs elsewhere."""
        if self.server is not None:
            # A clean shutdown and start of many GiB of data take minutes, not the usual seconds.
            self.server.stop(timeout=600)
            self.server.start(timeout=600)


@contextlib.contextmanager
def bench_mongodb(folder: Path) -> Iterator[BenchMongo]:
    """The MongoDB to hold the read model: MONGODB_URI if set, else an embedded server of this
    benchmark's own (the test suite's in-memory one has too small a cache for 250,000 profiles)."""
    external = os.environ.get("MONGODB_URI")
    if external:
        yield BenchMongo(external, "MongoDB at MONGODB_URI", None)
        return
    server = EmbeddedMongo(storage=str(folder), cache_size=EMBEDDED_CACHE, oplog_entries=EMBEDDED_OPLOG)
    server.start()
    try:
        yield BenchMongo(server.uri, f"embedded SecantusDB, cache {EMBEDDED_CACHE}", server)
    finally:
        server.stop()


@contextlib.asynccontextmanager
async def replica_process(
    settings: ServiceSettings, extra_env: dict[str, str] | None = None
) -> AsyncIterator[tuple[str, int]]:
    # The service as operators run it: it builds its index from the read model (or starts from
    # a snapshot) before it is ready.
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "services.search",
        env={**service_env(settings), **(extra_env or {})},
        cwd=str(ROOT),
    )
    url = f"http://127.0.0.1:{settings.port}"
    try:
        async with aiohttp.ClientSession() as http:
            for _ in range(READY_TIMEOUT * 10):
                with contextlib.suppress(aiohttp.ClientError):
                    async with http.get(f"{url}/readyz") as response:
                        if response.status == 200:
                            break
                assert process.returncode is None, "the replica process exited"
                await asyncio.sleep(0.1)
            else:
                raise RuntimeError("the search replica did not become ready")
        yield url, process.pid
    finally:
        process.terminate()
        await process.wait()


@dataclasses.dataclass
class QueryTimes:
    """Milliseconds of the benchmark query, two passes of each kind pooled."""

    p50: float
    p95: float
    bare95: float  # the bare engine: top 20 and the count of the exact final query
    bare_with_facets95: float  # the same and the same facet aggregation
    median_hits: float


def in_service_times(index: SearchIndex, queries: int = 600, warm_up: int = 100) -> QueryTimes:
    """The query in the service against the bare tantivy work for the same hits.

    Each kind runs in passes of its own over the same queries (a query follows one of its own
    kind, as in a server under steady traffic, never the other kind's run of the same query,
    which would leave its postings in the CPU caches); the passes alternate and are pooled.
    """
    engine = SearchEngine(lambda built=index: built)
    spec = facet_aggregations()
    prepared = [as_search_query(params) for params in bench_queries(queries)]
    finals, totals = [], []
    for i, q in enumerate(prepared):  # the bare engine's exact query, prepared untimed
        center, radius = engine.place(q)
        base = all_of(index.parse_text(q.text), *engine.filters(index, q, radius))
        finals.append(all_of(base, index.within(base, center, radius)))
        totals.append(engine.search(q, i % 16).total)
        bare = index.searcher.search(finals[i], limit=20, count=True, weight_by_field=f"w_{i % 16}")
        assert bare.count == totals[i]

    def timed(run) -> list[float]:
        samples = []
        for i in range(len(prepared)):
            started = time.perf_counter()
            run(i)
            samples.append((time.perf_counter() - started) * 1000)
        return samples[warm_up:]

    def in_service(i: int) -> None:
        engine.search(prepared[i], i % 16)

    def bare_engine(i: int) -> None:
        index.searcher.search(finals[i], limit=20, count=True, weight_by_field=f"w_{i % 16}")

    def bare_engine_with_facets(i: int) -> None:
        bare_engine(i)
        index.searcher.aggregate(finals[i], spec)

    service_ms, bare_ms, bare_agg_ms = [], [], []
    for _ in range(2):
        service_ms += timed(in_service)
        bare_ms += timed(bare_engine)
        bare_agg_ms += timed(bare_engine_with_facets)
    return QueryTimes(
        p50=statistics.median(service_ms),
        p95=percentile(service_ms, 95),
        bare95=percentile(bare_ms, 95),
        bare_with_facets95=percentile(bare_agg_ms, 95),
        median_hits=statistics.median(totals[warm_up:]),
    )


@dataclasses.dataclass
class ReplicaBuild:
    """The replica's own index build at start-up, from its /metrics."""

    documents: float
    seconds: float
    first_batch_seconds: float


async def replica_build(http: aiohttp.ClientSession) -> ReplicaBuild:
    async with http.get("/metrics") as r:
        metrics = await r.text()
    return ReplicaBuild(
        documents=metric_value(metrics, "directory_search_index_build_documents"),
        seconds=metric_value(metrics, "directory_search_index_build_seconds", part="total"),
        first_batch_seconds=metric_value(metrics, "directory_search_index_build_seconds", part="first_batch"),
    )


async def _one_search(http: aiohttp.ClientSession, params: dict, bucket: int) -> float:
    t = time.perf_counter()
    async with http.get("/v1/therapists", params=params, headers={"X-Visitor-Session": f"s{bucket}"}) as r:
        assert r.status == 200
        await r.read()
    return (time.perf_counter() - t) * 1000


async def http_one_client(http: aiohttp.ClientSession, queries: int = 500) -> list[float]:
    """Milliseconds of each query over HTTP, one after another (warm-up excluded)."""
    return [await _one_search(http, p, i) for i, p in enumerate(bench_queries(queries))][100:]


async def http_throughput(http: aiohttp.ClientSession, clients: int = 20, seconds: float = 10) -> float:
    """Queries a second over HTTP with `clients` concurrent clients (the session's pool at least as big)."""
    pool = bench_queries(2000)
    done = 0
    deadline = time.perf_counter() + seconds

    async def client_loop(k: int) -> None:
        nonlocal done
        j = k
        while time.perf_counter() < deadline:
            await _one_search(http, pool[j % len(pool)], j)
            done += 1
            j += clients

    started = time.perf_counter()
    await asyncio.gather(*(client_loop(k) for k in range(clients)))
    return done / (time.perf_counter() - started)


async def _updates_at(bus, rate: float, therapists: int, stop: asyncio.Event) -> int:
    """Profile updates of listed therapists published at `rate` a second until `stop`."""
    rng = random.Random(9)
    sent = 0
    # Versions from the clock: newer than any stored, by this run or one before, so each applies.
    first_version = time.time_ns() // 1000
    started = time.perf_counter()
    while not stop.is_set():
        data = synthetic_therapist(rng.randrange(therapists), rng, ["59601"])["profile"]
        data["version"] = first_version + sent
        await bus.publish(new_event(type=THERAPIST_UPDATED, source="/bench", subject=data["id"], data=data))
        sent += 1
        await asyncio.sleep(max(0.0, started + sent / rate - time.perf_counter()))
    return sent


async def write_to_visible(
    http: aiohttp.ClientSession,
    amqp_url: str,
    therapists: int,
    *,
    writes: int = 60,
    background_per_second: float = 0,
    new_ids_from: int | None = None,
) -> tuple[list[float], float]:
    """Milliseconds from a new profile's event published to its card found over HTTP, for each
    of `writes` new profiles (ids from `new_ids_from`, by default past the `therapists` listed;
    the first ten excluded as warm-up), while updates of the listed ones go on at
    `background_per_second`; and the rate they went at."""
    bus = await connected_bus(amqp_url, "bench")
    stop = asyncio.Event()
    background_started = time.perf_counter()
    background = (
        asyncio.create_task(_updates_at(bus, background_per_second, therapists, stop))
        if background_per_second
        else None
    )
    rng = random.Random(5)
    visibility = []
    try:
        for k in range(writes):
            # ids past those of the read model, so each event is a new profile
            first = therapists if new_ids_from is None else new_ids_from
            data = synthetic_therapist(first + k, rng, ["59601"])["profile"]
            token = f"zephyrine{k}qx"
            data.update(displayName=f"Wren Quillfield {token}")
            t = time.perf_counter()
            await bus.publish(
                new_event(type=THERAPIST_CREATED, source="/bench", subject=data["id"], data=data)
            )
            while True:
                async with http.get("/v1/therapists", params={"text": token, "first": "1"}) as r:
                    if (await r.json())["totalCount"]:
                        break
                assert time.perf_counter() - t < 10
                await asyncio.sleep(0.002)
            visibility.append((time.perf_counter() - t) * 1000)
    finally:
        stop.set()
        sent = await background if background is not None else 0
        await bus.close()
    return visibility[10:], sent / (time.perf_counter() - background_started)
