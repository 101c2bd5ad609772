"""Signing in, for the browser tests: the whole directory with the token settings a test chooses
(the development secret, or an OpenID provider's keys), and a tab given a token directly.

`tests.stack.directory` runs every service with the suite's own test secret, under which the
development sign-in is rightly absent; these directories differ from it in their auth settings
(and the gateway's sign-in settings) only.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any

import aiohttp

from devstack.embedded_mongo import free_port
from gateway.settings import GatewaySettings
from servicekit.settings import DEVELOPMENT_JWT_SECRET, AuthSettings
from services.profiles.mailer import MailSettings, SmtpMailer
from tests.smtp import smtp_server
from tests.stack import APPS, MAIL_SENDER, Directory
from tests.support import TEST_AUTH, serving, wait_ready

TOKEN_KEY = "directory.auth"  # where gateway/web/static/auth.js keeps the token (sessionStorage)
DEVELOPMENT_AUTH = AuthSettings(
    jwt_secret=DEVELOPMENT_JWT_SECRET, audience=TEST_AUTH.audience, jwks_url=None, algorithms=("HS256",)
)


def provider_auth(jwks_url: str) -> AuthSettings:
    """Tokens checked by an OpenID provider's published keys, as in production."""
    return AuthSettings(
        jwt_secret=TEST_AUTH.jwt_secret,
        audience=TEST_AUTH.audience,
        jwks_url=jwks_url,
        algorithms=("RS256", "ES256"),
    )


@contextlib.asynccontextmanager
async def directory_running(
    infra,
    *,
    auth: AuthSettings,
    environment: str = "development",
    gateway_port: int | None = None,
    **gateway_settings: Any,
) -> AsyncIterator[Directory]:
    """The four services and the gateway in-process (as `tests.stack.directory`), every one checking
    tokens with `auth`; `gateway_settings` go to GatewaySettings (e.g. auth_issuer)."""
    run = uuid.uuid4().hex[:6]
    ports = {name: free_port() for name in APPS}
    if gateway_port:
        ports["gateway"] = gateway_port
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    apps = {}
    async with AsyncExitStack() as stack:
        http = await stack.enter_async_context(aiohttp.ClientSession())
        smtp = await stack.enter_async_context(smtp_server())
        options: dict[str, dict[str, Any]] = {
            "profiles": {"mailer": SmtpMailer(MailSettings(url=smtp.url, sender=MAIL_SENDER))}
        }
        for name, module in APPS.items():
            service = infra.settings(name, urls=urls, database=f"{name}_signin_{run}", port=ports[name])
            settings = service.model_copy(update={"auth": auth, "environment": environment})
            if name == "gateway":
                settings = GatewaySettings(service=settings, **gateway_settings)
            app = importlib.import_module(module).build_app(settings, **options.get(name, {}))
            apps[name] = app
            await stack.enter_async_context(serving(app, ports[name]))
        for url in urls.values():
            await wait_ready(url)
        yield Directory(urls, http, apps, smtp)


async def give_token(page, base_url: str, token: str) -> None:
    """Put `token` where the web client keeps it, as if this tab had signed in (then open a route)."""
    if not page.url.startswith(base_url):
        await page.goto(f"{base_url}/#/")
    await page.evaluate(f"sessionStorage.setItem({json.dumps(TOKEN_KEY)}, {json.dumps(token)})")


async def stored_token(page) -> str | None:
    return await page.evaluate(f"sessionStorage.getItem({json.dumps(TOKEN_KEY)})")
