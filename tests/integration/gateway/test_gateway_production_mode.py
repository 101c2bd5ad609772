"""DIRECTORY_ENV=production: no GraphiQL or introspection unless asked for, only registered
operations unless arbitrary ones are allowed, and no GET a page on another site could send."""

from __future__ import annotations

from typing import Any

from gateway.persisted import query_hash, web_client_operations
from tests.integration.gateway.backends import StubDirectory
from tests.integration.gateway.conftest import RunningGateway, running_gateway
from tests.integration.gateway.operations import APPROACH_PAGE

INTROSPECTION = "{ __schema { queryType { name } } }"
ARBITRARY = "{ approaches { slug } }"
PREFLIGHT = {"GraphQL-Require-Preflight": "1"}


def production(infra, **changes: Any):
    return running_gateway(infra, StubDirectory.with_demo_data(), environment="production", **changes)


def codes(body: dict) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors", [])]


async def get(gw: RunningGateway, query: str | None, headers: dict[str, str] | None = None, **params: str):
    query_params = {"query": query, **params} if query is not None else params
    async with gw.http.get(f"{gw.url}/graphql", params=query_params, headers=headers or {}) as response:
        return response.status, await response.text()


async def test_graphiql_and_introspection_are_off(infra):
    # Arbitrary operations allowed, so that it is introspection itself that is refused.
    async with production(infra, allow_arbitrary_queries=True) as gw:
        status, page = await get(gw, None, headers={"Accept": "text/html"})
        assert status == 404 and "graphiql" not in page.lower()
        status, body = await gw.post(INTROSPECTION)
        assert body.get("data") is None and "introspection" in body["errors"][0]["message"].lower()
        assert "__typename" in await gw.data("{ __typename }")  # not introspection of the schema


async def test_graphiql_and_introspection_come_back_when_asked_for(infra):
    async with production(infra, graphiql=True, introspection=True, allow_arbitrary_queries=True) as gw:
        status, page = await get(gw, None, headers={"Accept": "text/html"})
        assert status == 200 and "graphiql" in page.lower()
        assert (await gw.data(INTROSPECTION))["__schema"]["queryType"]["name"] == "Query"


async def test_only_registered_operations_run(infra):
    async with production(infra) as gw:
        status, body = await gw.post(ARBITRARY)
        assert status == 400 and codes(body) == ["PERSISTED_QUERY_NOT_ALLOWED"]
        # The gateway's own operations and its web client's, by text or by hash, do.
        assert (await gw.data(APPROACH_PAGE, {"slug": "emdr"}))["approach"]["slug"] == "emdr"
        search = web_client_operations()["SEARCH"]
        assert "searchTherapists" in await gw.data(search, {"text": "anxiety"})
        by_hash = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": query_hash(search)}}}
        assert "searchTherapists" in await gw.data(None, {"text": "anxiety"}, **by_hash)


async def test_arbitrary_operations_run_when_allowed(infra):
    async with production(infra, allow_arbitrary_queries=True) as gw:
        assert len((await gw.data(ARBITRARY))["approaches"]) > 0


async def test_a_get_that_a_page_on_another_site_could_send_is_refused(infra):
    async with production(infra) as gw:
        status, text = await get(gw, APPROACH_PAGE, variables='{"slug": "emdr"}')
        assert status == 400 and "CSRF_PREVENTED" in text and "GraphQL-Require-Preflight" in text
        status, text = await get(gw, APPROACH_PAGE, PREFLIGHT, variables='{"slug": "emdr"}')
        assert status == 200 and '"slug":"emdr"' in text
        # A POST must be JSON (a browser sends that cross-site only after a preflight).
        async with gw.http.post(
            f"{gw.url}/graphql", data=f"query={APPROACH_PAGE}", headers={"Content-Type": "text/plain"}
        ) as response:
            assert response.status == 415


async def test_development_mode_keeps_its_conveniences(gw):
    status, text = await get(gw, "{ approaches { slug } }")
    assert status == 200
    assert (await gw.data(INTROSPECTION))["__schema"]["queryType"]["name"] == "Query"
