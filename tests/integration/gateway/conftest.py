"""A gateway on a free port, wired to stub services and the test run's RabbitMQ vhost."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest

from devstack.embedded_mongo import free_port
from gateway.app import GATEWAY, Gateway, build_app
from gateway.settings import GatewaySettings
from servicekit.bus import EventBus
from servicekit.envelope import new_event
from tests.integration.gateway.backends import StubDirectory
from tests.support import serving


@dataclass
class RunningGateway:
    url: str
    stub: StubDirectory
    gateway: Gateway
    http: aiohttp.ClientSession

    async def post(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> tuple[int, Any]:
        payload = {"query": query, "variables": variables, **extra}
        async with self.http.post(f"{self.url}/graphql", json=payload, headers=headers) as response:
            return response.status, await response.json(content_type=None)

    async def data(self, query: str, variables: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        status, body = await self.post(query, variables, **kwargs)
        assert status == 200, body
        assert "errors" not in body, body
        return body["data"]


@contextlib.asynccontextmanager
async def running_gateway(
    infra, stub: StubDirectory, *, environment: str = "development", **changes: Any
) -> AsyncIterator[RunningGateway]:
    """`environment` is the gateway's DIRECTORY_ENV; `changes` go to its GatewaySettings."""
    ports = {name: free_port() for name in ("approaches", "profiles", "search", "inquiries")}
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    service = infra.settings("gateway", urls=urls).model_copy(update={"environment": environment})
    settings = GatewaySettings(service=service, **changes)
    app = build_app(settings)
    apps = stub.apps()
    async with contextlib.AsyncExitStack() as stack:
        for name, port in ports.items():
            await stack.enter_async_context(serving(apps[name], port))
        url = await stack.enter_async_context(serving(app, service.port))
        gateway = app[GATEWAY]
        await asyncio.wait_for(gateway.listener.consuming.wait(), 15)
        http = await stack.enter_async_context(aiohttp.ClientSession())
        yield RunningGateway(url, stub, gateway, http)
    # The stand-ins answered only what the real services may answer.
    assert not stub.contract_checked or stub.contract_violations == []


@pytest.fixture
async def gw(infra) -> AsyncIterator[RunningGateway]:
    async with running_gateway(infra, StubDirectory.with_demo_data()) as running:
        yield running


@pytest.fixture(scope="session")
async def publisher(infra) -> AsyncIterator[EventBus]:
    settings = infra.settings("gateway-test-publisher")
    bus = EventBus(
        settings.amqp_url,
        service="gateway-test-publisher",
        exchange=settings.events_exchange,
        dead_letter_exchange=settings.dead_letter_exchange,
        delivery_limit=3,
    )
    await bus.start()
    await bus.wait_connected(15)
    yield bus
    await bus.close()


async def publish(bus: EventBus, event_type: str, data: dict[str, Any]) -> None:
    await bus.publish(new_event(type=event_type, source="/tests", subject=str(data.get("id")), data=data))
