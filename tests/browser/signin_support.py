"""Signing in, for the browser tests: the token settings a test gives
`tests.stack.directory_running` (the development secret, or an OpenID provider's keys), and a tab
given a token directly. The suite's own test secret, which `tests.stack.directory` uses, rightly
leaves the development sign-in out.
"""

from __future__ import annotations

import json

from servicekit.settings import DEVELOPMENT_JWT_SECRET, AuthSettings
from tests.support import TEST_AUTH

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


async def give_token(page, base_url: str, token: str) -> None:
    """Put `token` where the web client keeps it, as if this tab had signed in (then open a route)."""
    if not page.url.startswith(base_url):
        await page.goto(f"{base_url}/#/")
    await page.evaluate(f"sessionStorage.setItem({json.dumps(TOKEN_KEY)}, {json.dumps(token)})")


async def stored_token(page) -> str | None:
    return await page.evaluate(f"sessionStorage.getItem({json.dumps(TOKEN_KEY)})")
