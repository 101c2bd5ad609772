"""Protection: depth, token, alias and body limits; masked internal errors; GraphiQL; CORS."""

import aiohttp

from tests.integration.gateway.backends import StubDirectory
from tests.integration.gateway.conftest import running_gateway
from tests.integration.gateway.operations import APPROACH_PAGE

INTROSPECTION = """
query { __schema { queryType { name } types { name fields { name type { name ofType { name
  ofType { name ofType { name ofType { name ofType { name ofType { name } } } } } } } } } } }"""


def error_codes(body: dict) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors", [])]


async def test_too_deep_a_query_is_refused(gw):
    deep = 'query { approach(slug: "emdr") ' + "{ related " * 10 + "{ slug" + " }" * 12
    status, body = await gw.post(deep)
    assert status == 200 and "data" not in body  # refused before it ran: no data entry
    assert "exceeds maximum operation depth" in body["errors"][0]["message"]
    assert not gw.stub.calls


async def test_a_spread_of_an_undefined_fragment_is_refused_naming_it(gw):
    status, body = await gw.post('query { approach(slug: "emdr") { ...Missing } }')
    assert status == 200 and "data" not in body  # refused before it ran: no data entry
    assert [e["message"] for e in body["errors"]] == ["Unknown fragment 'Missing'."]
    assert error_codes(body) != ["INTERNAL"]
    assert not gw.stub.calls


async def test_too_many_aliases_are_refused(gw):
    aliased = "query {" + " ".join(f"a{i}: approaches {{ slug }}" for i in range(16)) + "}"
    status, body = await gw.post(aliased)
    assert "aliases found" in body["errors"][0]["message"]
    assert not gw.stub.calls


async def test_too_many_tokens_are_refused(gw):
    status, body = await gw.post("query {" + " __typename" * 2100 + "}")
    assert "more than 2000 tokens" in body["errors"][0]["message"]


async def test_a_body_over_the_limit_is_refused_with_413(gw):
    status, body = await gw.post(APPROACH_PAGE, {"slug": "x" * 70_000})
    assert status == 413 and error_codes(body) == ["PAYLOAD_TOO_LARGE"]


async def test_batched_operations_are_refused(gw):
    async with gw.http.post(f"{gw.url}/graphql", json=[{"query": "{ __typename }"}] * 2) as response:
        assert response.status == 400
        assert error_codes(await response.json()) == ["BATCHING_NOT_SUPPORTED"]


async def test_introspection_is_allowed(gw):
    data = await gw.data(INTROSPECTION)
    assert data["__schema"]["queryType"]["name"] == "Query"


async def test_an_internal_error_is_masked_with_a_request_id_that_is_logged(infra, capsys):
    stub = StubDirectory.with_demo_data()
    stub.approaches["emdr"] = ["not", "an", "approach"]  # a service answering nonsense
    stub.contract_checked = False
    async with running_gateway(infra, stub) as gw:
        status, body = await gw.post(APPROACH_PAGE, {"slug": "emdr"}, headers={"X-Request-Id": "req-42"})
    error = body["errors"][0]
    assert status == 200 and error["message"] == "Internal error (request id req-42)"
    assert error["extensions"] == {"code": "INTERNAL", "requestId": "req-42"}
    assert "AttributeError" not in str(body)
    logged = [line for line in capsys.readouterr().out.splitlines() if "graphql_internal_error" in line]
    assert logged and "req-42" in logged[0]


async def test_a_service_that_is_down_gives_a_service_unavailable_error(infra):
    async with running_gateway(infra, StubDirectory.with_demo_data()) as gw:
        gw.gateway.clients.urls = {**gw.gateway.clients.urls, "search": "http://127.0.0.1:9"}
        status, body = await gw.post(APPROACH_PAGE, {"slug": "emdr"})
    assert error_codes(body) == ["SERVICE_UNAVAILABLE"]


async def test_a_bad_page_size_is_a_user_error(gw):
    status, body = await gw.post(APPROACH_PAGE, {"slug": "emdr", "first": 500})
    assert error_codes(body) == ["BAD_USER_INPUT"]


async def test_graphiql_is_served_to_browsers(gw):
    async with gw.http.get(f"{gw.url}/graphql", headers={"Accept": "text/html"}) as response:
        assert response.status == 200
        assert "graphiql" in (await response.text()).lower()


async def test_queries_can_be_sent_with_get_but_mutations_cannot(gw):
    params = {"query": "{ approaches { slug } }"}
    async with gw.http.get(f"{gw.url}/graphql", params=params) as response:
        assert response.status == 200 and len((await response.json())["data"]["approaches"]) == 4
    mutation = 'mutation { removeApproachStatement(therapistId: "t1", slug: "emdr") { __typename } }'
    async with gw.http.get(f"{gw.url}/graphql", params={"query": mutation}) as response:
        assert response.status == 405


async def test_cors_allows_the_configured_origins_only(infra):
    async with running_gateway(
        infra, StubDirectory.with_demo_data(), cors_allow_origins=("https://app.example.org",)
    ) as gw:
        preflight = {
            "Origin": "https://app.example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        }
        async with gw.http.options(f"{gw.url}/graphql", headers=preflight) as response:
            assert response.ok  # browsers take any 2xx for an accepted preflight
            assert response.headers["Access-Control-Allow-Origin"] == "https://app.example.org"
            assert "POST" in response.headers["Access-Control-Allow-Methods"]
        async with gw.http.post(
            f"{gw.url}/graphql",
            json={"query": "{ __typename }"},
            headers={"Origin": "https://elsewhere.example"},
        ) as response:
            assert "Access-Control-Allow-Origin" not in response.headers


async def test_readiness_needs_the_broker_and_every_service(infra):
    async with running_gateway(infra, StubDirectory.with_demo_data()) as gw:
        async with gw.http.get(f"{gw.url}/readyz") as response:
            assert response.status == 200
            assert (await response.json())["checks"] == {"rabbitmq": True, "backends": True}
        gw.gateway.clients.urls = {**gw.gateway.clients.urls, "profiles": "http://127.0.0.1:9"}
        async with gw.http.get(f"{gw.url}/readyz") as response:
            assert response.status == 503
        async with gw.http.get(f"{gw.url}/healthz") as response:
            assert response.status == 200


async def test_metrics_are_served(gw):
    await gw.data("{ __typename }")
    async with aiohttp.ClientSession() as http, http.get(f"{gw.url}/metrics") as response:
        assert "directory_gateway_responses_total" in await response.text()
