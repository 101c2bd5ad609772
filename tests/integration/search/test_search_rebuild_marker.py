"""The rebuild marker as consumers see it: read at most once per `marker_seconds` by each read
model, and a rebuild that waits that long at both ends, so no event applied meanwhile misses the
rebuilt collection and no late write leaves a stray copy behind."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from servicekit.mongo import connect
from services.search.store import META, REBUILD_MARKER, THERAPISTS, ReadModel, therapist_fields
from tests.integration.search.conftest import profile
from tests.support import eventually

# The tests write within this long of a consumer reading the marker, even on a loaded machine.
MARKER_SECONDS = 1.0


@pytest.fixture
async def database(infra):
    client = connect(infra.mongodb_uri, app_name="search-marker-tests")
    name = f"search_marker_{uuid.uuid4().hex[:8]}"
    yield client[name]
    await client.drop_database(name)
    await client.close()


async def marker_gone(database) -> bool:
    return await database[META].find_one({"_id": REBUILD_MARKER}) is None


def card(therapist_id: str, version: int) -> dict:
    return profile(id=therapist_id, version=version, title="Licensed Psychologist")


async def test_a_consumer_that_read_no_marker_writes_into_the_rebuild_once_it_has_begun(database):
    consumer = ReadModel(database, marker_seconds=MARKER_SECONDS)
    rebuilder = ReadModel(database, marker_seconds=MARKER_SECONDS)
    assert await consumer.rebuild_targets() == []  # remembered for MARKER_SECONDS
    target = f"{THERAPISTS}_rebuild_test"
    await rebuilder.begin_rebuild(target)
    assert await consumer.put_therapist("t-1", 1, card("t-1", 1), [[30.27, -97.74]])
    assert await database[target].find_one({"_id": "t-1"}) is not None
    assert await database[THERAPISTS].find_one({"_id": "t-1"}) is not None


async def test_writes_during_the_swap_reach_the_live_collection_and_leave_no_stray_copy(database):
    consumer = ReadModel(database, marker_seconds=MARKER_SECONDS)
    rebuilder = ReadModel(database, marker_seconds=MARKER_SECONDS)
    target = f"{THERAPISTS}_rebuild_test"
    await rebuilder.begin_rebuild(target)
    await rebuilder.write_many_if_newer(target, [("t-1", 1, therapist_fields(card("t-1", 1), []))])
    assert await consumer.rebuild_targets() == [target]  # believed for MARKER_SECONDS
    finishing = asyncio.create_task(rebuilder.finish_rebuild(target))
    await eventually(lambda: marker_gone(database), interval=0.01, what="the marker removed")
    # Swapped in and the marker gone, but this consumer still writes into the old name too.
    assert await consumer.put_therapist("t-2", 1, card("t-2", 1), [])
    assert target in await database.list_collection_names()
    await finishing
    assert target not in await database.list_collection_names()
    assert {d["_id"] async for d in database[THERAPISTS].find({})} == {"t-1", "t-2"}
    assert await consumer.rebuild_targets() == []


async def test_an_abandoned_rebuild_leaves_no_marker_and_no_copy_behind(database):
    consumer = ReadModel(database, marker_seconds=MARKER_SECONDS)
    rebuilder = ReadModel(database, marker_seconds=MARKER_SECONDS)
    target = f"{THERAPISTS}_rebuild_test"
    await rebuilder.begin_rebuild(target)
    assert await consumer.rebuild_targets() == [target]
    abandoning = asyncio.create_task(rebuilder.abandon_rebuild(target))
    await eventually(lambda: marker_gone(database), interval=0.01, what="the marker removed")
    assert await consumer.put_therapist("t-1", 1, card("t-1", 1), [])  # still into both
    await abandoning
    assert target not in await database.list_collection_names()
    assert [d["_id"] async for d in database[THERAPISTS].find({})] == ["t-1"]
