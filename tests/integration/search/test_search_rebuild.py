"""The rebuild command recreates the read model from the owners' state while search keeps answering."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from aiohttp import web

from devstack.embedded_mongo import free_port
from services.search.rebuild import rebuild
from tests.integration.search.conftest import NOW, approach, profile
from tests.support import serving


def upstream(approaches: list[dict], therapists: list[dict]) -> web.Application:
    """The owners' list endpoints, in the documented shapes (profiles pages with first/after)."""
    app = web.Application()

    async def list_approaches(_: web.Request) -> web.Response:
        return web.json_response({"items": approaches})

    async def list_therapists(request: web.Request) -> web.Response:
        first = int(request.query["first"])
        start = int(request.query.get("after", "0"))
        items = therapists[start : start + first]
        more = start + first < len(therapists)
        return web.json_response({"items": items, "next": str(start + first) if more else None})

    app.router.add_get("/v1/approaches", list_approaches)
    app.router.add_get("/v1/therapists", list_therapists)
    return app


async def test_rebuild_replaces_the_read_model_without_interrupting_search(search):
    orphan = profile(displayName="Orphan Quillfield")  # in the read model, unknown to the owners
    await search.put_therapist(orphan)
    await search.settled(orphan["id"], 1)
    store = search.app["read_model"]
    await store.therapists.update_one(
        {"_id": orphan["id"]}, {"$set": {"appliedAt": NOW - timedelta(hours=2)}}
    )
    owned = [profile(displayName=f"Owner Ashgrove {i}", version=4) for i in range(5)]
    slug = "rebuilt-approach"
    port = free_port()
    async with serving(upstream([approach(slug, name="Rebuilt Approach")], owned), port) as url:
        stop = asyncio.Event()
        failures = []

        async def keep_reading() -> None:
            while not stop.is_set():
                status, _ = await search.get("/v1/therapists", text="ashgrove")
                if status != 200:
                    failures.append(status)
                await asyncio.sleep(0.01)

        reader = asyncio.create_task(keep_reading())
        counts = await rebuild(store, url, url, page_size=2)

        async def rebuilt_index_serves() -> bool:
            return (await search.search(text="ashgrove owner"))["totalCount"] == 5

        await search.eventually(rebuilt_index_serves, timeout=20)
        stop.set()
        await reader
    assert counts["therapists"] == 5 and counts["approaches"] == 1
    assert failures == []
    assert await search.card(orphan["id"]) is None
    assert await store.therapists.count_documents({"_id": {"$in": [t["id"] for t in owned]}}) == 5
    assert "rebuild" not in [d["_id"] async for d in store.db["meta"].find({})]


async def test_a_rebuild_keeps_each_therapists_responsiveness(search):
    owned = profile(displayName="Measured Brackenridge")
    await search.put_therapist(owned)
    await search.settled(owned["id"], 1)
    received_at = NOW - timedelta(days=2)
    await search.inquiry_answered(owned["id"], f"q-{owned['id']}", received_at, timedelta(hours=4))
    measured = {"answeredShare": 1.0, "medianReplyHours": 4.0, "sampleSize": 1}

    async def card_measured() -> bool:
        card = await search.card(owned["id"])
        return bool(card) and card["responsiveness"] == measured

    await search.eventually(card_measured)
    port = free_port()
    async with serving(upstream([], [owned]), port) as url:
        counts = await rebuild(search.app["read_model"], url, url)
    assert counts["responsiveness"] >= 1
    stored = await search.app["read_model"].therapists.find_one({"_id": owned["id"]})
    assert stored["responsiveness"]["medianReplyHours"] == 4.0
    await search.eventually(card_measured, timeout=20)
