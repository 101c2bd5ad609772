"""HTTP caching for browsers and a CDN: anonymous answers carry Cache-Control, an ETag and the
tags the change events purge them by; If-None-Match gets a 304; signed-in answers are never
stored; a CDN adapter is sent the tags of each event over HTTP (gateway.cdn)."""

from __future__ import annotations

import contextlib

import orjson
from aiohttp import web

from devstack.embedded_mongo import free_port
from integration_events.therapists import THERAPIST_UPDATED
from tests.integration.gateway.backends import StubDirectory
from tests.integration.gateway.conftest import RunningGateway, publish, running_gateway
from tests.integration.gateway.operations import THERAPIST
from tests.support import auth_header, eventually, serving

PREFLIGHT = {"GraphQL-Require-Preflight": "1"}


async def get(gw: RunningGateway, query: str, variables: dict, headers: dict | None = None):
    params = {"query": query, "variables": orjson.dumps(variables).decode()}
    async with gw.http.get(f"{gw.url}/graphql", params=params, headers=headers or {}) as response:
        return response.status, response.headers, await response.read()


async def test_an_anonymous_answer_says_how_long_to_keep_it_and_what_purges_it(gw):
    status, headers, body = await get(gw, THERAPIST, {"id": "t0003"})
    assert status == 200 and orjson.loads(body)["data"]["therapist"]["id"] == "t0003"
    assert headers["Cache-Control"] == "public, max-age=10, stale-while-revalidate=30"
    assert "therapist:t0003" in headers["Surrogate-Key"].split(" ")
    assert "therapist:t0003" in headers["Cache-Tag"].split(",")
    assert headers["ETag"].startswith('"') and len(headers["ETag"]) == 34


async def test_a_matching_if_none_match_gets_304_without_a_body(gw):
    _, first, body = await get(gw, THERAPIST, {"id": "t0003"})
    etag = first["ETag"]
    status, headers, empty = await get(
        gw, THERAPIST, {"id": "t0003"}, {"If-None-Match": f'W/{etag}, "other"'}
    )
    assert status == 304 and empty == b"" and headers["ETag"] == etag
    assert headers["Cache-Control"] == first["Cache-Control"]
    status, _, again = await get(gw, THERAPIST, {"id": "t0003"}, {"If-None-Match": '"something-else"'})
    assert status == 200 and again == body


async def test_posted_queries_carry_the_same_headers(gw):
    async with gw.http.post(
        f"{gw.url}/graphql", json={"query": THERAPIST, "variables": {"id": "t0003"}}
    ) as response:
        assert response.headers["Cache-Control"].startswith("public, max-age=")
        assert "ETag" in response.headers


async def test_signed_in_answers_mutations_and_errors_are_never_stored(gw):
    _, headers, _ = await get(gw, THERAPIST, {"id": "t0003"}, auth_header("some-therapist"))
    assert headers["Cache-Control"] == "no-store" and "ETag" not in headers and "Surrogate-Key" not in headers
    async with gw.http.post(f"{gw.url}/graphql", json={"query": "{ nope }"}) as response:
        assert response.headers["Cache-Control"] == "no-store"


async def test_right_after_a_change_a_search_derived_answer_is_revalidated_each_time(gw, publisher):
    await publish(publisher, THERAPIST_UPDATED, {"id": "t0009", "version": 2})

    search = '{ searchTherapists(text: "anxiety", first: 5) { totalCount } }'

    async def settling() -> bool:
        _, headers, _ = await get(gw, search, {})
        return headers["Cache-Control"].endswith(", no-cache")

    # Search may not have applied the change yet: for a while its answers are not kept.
    await eventually(settling)
    _, headers, _ = await get(gw, THERAPIST, {"id": "t0003"})  # from profiles: kept as usual
    assert headers["Cache-Control"].startswith("public, max-age=")


@contextlib.asynccontextmanager
async def cdn_adapter(status: int = 200):
    received: list[dict] = []
    failures = {"left": 1 if status != 200 else 0}

    async def purge(request: web.Request) -> web.Response:
        if failures["left"]:
            failures["left"] -= 1
            return web.Response(status=status)
        received.append(await request.json())
        return web.Response(status=204)

    app = web.Application()
    app.router.add_post("/purge", purge)
    port = free_port()
    async with serving(app, port) as url:
        yield f"{url}/purge", received


async def test_a_cdn_adapter_is_told_the_tags_of_each_change_and_again_once_search_settled(infra, publisher):
    async with cdn_adapter(status=503) as (url, received):  # the first attempt fails: retried
        async with running_gateway(
            infra, StubDirectory.with_demo_data(), cdn_purge_url=url, search_settle_seconds=0.5
        ):
            await publish(publisher, THERAPIST_UPDATED, {"id": "t0004", "version": 2})

            async def purged_twice() -> bool:
                return len(received) >= 2

            await eventually(purged_twice, timeout=10)
            assert {"therapist:t0004", "search"} <= set(received[0]["tags"])
            # After search had time to apply it: what search derived, this therapist's cards included.
            assert received[1] == {"tags": ["search", "specialists", "therapist:t0004"]}
