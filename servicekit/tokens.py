"""Mint development tokens: `mint-dev-token --sub therapist-1 --roles therapist`.

Signs HS256 with `AUTH_JWT_SECRET` (or the documented development default). Production tokens
come from the identity provider behind `AUTH_JWKS_URL`, never from this command.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterable

import jwt

from servicekit.settings import AuthSettings


def mint_token(
    sub: str,
    roles: Iterable[str],
    *,
    ttl_seconds: int = 3600,
    settings: AuthSettings | None = None,
    **extra_claims: object,
) -> str:
    settings = settings or AuthSettings.from_env()
    now = int(time.time())
    claims = {
        "sub": sub,
        "roles": list(roles),
        "aud": settings.audience,
        "iat": now,
        "exp": now + ttl_seconds,
        **extra_claims,
    }
    return jwt.encode(claims, settings.jwt_secret, algorithm="HS256")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Mint a development JWT for the directory")
    parser.add_argument("--sub", required=True, help="account id (the token's subject)")
    parser.add_argument("--roles", default="therapist", help="comma-separated: therapist,admin")
    parser.add_argument("--ttl", type=int, default=3600, help="lifetime in seconds")
    args = parser.parse_args(argv)
    roles = [r.strip() for r in args.roles.split(",") if r.strip()]
    print(mint_token(args.sub, roles, ttl_seconds=args.ttl))


if __name__ == "__main__":
    main()
