"""Index snapshots on local disk: an index restored from one answers as the index it was taken of,
and a snapshot that is damaged, of other code or of another read model is refused."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator

import orjson
import pytest

from servicekit.clock import SYSTEM_CLOCK
from services.search.domain import SearchQuery, Sort
from services.search.engine import SearchEngine
from services.search.index import SearchIndex
from services.search.index import snapshot as snapshots
from services.search.index import snapshot_store as stores
from services.search.store import therapist_fields
from tests.bench.synthetic import APPROACH_DOCS, synthetic_read_model
from tests.support import flip_a_byte

COLLECTIONS = {"therapists": "aa11", "approaches": "bb22"}
TOKEN = {"_data": "8263A1"}


def documents(count: int) -> list[dict]:
    return [
        {"_id": doc["_id"], "version": doc["version"], **therapist_fields(doc["profile"], doc["points"])}
        for doc in synthetic_read_model(count, seed=3)
    ]


@pytest.fixture(scope="module")
def corpus() -> list[dict]:
    return documents(400)


def built(docs: list[dict]) -> SearchIndex:
    """An index with replaced versions, a deletion and several commits behind it (so several segments)."""
    index = SearchIndex()
    for doc in APPROACH_DOCS:
        index.approaches.put(doc)
    now = SYSTEM_CLOCK.now()
    for start in range(0, len(docs), 100):
        for doc in docs[start : start + 100]:
            index.apply(doc, now)
        index.commit_blocking()
    for doc in docs[: len(docs) // 3]:  # new versions: new rows, the old ones deleted in the engine
        index.apply({**doc, "version": doc["version"] + 1}, now)
    index.apply({"_id": docs[-1]["_id"], "version": 99, "deleted": True, "listing": None}, now)
    index.commit_blocking()
    return index


@pytest.fixture
def store(tmp_path) -> stores.SnapshotStore:
    return stores.SnapshotStore(str(tmp_path), "search")


def take(store: stores.SnapshotStore, index: SearchIndex) -> str:
    writer = store.begin()
    assert writer is not None
    try:
        writer.capture(index)
        return writer.finish(TOKEN, COLLECTIONS)
    finally:
        writer.close()


def queries(docs: list[dict]) -> Iterator[SearchQuery]:
    profile = orjson.loads(docs[5]["listing"])["profile"]
    city = profile["location"]["city"]
    yield SearchQuery()
    yield SearchQuery(text="anxiety", first=50)
    yield SearchQuery(city=city, state=profile["location"]["state"], radius_km=80, first=100)
    yield SearchQuery(approaches=(profile["approaches"][0]["slug"],), sort=Sort.FRESHNESS, first=30)
    yield SearchQuery(text=profile["displayName"].split()[0], first=10)


def answers(index: SearchIndex, docs: list[dict]) -> list:
    engine = SearchEngine(lambda: index, threads=1)
    try:
        pages = [engine.search(q, bucket=3) for q in queries(docs)]
    finally:
        engine.close()
    return [
        (page.total, page.facets, page.cursors, [(h.id, h.record, h.distance_km) for h in page.hits])
        for page in pages
    ]


def test_an_index_restored_from_a_snapshot_answers_as_the_one_it_was_taken_of(store, corpus):
    index = built(corpus)
    folder = take(store, index)
    with store.reading(folder) as manifest:
        snapshots.check_manifest(manifest, database="search", collections=COLLECTIONS)
        snapshots.verify_files(folder, manifest)
        restored = SearchIndex.from_snapshot(folder)
    assert manifest.rows == len(index.ids) and manifest.resume_token == TOKEN
    assert restored.size == index.size == len(corpus) - 1
    expected = answers(index, corpus)
    assert answers(restored, corpus) == expected
    assert any(page[3] for page in expected), "the queries find something"

    # Both go on alike: a new version, a new therapist and a deletion applied to each.
    now = SYSTEM_CLOCK.now()
    extra = documents(410)[400:]
    for target in (index, restored):
        target.apply({**corpus[7], "version": corpus[7]["version"] + 5}, now)
        target.apply(extra[0], now)
        target.apply({"_id": corpus[8]["_id"], "version": 50, "deleted": True, "listing": None}, now)
        target.commit_blocking()
    assert restored.slot_of == index.slot_of
    assert answers(restored, corpus) == answers(index, corpus)


def test_a_restored_index_keeps_what_it_knows_of_approaches(store, corpus):
    index = built(corpus[:50])
    index.approaches.put({**APPROACH_DOCS[0], "previousSlugs": ["an-older-slug"], "version": 2})
    restored = SearchIndex.from_snapshot(take(store, index))
    assert restored.approaches.canonical == index.approaches.canonical
    assert restored.approaches.words == index.approaches.words


@pytest.mark.parametrize("damaged", ["records.0", "engine", "state.json", "code_rows.npy"])
def test_a_damaged_file_is_found_before_the_snapshot_is_used(store, corpus, damaged):
    folder = take(store, built(corpus[:100]))
    if damaged == "engine":
        name = max(
            os.listdir(os.path.join(folder, "tantivy")),
            key=lambda n: os.path.getsize(os.path.join(folder, "tantivy", n)),
        )
        path = os.path.join(folder, "tantivy", name)
    else:
        path = os.path.join(folder, damaged)
    flip_a_byte(path)
    with store.reading(folder) as manifest, pytest.raises(snapshots.SnapshotRejected, match="checksum"):
        snapshots.verify_files(folder, manifest)


def test_a_missing_or_extra_file_is_found(store, corpus):
    folder = take(store, built(corpus[:50]))
    with store.reading(folder) as manifest:
        os.remove(os.path.join(folder, "lat.npy"))
        with pytest.raises(snapshots.SnapshotRejected, match="missing"):
            snapshots.verify_files(folder, manifest)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"fingerprint": "0" * 64}, "indexes differently"),
        ({"format": snapshots.FORMAT + 1}, "indexes differently"),
        ({"database": "search_other"}, "another database"),
        ({"collections": {**COLLECTIONS, "therapists": "cc33"}}, "recreated"),
        ({"resume_token": {}}, "change-stream position"),
    ],
)
def test_a_snapshot_of_other_code_or_another_read_model_is_refused(store, corpus, change, reason):
    folder = take(store, built(corpus[:20]))
    with store.reading(folder) as manifest:
        for name, value in change.items():
            setattr(manifest, name, value)
        with pytest.raises(snapshots.SnapshotRejected, match=reason):
            snapshots.check_manifest(manifest, database="search", collections=COLLECTIONS)


def test_an_unreadable_manifest_is_refused(store, corpus):
    folder = take(store, built(corpus[:20]))
    with open(os.path.join(folder, snapshots.MANIFEST), "wb") as file:
        file.write(b'{"format": 1,')
    with pytest.raises(snapshots.SnapshotRejected, match="unreadable"), store.reading(folder):
        pass


def test_one_writer_at_a_time_and_the_newest_snapshot_kept(store, corpus):
    index = built(corpus[:50])
    first = take(store, index)
    writer = store.begin()
    assert writer is not None
    try:
        assert store.begin() is None, "a second writer waits for the next round"
        writer.capture(index)
        second = writer.finish(TOKEN, COLLECTIONS)
    finally:
        writer.close()
    assert store.snapshots() == [second] and not os.path.exists(first)
    assert not [n for n in os.listdir(store.root) if n.startswith(stores.PARTIAL)]


def test_a_snapshot_being_read_is_not_deleted_underneath_its_reader(store, corpus):
    index = built(corpus[:50])
    first = take(store, index)
    with store.reading(first):
        second = take(store, index)
        assert os.path.exists(os.path.join(first, snapshots.MANIFEST)), "kept while read"
    assert store.snapshots()[0] == second
    store.prune()
    assert store.snapshots() == [second]


def test_what_a_writer_that_died_left_behind_is_removed_by_the_next(store, corpus):
    index = built(corpus[:20])
    writer = store.begin()
    assert writer is not None
    writer.capture(index)
    left = writer.folder
    writer.lock.close()  # died: its lock released, its partial folder still there
    assert os.path.isdir(left)
    take(store, index)
    assert not os.path.exists(left) and len(store.snapshots()) == 1


def test_segment_files_are_shared_with_the_index_not_copied(store, corpus):
    index = built(corpus[:100])
    folder = take(store, index)
    engine = os.path.join(folder, "tantivy")
    shared = [n for n in os.listdir(engine) if n != "meta.json"]
    assert shared and all(os.stat(os.path.join(engine, n)).st_nlink >= 2 for n in shared)


def test_a_merge_finishing_during_capture_is_read_again(store, corpus, monkeypatch):
    index = built(corpus[:60])
    calls = threading.local()
    real = stores.link_or_copy

    def first_link_loses_its_file(source: str, target: str) -> None:
        if not getattr(calls, "failed", False):
            calls.failed = True
            raise FileNotFoundError(source)
        real(source, target)

    monkeypatch.setattr(stores, "link_or_copy", first_link_loses_its_file)
    folder = take(store, index)
    monkeypatch.undo()
    restored = SearchIndex.from_snapshot(folder)
    assert restored.size == index.size


def test_records_are_linked_and_each_index_appends_to_a_file_of_its_own(store, corpus, tmp_path):
    now = SYSTEM_CLOCK.now()
    index = built(corpus[:200])
    first = take(store, index)
    assert os.path.samefile(os.path.join(first, "records.0"), index.folder.records)
    restored = SearchIndex.from_snapshot(first)
    assert os.path.samefile(restored.folder.part(0), index.folder.records)

    # The index taken of goes on writing to the linked file: the snapshot is still whole, and an
    # index restored from it still answers as the index did when it was taken.
    before = answers(restored, corpus)
    later = documents(230)[200:]
    for doc in later[:10]:
        index.apply(doc, now)
    index.commit_blocking()
    with store.reading(first) as manifest:
        snapshots.verify_files(first, manifest)
        assert os.path.getsize(os.path.join(first, "records.0")) > manifest.files["records.0"]["size"]
    assert answers(SearchIndex.from_snapshot(first), corpus) == before

    # The restored index writes its own file; a snapshot of it links both, in order, and an
    # index restored from that one reads rows from either.
    for doc in [*later[10:], {**corpus[3], "version": corpus[3]["version"] + 1}]:
        restored.apply(doc, now)
    restored.commit_blocking()
    assert not os.path.samefile(restored.folder.records, index.folder.records)
    second = take(stores.SnapshotStore(str(tmp_path / "second"), "search"), restored)
    assert os.path.samefile(os.path.join(second, "records.0"), index.folder.records)
    assert os.path.samefile(os.path.join(second, "records.1"), restored.folder.records)
    again = SearchIndex.from_snapshot(second)
    assert len(again.records_in.parts) == 2
    assert answers(again, corpus + later) == answers(restored, corpus + later)
    slot = again.slot_of[later[-1]["_id"]]
    assert again.record_end.data[slot] >= again.records_in.starts[1], "a row of the second file"
    [card] = again.load_slots([None], [slot], None)
    assert card.record == restored.load_slots([None], [slot], None)[0].record


def test_the_records_parts_of_many_restarts_stay_few(store, corpus, monkeypatch):
    monkeypatch.setattr(snapshots, "MAX_RECORDS_PARTS", 2)
    now = SYSTEM_CLOCK.now()
    current = built(corpus[:100])
    extra = documents(110)[100:]
    for generation, doc in enumerate(extra[:4]):  # a restart, then one change, each time
        current = SearchIndex.from_snapshot(take(store, current))
        assert len(current.records_in.parts) <= 2, f"generation {generation}"
        current.apply(doc, now)
        current.apply({**corpus[generation], "version": corpus[generation]["version"] + 1}, now)
        current.commit_blocking()
    restored = SearchIndex.from_snapshot(take(store, current))
    assert len(restored.records_in.parts) == 1  # three parts were due: the later two copied
    every = corpus[:100] + extra[:4]
    assert answers(restored, every) == answers(current, every)
    slots = [restored.slot_of[doc["_id"]] for doc in every if doc["_id"] in restored.slot_of]
    assert [h.record for h in restored.load_slots([None] * len(slots), slots, None)] == [
        h.record for h in current.load_slots([None] * len(slots), slots, None)
    ]
