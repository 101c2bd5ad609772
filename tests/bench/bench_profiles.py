"""Benchmark: profile updates over HTTP against bare MongoDB transactions, in the same run.

20 concurrent clients PATCH their own profiles through the profiles service (token check, JSON
Merge Patch, validation, the profile and its outbox event in one transaction) on the embedded
database. The baseline is 20 concurrent bare transactions touching the same documents: the
profile (a `$set` and `$inc` of its version) and one outbox document.
Goals: at least 300 updates/s, and throughput and p95 each within 2x of the baseline.

The two kinds of run alternate (bare, HTTP, bare, HTTP, bare, HTTP, bare), so that a change in
the machine or the database over the run weighs on both alike; each kind's figures pool its runs.
Beside the figures, the CPU time the database server and the service spent per update shows where
the cost lies (on this 2-core machine the embedded database is the bottleneck).

Run: .venv/bin/python -m pytest -m bench -s tests/bench/bench_profiles.py
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import statistics
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp
import pytest

from integration_events.subscriptions import DURABLE_SUBSCRIPTIONS
from servicekit.mongo import connect
from servicekit.outbox import row_key
from servicekit.settings import ServiceSettings
from servicekit.unit_of_work import run_in_transaction
from tests.bench.calibration import machine_line
from tests.support import purge_queues, service_env, token, wait_ready

CLIENTS = 20
UPDATES_PER_CLIENT = 100
WARM_UP_PER_CLIENT = 10
ROUNDS = 3  # HTTP runs; the bare runs number one more and enclose them
PROFILE = {
    "displayName": "Bench Therapist",
    "title": "Licensed Clinical Social Worker",
    "location": {"city": "Portland", "state": "OR"},
    "languages": ["en", "es-MX"],
    "issues": [{"slug": "anxiety", "top": True}, {"slug": "grief"}],
    "money": {
        "fees": [{"sessionType": "individual", "amountUsd": 140}],
        "slidingScale": {"minUsd": 60, "maxUsd": 140},
    },
    "bio": {"about": "I work with adults navigating change, loss and anxiety. " * 6},
}


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def database_server_pid(mongodb_uri: str) -> int | None:
    """The embedded server's process, found by its port; None for a MongoDB elsewhere."""
    port = urlsplit(mongodb_uri).port
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        with contextlib.suppress(OSError):
            args = cmdline.read_bytes().split(b"\0")
            if any(b"secantusd" in a for a in args) and f"{port}".encode() in args:
                return int(cmdline.parent.name)
    return None


class Run:
    def __init__(self, name: str) -> None:
        self.name = name
        self.latencies: list[float] = []
        self.elapsed = 0.0
        self.cpu: dict[str, float] = {}

    def add(self, other: Run) -> None:
        self.latencies += other.latencies
        self.elapsed += other.elapsed
        for process, seconds in other.cpu.items():
            self.cpu[process] = self.cpu.get(process, 0.0) + seconds

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.elapsed

    @property
    def p95_ms(self) -> float:
        return statistics.quantiles(self.latencies, n=100)[94] * 1000

    @property
    def p50_ms(self) -> float:
        return statistics.median(self.latencies) * 1000

    def line(self) -> str:
        cpu = "  ".join(
            f"{process} CPU {1000 * seconds / len(self.latencies):.2f} ms/update"
            for process, seconds in self.cpu.items()
        )
        return (
            f"{self.name:<34} {len(self.latencies):>6} updates  {self.throughput:8.1f}/s  "
            f"p50 {self.p50_ms:7.2f} ms  p95 {self.p95_ms:7.2f} ms  {cpu}"
        )


async def measure(name: str, update: Callable[[int, int], Awaitable[None]], processes: dict[str, int]) -> Run:
    """Each of CLIENTS workers updates its own document: a warm-up, then the timed updates."""
    run = Run(name)

    async def client(worker: int, count: int, record: bool) -> None:
        for n in range(count):
            started = time.perf_counter()
            await update(worker, n)
            if record:
                run.latencies.append(time.perf_counter() - started)

    await asyncio.gather(*(client(w, WARM_UP_PER_CLIENT, False) for w in range(CLIENTS)))
    cpu_before = {process: cpu_seconds(pid) for process, pid in processes.items()}
    started = time.perf_counter()
    await asyncio.gather(*(client(w, UPDATES_PER_CLIENT, True) for w in range(CLIENTS)))
    run.elapsed = time.perf_counter() - started
    run.cpu = {process: cpu_seconds(pid) - cpu_before[process] for process, pid in processes.items()}
    return run


