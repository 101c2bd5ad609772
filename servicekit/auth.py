"""Bearer-token verification (JWT) and the roles the directory knows.

Development: HS256 with `AUTH_JWT_SECRET`. Production: RS256/ES256 public keys from
`AUTH_JWKS_URL`. `alg: none`, a wrong key, a wrong audience, a missing or past `exp` and a
missing `sub` are all rejected (401); a valid token without the right role or ownership is 403.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import jwt
from aiohttp import web

from servicekit.errors import ApiError
from servicekit.settings import AuthSettings

THERAPIST = "therapist"
ADMIN = "admin"
# A verified token is remembered (until its exp, at most this long): clients send the same token
# on every request, and checking its signature again each time is measurable CPU on a busy service.
VERIFIED_TOKEN_TTL = 60.0
VERIFIED_TOKENS_KEPT = 10_000


@dataclass(frozen=True)
class Principal:
    sub: str
    roles: frozenset[str]

    @property
    def is_admin(self) -> bool:
        return ADMIN in self.roles

    def has_role(self, role: str) -> bool:
        return role in self.roles


class TokenVerifier:
    def __init__(self, settings: AuthSettings) -> None:
        self.settings = settings
        self._jwks = jwt.PyJWKClient(settings.jwks_url, cache_keys=True) if settings.jwks_url else None
        self._verified: dict[str, tuple[Principal, float]] = {}

    async def verify(self, token: str) -> Principal:
        known = self._verified.get(token)
        if known is not None and known[1] > time.time():
            return known[0]
        principal, expires = await self._verify_signature_and_claims(token)
        if len(self._verified) >= VERIFIED_TOKENS_KEPT:
            self._verified.pop(next(iter(self._verified)))  # the oldest
        self._verified[token] = (principal, min(expires, time.time() + VERIFIED_TOKEN_TTL))
        return principal

    async def _verify_signature_and_claims(self, token: str) -> tuple[Principal, float]:
        try:
            if self._jwks is not None:
                # The JWKS client fetches over blocking HTTP (and caches); keep it off the loop.
                signing_key = await asyncio.to_thread(self._jwks.get_signing_key_from_jwt, token)
                key = signing_key.key
            else:
                key = self.settings.jwt_secret
            claims = jwt.decode(
                token,
                key,
                algorithms=list(self.settings.algorithms),
                audience=self.settings.audience,
                options={"require": ["exp", "sub", "aud"]},
            )
        except jwt.PyJWTError as exc:
            raise ApiError(401, "invalid_token", f"The bearer token is not valid: {exc}") from exc
        roles = claims.get("roles", [])
        if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
            raise ApiError(401, "invalid_token", "The token's roles claim must be a list of strings")
        if not isinstance(claims["sub"], str) or not claims["sub"]:
            raise ApiError(401, "invalid_token", "The token's sub claim must be a non-empty string")
        return Principal(sub=claims["sub"], roles=frozenset(roles)), float(claims["exp"])


def bearer_token(request: web.Request) -> str | None:
    header = request.headers.get("Authorization")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "invalid_token", "Authorization must be 'Bearer <token>'")
    return token.strip()


async def authenticate(request: web.Request, verifier: TokenVerifier) -> Principal:
    token = bearer_token(request)
    if token is None:
        raise ApiError(401, "unauthenticated", "This operation needs a bearer token")
    return await verifier.verify(token)


async def require_role(request: web.Request, verifier: TokenVerifier, *roles: str) -> Principal:
    """The caller, who must hold one of `roles` (admins hold every role)."""
    principal = await authenticate(request, verifier)
    if principal.is_admin or any(principal.has_role(r) for r in roles):
        return principal
    raise ApiError(403, "forbidden", f"This operation needs the role: {' or '.join(roles)}")
