"""Replicas that keep a snapshot of their index: a restart serves from it, caught up from the
change stream, and a snapshot that is damaged, of other code, of a replaced collection or past
the stream's history (a made-up position, and one a small oplog really dropped) is rebuilt from
the read model instead, with the same answers."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import uuid

import orjson
import pytest
from pymongo import AsyncMongoClient
from pymongo.errors import OperationFailure

from devstack.embedded_mongo import EmbeddedMongo
from integration_events.therapists import TherapistPublicProfile
from services.search.application import practice_points
from services.search.index import snapshot as snapshots
from services.search.index import snapshot_store as stores
from services.search.settings import SearchSettings
from services.search.store import THERAPISTS, ReadModel, therapist_fields
from tests.integration.search.conftest import profile, running_search
from tests.support import eventually, flip_a_byte, metric_value

CHANGE_STREAM_HISTORY_LOST = 286  # MongoDB's code for a resume point no longer in the oplog

QUERIES = [{}, {"text": "grief"}, {"zip": "78701", "radius": "40"}, {"approach": "emdr", "sort": "freshness"}]


@pytest.fixture
def folder(tmp_path) -> str:
    return str(tmp_path / "snapshots")


@pytest.fixture
def settings(folder) -> SearchSettings:
    return SearchSettings(snapshot_dir=folder, snapshot_every_seconds=0.2)


@contextlib.asynccontextmanager
async def replica(search, infra, settings: SearchSettings):
    async with running_search(
        infra, search.app["read_model"].db.name, consume=False, search_settings=settings
    ) as (app, http):
        yield app, http


async def snapshot_written(search, store: stores.SnapshotStore, after: set[str] = frozenset()) -> str:
    async def written() -> bool:
        return bool(set(store.snapshots()) - set(after))

    await search.eventually(written)
    return store.snapshots()[0]


def store_of(search, folder: str) -> stores.SnapshotStore:
    return stores.SnapshotStore(folder, search.app["read_model"].db.name)


async def answers(http) -> list:
    found = []
    for params in QUERIES:
        async with http.get("/v1/therapists", params={**params, "first": "50"}) as response:
            assert response.status == 200
            found.append(await response.json())
    assert any(body["totalCount"] for body in found), "the queries find someone"
    return found


async def seeded(search, n: int = 6) -> list[dict]:
    people = [
        profile(
            displayName=f"Oriel Vantassel {chr(65 + k)}",
            approaches=[{"slug": "emdr", "statement": "Bilateral work, paced by you."}],
            issues=[{"slug": "grief", "top": True}],
        )
        for k in range(n)
    ]
    await search.seed({p["id"]: p for p in people})
    return people


async def test_a_restarted_replica_serves_from_its_snapshot_with_what_changed_while_it_was_down(
    search, infra, folder, settings
):
    people = await seeded(search)
    store = store_of(search, folder)
    async with replica(search, infra, settings) as (first, _):
        assert first["index_sync"].started_from == "build"
        taken = await snapshot_written(search, store)
    # While no snapshot replica runs: one new, one changed, one deleted.
    newcomer = profile(displayName="Tamsin Orlowe", issues=[{"slug": "grief"}])
    await search.put_therapist(newcomer)
    changed = {**people[0], "version": 2, "displayName": "Oriel Vantassel Renamed"}
    await search.put_therapist(changed)
    await search.delete_therapist(people[1]["id"], 2)
    await search.settled(newcomer["id"], 1)
    await search.settled(changed["id"], 2)
    await search.settled(people[1]["id"], 2)

    async with replica(search, infra, settings) as (second, http):
        sync = second["index_sync"]
        assert sync.started_from == "snapshot" and sync.caught_up >= 3
        assert await answers(http) == await answers(search.http)
        async with http.get(f"/v1/therapists/{changed['id']}") as response:
            assert (await response.json())["displayName"] == "Oriel Vantassel Renamed"
        async with http.get(f"/v1/therapists/{people[1]['id']}") as response:
            assert response.status == 404
        async with http.get("/metrics") as response:
            metrics = await response.text()
        assert metric_value(metrics, "directory_search_snapshots_total", outcome="restored") >= 1
        total = metric_value(metrics, "directory_search_index_restore_seconds", part="total")
        assert 0 < metric_value(metrics, "directory_search_index_restore_seconds", part="verify") <= total
        # What it caught up on goes into a new snapshot, which replaces the one it started from.
        # (The writer renames it into place, then prunes: the two may be seen together a moment.)
        newer = await snapshot_written(search, store, after={taken})
        await search.eventually(lambda: store.snapshots() == [newer])

        # Still current after the restore: a change made now reaches it.
        later = profile(displayName="Ysolde Marrick")
        await search.put_therapist(later)

        async def replica_has_it() -> bool:
            async with http.get(f"/v1/therapists/{later['id']}") as response:
                return response.status == 200

        await search.eventually(replica_has_it)


def rewrite_manifest(folder: str, **fields) -> None:
    path = os.path.join(folder, snapshots.MANIFEST)
    manifest = orjson.loads(open(path, "rb").read())
    manifest.update(fields)
    with open(path, "wb") as file:
        file.write(orjson.dumps(manifest))


async def replaced_therapists_collection(search) -> None:
    """What a read-model rebuild does: a new collection with the same documents renamed over the old."""
    db = search.app["read_model"].db
    docs = await db.therapists.find({}).to_list(None)
    await db.drop_collection("therapists_copy")
    await db.therapists_copy.insert_many(docs)
    await db.therapists_copy.rename("therapists", dropTarget=True)


@pytest.mark.parametrize("spoil", ["records", "segment", "format", "resume_point", "collection"])
async def test_a_snapshot_that_cannot_be_trusted_is_rebuilt_from_the_read_model(
    search, infra, folder, settings, spoil
):
    await seeded(search, 3)
    store = store_of(search, folder)
    async with replica(search, infra, settings):
        taken = await snapshot_written(search, store)
    if spoil == "records":
        flip_a_byte(os.path.join(taken, snapshots.RECORDS + "0"))
    elif spoil == "segment":
        engine = os.path.join(taken, snapshots.ENGINE)
        segments = [os.path.join(engine, n) for n in os.listdir(engine) if n != "meta.json"]
        flip_a_byte(max(segments, key=os.path.getsize))
    elif spoil == "format":
        rewrite_manifest(taken, fingerprint="0" * 64)
    elif spoil == "resume_point":
        rewrite_manifest(taken, resume_token={"_data": "82" + "00" * 40})
    else:
        await replaced_therapists_collection(search)
    async with replica(search, infra, settings) as (app, http):
        assert app["index_sync"].started_from == "build"
        assert await answers(http) == await answers(search.http)
        assert taken not in store.snapshots(), "the untrusted snapshot is removed"
        async with http.get("/metrics") as response:
            assert (
                metric_value(await response.text(), "directory_search_snapshots_total", outcome="rejected")
                >= 1
            )
        await snapshot_written(search, store, after={taken})


async def test_two_replicas_on_one_host_start_from_one_snapshot_and_take_turns_writing(
    search, infra, folder, settings
):
    await seeded(search, 3)
    store = store_of(search, folder)
    async with replica(search, infra, settings):
        taken = await snapshot_written(search, store)
    async with (
        replica(search, infra, settings) as (one, one_http),
        replica(search, infra, settings) as (
            two,
            two_http,
        ),
    ):
        assert one["index_sync"].started_from == two["index_sync"].started_from == "snapshot"
        expected = await answers(search.http)
        assert await answers(one_http) == expected and await answers(two_http) == expected
        newcomer = profile(displayName="Caspian Holloway-Reeve")
        await search.put_therapist(newcomer)
        await search.settled(newcomer["id"], 1)
        await snapshot_written(search, store, after={taken})
    # Whichever wrote last, one complete snapshot is left and nothing half-written.
    assert len(store.snapshots()) == 1
    assert not [n for n in os.listdir(store.root) if n.startswith(stores.PARTIAL)]
    with store.reading(store.snapshots()[0]) as manifest:
        snapshots.verify_files(store.snapshots()[0], manifest)


OPLOG_ENTRIES = 200  # what the small server's oplog keeps


async def history_lost(read_model: ReadModel, token: dict) -> bool:
    try:
        async with await read_model.db.watch(resume_after=token) as stream:
            await stream.try_next()
    except OperationFailure as exc:
        if exc.code == CHANGE_STREAM_HISTORY_LOST:
            return True
        raise
    return False


async def test_a_snapshot_whose_resume_point_has_left_the_oplog_is_rebuilt(infra, tmp_path):
    """Real history loss, not a made-up token: on a server whose oplog keeps few entries, more
    changes than that land while no replica runs."""
    server = EmbeddedMongo(storage=":memory:", oplog_entries=OPLOG_ENTRIES)
    await asyncio.to_thread(server.start)
    client = AsyncMongoClient(server.uri, tz_aware=True)
    try:
        small = dataclasses.replace(infra, mongodb_uri=server.uri)
        read_model = ReadModel(client[f"search_{uuid.uuid4().hex[:8]}"])

        async def put(people: list[dict]) -> None:  # as a bulk load writes them
            changes = [TherapistPublicProfile.model_validate(person) for person in people]
            writes = [
                (c.id, c.version, therapist_fields(c.model_dump(mode="json"), practice_points(c)))
                for c in changes
            ]
            assert await read_model.write_many_if_newer(THERAPISTS, writes) == len(writes)

        await put([profile(displayName=f"Calloway Brisk {k}") for k in range(3)])
        folder = str(tmp_path / "snapshots")
        settings = SearchSettings(snapshot_dir=folder, snapshot_every_seconds=0.2)
        store = stores.SnapshotStore(folder, read_model.db.name)
        async with running_search(small, read_model.db.name, consume=False, search_settings=settings) as (
            _,
            http,
        ):
            await eventually(store.snapshots, what="a snapshot")
            async with http.get("/metrics") as response:
                rejected = metric_value(
                    await response.text(), "directory_search_snapshots_total", outcome="rejected"
                )
        taken = store.snapshots()[0]
        with store.reading(taken) as manifest:
            token = manifest.resume_token

        # Changes while no replica runs, until the server has dropped the snapshot's position
        # from its oplog, which it does as it writes (a real MongoDB states it the same way).
        later: list[dict] = []
        while not await history_lost(read_model, token):
            assert len(later) < 100 * OPLOG_ENTRIES, "the oplog never dropped the snapshot's position"
            batch = [profile(displayName=f"Dorrit Faye {len(later) + k}") for k in range(100)]
            await put(batch)
            later += batch

        async with running_search(small, read_model.db.name, consume=False, search_settings=settings) as (
            app,
            http,
        ):
            assert app["index_sync"].started_from == "build"
            async with http.get("/v1/therapists", params={"first": "1"}) as response:
                assert (await response.json())["totalCount"] == 3 + len(later)
            async with http.get("/metrics") as response:
                metrics = await response.text()
            assert (
                metric_value(metrics, "directory_search_snapshots_total", outcome="rejected") == rejected + 1
            )
            assert taken not in store.snapshots()
    finally:
        await client.close()
        await asyncio.to_thread(server.stop)
