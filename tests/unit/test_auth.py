"""Bearer-token verification: only well-signed, unexpired tokens for our audience pass."""

from __future__ import annotations

import asyncio
import base64
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from servicekit.auth import TokenVerifier
from servicekit.errors import ApiError
from tests.support import TEST_AUTH, token

verifier = TokenVerifier(TEST_AUTH)


def _claims(**overrides):
    claims = {
        "sub": "acct-1",
        "roles": ["therapist"],
        "aud": TEST_AUTH.audience,
        "exp": int(time.time()) + 60,
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


async def test_a_valid_token_yields_its_subject_and_roles():
    principal = await verifier.verify(token("acct-1", "therapist", "admin"))
    assert principal.sub == "acct-1"
    assert principal.roles == frozenset({"therapist", "admin"})
    assert principal.is_admin


@pytest.mark.parametrize(
    "bad_token",
    [
        pytest.param(jwt.encode(_claims(exp=int(time.time()) - 5), TEST_AUTH.jwt_secret), id="expired"),
        pytest.param(jwt.encode(_claims(aud="another-app"), TEST_AUTH.jwt_secret), id="wrong-audience"),
        pytest.param(jwt.encode(_claims(), "not-the-secret-but-long-enough-0123456789"), id="wrong-key"),
        pytest.param(jwt.encode(_claims(exp=None), TEST_AUTH.jwt_secret), id="no-exp"),
        pytest.param(jwt.encode(_claims(sub=None), TEST_AUTH.jwt_secret), id="no-sub"),
        pytest.param(f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(_claims())}.", id="alg-none"),
        pytest.param(jwt.encode(_claims(roles="admin"), TEST_AUTH.jwt_secret), id="roles-not-a-list"),
        pytest.param("not-a-jwt", id="garbage"),
    ],
)
async def test_an_invalid_token_is_rejected_with_401(bad_token):
    with pytest.raises(ApiError) as raised:
        await verifier.verify(bad_token)
    assert raised.value.status == 401


async def test_an_rs256_token_is_rejected_when_the_service_expects_hs256():
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(_claims(), private_key, algorithm="RS256")
    with pytest.raises(ApiError) as raised:
        await verifier.verify(forged)
    assert raised.value.status == 401


async def test_a_remembered_token_is_still_refused_once_it_expires():
    fresh_verifier = TokenVerifier(TEST_AUTH)
    short_lived = jwt.encode(_claims(exp=int(time.time()) + 2), TEST_AUTH.jwt_secret)
    assert (await fresh_verifier.verify(short_lived)).sub == "acct-1"
    assert (await fresh_verifier.verify(short_lived)).sub == "acct-1"  # remembered
    await asyncio.sleep(2.1)
    with pytest.raises(ApiError) as raised:
        await fresh_verifier.verify(short_lived)
    assert raised.value.status == 401
