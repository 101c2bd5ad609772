"""Search at national scale: how one replica's figures grow from 250,000 to 1,000,000 profiles.

The read model grows in steps (`BENCH_SCALE_SIZES`, default 250000,500000,1000000): each step's
synthetic profiles are added through the read model's bulk write to those of the step before (the
same profiles as if written at once), timed. At each size, after one untimed full read of the read
model: a replica in its own process builds its index from it at start-up (its /metrics) and
writes its snapshot; the query of `bench_search` is measured in this process, on an index opened
from that snapshot, against the bare engine for the same hits; then a second replica starts from
the snapshot (timed until ready), serves HTTP to one client and to 20, and is asked for new
profiles while updates of listed ones are published at 50 a second. A table of the figures at
each size, with the growth factor from one size to the next, is printed, then the goals are
checked.

Run: ./dev bench tests/bench/bench_scale.py (MONGODB_URI as in `bench_search`).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import gc
import os
import random
import statistics
import time
from pathlib import Path

import aiohttp
import pytest
from bson.codec_options import CodecOptions
from bson.raw_bson import RawBSONDocument
from pymongo import AsyncMongoClient

from services.search.index import SearchIndex
from services.search.index.snapshot_store import SnapshotStore
from services.search.store import ReadModel
from tests.bench.calibration import machine_line
from tests.bench.search_measures import (
    BenchMongo,
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
from tests.bench.synthetic import load_read_model, synthetic_workers
from tests.integration.search.conftest import purge_search_queue
from tests.support import metric_value

SIZES = [int(n) for n in os.environ.get("BENCH_SCALE_SIZES", "250000,500000,1000000").split(",")]
BACKGROUND_WRITES = 50  # profile updates a second while write-to-visible is measured
MIB = 1024


@dataclasses.dataclass
class Figure:
    label: str
    unit: str
    goal: str
    values: dict[int, float] = dataclasses.field(default_factory=dict)


FIGURES = {
    "load": Figure("profiles generated and written, all so far", "s", "< 2 min at 1M"),
    "load_rate": Figure("  rate of this step", "/s", ">= 8,334/s"),
    "build": Figure("index build in the replica at start-up", "s", "< 30 s per 250k"),
    "first_batch": Figure("  of it until the database's first batch", "s", ""),
    "service95": Figure("query p95 in the service", "ms", "< 5 ms"),
    "bare95": Figure("  bare engine, same hits", "ms", ""),
    "ratio": Figure("  service / bare engine", "x", "<= 2x"),
    "hits": Figure("  median hits", "", ""),
    "http95": Figure("HTTP p95, one client", "ms", "< 8 ms"),
    "rate": Figure("HTTP, 20 clients", "q/s", ">= 400 q/s"),
    "build_peak": Figure("replica peak resident memory, build", "MiB", "< 1,536 MiB at 1M"),
    "rss": Figure("replica resident memory, serving", "MiB", ""),
    "peak": Figure("replica peak resident memory, serving", "MiB", "< 1,536 MiB at 1M"),
    "seen95": Figure("write -> visible p95, 50 writes/s", "ms", "< 150 ms"),
    "background": Figure("  background writes", "/s", ""),
    "snapshot_write": Figure("snapshot written after the build", "s", ""),
    "snapshot_size": Figure("  its files (hard links to the index's)", "MiB", ""),
    "restart": Figure("restart from the snapshot until ready", "s", "< 10 s at 1M"),
    "restore_verify": Figure("  of it checking the files", "s", ""),
    "restore_open": Figure("  opening the index and its table", "s", ""),
    "restore_catch_up": Figure("  catching up from the change stream", "s", ""),
}


def _table() -> str:
    sizes = sorted(FIGURES["build"].values)
    growth = list(zip(sizes, sizes[1:], strict=False))
    header = [
        "measure",
        *(f"{n:,}" for n in sizes),
        *(f"x {b // a if b % a == 0 else b / a}" for a, b in growth),
    ]
    rows = [header]
    for figure in FIGURES.values():
        values = [figure.values.get(n) for n in sizes]
        cells = [
            f"{v:,.2f}" if v is not None and v < 100 else f"{v:,.0f}" if v is not None else "" for v in values
        ]
        factors = [
            f"{figure.values[b] / figure.values[a]:.2f}"
            if figure.values.get(a) and b in figure.values
            else ""
            for a, b in growth
        ]
        rows.append([f"{figure.label} ({figure.unit})" if figure.unit else figure.label, *cells, *factors])
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [
        "  ".join(
            cell.ljust(w) if i == 0 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in rows
    ]
    return "\n".join(lines)


@pytest.mark.bench
async def test_search_at_national_scale(infra, tmp_path):
    print("\n" + machine_line())
    failures: list[str] = []
    with bench_mongodb(tmp_path / "mongodb") as mongodb, contextlib.ExitStack() as stack:
        print(f"read model in {mongodb.kind}; sizes {', '.join(f'{n:,}' for n in SIZES)}")
        scaled = dataclasses.replace(infra, mongodb_uri=mongodb.uri)
        database = f"search_scale_{random.randrange(1 << 30):x}"
        client = AsyncMongoClient(mongodb.uri, tz_aware=True)
        read_model = ReadModel(client[database])
        loaded = 0
        loading = 0.0
        workers_started = time.perf_counter()  # their start-up counts in the first step
        try:
            workers = stack.enter_context(synthetic_workers())
            for size in SIZES:
                started = time.perf_counter() if loaded else workers_started
                await load_read_model(read_model, size - loaded, start=loaded, workers=workers)
                step = time.perf_counter() - started
                loading += step
                FIGURES["load"].values[size] = loading
                FIGURES["load_rate"].values[size] = (size - loaded) / step
                loaded = size
                print(f"\n---- {size:,} profiles (this step written in {step:.1f} s, {loading:.1f} s in all)")
                await _measure(scaled, mongodb, read_model, size, tmp_path / f"replica-{size}")
                print(_table())
        finally:
            await client.drop_database(database)
            await client.close()
    print("\n" + machine_line())
    print(_table())
    _check_goals(failures)
    assert not failures, "; ".join(failures)


async def _measure(infra, mongodb: BenchMongo, read_model: ReadModel, size: int, files: Path) -> None:
    def record(name: str, value: float) -> None:
        FIGURES[name].values[size] = value

    settings = infra.settings("search", database=read_model.db.name)
    await purge_search_queue(infra.amqp_url)
    # Index and snapshot on one file system, as deploy/ keeps them.
    disk = {"SEARCH_INDEX_DIR": str(files), "SEARCH_SNAPSHOT_DIR": str(files / "snapshots")}
    await asyncio.to_thread(files.mkdir, parents=True)
    await _scan_untimed(read_model)
    async with replica_process(settings, disk) as (url, pid), aiohttp.ClientSession(url) as http:
        built = await replica_build(http)
        record("build", built.seconds)
        record("first_batch", built.first_batch_seconds)
        record("snapshot_write", await _snapshot_written(http))
        record("build_peak", rss_mib(pid)[1])
        print(
            f"replica: {built.documents:,.0f} documents built in {built.seconds:.1f} s "
            f"({built.first_batch_seconds:.1f} s until the first batch), snapshot written in "
            f"{FIGURES['snapshot_write'].values[size]:.1f} s; {rss_detail(pid)}"
        )
        listed = await _listed(http)
    await asyncio.to_thread(mongodb.release_memory)

    times = await asyncio.to_thread(_in_service_times, settings.database, files / "snapshots")
    record("service95", times.p95)
    record("bare95", times.bare95)
    record("ratio", times.p95 / times.bare95)
    record("hits", times.median_hits)
    print(
        f"in-service p50 {times.p50:.2f} ms, p95 {times.p95:.2f} ms; bare engine p95 {times.bare95:.2f} ms "
        f"(ratio {times.p95 / times.bare95:.2f}x); median hits {times.median_hits:.0f}"
    )

    started = time.perf_counter()
    async with (
        replica_process(settings, disk) as (url, pid),
        aiohttp.ClientSession(url, connector=aiohttp.TCPConnector(limit=20)) as http,
    ):
        await _restarted(http, time.perf_counter() - started, files, size, listed)
        record("rss", rss_mib(pid)[0])
        print(f"restarted replica: {rss_detail(pid)}")
        latencies = await http_one_client(http)
        record("http95", percentile(latencies, 95))
        record("rate", await http_throughput(http))
        print(
            f"HTTP one client p50 {statistics.median(latencies):.2f} ms, p95 {FIGURES['http95'].values[size]:.2f} ms; "
            f"20 clients {FIGURES['rate'].values[size]:.0f} q/s"
        )
        visibility, background = await write_to_visible(
            http,
            infra.amqp_url,
            size,
            background_per_second=BACKGROUND_WRITES,
            new_ids_from=max(SIZES) + size,  # never an id a later step loads
        )
        record("seen95", percentile(visibility, 95))
        record("background", background)
        record("peak", rss_mib(pid)[1])
        print(
            f"write -> visible with {background:.0f} updates/s: p50 {statistics.median(visibility):.0f} ms, "
            f"p95 {FIGURES['seen95'].values[size]:.0f} ms, max {max(visibility):.0f} ms; {rss_detail(pid)}"
        )


async def _scan_untimed(read_model: ReadModel) -> None:
    """One full read of the therapists, not decoded. The embedded server's first full scan after
    it starts faults its memory in afresh (at 500k profiles: 16 s before the first batch, 5 s for
    the next scan); the replica's build is timed against a server that has scanned once, as a
    database in service has."""
    raw = read_model.therapists.with_options(codec_options=CodecOptions(document_class=RawBSONDocument))
    async for _ in raw.find({}, batch_size=5000):
        pass


def _in_service_times(database: str, snapshots: Path):
    """The query in this process, on an index opened from the replica's snapshot (the same index
    its build made, without a second full scan of the read model)."""
    store = SnapshotStore(str(snapshots), database)
    folder = store.snapshots()[0]
    with store.reading(folder):
        index = SearchIndex.from_snapshot(folder)
    try:
        return in_service_times(index)
    finally:
        del index  # its folder goes with it
        gc.collect()


async def _snapshot_written(http: aiohttp.ClientSession, timeout: float = 300.0) -> float:
    """Seconds the replica's first snapshot (taken right after its build) took to write."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        async with http.get("/metrics") as response:
            metrics = await response.text()
        if metric_value(metrics, "directory_search_snapshots_total", outcome="written") >= 1:
            return metric_value(metrics, "directory_search_snapshot_write_seconds")
        await asyncio.sleep(0.5)
    raise AssertionError("the replica wrote no snapshot")


