"""What one profile edit costs the whole directory, process by process, as `./dev up` runs it.

Run with `./dev bench tests/bench/bench_edits.py -s` (EDIT_SECONDS sets each phase's length,
15 s). Fifty therapists edit their pronouns over 8 connections (wrk), once straight to the
profiles API and once as `UpdateMyProfile` through the gateway. Each phase prints edits/s,
p50/p99, the CPU time every process spent per edit (the profiles service, the database, and
every consumer applying the event: search, approaches, inquiries, the gateway's caches) and
MongoDB's own operation counters per edit. It asserts only that every edit succeeded: the
figures are for finding where an edit's time goes (docs/benchmarks.md, load test).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pymongo import AsyncMongoClient

from tests.bench.calibration import machine_line
from tests.load import wrk
from tests.load.cpu import SystemCpu, cpu_line
from tests.load.load_directory import Directory, load_profiles, profile_edit

pytestmark = pytest.mark.bench

SECONDS = float(os.environ.get("EDIT_SECONDS", "15"))
CONNECTIONS = 8
THERAPISTS = 50


async def opcounters(client: AsyncMongoClient) -> dict[str, int]:
    counters = (await client.admin.command("serverStatus"))["opcounters"]
    return {name: value for name, value in counters.items() if isinstance(value, int)}


async def phase(name: str, url: str, requests: list, directory: Directory, client, folder: Path) -> dict:
    system = SystemCpu(directory.process.pid)
    counted = await opcounters(client)
    result = wrk.run_measured(system, url, requests, SECONDS, folder, connections=CONNECTIONS)
    after = await opcounters(client)
    per_edit = {op: (after[op] - counted[op]) / max(result["requests"], 1) for op in after}
    figures = result["operations"].get("profile_edit", {"p50_ms": 0.0, "p99_ms": 0.0})
    print(
        f"{name}: {result['rps']:.1f} edits/s  p50 {figures['p50_ms']:.1f} ms  p99 {figures['p99_ms']:.1f} ms  "
        f"errors {result['errors']}\n  {cpu_line(result['cpu'])}\n"
        "  MongoDB operations per edit: " + ", ".join(f"{op} {n:.2f}" for op, n in per_edit.items())
    )
    return result


async def test_what_one_edit_costs_each_process(amqp_url, tmp_path):
    wrk.skip_unless_installed()
    print(f"\n{machine_line()}")
    directory = Directory(tmp_path, amqp_url)
    client = AsyncMongoClient(
        f"mongodb://127.0.0.1:{directory.env['EMBEDDED_MONGODB_PORT']}/?directConnection=true"
    )
    try:
        await directory.start()
        profiles = await load_profiles(directory, THERAPISTS)
        count = int(500 * SECONDS)  # more than either phase could send
        edits = [profile_edit(profiles[n % THERAPISTS], n, through_gateway=False) for n in range(count)]
        straight = await phase("profiles API", directory.urls["profiles"], edits, directory, client, tmp_path)
        edits = [profile_edit(profiles[n % THERAPISTS], count + n) for n in range(count)]
        gateway = await phase(
            "through the gateway", directory.urls["gateway"], edits, directory, client, tmp_path
        )
    finally:
        await client.close()
        directory.stop()
    for result in (straight, gateway):
        assert result["errors"] == result["repeated"] == 0, (result, result["samples"])
        assert result["requests"] > 0
