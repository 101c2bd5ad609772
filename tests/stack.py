"""The whole directory in one test process: the four services and the gateway, each its real
aiohttp application on its own port, over the real broker and MongoDB wire protocol, with a real
SMTP server (aiosmtpd) receiving the mail profiles sends."""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any

import aiohttp
import pytest

from devstack.embedded_mongo import free_port
from gateway.settings import GatewaySettings
from servicekit.clock import Clock
from servicekit.settings import AuthSettings
from services.profiles.mailer import MailSettings, SmtpMailer
from tests.smtp import SmtpServer, smtp_server
from tests.support import RAISED_RATE_LIMIT, serving, wait_ready

APPS = {
    "approaches": "services.approaches.app",
    "profiles": "services.profiles.app",
    "search": "services.search.app",
    "inquiries": "services.inquiries.app",
    "gateway": "gateway.app",
}
MAIL_SENDER = "directory@e2e.test"


@dataclasses.dataclass
class Directory:
    urls: dict[str, str]
    http: aiohttp.ClientSession
    apps: dict
    smtp: SmtpServer

    async def graphql(
        self, query: str, variables: dict | None = None, headers: dict[str, str] | None = None
    ) -> dict:
        async with self.http.post(
            f"{self.urls['gateway']}/graphql",
            json={"query": query, "variables": variables or {}},
            headers=headers,
        ) as response:
            body = await response.json()
            assert response.status == 200, body
            assert not body.get("errors"), body
            return body["data"]


@contextlib.asynccontextmanager
async def directory_running(
    infra,
    *,
    tag: str = "e2e",
    auth: AuthSettings | None = None,
    environment: str | None = None,
    gateway_environment: str | None = None,
    gateway_port: int | None = None,
    profiles_clock: Clock | None = None,
    **gateway_settings: Any,
) -> AsyncIterator[Directory]:
    """The four services and the gateway in-process, each on its own port and database (named
    with `tag`). `auth` and `environment`, when given, replace the suite's token settings and
    `DIRECTORY_ENV` in every one (`gateway_environment` in the gateway only); `gateway_settings`
    go to the gateway's `GatewaySettings`; `profiles_clock` is the profiles service's clock (its
    licence checks then run when a test calls them)."""
    run = uuid.uuid4().hex[:6]
    # Every client of a test shares one address: the limit stays on, raised, unless a test sets it.
    gateway_settings.setdefault("rate_limit", RAISED_RATE_LIMIT)
    ports = {name: free_port() for name in APPS}
    if gateway_port:
        ports["gateway"] = gateway_port
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    changes = {key: value for key, value in (("auth", auth), ("environment", environment)) if value}
    apps = {}
    async with AsyncExitStack() as stack:
        http = await stack.enter_async_context(aiohttp.ClientSession())
        smtp = await stack.enter_async_context(smtp_server())
        options: dict[str, dict[str, Any]] = {
            "profiles": {"mailer": SmtpMailer(MailSettings(url=smtp.url, sender=MAIL_SENDER))}
        }
        if profiles_clock is not None:
            options["profiles"]["clock"] = profiles_clock
        for name, module in APPS.items():
            service = infra.settings(name, urls=urls, database=f"{name}_{tag}_{run}", port=ports[name])
            settings: Any = service.model_copy(update=changes) if changes else service
            if name == "gateway" and gateway_environment:
                settings = settings.model_copy(update={"environment": gateway_environment})
            if name == "gateway" and gateway_settings:
                settings = GatewaySettings(service=settings, **gateway_settings)
            app = importlib.import_module(module).build_app(settings, **options.get(name, {}))
            apps[name] = app
            await stack.enter_async_context(serving(app, ports[name]))
        for url in urls.values():
            await wait_ready(url)
        yield Directory(urls, http, apps, smtp)


@pytest.fixture(scope="module")
async def directory(infra):
    async with directory_running(infra) as running:
        yield running
