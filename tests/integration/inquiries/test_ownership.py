"""The ownership check asks the profiles service over HTTP with the caller's own Authorization:
only 204 allows, 401 stays unauthenticated, and a profiles service that cannot answer makes the
inbox unavailable rather than empty."""

from __future__ import annotations

import pytest
from aiohttp import web

from devstack.embedded_mongo import free_port
from servicekit.errors import Unauthenticated, Unavailable
from services.inquiries.ownership import ProfilesOwnership
from tests.support import serving


async def answering(status: int, seen: list[str]):
    async def ownership(request: web.Request) -> web.Response:
        seen.append(request.headers.get("Authorization", ""))
        return web.Response(status=status)

    app = web.Application()
    app.router.add_get("/v1/therapists/{id}/ownership", ownership)
    return app


@pytest.mark.parametrize("status, allowed", [(204, True), (403, False), (404, False)])
async def test_only_204_allows_and_the_callers_authorization_is_forwarded(status, allowed):
    seen: list[str] = []
    async with serving(await answering(status, seen), free_port()) as url:
        checker = ProfilesOwnership(url)
        try:
            assert await checker.may_read("t-1", "Bearer the-callers-token") is allowed
        finally:
            await checker.close()
    assert seen == ["Bearer the-callers-token"]


@pytest.mark.parametrize("status, refusal", [(401, Unauthenticated), (503, Unavailable)])
async def test_a_bad_token_stays_401_and_a_failing_profiles_service_is_unavailable(status, refusal):
    async with serving(await answering(status, []), free_port()) as url:
        checker = ProfilesOwnership(url)
        try:
            with pytest.raises(refusal):
                await checker.may_read("t-1", "Bearer x")
        finally:
            await checker.close()


async def test_an_unreachable_profiles_service_is_unavailable():
    checker = ProfilesOwnership(f"http://127.0.0.1:{free_port()}", timeout=2.0)
    try:
        with pytest.raises(Unavailable):
            await checker.may_read("t-1", "Bearer x")
    finally:
        await checker.close()
