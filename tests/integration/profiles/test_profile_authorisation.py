"""Who may write: every write endpoint against every kind of caller.

None, expired, wrong audience, wrong signature and `alg: none` tokens are 401; another
therapist is 403; the owner and an admin succeed.
"""

from __future__ import annotations

import base64
import json
import time
import uuid

import jwt
import pytest

from tests.integration.profiles.conftest import MINIMAL, new_sub
from tests.support import TEST_AUTH, token


def _unsigned(sub: str) -> str:
    def part(value: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    claims = {"sub": sub, "roles": ["therapist"], "aud": TEST_AUTH.audience, "exp": int(time.time()) + 600}
    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


def _signed(sub: str, *, secret: str = TEST_AUTH.jwt_secret, **overrides: object) -> str:
    claims = {"sub": sub, "roles": ["therapist"], "aud": TEST_AUTH.audience, "exp": int(time.time()) + 600}
    return jwt.encode({**claims, **overrides}, secret, algorithm="HS256")


def caller_token(kind: str, owner: str) -> str | None:
    return {
        "none": lambda: None,
        "expired": lambda: _signed(owner, exp=int(time.time()) - 60),
        "wrong_audience": lambda: _signed(owner, aud="some-other-api"),
        "wrong_signature": lambda: _signed(owner, secret="not-the-secret-" + "x" * 40),
        "alg_none": lambda: _unsigned(owner),
        "other_therapist": lambda: token(new_sub(), "therapist"),
        "owner": lambda: token(owner, "therapist"),
        "admin": lambda: token(f"admin-{uuid.uuid4().hex[:6]}", "admin"),
    }[kind]()


EXPECTED = {
    "none": 401,
    "expired": 401,
    "wrong_audience": 401,
    "wrong_signature": 401,
    "alg_none": 401,
    "other_therapist": 403,
    "owner": None,
    "admin": None,
}

STATEMENT_SLUG = "authz-matrix-approach"

# (method, path template, body, success status)
WRITES = {
    "patch_profile": ("PATCH", "/v1/therapists/{id}", {"pronouns": "she/they"}, 200),
    "put_statement": (
        "PUT",
        "/v1/therapists/{id}/approaches/" + STATEMENT_SLUG,
        {"statement": "Hello."},
        200,
    ),
    "delete_statement": ("DELETE", "/v1/therapists/{id}/approaches/" + STATEMENT_SLUG, None, 204),
    "confirm_availability": (
        "POST",
        "/v1/therapists/{id}/availability",
        {"newClientStatus": "waitlist"},
        200,
    ),
    "delete_profile": ("DELETE", "/v1/therapists/{id}", None, 204),
    "read_private": ("GET", "/v1/therapists/{id}/private", None, 200),
}


@pytest.mark.parametrize("caller", list(EXPECTED))
@pytest.mark.parametrize("operation", list(WRITES))
async def test_who_may_change_an_existing_profile(profiles, operation, caller):
    await profiles.learn_approach(STATEMENT_SLUG)
    owner = new_sub()
    created = await profiles.create(owner, approaches=[{"slug": STATEMENT_SLUG, "statement": "Before."}])
    method, template, body, success = WRITES[operation]
    path = template.format(id=created["id"])

    reply = await profiles.call(method, path, json=body, bearer=caller_token(caller, owner))

    assert reply.status == (EXPECTED[caller] or success), reply.body
    after = (await profiles.call("GET", f"/v1/therapists/{created['id']}")).body
    if EXPECTED[caller] is not None:
        assert reply.body["error"]["code"] in ("unauthenticated", "invalid_token", "forbidden")
        assert after["version"] == 1  # nothing changed


@pytest.mark.parametrize("caller", list(EXPECTED))
async def test_who_may_create_a_profile(profiles, caller):
    owner = new_sub()
    reply = await profiles.call("POST", "/v1/therapists", json=MINIMAL, bearer=caller_token(caller, owner))
    # Creating is for any therapist (for their own account) and for admins.
    expected = {"other_therapist": 201, "owner": 201, "admin": 201}.get(caller, EXPECTED[caller])
    assert reply.status == expected, reply.body


async def test_a_token_without_the_therapist_role_may_not_create(profiles):
    reply = await profiles.call("POST", "/v1/therapists", json=MINIMAL, bearer=token(new_sub(), "reader"))
    assert reply.status == 403
