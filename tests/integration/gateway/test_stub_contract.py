"""The gateway tests' stand-ins answer as the real services' checked-in OpenAPI documents say:
a service change that the gateway would not survive makes these tests fail."""

from __future__ import annotations

import copy

from tests.integration.gateway.backends import StubDirectory
from tests.integration.gateway.conftest import running_gateway
from tests.integration.gateway.contract import document, violations
from tests.integration.gateway.operations import APPROACH_PAGE, SEARCH, THERAPIST


def test_every_stand_in_route_is_an_operation_of_its_service():
    for name, app in StubDirectory().apps().items():
        paths = document(name)["paths"]
        for route in app.router.routes():
            path = route.resource.canonical
            if path == "/healthz" or route.method == "HEAD":  # aiohttp adds HEAD beside each GET
                continue
            assert route.method.lower() in paths.get(path, {}), f"{name}: {route.method} {path}"


def test_an_answer_the_document_does_not_allow_is_reported():
    card = copy.deepcopy(StubDirectory.with_demo_data().cards[0])
    del card["displayName"]
    body = {
        "totalCount": 1,
        "pageInfo": {"hasNextPage": False, "endCursor": None},
        "edges": [{"cursor": "c1", "node": card}],
    }
    found = violations("search", "GET", "/v1/therapists", 200, body)
    assert found and "displayName" in " ".join(found)
    assert violations("search", "GET", "/v1/nowhere", 200, {}) != []


async def test_the_gateway_reading_pages_searches_and_therapists_meets_only_documented_answers(infra):
    stub = StubDirectory.with_demo_data()
    async with running_gateway(infra, stub) as gw:
        await gw.data(APPROACH_PAGE, {"slug": "emdr", "first": 5})
        await gw.data(SEARCH, {"text": None, "filter": {"state": "TX"}, "first": 5})
        therapist_id = stub.cards[0]["id"]
        await gw.data(THERAPIST, {"id": therapist_id})
    assert stub.count("search") and stub.count("profiles") and stub.count("approaches")
    assert stub.contract_violations == []
