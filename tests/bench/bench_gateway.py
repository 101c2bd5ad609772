"""Gateway throughput and latency for the contract's ApproachPage (20 specialists).

Run with `./dev bench tests/bench/bench_gateway.py -s`. Three processes share the machine's two
cores: the gateway (one process, exactly as `python -m gateway` builds it, plus one extra route
`/static` that serves the page's bytes as a static JSON response for comparison), local aiohttp
stand-ins for the services serving realistic payloads of their OpenAPI documents (NOT the real services:
those are measured by the end-to-end benchmarks), and the load generator (50 keep-alive
connections, one request in flight on each).

Measured in one run and printed:
- static: the same process serving a static JSON response of the same size;
- warm: ApproachPage from the whole-response cache;
- after invalidation: each round publishes a real approach.updated event (it drops the page's
  response and its service reads), then 50 clients send 20 requests each at once;
- uncached: every request executed in full (caches bypassed with an Authorization header and
  a zero-sized read cache): the floor, when nothing at all can be reused;
- warm, rate limit on / off: the warm page from gateways with the per-client limit on (raised
  past what the load spends; every answer, cached ones included, is counted) and off
  (`GATEWAY_RATE_LIMIT=0`), alternated, twice each. Everything else runs with the limit on and
  with demand control, as in production; goal: on keeps at least 85% of the rate with it off.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import orjson
import pytest

from devstack.embedded_mongo import free_port
from integration_events.approaches import APPROACH_UPDATED
from integration_events.therapists import THERAPIST_UPDATED
from servicekit.bus import EventBus
from servicekit.envelope import new_event
from tests.bench.calibration import machine_line
from tests.support import RAISED_RATE_LIMIT, wait_ready

pytestmark = pytest.mark.bench

CLIENTS = 50
SECONDS = 5.0
ROOT = Path(__file__).resolve().parents[2]
SLUG = "relational-therapy"


# -- the processes --------------------------------------------------------------------------------


def serve_backends(ports: list[int]) -> None:
    from aiohttp import web

    from tests.integration.gateway.backends import StubDirectory

    stub = StubDirectory.with_demo_data(therapists=60)
    stub.contract_checked = False  # the gateway tests check the stand-ins; here they only serve
    apps = stub.apps()

    async def main() -> None:
        runners = []
        for name, port in zip(("approaches", "profiles", "search"), ports, strict=True):
            runner = web.AppRunner(apps[name], access_log=None)
            await runner.setup()
            await web.TCPSite(runner, "127.0.0.1", port).start()
            runners.append(runner)
        await asyncio.Event().wait()

    asyncio.run(main())


def serve_gateway(static_file: str) -> None:
    from aiohttp import web

    from gateway.app import build_app
    from gateway.settings import GatewaySettings

    settings = GatewaySettings.from_env()
    app = build_app(settings)
    static: list[bytes] = []

    async def static_json(_: web.Request) -> web.Response:
        if not static:
            static.append(Path(static_file).read_bytes())  # noqa: ASYNC240 - once, tiny
        return web.Response(body=static[0], content_type="application/json")

    app.router.add_get("/static", static_json)
    gc.freeze()  # as gateway/__main__.py does
    web.run_app(app, host="127.0.0.1", port=settings.service.port, access_log=None, print=None)


async def generate_load(
    port: int, request: bytes, clients: int, seconds: float | None, per_client: int | None
) -> dict:
    """Keep-alive HTTP/1.1 clients, one request in flight each; raw sockets keep the client cheap."""
    latencies: list[float] = []
    failures = 0
    stop_at = time.perf_counter() + seconds if seconds else None

    async def client() -> None:
        nonlocal failures
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        sent = 0
        while (stop_at is None or time.perf_counter() < stop_at) and (
            per_client is None or sent < per_client
        ):
            started = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = next(
                int(line.split(b":")[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            )
            await reader.readexactly(length)
            if not head.startswith(b"HTTP/1.1 200"):
                failures += 1
            latencies.append(time.perf_counter() - started)
            sent += 1
        writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "seconds": elapsed,
        "rps": len(latencies) / elapsed,
        "p50_ms": latencies[len(latencies) // 2] * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "failures": failures,
    }


def run_load(argv: list[str]) -> None:
    port, request_file, clients, seconds, per_client = argv
    result = asyncio.run(
        generate_load(
            int(port),
            Path(request_file).read_bytes(),
            int(clients),
            float(seconds) or None,
            int(per_client) or None,
        )
    )
    print(json.dumps(result))


# -- the benchmark ----------------------------------------------------------------------------------


def http_request(path: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> bytes:
    lines = [f"{'POST' if body else 'GET'} {path} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    if body:
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + (body or b"")


def load(port: int, request: bytes, *, seconds: float = 0, per_client: int = 0) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".http", delete=False) as handle:
        handle.write(request)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.bench.bench_gateway",
            "load",
            str(port),
            handle.name,
            str(CLIENTS),
            str(seconds),
            str(per_client),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    os.unlink(handle.name)
    return json.loads(done.stdout)


@contextlib.contextmanager
def process(env: dict[str, str], *arguments: str) -> Iterator[subprocess.Popen]:
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.bench.bench_gateway", *arguments], cwd=ROOT, env=env
    )
    try:
        yield child
    finally:
        child.terminate()
        child.wait()


def report(name: str, result: dict) -> None:
    print(
        f"{name:>20}: {result['rps']:8.0f} rps  p50 {result['p50_ms']:6.2f} ms  "
        f"p99 {result['p99_ms']:6.2f} ms  ({result['requests']} requests, {result['failures']} failed)"
    )


def gateway_environment(infra, **extra: str) -> tuple[list[int], int, dict[str, str]]:
    """Ports for the stand-in services and the gateway, and the gateway's environment."""
    backend_ports = [free_port() for _ in range(3)]
    gateway_port = free_port()
    env = {
        **os.environ,
        "GATEWAY_PORT": str(gateway_port),
        "AMQP_URL": infra.amqp_url,
        "LOG_LEVEL": "WARNING",
        "EVENT_DELIVERY_LIMIT": "3",
        "GATEWAY_RATE_LIMIT": str(RAISED_RATE_LIMIT),  # on, as in production, but never reached
        "APPROACHES_URL": f"http://127.0.0.1:{backend_ports[0]}",
        "PROFILES_URL": f"http://127.0.0.1:{backend_ports[1]}",
        "SEARCH_URL": f"http://127.0.0.1:{backend_ports[2]}",
        **extra,
    }
    return backend_ports, gateway_port, env


