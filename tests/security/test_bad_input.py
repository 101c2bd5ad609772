"""Bad input against the running processes: oversized bodies, malformed JSON, wrong content
types, unknown fields, invalid Unicode, and abusive GraphQL documents. Each gets a clear 4xx
with a JSON error, never a 5xx and never internal error text."""

from __future__ import annotations

import time

import pytest

from tests.security.conftest import Caller
from tests.support import token

ADMIN = {"Authorization": f"Bearer {token('sec-bad-input-admin', 'admin')}"}
INTERNAL = ("Traceback", "Internal error", "Exception", 'File "')

# (service, method, path) of every endpoint that takes a JSON body; {id} is filled in.
BODY_ENDPOINTS = [
    ("profiles", "POST", "/v1/therapists"),
    ("profiles", "PATCH", "/v1/therapists/{id}"),
    ("profiles", "PUT", "/v1/therapists/{id}/approaches/{slug}"),
    ("profiles", "POST", "/v1/therapists/{id}/availability"),
    ("approaches", "POST", "/v1/approaches"),
    ("approaches", "PATCH", "/v1/approaches/{slug}"),
    ("search", "POST", "/v1/match"),
    ("gateway", "POST", "/graphql"),
]

BAD_BODIES = {
    "oversized": (b'{"displayName": "' + b"x" * (2 * 1024 * 1024) + b'"}', "application/json", {413}),
    "malformed_json": (b'{"displayName": "unterminated', "application/json", {400}),
    "wrong_content_type": (b"displayName=Someone", "application/x-www-form-urlencoded", {415}),
    "text_plain": (b'{"displayName": "Someone"}', "text/plain", {415}),
    "invalid_utf8": (b'{"displayName": "\xff\xfe\xc3\x28"}', "application/json", {400}),
    "lone_surrogate_escape": (b'{"displayName": "\\ud800 alone"}', "application/json", {400, 422}),
    "not_an_object": (b"[1, 2, 3]", "application/json", {400, 422}),
    "empty": (b"", "application/json", {400, 422}),
}


@pytest.fixture(scope="module")
async def owned(caller: Caller, approach: str) -> dict:
    sub = f"sec-bad-input-{time.time_ns()}"
    status, body = await caller.create_profile("Bad Input Target", ADMIN, owner_sub=sub)
    assert status == 201, body
    return {"id": body["id"], "slug": approach}


def assert_clear_client_error(status: int, body, text: str, allowed: set[int], what: str) -> None:
    assert status in allowed, (what, status, text[:300])
    assert not any(marker in text for marker in INTERNAL), (what, text[:300])
    assert isinstance(body, dict), (what, text[:300])
    message = body["error"]["message"] if "error" in body else body["errors"][0]["message"]
    assert message.strip(), (what, body)


@pytest.mark.parametrize("kind", sorted(BAD_BODIES))
async def test_a_bad_body_gets_a_clear_4xx_from_every_endpoint_that_takes_one(
    caller: Caller, owned: dict, kind
):
    raw, content_type, allowed = BAD_BODIES[kind]
    for service, method, path in BODY_ENDPOINTS:
        headers = {**ADMIN, "Content-Type": content_type}
        status, body, text = await caller.call(
            service, method, path.format(**owned), data=raw, headers=headers
        )
        assert_clear_client_error(status, body, text, allowed, f"{kind} {method} {path}")


async def test_unknown_fields_are_named_in_a_422(caller: Caller, owned: dict):
    status, body, text = await caller.call(
        "profiles",
        "POST",
        "/v1/therapists",
        headers=ADMIN,
        json={"displayName": "X", "title": "Y", "location": {"state": "TX"}, "favouriteColour": "teal"},
    )
    assert_clear_client_error(status, body, text, {422}, "unknown field on create")
    assert "favouriteColour" in text
    status, body, text = await caller.call(
        "profiles",
        "PATCH",
        f"/v1/therapists/{owned['id']}",
        headers=ADMIN,
        json={"ownerSub": "someone-else", "internalScore": 3},
    )
    assert_clear_client_error(status, body, text, {422}, "unknown/read-only fields on patch")
    status, body, text = await caller.call(
        "search", "POST", "/v1/match", json={"state": "TX", "mood": "sunny"}
    )
    assert_clear_client_error(status, body, text, {400, 422}, "unknown field in the questionnaire")


def nested(depth: int) -> str:
    return "{ approaches { " + "related { " * depth + "slug" + " }" * depth + " } }"


GRAPHQL_ABUSE = {
    "deeply_nested": nested(40),
    "many_aliases": "{ " + " ".join(f"a{i}: approaches {{ slug }}" for i in range(200)) + " }",
    "huge_token_count": "{ approaches { " + "slug " * 5000 + "} }",
    "unknown_field": "{ approaches { slug socialSecurityNumber } }",
    "syntax_error": "{ approaches { slug ",
    "introspection_bomb": "{ __schema { types { fields { type { fields { type { fields { type { name } "
    "} } } } "
    "} } } }",
    "fragment_cycle": "query { approaches { ...A } } fragment A on Approach { related { ...B } } "
    "fragment B on Approach { related { ...A } }",
}


@pytest.mark.parametrize("kind", sorted(GRAPHQL_ABUSE))
async def test_an_abusive_graphql_document_is_refused_with_a_clear_error_and_no_data(
    caller: Caller, kind: str
):
    """Over `application/json`, GraphQL over HTTP lets a refused document answer 200 with errors."""
    status, body, text = await caller.graphql(GRAPHQL_ABUSE[kind])
    assert_clear_client_error(status, body, text, {200, 400, 413, 422}, kind)
    assert body.get("data") is None, body


GRAPHQL_RESPONSE = "application/graphql-response+json"


async def test_a_refused_graphql_document_is_a_4xx_for_graphql_response_json_clients(caller: Caller):
    statuses = {}
    for kind, query in GRAPHQL_ABUSE.items():
        status, _, _ = await caller.call(
            "gateway", "POST", "/graphql", json={"query": query}, headers={"Accept": GRAPHQL_RESPONSE}
        )
        statuses[kind] = status
    assert all(400 <= status < 500 for status in statuses.values()), statuses


async def test_a_graphql_body_over_the_limit_is_refused_before_parsing(caller: Caller):
    query = "{ approaches { slug } }" + " " * (128 * 1024)
    status, body, text = await caller.graphql(query)
    assert_clear_client_error(status, body, text, {413}, "oversized GraphQL body")


async def test_invalid_unicode_in_graphql_variables_is_a_4xx(caller: Caller):
    raw = b'{"query": "query($s: String!) { approach(slug: $s) { slug } }", "variables": {"s": "\\udfff"}}'
    status, body, text = await caller.call(
        "gateway", "POST", "/graphql", data=raw, headers={"Content-Type": "application/json"}
    )
    assert_clear_client_error(status, body, text, {400}, "lone surrogate in variables")
