"""The read model's bulk write: many therapists at once, each only if newer than what is stored."""

from __future__ import annotations

import uuid

import pytest

from servicekit.mongo import connect
from services.search.store import THERAPISTS, ReadModel, stored_listing, therapist_fields
from tests.integration.search.conftest import profile


@pytest.fixture
async def read_model(infra):
    client = connect(infra.mongodb_uri, app_name="search-bulk-tests")
    database = f"search_bulk_{uuid.uuid4().hex[:8]}"
    yield ReadModel(client[database])
    await client.drop_database(database)
    await client.close()


def listing(therapist_id: str, version: int, title: str) -> tuple[str, int, dict]:
    data = profile(id=therapist_id, version=version, title=title)
    return therapist_id, version, therapist_fields(data, [[30.27, -97.74]])


async def stored(read_model: ReadModel) -> dict[str, tuple[int, str | None]]:
    found = {}
    async for doc in read_model.therapists.find({}):
        held = stored_listing(doc)
        found[doc["_id"]] = (doc["version"], held[0]["title"] if held else None)
    return found


async def test_therapists_not_stored_yet_are_all_written(read_model):
    writes = [listing(f"t-{i}", 1, f"Title {i}") for i in range(5)]
    assert await read_model.write_many_if_newer(THERAPISTS, writes) == 5
    assert await stored(read_model) == {f"t-{i}": (1, f"Title {i}") for i in range(5)}
    assert await read_model.therapists.count_documents({"appliedAt": {"$exists": True}}) == 5


async def test_only_writes_newer_than_the_stored_version_are_applied(read_model):
    await read_model.write_many_if_newer(
        THERAPISTS, [listing("older", 2, "kept"), listing("same", 2, "kept"), listing("newer", 2, "old")]
    )
    applied = await read_model.write_many_if_newer(
        THERAPISTS,
        [
            listing("older", 1, "late older update"),
            listing("same", 2, "duplicate delivery"),
            listing("newer", 3, "replaced"),
            listing("new", 1, "added"),
        ],
    )
    assert applied == 2
    assert await stored(read_model) == {
        "older": (2, "kept"),
        "same": (2, "kept"),
        "newer": (3, "replaced"),
        "new": (1, "added"),
    }


async def test_a_bulk_write_never_brings_back_a_deleted_therapist(read_model):
    await read_model.write_if_newer(THERAPISTS, "gone", 4, {"deleted": True, "listing": None})
    assert await read_model.write_many_if_newer(THERAPISTS, [listing("gone", 3, "revived")]) == 0
    doc = await read_model.therapists.find_one({"_id": "gone"})
    assert doc["deleted"] is True and doc["version"] == 4


async def test_a_placeholder_left_by_an_inquiry_is_filled_in_and_keeps_its_measurement(read_model):
    measured = {"answeredShare": 1.0, "medianReplyHours": 3.0, "sampleSize": 2}
    await read_model.write_responsiveness(THERAPISTS, "measured", 1, measured)
    assert await read_model.write_many_if_newer(THERAPISTS, [listing("measured", 1, "listed now")]) == 1
    doc = await read_model.therapists.find_one({"_id": "measured"})
    assert stored_listing(doc)[0]["title"] == "listed now" and doc["responsiveness"] == measured
