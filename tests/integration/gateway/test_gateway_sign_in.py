"""The gateway's sign-in routes as served: `/auth/config` in every setting, the development token
only on a developer's machine (absent, 404, in production or with real token keys), and the
client's Content-Security-Policy letting it reach the configured identity provider."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import jwt
import pytest

from gateway.app import GATEWAY, build_app
from gateway.settings import GatewaySettings
from servicekit.auth import TokenVerifier
from servicekit.settings import DEVELOPMENT_JWT_SECRET, AuthSettings
from tests.support import TEST_AUTH, serving

DEVELOPMENT = AuthSettings(
    jwt_secret=DEVELOPMENT_JWT_SECRET, audience="therapy-directory", jwks_url=None, algorithms=("HS256",)
)
IDENTITY_PROVIDER = AuthSettings(
    jwt_secret=DEVELOPMENT_JWT_SECRET,
    audience="therapy-directory",
    jwks_url="https://auth.example.org/realms/directory/protocol/openid-connect/certs",
    algorithms=("RS256", "ES256"),
)
ISSUER = "https://auth.example.org/realms/directory"


@contextlib.asynccontextmanager
async def gateway_serving(
    infra, *, auth: AuthSettings, environment: str = "development", **changes: Any
) -> AsyncIterator[tuple[str, aiohttp.ClientSession]]:
    service = infra.settings("gateway").model_copy(update={"auth": auth, "environment": environment})
    app = build_app(GatewaySettings(service=service, **changes))
    async with serving(app, service.port) as url, aiohttp.ClientSession() as http:
        # Started up all the way (its event listener consuming), as a gateway in service is.
        await asyncio.wait_for(app[GATEWAY].listener.consuming.wait(), 15)
        yield url, http


async def config_of(infra, **settings: Any) -> dict[str, Any]:
    async with gateway_serving(infra, **settings) as (url, http), http.get(f"{url}/auth/config") as response:
        assert response.status == 200
        return await response.json()


async def test_in_development_the_gateway_mints_a_therapist_token_for_an_account_name(infra):
    async with gateway_serving(infra, auth=DEVELOPMENT) as (url, http):
        async with http.get(f"{url}/auth/config") as response:
            assert await response.json() == {
                "issuer": None,
                "clientId": None,
                "scopes": "openid profile",
                "devSignIn": True,
            }
        async with http.post(f"{url}/auth/dev-token", json={"account": "dev.therapist_7-b"}) as response:
            assert response.status == 200, await response.text()
            assert response.headers["Cache-Control"] == "no-store"
            body = await response.json()
    principal = await TokenVerifier(DEVELOPMENT).verify(body["token"])
    assert principal.sub == "dev.therapist_7-b" and principal.roles == {"therapist"}
    claims = jwt.decode(body["token"], options={"verify_signature": False})
    assert abs(claims["exp"] - (time.time() + 8 * 3600)) < 60
    assert body["expiresAt"] == time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(claims["exp"]))


RULE = "An account name is 1 to 64 letters, digits, dots, underscores or hyphens"


async def test_an_account_name_outside_the_rule_is_refused_with_a_sentence_saying_it(infra):
    refused = [{"account": ""}, {"account": "a" * 65}, {"account": "two words"}, {"account": "../admin"}]
    refused += [{"account": "zoë"}, {"account": 42}, {}]
    async with gateway_serving(infra, auth=DEVELOPMENT) as (url, http):
        for body in refused:
            async with http.post(f"{url}/auth/dev-token", json=body) as response:
                assert response.status == 422, body
                error = (await response.json())["error"]
            assert error["code"] == "validation_failed"
            assert (error["message"], error["details"][0]["field"]) == (RULE, "account"), body
        # Nothing else may be asked for: the roles are the gateway's to give.
        async with http.post(
            f"{url}/auth/dev-token", json={"account": "fine", "roles": ["admin"]}
        ) as response:
            assert response.status == 422
            assert (await response.json())["error"]["details"][0]["field"] == "roles"
        async with http.post(f"{url}/auth/dev-token", json={"account": "a" * 64}) as response:
            assert response.status == 200


async def test_the_development_token_route_wants_a_json_body(infra):
    async with gateway_serving(infra, auth=DEVELOPMENT) as (url, http):
        async with http.post(f"{url}/auth/dev-token", data="account=me") as response:
            assert response.status == 415
        async with http.post(
            f"{url}/auth/dev-token", data="{", headers={"Content-Type": "application/json"}
        ) as response:
            assert response.status == 400


@pytest.mark.parametrize(
    ("environment", "auth"),
    [
        ("production", DEVELOPMENT),  # production, even were the development secret left in place
        ("development", TEST_AUTH),  # a secret of the operator's own: nobody may mint its tokens
        ("development", IDENTITY_PROVIDER),  # the identity provider's keys
    ],
    ids=["production", "own-secret", "identity-provider"],
)
async def test_the_development_token_route_does_not_exist_outside_development(infra, environment, auth):
    async with gateway_serving(infra, auth=auth, environment=environment, auth_issuer=ISSUER) as (url, http):
        async with http.post(f"{url}/auth/dev-token", json={"account": "someone"}) as response:
            assert response.status == 404
            assert (await response.json())["error"]["code"] == "not_found"
        async with http.get(f"{url}/auth/config") as response:
            assert (await response.json())["devSignIn"] is False


async def test_in_production_the_config_names_the_identity_provider_and_client(infra):
    config = await config_of(
        infra,
        auth=IDENTITY_PROVIDER,
        environment="production",
        auth_issuer=ISSUER,
        auth_client_id="directory-web-prod",
        auth_scopes="openid  profile email",
    )
    assert config == {
        "issuer": ISSUER,
        "clientId": "directory-web-prod",
        "scopes": "openid profile email",
        "devSignIn": False,
    }


async def test_the_client_may_fetch_from_the_identity_providers_origin_and_nowhere_else_new(infra):
    async with gateway_serving(infra, auth=IDENTITY_PROVIDER, auth_issuer=ISSUER) as (url, http):
        async with http.get(f"{url}/") as response:
            policy = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["connect-src"] == "'self' https://auth.example.org"
    assert directives["script-src"] == "'self'" and directives["form-action"] == "'self'"
    assert directives["default-src"] == "'none'"

    async with gateway_serving(infra, auth=DEVELOPMENT) as (url, http):
        async with http.get(f"{url}/static/app.js") as response:
            assert "connect-src 'self';" in response.headers["Content-Security-Policy"]
