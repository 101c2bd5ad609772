"""Every write path of every service, and every gateway mutation, rejects a forged or unusable
bearer token with 401 and changes nothing: `alg: none`, a wrong key, a wrong audience, an
expired or missing `exp`. The forged tokens claim the owner's account and the admin role."""

from __future__ import annotations

import base64
import json
import time

import jwt
import pytest

from tests.security.conftest import Caller
from tests.support import TEST_AUTH, token

OWNER = f"sec-owner-{time.time_ns()}"


def _b64(part: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(b"=").decode()


def _claims(**changes: object) -> dict:
    now = int(time.time())
    claims = {
        "sub": OWNER,
        "roles": ["therapist", "admin"],
        "aud": TEST_AUTH.audience,
        "iat": now,
        "exp": now + 600,
        **changes,
    }
    return {k: v for k, v in claims.items() if v is not None}


FORGED = {
    "alg_none": lambda: f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(_claims())}.",
    "alg_none_with_signature": lambda: (
        f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(_claims())}.c2lnbmF0dXJl"
    ),
    "wrong_key": lambda: jwt.encode(_claims(), "another-secret-entirely-0123456789abcdef", algorithm="HS256"),
    "wrong_audience": lambda: jwt.encode(
        _claims(aud="some-other-api"), TEST_AUTH.jwt_secret, algorithm="HS256"
    ),
    "expired": lambda: jwt.encode(
        _claims(exp=int(time.time()) - 120), TEST_AUTH.jwt_secret, algorithm="HS256"
    ),
    "no_exp": lambda: jwt.encode(_claims(exp=None), TEST_AUTH.jwt_secret, algorithm="HS256"),
    "hs512_instead_of_hs256": lambda: jwt.encode(_claims(), TEST_AUTH.jwt_secret, algorithm="HS512"),
    "garbage": lambda: "not.a.token",
}

MUTATIONS = {
    "updateMyProfile": "mutation($id: ID!) { updateMyProfile(therapistId: $id, "
    'patch: {displayName: "Forged"}) { __typename } }',
    "confirmAvailability": "mutation($id: ID!) { confirmAvailability(therapistId: $id, "
    "newClientStatus: WAITLIST) { __typename } }",
    "setApproachStatement": "mutation($id: ID!, $slug: String!) { setApproachStatement(therapistId: $id, "
    'slug: $slug, statement: "Forged") { __typename } }',
    "removeApproachStatement": "mutation($id: ID!, $slug: String!) { "
    "removeApproachStatement(therapistId: $id, slug: $slug) { __typename } }",
}


@pytest.fixture(scope="module")
async def target(caller: Caller, approach: str) -> dict:
    headers = {"Authorization": f"Bearer {token(OWNER)}"}
    status, body = await caller.create_profile("Token Target", headers)
    assert status == 201, body
    status, body = await caller.put_statement(body["id"], approach, "Original statement.", headers)
    assert status == 200, body
    return body


def write_paths(therapist_id: str, slug: str) -> list[tuple[str, str, str, dict | None]]:
    profile = f"/v1/therapists/{therapist_id}"
    return [
        (
            "profiles",
            "POST",
            "/v1/therapists",
            {"displayName": "Forged", "title": "Licensed Psychologist", "location": {"state": "TX"}},
        ),
        ("profiles", "PATCH", profile, {"displayName": "Forged"}),
        ("profiles", "DELETE", profile, None),
        ("profiles", "PUT", f"{profile}/approaches/{slug}", {"statement": "Forged"}),
        ("profiles", "DELETE", f"{profile}/approaches/{slug}", None),
        ("profiles", "POST", f"{profile}/availability", {"newClientStatus": "waitlist"}),
        ("profiles", "GET", f"{profile}/private", None),
        (
            "approaches",
            "POST",
            "/v1/approaches",
            {"slug": "forged-approach", "name": "Forged", "summary": "s", "description": "d"},
        ),
        ("approaches", "PATCH", f"/v1/approaches/{slug}", {"name": "Forged"}),
        ("approaches", "DELETE", f"/v1/approaches/{slug}", None),
    ]


@pytest.mark.parametrize("kind", sorted(FORGED))
async def test_a_forged_token_is_rejected_on_every_write_path_and_changes_nothing(
    caller: Caller, target: dict, approach: str, kind: str
):
    headers = {"Authorization": f"Bearer {FORGED[kind]()}"}
    for service, method, path, body in write_paths(target["id"], approach):
        status, answer, _ = await caller.call(service, method, path, json=body, headers=headers)
        assert status == 401, (service, method, path, answer)
        assert answer["error"]["code"] in ("invalid_token", "unauthenticated"), answer
    for name, mutation in MUTATIONS.items():
        status, answer, _ = await caller.graphql(
            mutation, {"id": target["id"], "slug": approach}, headers=headers
        )
        codes = [e.get("extensions", {}).get("code") for e in answer.get("errors") or []]
        assert codes == ["UNAUTHENTICATED"], (name, status, answer)
        assert not (answer.get("data") or {}).get(name), answer

    status, now, _ = await caller.call("profiles", "GET", f"/v1/therapists/{target['id']}")
    assert status == 200 and now["version"] == target["version"] and now["displayName"] == "Token Target"
    status, still, _ = await caller.call("approaches", "GET", f"/v1/approaches/{approach}")
    assert status == 200 and still["name"] == "Security Approach"
    status, _, _ = await caller.call("approaches", "GET", "/v1/approaches/forged-approach")
    assert status == 404


async def test_the_owners_genuine_token_passes_the_same_checks(caller: Caller, target: dict):
    """The control: the rejections above are the token's doing, not the request's."""
    status, body, _ = await caller.call(
        "profiles",
        "GET",
        f"/v1/therapists/{target['id']}/private",
        headers={"Authorization": f"Bearer {token(OWNER)}"},
    )
    assert status == 200, body