@contextlib.asynccontextmanager
async def profiles_process(settings: ServiceSettings) -> AsyncIterator[tuple[str, int]]:
    """The service as it runs in production: its own process (`python -m services.profiles`)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "services.profiles", env=service_env(settings)
    )
    url = f"http://127.0.0.1:{settings.port}"
    try:
        await wait_ready(url, timeout=30)
        yield url, process.pid
    finally:
        process.terminate()
        await process.wait()
        # Its events went to the durable queues of consumers this benchmark does not run; left
        # there, they would be the backlog of the next benchmark's consumers in this vhost.
        await purge_queues(settings.amqp_url, [s.queue for s in DURABLE_SUBSCRIPTIONS])


@pytest.mark.bench
async def test_profile_updates_over_http_keep_up_with_bare_transactions(infra):
    settings = infra.settings("profiles", database=f"profiles_bench_{uuid.uuid4().hex[:8]}")
    async with (
        profiles_process(settings) as (url, service_pid),
        aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=CLIENTS)) as http,
    ):
        subs = [f"bench-{uuid.uuid4().hex[:8]}" for _ in range(CLIENTS)]
        headers = [
            {"Authorization": f"Bearer {token(sub)}", "Content-Type": "application/merge-patch+json"}
            for sub in subs
        ]
        ids = []
        for sub in subs:
            async with http.post(
                f"{url}/v1/therapists", json=PROFILE, headers={"Authorization": f"Bearer {token(sub)}"}
            ) as response:
                assert response.status == 201
                ids.append((await response.json())["id"])

        async def patch_over_http(worker: int, n: int) -> None:
            body = f'{{"pronouns": "they/them {n}", "money": {{"slidingScale": {{"minUsd": {n % 60}}}}}}}'
            async with http.patch(
                f"{url}/v1/therapists/{ids[worker]}", data=body, headers=headers[worker]
            ) as response:
                assert response.status == 200, await response.text()
                await response.read()

        mongo = connect(settings.mongodb_uri, app_name="profiles-bench")
        therapists = mongo[settings.database]["therapists"]
        outbox = mongo[settings.database]["bench_outbox"]
        envelope = {
            "specversion": "1.0",
            "source": "/directory/profiles",
            "type": "directory.therapist.updated.v1",
            "data": PROFILE,
        }

        async def bare_transaction(worker: int, n: int) -> None:
            async def work(session) -> None:
                await therapists.update_one(
                    {"_id": ids[worker]},
                    {"$set": {"pronouns": f"bare {n}"}, "$inc": {"version": 1}},
                    session=session,
                )
                now = datetime.now(UTC)
                await outbox.insert_one(
                    {
                        "_id": row_key(now, str(uuid.uuid4())),
                        "type": envelope["type"],
                        "envelope": {**envelope, "time": now.isoformat()},
                        "createdAt": now,
                    },
                    session=session,
                )

            await run_in_transaction(mongo, work)

        processes = {"service": service_pid, "client": os.getpid()}
        if (database_pid := database_server_pid(settings.mongodb_uri)) is not None:
            processes = {"database": database_pid, **processes}
        bare, over_http = Run("bare MongoDB transactions, pooled"), Run("PATCH /v1/therapists/{id}, pooled")
        print("\n" + machine_line())
        try:
            for round_ in range(2 * ROUNDS + 1):
                if round_ % 2 == 0:
                    run = await measure(
                        f"bare MongoDB transactions ({round_ // 2 + 1})", bare_transaction, processes
                    )
                    bare.add(run)
                else:
                    run = await measure(
                        f"PATCH /v1/therapists/{{id}} ({round_ // 2 + 1})", patch_over_http, processes
                    )
                    over_http.add(run)
                print(run.line(), flush=True)
        finally:
            await mongo.close()

    print(bare.line())
    print(over_http.line())
    throughput_ratio = bare.throughput / over_http.throughput
    p95_ratio = over_http.p95_ms / bare.p95_ms
    print(f"bare/http throughput {throughput_ratio:.2f}x   http/bare p95 {p95_ratio:.2f}x")
    assert over_http.throughput >= 300
    assert throughput_ratio <= 2.0
    assert p95_ratio <= 2.0
