"""`newMatches` through the whole system: a therapist who starts accepting in profiles is told,
through the outbox, the broker, search's read model and the gateway, to a visitor watching a
search they now fit."""

from __future__ import annotations

import asyncio
import contextlib

import aiohttp

from tests.e2e.test_approach_page_end_to_end import SEARCH, create_therapist
from tests.support import auth_header, eventually

NEW_MATCHES = """
subscription NewMatches($filter: TherapistFilter!) {
  newMatches(filter: $filter) { id displayName newClientStatus location { city state } }
}"""
IN_BURLINGTON = {"state": "VT", "city": "Burlington"}


async def listed(directory, therapist_id: str) -> bool:
    data = await directory.graphql(SEARCH, {"filter": IN_BURLINGTON, "first": 50})
    return therapist_id in [e["node"]["id"] for e in data["searchTherapists"]["edges"]]


@contextlib.asynccontextmanager
async def watching(directory, filter: dict):
    """A visitor's WebSocket subscribed to newMatches(filter); yields the next announced node."""
    async with directory.http.ws_connect(
        f"{directory.urls['gateway']}/graphql", protocols=("graphql-transport-ws",)
    ) as ws:
        await ws.send_json({"type": "connection_init"})
        assert (await ws.receive_json(timeout=5))["type"] == "connection_ack"
        await ws.send_json(
            {
                "id": "1",
                "type": "subscribe",
                "payload": {"query": NEW_MATCHES, "variables": {"filter": filter}},
            }
        )

        async def announced(timeout: float) -> dict:
            while True:
                received = await asyncio.wait_for(ws.receive(), timeout)
                assert received.type == aiohttp.WSMsgType.TEXT, received
                message = received.json()
                if message["type"] in ("ping", "pong"):
                    continue
                assert message["type"] == "next" and "errors" not in message["payload"], message
                return message["payload"]["data"]["newMatches"]

        yield announced


async def set_accepting(directory, sub: str, therapist_id: str, status: str) -> None:
    async with directory.http.patch(
        f"{directory.urls['profiles']}/v1/therapists/{therapist_id}",
        json={"newClientStatus": status},
        headers={**auth_header(sub, "therapist"), "Content-Type": "application/merge-patch+json"},
    ) as response:
        assert response.status == 200, await response.text()


async def test_a_therapist_who_starts_accepting_reaches_a_visitor_watching_a_search_they_fit(directory):
    location = {"city": "Burlington", "state": "VT"}
    waiting = await create_therapist(
        directory,
        "e2e-new-matches-1",
        {"displayName": "Linnea Ostrowe, LICSW", "title": "Licensed Clinical Social Worker",
         "location": location, "newClientStatus": "waitlist"},
    )  # fmt: skip
    elsewhere = await create_therapist(
        directory,
        "e2e-new-matches-2",
        {"displayName": "Bram Ketteridge", "title": "Licensed Professional Counselor",
         "location": {"city": "Concord", "state": "NH"}, "newClientStatus": "waitlist"},
    )  # fmt: skip
    await eventually(lambda: listed(directory, waiting))
    async with watching(directory, IN_BURLINGTON) as announced:
        await asyncio.sleep(0.3)  # the subscription is open before the change
        await set_accepting(directory, "e2e-new-matches-2", elsewhere, "newpt")  # accepting, elsewhere
        await set_accepting(directory, "e2e-new-matches-1", waiting, "newpt")
        node = await announced(timeout=15)
        assert node == {
            "id": waiting,
            "displayName": "Linnea Ostrowe, LICSW",
            "newClientStatus": "ACCEPTING",
            "location": location,
        }
        # A later edit while they go on fitting is not news.
        await set_accepting(directory, "e2e-new-matches-1", waiting, "newpt")
        async with directory.http.patch(
            f"{directory.urls['profiles']}/v1/therapists/{waiting}",
            json={"pronouns": "she/her"},
            headers={**auth_header("e2e-new-matches-1", "therapist"), "Content-Type": "application/json"},
        ) as response:
            assert response.status == 200
        with contextlib.suppress(TimeoutError):
            raise AssertionError(f"told again: {await announced(timeout=3)}")
