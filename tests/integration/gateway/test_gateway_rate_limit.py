"""Rate limiting per client in cost units: the address (through trusted proxies only) or the
subject of a valid token; 429 with Retry-After and RATE_LIMITED; off at 0; shared through a real
Redis server across two gateway replicas."""

from __future__ import annotations

import contextlib
from typing import Any

from tests.integration.gateway.backends import StubDirectory
from tests.integration.gateway.conftest import RunningGateway, running_gateway
from tests.redis_server import redis_server
from tests.support import auth_header

ONE_THERAPIST = '{ therapist(id: "t0003") { id displayName } }'  # costs 1


async def ask(gw: RunningGateway, headers: dict[str, str] | None = None) -> tuple[int, Any, Any]:
    async with gw.http.post(
        f"{gw.url}/graphql", json={"query": ONE_THERAPIST}, headers=headers or {}
    ) as response:
        return response.status, response.headers, await response.json(content_type=None)


async def spend(gw: RunningGateway, times: int, headers: dict[str, str] | None = None) -> list[int]:
    return [(await ask(gw, headers))[0] for _ in range(times)]


async def test_a_client_past_its_allowance_is_told_to_wait_with_429_and_a_code(infra):
    async with running_gateway(infra, StubDirectory.with_demo_data(), rate_limit=5) as gw:
        status, _, body = await ask(gw)
        assert status == 200 and body["extensions"]["cost"]["requested"] == 1
        # The rest are cache hits: served from memory, and still counted.
        assert await spend(gw, 4) == [200] * 4
        status, headers, body = await ask(gw)
        assert status == 429, body
        wait = int(headers["Retry-After"])
        assert 1 <= wait <= 60
        [error] = body["errors"]
        assert error["extensions"]["code"] == "RATE_LIMITED"
        assert error["extensions"]["retryAfterSeconds"] == wait
        assert "try again in" in error["message"]
        assert "data" not in body


async def test_a_client_of_graphql_response_json_is_told_429_too(infra):
    async with running_gateway(infra, StubDirectory.with_demo_data(), rate_limit=1) as gw:
        accepts = {"Accept": "application/graphql-response+json"}
        assert (await ask(gw, accepts))[0] == 200
        signed_in = {**accepts, **auth_header("graphql-response-client")}
        assert await spend(gw, 2, signed_in) == [200, 429]  # refused before running: still 429
        status, headers, body = await ask(gw, accepts)  # from the cache
        assert status == 429 and headers["Content-Type"].startswith("application/graphql-response+json")
        assert body["errors"][0]["extensions"]["code"] == "RATE_LIMITED"


async def test_an_uncached_operation_is_refused_before_it_runs(infra):
    stub = StubDirectory.with_demo_data()
    async with running_gateway(infra, stub, rate_limit=2) as gw:
        signed_in = auth_header("rate-limited-owner")  # with a token: never from the cache
        assert await spend(gw, 2, signed_in) == [200, 200]
        calls = len(stub.calls)
        assert calls > 0
        status, _, body = await ask(gw, signed_in)
        assert status == 429 and body["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
        assert len(stub.calls) == calls  # no service was asked


async def test_each_signed_in_subject_has_its_own_allowance_and_a_bad_token_does_not(infra):
    async with running_gateway(infra, StubDirectory.with_demo_data(), rate_limit=3) as gw:
        assert await spend(gw, 3) == [200] * 3
        assert (await ask(gw))[0] == 429  # this address is spent
        assert await spend(gw, 3, auth_header("subject-one")) == [200] * 3
        assert await spend(gw, 4, auth_header("subject-two")) == [200, 200, 200, 429]
        forged = {"Authorization": "Bearer not-a-token-at-all"}
        status, _, body = await ask(gw, forged)
        assert status == 429, body  # counted by its address, which is spent


async def test_forwarded_addresses_count_only_behind_a_trusted_proxy(infra):
    def from_(address: str) -> dict[str, str]:
        return {"X-Forwarded-For": f"203.0.113.9, {address}"}

    async with running_gateway(infra, StubDirectory.with_demo_data(), rate_limit=2) as gw:
        # Not trusted: the header is the client's own word and changes nothing.
        assert await spend(gw, 2, from_("198.51.100.7")) == [200, 200]
        assert (await ask(gw, from_("198.51.100.8")))[0] == 429
    async with running_gateway(
        infra, StubDirectory.with_demo_data(), rate_limit=2, trusted_proxies=("127.0.0.0/8",)
    ) as gw:
        assert await spend(gw, 3, from_("198.51.100.7")) == [200, 200, 429]
        assert await spend(gw, 2, from_("198.51.100.8")) == [200, 200]
        # The address left of the one the proxy saw is the client's own claim: not used.
        assert (await ask(gw, {"X-Forwarded-For": "192.0.2.1, 198.51.100.8"}))[0] == 429


async def test_zero_switches_the_limit_off(infra):
    async with running_gateway(infra, StubDirectory.with_demo_data(), rate_limit=0) as gw:
        assert gw.gateway.view.rate_limiter is None
        assert await spend(gw, 30) == [200] * 30


async def test_replicas_share_one_allowance_through_redis(infra):
    with redis_server() as url:
        async with contextlib.AsyncExitStack() as stack:
            first, second = [
                await stack.enter_async_context(
                    running_gateway(infra, StubDirectory.with_demo_data(), rate_limit=4, redis_url=url)
                )
                for _ in range(2)
            ]
            assert await spend(first, 2) == [200, 200]
            assert await spend(second, 2) == [200, 200]
            assert (await ask(first))[0] == 429
            assert (await ask(second))[0] == 429