async def started_bus(infra) -> EventBus:
    """A publisher of change events on the run's exchange."""
    bus = EventBus(
        infra.amqp_url,
        service="bench",
        exchange="directory.events",
        dead_letter_exchange="directory.dead-letter",
        delivery_limit=3,
    )
    await bus.start()
    return bus


async def test_approach_page_throughput(infra):
    from tests.integration.gateway.operations import APPROACH_PAGE

    backend_ports, gateway_port, env = gateway_environment(infra)
    body = orjson.dumps(
        {"query": APPROACH_PAGE, "variables": {"slug": SLUG, "first": 20}, "operationName": "ApproachPage"}
    )
    page_request = http_request("/graphql", body)
    static_file = tempfile.mktemp(suffix=".json")
    url = f"http://127.0.0.1:{gateway_port}"
    bus = await started_bus(infra)
    with process(env, "backends", *map(str, backend_ports)), contextlib.ExitStack() as cleanup:
        cleanup.callback(lambda: os.path.exists(static_file) and os.unlink(static_file))
        with process(env, "gateway", static_file):
            await wait_ready(url)
            await bus.wait_connected(15)
            async with (
                aiohttp.ClientSession() as http,
                http.post(
                    f"{url}/graphql", data=body, headers={"Content-Type": "application/json"}
                ) as response,
            ):
                page = await response.read()
            assert len(orjson.loads(page)["data"]["approach"]["specialists"]["edges"]) == 20
            Path(static_file).write_bytes(page)  # noqa: ASYNC240 - before the load starts
            print(
                f"\nApproachPage response: {len(page)} bytes, 20 specialists; {CLIENTS} clients; "
                f"{os.cpu_count()} cores shared by gateway, stub services and load generator"
            )

            load(gateway_port, page_request, seconds=1)  # warm up connections and caches
            static = load(gateway_port, http_request("/static"), seconds=SECONDS)
            warm = load(gateway_port, page_request, seconds=SECONDS)
            report("static JSON", static)
            report("warm ApproachPage", warm)

            rounds, total_requests, total_seconds, p99s = 10, 0, 0.0, []
            for round_number in range(rounds):
                now = datetime.now(UTC).isoformat()
                await bus.publish(
                    new_event(
                        type=APPROACH_UPDATED,
                        source="/bench",
                        subject=f"id-{SLUG}",
                        data={
                            "id": f"id-{SLUG}",
                            "slug": SLUG,
                            "version": round_number + 2,
                            "name": "Relational Therapy",
                            "createdAt": now,
                            "updatedAt": now,
                        },
                    )
                )
                await asyncio.sleep(0.05)  # the event reaches the gateway's queue
                burst = load(gateway_port, page_request, per_client=20)
                total_requests += burst["requests"]
                total_seconds += burst["seconds"]
                p99s.append(burst["p99_ms"])
            after = total_requests / total_seconds
            async with aiohttp.ClientSession() as http, http.get(f"{url}/metrics") as response:
                metrics = await response.text()
            misses = next(
                float(line.split()[-1])
                for line in metrics.splitlines()
                if line.startswith('directory_gateway_responses_total{cache="miss"}')
            )
            # Each round really started cold: at least one execution per invalidation.
            assert misses >= rounds + 1, misses
            print(f"{'':>20}  whole-response cache misses: {misses:.0f} (1 warm-up + >= 1 per round)")
            print(
                f"{'after invalidation':>20}: {after:8.0f} rps  ({rounds} rounds of {CLIENTS}x20 requests, "
                f"each right after an invalidating event; worst burst p99 {max(p99s):.2f} ms)"
            )

        # Nothing reused at all: no read cache, requests bypassing the response cache.
        with process({**env, "GATEWAY_READ_CACHE_ENTRIES": "0"}, "gateway", static_file):
            await wait_ready(url)
            uncached_request = http_request("/graphql", body, {"Authorization": "Bearer bench"})
            load(gateway_port, uncached_request, seconds=1)
            uncached = load(gateway_port, uncached_request, seconds=SECONDS)
            report("uncached", uncached)

        # What counting every warm answer against its client costs: the limit on (raised) and off,
        # each in a gateway of its own, alternated so that neither gets the quieter moments.
        warm_rates: dict[str, list[float]] = {"on": [], "off": []}
        for setting in ("on", "off", "on", "off"):
            limit = str(RAISED_RATE_LIMIT) if setting == "on" else "0"
            with process({**env, "GATEWAY_RATE_LIMIT": limit}, "gateway", static_file):
                await wait_ready(url)
                load(gateway_port, page_request, seconds=1)
                result = load(gateway_port, page_request, seconds=SECONDS)
                report(f"warm, rate limit {setting}", result)
                assert result["failures"] == 0
                warm_rates[setting].append(result["rps"])
    await bus.close()

    ratio = warm["rps"] / static["rps"]
    limited = sum(warm_rates["on"]) / sum(warm_rates["off"])
    print(
        f"warm / static = {ratio:.0%} (goal >= 40%); after invalidation {after:.0f} rps (goal >= 800); "
        f"warm p99 {warm['p99_ms']:.2f} ms (goal < 25 ms); "
        f"rate limit on / off = {limited:.0%} (goal >= 85%)"
    )
    assert warm["failures"] == static["failures"] == uncached["failures"] == 0
    assert limited >= 0.85
    assert ratio >= 0.40
    assert after >= 800
    assert warm["p99_ms"] < 25


