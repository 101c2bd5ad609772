"""A minimal OpenID provider for the tests: discovery, authorize, token, JWKS and end-session.

It runs in the test's event loop on a free port (`running_provider`), knows one client (the web
client at the gateway's origin) and signs RS256 tokens with a key made for the run. Its login
page takes any account name (the account is the token's subject); Cancel answers
`error=access_denied`. It checks what a real provider checks for the authorization code flow with
PKCE: the client id, the exact redirect URI, S256 code challenge and verifier, a code used once,
so a client that gets any of them wrong fails here too.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import html
import secrets
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

import jwt
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa

from devstack.embedded_mongo import free_port
from tests.support import serving

AUDIENCE = "therapy-directory"
TOKEN_SECONDS = 600
KEY_ID = "test-provider-key-1"


@dataclass
class Grant:
    """What a code was issued for, checked again when it is redeemed."""

    client_id: str
    redirect_uri: str
    code_challenge: str
    nonce: str | None
    sub: str
    scope: str


@dataclass
class OpenIDProvider:
    issuer: str
    client_id: str
    # The web client: its origin (CORS) and its redirect URI (`<origin>/`).
    client_origin: str
    audience: str = AUDIENCE
    roles: tuple[str, ...] = ("therapist",)
    key: rsa.RSAPrivateKey = field(default_factory=lambda: rsa.generate_private_key(65537, 2048))
    codes: dict[str, Grant] = field(default_factory=dict)
    # What the tests look at afterwards.
    token_requests: list[dict[str, str]] = field(default_factory=list)
    issued: list[dict[str, Any]] = field(default_factory=list)
    sign_outs: int = 0

    @property
    def redirect_uri(self) -> str:
        return f"{self.client_origin}/"

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "end_session_endpoint": f"{self.issuer}/logout",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": ["openid", "profile"],
            "token_endpoint_auth_methods_supported": ["none"],
        }

    def jwks(self) -> dict[str, Any]:
        public = jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return {"keys": [{**public, "kid": KEY_ID, "use": "sig", "alg": "RS256"}]}

    def sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": KEY_ID})

    def access_token(self, sub: str, *, ttl: int = TOKEN_SECONDS, **claims: Any) -> str:
        """A token the services accept (with AUTH_JWKS_URL = `jwks_url`), as if issued here."""
        now = int(time.time())
        body = {"iss": self.issuer, "sub": sub, "aud": self.audience, "roles": list(self.roles), "iat": now}
        return self.sign({**body, "exp": now + ttl, **claims})

    @property
    def jwks_url(self) -> str:
        return f"{self.issuer}/jwks"

    # --- the HTTP side ------------------------------------------------------------------------

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._cors])
        app.router.add_get("/.well-known/openid-configuration", self._discovery)
        app.router.add_get("/jwks", self._jwks)
        app.router.add_get("/authorize", self._authorize_page)
        app.router.add_post("/authorize", self._authorize_decision)
        app.router.add_post("/token", self._token)
        app.router.add_route("OPTIONS", "/{tail:.*}", self._preflight)
        app.router.add_get("/logout", self._logout)
        return app

    @web.middleware
    async def _cors(self, request: web.Request, handler):
        response = await handler(request)
        # Only the registered client's pages may read the answers from a browser.
        if request.headers.get("Origin") == self.client_origin:
            response.headers["Access-Control-Allow-Origin"] = self.client_origin
            response.headers["Vary"] = "Origin"
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    async def _preflight(self, _: web.Request) -> web.Response:
        return web.Response(
            status=204,
            headers={
                "Access-Control-Allow-Methods": "GET, POST",
                "Access-Control-Allow-Headers": "Content-Type",
            },
        )

    async def _discovery(self, _: web.Request) -> web.Response:
        return web.json_response(self.discovery())

    async def _jwks(self, _: web.Request) -> web.Response:
        return web.json_response(self.jwks())

    def _authorization_problem(self, params) -> str | None:
        """What is wrong with an authorization request that must not be redirected back."""
        if params.get("client_id") != self.client_id:
            return "unknown client_id"
        if params.get("redirect_uri") != self.redirect_uri:
            return "redirect_uri is not registered for this client"
        return None

    def _redirect_problem(self, params) -> str | None:
        """What is wrong that is reported to the client at its redirect URI."""
        if params.get("response_type") != "code":
            return "unsupported_response_type"
        if params.get("code_challenge_method") != "S256" or not params.get("code_challenge"):
            return "invalid_request"
        if "openid" not in params.get("scope", "").split():
            return "invalid_scope"
        return None

    async def _authorize_page(self, request: web.Request) -> web.Response:
        params = request.query
        problem = self._authorization_problem(params)
        if problem:
            return web.Response(status=400, text=f"Bad authorization request: {problem}")
        error = self._redirect_problem(params)
        if error:
            raise web.HTTPFound(self._back(params, {"error": error}))
        hidden = "".join(
            f'<input type="hidden" name="{name}" value="{html.escape(params.get(name, ""))}">'
            for name in ("client_id", "redirect_uri", "state", "nonce", "code_challenge", "scope")
        )
        page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Test identity provider</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,"></head>
<body><main><h1>Test identity provider</h1>
<form method="post" action="/authorize">{hidden}
<label for="account">Account</label> <input id="account" name="account" autocomplete="username">
<button type="submit" name="decision" value="allow">Sign in</button>
<button type="submit" name="decision" value="cancel">Cancel</button>
</form></main></body></html>"""
        return web.Response(text=page, content_type="text/html")

    async def _authorize_decision(self, request: web.Request) -> web.Response:
        form = await request.post()
        problem = self._authorization_problem(form)
        if problem:
            return web.Response(status=400, text=f"Bad authorization request: {problem}")
        if form.get("decision") != "allow":
            raise web.HTTPFound(self._back(form, {"error": "access_denied"}))
        account = str(form.get("account", "")).strip()
        if not account:
            return web.Response(status=400, text="Give an account name")
        code = secrets.token_urlsafe(24)
        self.codes[code] = Grant(
            client_id=str(form["client_id"]),
            redirect_uri=str(form["redirect_uri"]),
            code_challenge=str(form["code_challenge"]),
            nonce=str(form.get("nonce") or "") or None,
            sub=account,
            scope=str(form.get("scope", "openid")),
        )
        raise web.HTTPFound(self._back(form, {"code": code}))

    @staticmethod
    def _back(params, answer: dict[str, str]) -> str:
        state = params.get("state")
        query = {**answer, **({"state": state} if state else {})}
        return f"{params['redirect_uri']}?{urlencode(query)}"

    async def _token(self, request: web.Request) -> web.Response:
        form = {name: str(value) for name, value in (await request.post()).items()}
        self.token_requests.append(form)
        if form.get("grant_type") != "authorization_code":
            return _token_error("unsupported_grant_type")
        # A code is good once: popped whether or not the rest of the request is right.
        grant = self.codes.pop(form.get("code", ""), None)
        if grant is None:
            return _token_error("invalid_grant", "unknown or already used code")
        if form.get("client_id") != grant.client_id:
            return _token_error("invalid_client")
        if form.get("redirect_uri") != grant.redirect_uri:
            return _token_error("invalid_grant", "redirect_uri differs from the authorization request's")
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if not 43 <= len(verifier) <= 128 or not secrets.compare_digest(challenge, grant.code_challenge):
            return _token_error("invalid_grant", "code_verifier does not match the code_challenge")
        now = int(time.time())
        access = self.access_token(grant.sub, scope=grant.scope)
        identity = {
            "iss": self.issuer,
            "sub": grant.sub,
            "aud": grant.client_id,
            "iat": now,
            "exp": now + 600,
        }
        if grant.nonce:
            identity["nonce"] = grant.nonce
        self.issued.append({"sub": grant.sub, "access_token": access})
        return web.json_response(
            {
                "access_token": access,
                "id_token": self.sign(identity),
                "token_type": "Bearer",
                "expires_in": TOKEN_SECONDS,
                "scope": grant.scope,
            }
        )

    async def _logout(self, request: web.Request) -> web.Response:
        self.sign_outs += 1
        target = request.query.get("post_logout_redirect_uri")
        if target == self.redirect_uri and request.query.get("client_id") == self.client_id:
            raise web.HTTPFound(target)
        return web.Response(text="You are signed out of the test identity provider.")


def _token_error(error: str, description: str = "") -> web.Response:
    return web.json_response({"error": error, "error_description": description}, status=400)


@contextlib.asynccontextmanager
async def running_provider(
    client_origin: str, *, client_id: str = "therapist-directory-web", port: int | None = None
) -> AsyncIterator[OpenIDProvider]:
    """An OpenIDProvider serving on 127.0.0.1 for the block, for the client at `client_origin`."""
    port = port or free_port()
    provider = OpenIDProvider(
        issuer=f"http://127.0.0.1:{port}", client_id=client_id, client_origin=client_origin
    )
    assert urlsplit(client_origin).path in ("", "/"), "an origin, not a page"
    async with serving(provider.app(), port):
        yield provider
