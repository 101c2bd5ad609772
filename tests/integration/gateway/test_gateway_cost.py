"""Demand control: operations over GATEWAY_MAX_COST are refused before anything runs, and every
executed answer reports its cost; the registered operations and the web client's all pass."""

from __future__ import annotations

import re
from typing import Any

import pytest

from gateway.persisted import read_operation, web_client_operations
from gateway.settings import GatewayEnvironment, QueryLimits
from tests.integration.gateway.backends import StubDirectory, owner_token
from tests.integration.gateway.conftest import running_gateway
from tests.integration.gateway.operations import OPERATIONS

LIMIT = QueryLimits().max_cost
EVERY_SPECIALIST = "{ approaches { specialists(first: 100) { edges { node { id displayName } } } } }"
OWNER = {"Authorization": owner_token("t0003")}

# Realistic variables, at the largest page sizes the web client asks for (gateway/web/static:
# approach page 10, search and inbox 20, questionnaire 10).
VARIABLES: dict[str, Any] = {
    "slug": "emdr",
    "first": 20,
    "id": "t0003",
    "therapistId": "t0003",
    "text": "anxiety",
    "filter": {"state": "TX"},
    "questionnaire": {"state": "TX", "concerns": ["anxiety"], "first": 10},
    "input": {
        "therapistId": "t0003",
        "name": "Sam",
        "email": "sam@example.org",
        "message": "Hi",
        "consent": True,
    },
    "patch": {"pronouns": "they/them"},
    "newClientStatus": "ACCEPTING",
    "statement": "I use EMDR with care.",
}


NEW_PROFILE = {"displayName": "Wren Adebayo", "title": "LMHC", "location": {"city": "Tampa", "state": "FL"}}


def variables_for(query: str) -> dict[str, Any]:
    declared = set(re.findall(r"\$(\w+)\s*:", query))
    given = {name: value for name, value in VARIABLES.items() if name in declared}
    return {**given, "input": NEW_PROFILE} if "NewProfileInput" in query else given


# The web client builds its documents from template literals (`${CARD_FIELDS}`) and one
# `selectionOf(THERAPIST, "therapist")`: rebuilt here the same way, so a change there is priced.
# Subscriptions stream rather than answer one POST: test_gateway_subscription_demand.py prices them.
WEB_CLIENT = {
    name: query
    for name, query in web_client_operations().items()
    if not query.lstrip().startswith("subscription")
}
REGISTERED = {
    path.stem: query
    for path in sorted(OPERATIONS.glob("*.graphql"))
    if not (query := read_operation(path)).lstrip().startswith("subscription")
}
# Deleting the profile last: the others need it.
ORDER = sorted({**REGISTERED, **WEB_CLIENT}, key=lambda name: "DELETE" in name.upper())


def error_codes(body: dict) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors", [])]


def test_the_web_client_operations_are_all_found():
    assert len(WEB_CLIENT) >= 18 and {"SEARCH", "APPROACH_PAGE", "MY_PROFILE_WITH_PUBLIC_VIEW"} <= set(
        WEB_CLIENT
    )


async def test_every_approach_with_100_specialists_is_refused_naming_cost_and_limit(gw):
    status, body = await gw.post(EVERY_SPECIALIST)
    assert status == 200 and "data" not in body  # refused before it ran: no data entry
    [error] = body["errors"]
    assert error["extensions"] == {"code": "COST_LIMIT_EXCEEDED", "cost": 8080, "limit": LIMIT}
    assert error["message"] == (
        f"This query would cost 8,080 (limit {LIMIT:,}): ask for fewer items with `first`"
    )
    assert body["extensions"]["cost"] == {"requested": 8080, "limit": LIMIT}
    assert not gw.stub.calls


async def test_a_refusal_is_a_400_for_graphql_response_clients_like_other_validation_failures(gw):
    headers = {"Accept": "application/graphql-response+json"}
    status, body = await gw.post(EVERY_SPECIALIST, headers=headers)
    assert status == 400 and error_codes(body) == ["COST_LIMIT_EXCEEDED"]
    assert not gw.stub.calls


@pytest.mark.parametrize("name", ORDER)
async def test_the_registered_and_web_client_operations_pass_and_report_their_cost(gw, name):
    query = {**REGISTERED, **WEB_CLIENT}[name]
    status, body = await gw.post(query, variables_for(query), headers=OWNER)
    assert status == 200 and "COST_LIMIT_EXCEEDED" not in error_codes(body), body
    # It ran: an answer, or errors from resolvers only (the stand-ins lack a route or two).
    assert body["data"] is not None or all("path" in e for e in body["errors"]), body
    cost = body["extensions"]["cost"]
    # With room: three times over, each would still pass.
    assert cost["limit"] == LIMIT and 0 <= 3 * cost["requested"] <= LIMIT, cost


async def test_a_cached_answer_still_reports_its_cost(gw):
    query = REGISTERED["ApproachPage"]
    first = await gw.post(query, {"slug": "emdr", "first": 5})
    again = await gw.post(query, {"slug": "emdr", "first": 5})
    assert first == again and first[1]["extensions"]["cost"]["requested"] == 1 + 1 + 1 + 5 * 3


async def test_the_setting_lowers_and_raises_the_limit(infra):
    stub = StubDirectory.with_demo_data()
    async with running_gateway(infra, stub, limits=QueryLimits(max_cost=10)) as gw:
        status, body = await gw.post(REGISTERED["ApproachPage"], {"slug": "emdr", "first": 10})
        assert error_codes(body) == ["COST_LIMIT_EXCEEDED"] and "(limit 10)" in body["errors"][0]["message"]
        assert not gw.stub.calls
    async with running_gateway(
        infra, StubDirectory.with_demo_data(), limits=QueryLimits(max_cost=10_000)
    ) as gw:
        data = await gw.data(EVERY_SPECIALIST)
        assert len(data["approaches"]) == 4


def test_the_limit_is_read_from_gateway_max_cost(monkeypatch):
    monkeypatch.setenv("GATEWAY_MAX_COST", "1234")
    assert GatewayEnvironment().max_cost == 1234