async def _listed(http: aiohttp.ClientSession) -> int:
    async with http.get("/v1/therapists", params={"first": "1"}) as response:
        return (await response.json())["totalCount"]


def _bytes_under(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


async def _restarted(
    http: aiohttp.ClientSession, ready_after: float, files: Path, size: int, listed: int
) -> None:
    """The figures of a replica started beside the same read model and the snapshot the first one
    left, ready after `ready_after` seconds."""
    snapshot_bytes = await asyncio.to_thread(_bytes_under, files / "snapshots")
    FIGURES["snapshot_size"].values[size] = snapshot_bytes / (1 << 20)
    FIGURES["restart"].values[size] = ready_after
    async with http.get("/metrics") as response:
        metrics = await response.text()
    assert metric_value(metrics, "directory_search_snapshots_total", outcome="restored") == 1, (
        "the second replica built its index instead of starting from the snapshot"
    )
    for part in ("verify", "open", "catch_up"):
        FIGURES[f"restore_{part}"].values[size] = metric_value(
            metrics, "directory_search_index_restore_seconds", part=part
        )
    # It holds at least what the first replica served last.
    assert await _listed(http) >= listed
    print(
        f"restart from a {snapshot_bytes / (1 << 20):,.0f} MiB snapshot: ready after {ready_after:.1f} s "
        f"(checking {FIGURES['restore_verify'].values[size]:.1f} s, opening "
        f"{FIGURES['restore_open'].values[size]:.1f} s, catching up "
        f"{FIGURES['restore_catch_up'].values[size]:.1f} s)"
    )


def _check_goals(failures: list[str]) -> None:
    def over(name: str, limit_of, what: str) -> None:
        for size, value in FIGURES[name].values.items():
            if value >= limit_of(size):
                failures.append(f"{what} at {size:,}: {value:.2f} (goal < {limit_of(size):.2f})")

    over("service95", lambda _: 5, "in-service p95 ms")
    over("http95", lambda _: 8, "HTTP p95 ms")
    over("build", lambda n: 30 * n / 250_000, "replica's build s")
    over("load", lambda n: 120 * max(1, n / 1_000_000), "generating and writing s")
    over("seen95", lambda _: 150, "write -> visible p95 ms")
    over("build_peak", lambda _: 1.5 * MIB, "replica peak RSS building MiB")
    over("peak", lambda _: 1.5 * MIB, "replica peak RSS serving MiB")
    over("restart", lambda n: 10 * max(1, n / 1_000_000), "restart from a snapshot s")
    for size, ratio in FIGURES["ratio"].values.items():
        if ratio > 2:
            failures.append(f"in-service / bare engine at {size:,}: {ratio:.2f} (goal <= 2)")
    for size, rate in FIGURES["rate"].values.items():
        if rate < 400:
            failures.append(f"20 clients at {size:,}: {rate:.0f} q/s (goal >= 400)")
