"""Several replicas: each serves its own index and sees every change through the change stream."""

from __future__ import annotations

import time

from services.search import geo
from tests.integration.search.conftest import profile, running_search
from tests.support import metric_value


async def test_a_second_replica_sees_changes_applied_by_another(search, infra):
    database = search.app["read_model"].db.name
    before = profile(displayName="Lucan Fennick")
    await search.put_therapist(before)
    await search.settled(before["id"], 1)
    async with running_search(infra, database, consume=False) as (replica, http):

        async def replica_card(therapist_id: str):
            async with http.get(f"/v1/therapists/{therapist_id}") as response:
                return await response.json() if response.status == 200 else None

        # Started late: its first build caught up with what was already there.
        assert (await replica_card(before["id"]))["displayName"] == "Lucan Fennick"
        async with http.get("/readyz") as response:
            assert response.status == 200 and (await response.json())["checks"]["index"] is True
        async with http.get("/metrics") as response:  # how long its build took, for operators
            metrics = await response.text()
        assert metric_value(metrics, "directory_search_index_build_documents") >= 1
        total = metric_value(metrics, "directory_search_index_build_seconds", part="total")
        assert 0 < metric_value(metrics, "directory_search_index_build_seconds", part="first_batch") <= total

        later = profile(displayName="Matteo Brindlemere")
        await search.put_therapist(later)  # only the first replica consumes events

        async def replica_has_it() -> bool:
            return await replica_card(later["id"]) is not None

        await search.eventually(replica_has_it)
        await search.delete_therapist(later["id"], 2)

        async def replica_dropped_it() -> bool:
            return await replica_card(later["id"]) is None

        await search.eventually(replica_dropped_it)


async def test_a_replica_loads_the_place_list_before_it_reports_ready(search, infra):
    geo._places.cache_clear()  # as in a process that has not placed anything yet
    async with running_search(infra, search.app["read_model"].db.name, consume=False) as (_, http):
        async with http.get("/readyz") as response:
            assert response.status == 200
        # Loaded at start-up, not by the first search with a ZIP code or city.
        assert geo._places.cache_info().currsize == 1
        started = time.perf_counter()
        async with http.get("/v1/therapists", params={"zip": "97204", "radius": "25"}) as response:
            assert response.status == 200
        assert time.perf_counter() - started < 0.5
