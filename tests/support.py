"""What the tests share: settings pointing at the test database and vhost, and servers on
free ports running a service's real aiohttp application in the test's event loop."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import inspect
import os
import time
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager

import aio_pika
import aiohttp
from aiohttp import web

from devstack.embedded_mongo import free_port
from servicekit.settings import DEFAULT_PORTS, AuthSettings, ServiceSettings
from servicekit.tokens import mint_token

# The gateway's rate limit (cost units a minute) for runs whose many clients share one address.
RAISED_RATE_LIMIT = 1_000_000_000

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

    def settings(
        self,
        service: str,
        *,
        urls: dict[str, str] | None = None,
        database: str | None = None,
        port: int | None = None,
    ) -> ServiceSettings:
        return ServiceSettings(
            service=service,
            host="127.0.0.1",
            port=port or free_port(),
            mongodb_uri=self.mongodb_uri,
            database=database or f"{service}{self.database_suffix}",
            amqp_url=self.amqp_url,
            events_exchange="directory.events",
            dead_letter_exchange="directory.dead-letter",
            auth=TEST_AUTH,
            delivery_limit=3,
            urls=urls or {name: f"http://127.0.0.1:{port}" for name, port in DEFAULT_PORTS.items()},
        )


async def purge_queues(amqp_url: str, names: Iterable[str]) -> None:
    """Empty the given queues of the run's vhost (those that exist): events one test published for
    consumers it does not run must not become another test's backlog."""
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        for name in names:
            channel = await connection.channel()
            with contextlib.suppress(aio_pika.exceptions.ChannelClosed):
                queue = await channel.get_queue(name, ensure=True)
                await queue.purge()


def service_env(settings: ServiceSettings) -> dict[str, str]:
    """The environment of a service process (`python -m services.<name>`) that reads `settings`
    back (`ServiceSettings.from_env`): benchmarks start services as operators run them, and a
    process must declare the broker's queues with the same arguments as the tests' own."""
    upper = settings.service.upper()
    env = {
        **os.environ,
        f"{upper}_PORT": str(settings.port),
        f"{upper}_DB": settings.database,
        "MONGODB_URI": settings.mongodb_uri,
        "AMQP_URL": settings.amqp_url,
        "EVENTS_EXCHANGE": settings.events_exchange,
        "DEAD_LETTER_EXCHANGE": settings.dead_letter_exchange,
        "EVENT_DELIVERY_LIMIT": str(settings.delivery_limit),
        "AUTH_JWT_SECRET": settings.auth.jwt_secret,
        "AUTH_AUDIENCE": settings.auth.audience,
        "LOG_LEVEL": "WARNING",
    }
    env.pop("AUTH_JWKS_URL", None)
    return env


def token(sub: str, *roles: str, **claims: object) -> str:
    return mint_token(sub, roles or ("therapist",), settings=TEST_AUTH, **claims)


async def create_austin_therapist(
    http: aiohttp.ClientSession, profiles_url: str, bearer: str, display_name: str, **fields: object
) -> dict:
    """A new profile (a psychologist in Austin, TX, plus `fields`) by the owner of `bearer`."""
    body = {
        "displayName": display_name,
        "title": "Licensed Psychologist",
        "location": {"city": "Austin", "state": "TX"},
        **fields,
    }
    async with http.post(
        f"{profiles_url}/v1/therapists", headers={"Authorization": f"Bearer {bearer}"}, json=body
    ) as response:
        created = await response.json()
        assert response.status == 201, created
    return created


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


def flip_a_byte(path: str) -> None:
    """Damage a file in its middle, as a bad disk block would."""
    with open(path, "r+b") as file:
        file.seek(os.path.getsize(path) // 2)
        byte = file.read(1)
        file.seek(-1, os.SEEK_CUR)
        file.write(bytes([byte[0] ^ 0x01]))
