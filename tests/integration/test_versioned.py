"""Copies kept by the owner's version in one conditional write: newer wins, whatever the order."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from servicekit.mongo import connect
from servicekit.versioned import write_if_newer


@pytest.fixture
async def copies(infra):
    client = connect(infra.mongodb_uri, app_name="versioned-test")
    db = client.get_database(f"versioned_test_{uuid.uuid4().hex[:8]}")
    yield db["copies"]
    await client.drop_database(db.name)
    await client.close()


async def test_the_first_version_is_written_and_a_newer_one_replaces_it(copies):
    assert await write_if_newer(copies, "t1", 1, {"slugs": ["emdr"]})
    assert await write_if_newer(copies, "t1", 3, {"slugs": ["gottman-method"]})
    assert await copies.find_one({"_id": "t1"}) == {"_id": "t1", "version": 3, "slugs": ["gottman-method"]}


async def test_the_same_or_an_older_version_changes_nothing(copies):
    await write_if_newer(copies, "t1", 5, {"slugs": ["emdr"], "deleted": True})
    assert not await write_if_newer(copies, "t1", 5, {"slugs": ["play-therapy"], "deleted": False})
    assert not await write_if_newer(copies, "t1", 2, {"slugs": ["play-therapy"], "deleted": False})
    assert await copies.find_one({"_id": "t1"}) == {
        "_id": "t1",
        "version": 5,
        "slugs": ["emdr"],
        "deleted": True,
    }


async def test_versions_arriving_together_in_any_order_leave_the_newest(copies):
    versions = [4, 1, 7, 3, 7, 6, 2, 5]
    written = await asyncio.gather(*(write_if_newer(copies, "t1", v, {"at": v}) for v in versions))
    assert (await copies.find_one({"_id": "t1"}))["at"] == 7
    # Exactly one of the two copies of version 7 was written; no older version after it.
    assert written.count(True) >= 1 and sum(w for v, w in zip(versions, written, strict=True) if v == 7) == 1
