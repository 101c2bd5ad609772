"""Writes and their dependencies: MongoDB down is a clear 503; RabbitMQ down does not stop writes."""

from __future__ import annotations

import asyncio
import uuid

import aiohttp

from devstack.embedded_mongo import free_port
from services.profiles.app import build_app
from tests.integration.profiles.conftest import MINIMAL, new_sub
from tests.support import serving, token


async def test_writes_answer_503_with_a_clear_message_while_mongodb_is_down(infra):
    settings = infra.settings("profiles").model_copy(
        update={"mongodb_uri": f"mongodb://127.0.0.1:{free_port()}/?directConnection=true"}
    )
    headers = {"Authorization": f"Bearer {token(new_sub())}"}
    async with serving(build_app(settings), settings.port) as url, aiohttp.ClientSession() as http:

        async def status(method: str, path: str, body: dict) -> tuple[int, dict]:
            async with http.request(method, url + path, json=body, headers=headers) as response:
                return response.status, await response.json()

        replies = await asyncio.gather(
            status("POST", "/v1/therapists", MINIMAL),
            status("PATCH", "/v1/therapists/some-id", {"pronouns": "she/her"}),
        )
    for code, body in replies:
        assert code == 503
        assert body["error"]["code"] == "service_unavailable"
        assert "nothing was changed" in body["error"]["message"]


async def test_writes_succeed_while_rabbitmq_is_down_and_the_event_waits_in_the_outbox(infra):
    settings = infra.settings("profiles", database=f"profiles_nobroker_{uuid.uuid4().hex[:8]}").model_copy(
        update={"amqp_url": f"amqp://guest:guest@127.0.0.1:{free_port()}/"}
    )
    app = build_app(settings)
    async with serving(app, settings.port) as url, aiohttp.ClientSession() as http:
        await asyncio.wait_for(app["runtime"].prepared.wait(), 30)
        async with http.post(
            url + "/v1/therapists", json=MINIMAL, headers={"Authorization": f"Bearer {token(new_sub())}"}
        ) as response:
            assert response.status == 201
        assert await app["runtime"].outbox.pending_count() == 1