if __name__ == "__main__":
    command, *arguments = sys.argv[1:]
    if command == "backends":
        serve_backends([int(p) for p in arguments])
    elif command == "gateway":
        serve_gateway(arguments[0])
    elif command == "load":
        run_load(arguments)


SUBSCRIBERS = 10_000
PER_CONNECTION = 20
WATCHED = "t0001"


def resident_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


async def test_ten_thousand_idle_subscriptions_on_one_replica(infra):
    """10,000 `therapistChanged` subscriptions (500 WebSockets of 20) held by one gateway process;
    goals: resident memory under 300 MiB, and one change heard by all of them within 1 s."""
    print("\n" + machine_line())
    backend_ports, gateway_port, env = gateway_environment(
        infra,
        GATEWAY_SUBSCRIPTIONS_PER_CONNECTION=str(PER_CONNECTION),
        GATEWAY_SUBSCRIPTIONS_PER_CLIENT=str(SUBSCRIBERS),  # one load generator, one address
    )
    url = f"http://127.0.0.1:{gateway_port}"
    query = "subscription W($id: ID!) { therapistChanged(id: $id) { id displayName } }"
    bus = await started_bus(infra)
    static_file = tempfile.mktemp(suffix=".json")
    with process(env, "backends", *map(str, backend_ports)), process(env, "gateway", static_file) as gateway:
        await wait_ready(url)
        await bus.wait_connected(15)
        before = resident_mib(gateway.pid)
        connector = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(connector=connector) as http:
            sockets = []
            for _ in range(SUBSCRIBERS // PER_CONNECTION):
                ws = await http.ws_connect(
                    f"{url}/graphql", protocols=("graphql-transport-ws",), heartbeat=None
                )
                await ws.send_json({"type": "connection_init"})
                assert (await ws.receive_json(timeout=10))["type"] == "connection_ack"
                for n in range(PER_CONNECTION):
                    payload = {"query": query, "variables": {"id": WATCHED}}
                    await ws.send_json({"id": str(n), "type": "subscribe", "payload": payload})
                sockets.append(ws)
            await asyncio.sleep(2)  # every subscription registered, the process settled
            held = resident_mib(gateway.pid)

            async def updates(ws) -> int:
                heard = 0
                while heard < PER_CONNECTION:
                    message = await ws.receive_json(timeout=30)
                    if message["type"] == "next":
                        heard += 1
                return heard

            waiting = [asyncio.create_task(updates(ws)) for ws in sockets]
            started = time.perf_counter()
            now = datetime.now(UTC).isoformat()
            await bus.publish(
                new_event(
                    type=THERAPIST_UPDATED,
                    source="/bench",
                    subject=WATCHED,
                    data={"id": WATCHED, "version": 2, "updatedAt": now},
                )
            )
            heard = sum(await asyncio.gather(*waiting))
            fan_out = time.perf_counter() - started
            for ws in sockets:
                await ws.close()
    await bus.close()
    print(
        f"\n{SUBSCRIBERS} subscriptions on {len(sockets)} WebSockets: gateway resident {held:.0f} MiB "
        f"({before:.0f} MiB before; goal < 300); one change heard by all {heard} in {fan_out * 1000:.0f} ms "
        "(goal < 1 s)"
    )
    assert heard == SUBSCRIBERS
    assert held < 300
    assert fan_out < 1.0
