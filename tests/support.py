"""What the tests share: settings pointing at the test database and vhost, and servers on
free ports running a service's real aiohttp application in the test's event loop."""

from __future__ import annotations

import asyncio
import dataclasses
import inspect
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
from aiohttp import web

from devstack.embedded_mongo import free_port
from servicekit.settings import DEFAULT_PORTS, AuthSettings, ServiceSettings
from servicekit.tokens import mint_token

TEST_AUTH = AuthSettings(
    jwt_secret="test-secret-for-the-suite-only-0123456789abcdef",
    audience="therapy-directory",
    jwks_url=None,
    algorithms=("HS256",),
)


@dataclasses.dataclass
class TestInfrastructure:
    mongodb_uri: str
    amqp_url: str
    database_suffix: str

    def settings(self, service: str, *, urls: dict[str, str] | None = None,
                 database: str | None = None) -> ServiceSettings:
        return ServiceSettings(
            service=service,
            host="127.0.0.1",
            port=free_port(),
            mongodb_uri=self.mongodb_uri,
            database=database or f"{service}{self.database_suffix}",
            amqp_url=self.amqp_url,
            events_exchange="directory.events",
            dead_letter_exchange="directory.dead-letter",
            auth=TEST_AUTH,
            delivery_limit=3,
            urls=urls or {name: f"http://127.0.0.1:{port}" for name, port in DEFAULT_PORTS.items()},
        )


def token(sub: str, *roles: str, **claims: object) -> str:
    return mint_token(sub, roles or ("therapist",), settings=TEST_AUTH, **claims)


def auth_header(sub: str, *roles: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(sub, *roles)}"}


@asynccontextmanager
async def serving(app: web.Application, port: int) -> AsyncIterator[str]:
    """Serve `app` on 127.0.0.1:`port` for the duration of the block; yields its base URL."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


async def eventually(check, *, timeout: float = 15.0, interval: float = 0.03, what: str = "condition"):
    """Poll `check` (a function returning a value or an awaitable) until it gives something
    truthy, and return that; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not reached within {timeout} s (last: {result!r})")
        await asyncio.sleep(interval)


async def wait_ready(url: str, *, timeout: float = 60.0) -> None:
    """Wait until the service at `url` answers 200 on /readyz."""

    async def ready() -> bool:
        try:
            async with aiohttp.ClientSession() as http, http.get(f"{url}/readyz") as response:
                return response.status == 200
        except aiohttp.ClientError:
            return False

    await eventually(ready, timeout=timeout, interval=0.05, what=f"{url} ready")


def metric_value(text: str, name: str, **labels: str) -> float:
    """Sum of a Prometheus sample's values over the series whose labels include `labels`."""
    total = 0.0
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        series, _, value = line.rpartition(" ")
        if all(f'{key}="{wanted}"' in series for key, wanted in labels.items()):
            total += float(value)
    return total
