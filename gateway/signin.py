"""Signing in from the web client: what the browser needs to know, and the development sign-in.

`GET /auth/config` tells the client how to sign a therapist in: through the OpenID provider the
operator configured (`AUTH_ISSUER`, `AUTH_CLIENT_ID`, `AUTH_SCOPES`; the browser runs the
authorization code flow with PKCE itself, `gateway/web/static/auth.js`), or, on a developer's
machine, with a development token for any account name (`devSignIn`).

`POST /auth/dev-token` mints that development token. It is registered only while the services
check tokens with the public development secret and `DIRECTORY_ENV` is not `production`: such a
token proves nothing, so wherever a real secret or an identity provider's keys are in use, and in
every production deployment, the route does not exist (404), and `/auth/config` says so.

The development token's subject is the account name itself, as `./dev token --sub <name>` mints
it, so signing in as an account in the browser and calling the REST APIs with `./dev token` act
as the same therapist.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import jwt
from aiohttp import web
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from gateway.settings import GatewaySettings
from servicekit.auth import THERAPIST
from servicekit.errors import InvalidInput
from servicekit.http import json_response, read_json
from servicekit.tokens import mint_token

DEV_TOKEN_TTL_SECONDS = 8 * 3600
ACCOUNT_NAME = re.compile(r"[A-Za-z0-9._-]{1,64}")
ACCOUNT_RULE = "An account name is 1 to 64 letters, digits, dots, underscores or hyphens"


class DevTokenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    account: str

    @field_validator("account")
    @classmethod
    def _account_name(cls, value: str) -> str:
        if not ACCOUNT_NAME.fullmatch(value):
            raise ValueError(ACCOUNT_RULE)
        return value


def dev_sign_in_available(settings: GatewaySettings) -> bool:
    return settings.service.development_tokens_allowed


def auth_config(settings: GatewaySettings) -> dict[str, object]:
    """The body of `GET /auth/config`."""
    return {
        "issuer": settings.auth_issuer,
        "clientId": settings.auth_client_id if settings.auth_issuer else None,
        "scopes": settings.auth_scopes,
        "devSignIn": dev_sign_in_available(settings),
    }


def parse_dev_token_request(data: object) -> DevTokenRequest:
    try:
        return DevTokenRequest.model_validate(data)
    except ValidationError as exc:
        # One plain sentence the sign-in form shows beside the field, whatever pydantic found.
        details = [
            {
                "field": ".".join(str(part) for part in err["loc"]) or "(body)",
                "message": ACCOUNT_RULE if err["loc"] == ("account",) else err["msg"],
                "type": err["type"],
            }
            for err in exc.errors(include_url=False, include_input=False)
        ]
        message = details[0]["message"] if details else ACCOUNT_RULE
        raise InvalidInput(message, details=details) from exc


def add_sign_in_routes(app: web.Application, settings: GatewaySettings) -> None:
    """`GET /auth/config` always; `POST /auth/dev-token` only where development tokens may exist."""
    config = auth_config(settings)

    async def get_config(_: web.Request) -> web.Response:
        # Read once per page load; a deploy may change it, so no caching beyond revalidation.
        return json_response(config, headers={"Cache-Control": "no-cache"})

    async def post_dev_token(request: web.Request) -> web.Response:
        body = parse_dev_token_request(await read_json(request))
        token = mint_token(
            body.account, [THERAPIST], ttl_seconds=DEV_TOKEN_TTL_SECONDS, settings=settings.service.auth
        )
        # The token's own exp, read back, so the two can never disagree.
        exp = jwt.decode(token, options={"verify_signature": False})["exp"]
        expires = datetime.fromtimestamp(exp, UTC)
        return json_response(
            {"token": token, "expiresAt": expires.isoformat().replace("+00:00", "Z")},
            headers={"Cache-Control": "no-store"},
        )

    app.router.add_get("/auth/config", get_config)
    if config["devSignIn"]:
        app.router.add_post("/auth/dev-token", post_dev_token)
