"""Keeping this replica's index current: build from MongoDB, then tail a change stream.

Replicas share the event queue (competing consumers), so any one of them may write a change to
the shared read model; every replica sees every change through a MongoDB change stream on the
read-model collections. The stream is opened *before* the build scans the collections, so a
change made during the scan is replayed afterwards (applying it twice changes nothing: the index
keeps each therapist's version; a new responsiveness measurement re-indexes a therapist without
a new version, so such updates are applied all the same). After an error the stream resumes
from its last resume token; if it cannot (token gone, collection renamed by a rebuild), the
replica builds a fresh index in the background and swaps it in, serving the old one meanwhile.

With a snapshot folder (`SEARCH_SNAPSHOT_DIR`), a replica writes a snapshot of its index every few
minutes while it changes, with the stream's resume token at that commit. At start-up it takes the
newest snapshot that is of this code's index format and of the read-model collections as they are
(their UUIDs: a rebuild makes new ones), whose stream position is still there and whose files
all have their checksums; it opens the stream at that position, catches up to now, and then
reports ready. A snapshot that fails any check is deleted and the index built from the read
model as without one.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

import structlog
from prometheus_client import Counter, Gauge
from pymongo.errors import PyMongoError

from servicekit.clock import SYSTEM_CLOCK, Clock
from servicekit.errors import Unavailable
from services.search.index import SearchIndex
from services.search.index.snapshot import SnapshotRejected, check_manifest, verify_files
from services.search.index.snapshot_store import SnapshotStore
from services.search.index_build import build_index
from services.search.settings import DEFAULT_SNAPSHOT_EVERY
from services.search.store import APPROACHES, THERAPISTS, ReadModel

log = structlog.get_logger(__name__)

COMMIT_DELAY = 0.005
# Commits start at most this often: each writes, syncs and later merges a segment of its own,
# which under a stream of edits cost more than applying the edits (a change waits at most this
# long, plus COMMIT_DELAY, to become searchable).
COMMIT_INTERVAL = 0.1
BATCH_LIMIT = 1000
STALENESS_SWEEP_SECONDS = 600.0
# How long a stopping replica lets a snapshot being written finish.
SNAPSHOT_STOP_WAIT = 20.0

INDEX_RESTORE_SECONDS = Gauge(
    "directory_search_index_restore_seconds",
    "Seconds this replica's start from a snapshot took: checking its files, opening it, catching up",
    ["part"],
)
SNAPSHOT_WRITE_SECONDS = Gauge(
    "directory_search_snapshot_write_seconds",
    "Seconds this replica's last snapshot took to write, capture included",
)
SNAPSHOTS = Counter(
    "directory_search_snapshots", "Snapshots of this replica's index, by what became of them", ["outcome"]
)


class IndexSync:
    """Builds this replica's index, keeps it current, and hands it to the readers (`current`)."""

    def __init__(
        self,
        store: ReadModel,
        *,
        max_await_ms: int = 200,
        clock: Clock = SYSTEM_CLOCK,
        snapshots: SnapshotStore | None = None,
        snapshot_every: float = DEFAULT_SNAPSHOT_EVERY,
    ) -> None:
        self.store = store
        self.max_await_ms = max_await_ms
        self.clock = clock
        self.snapshots = snapshots
        self.snapshot_every = snapshot_every
        self._snapshot_due = 0.0  # time.monotonic() of the next snapshot
        self._unsaved = False  # the index holds changes no snapshot has
        self._last_commit = 0.0  # time.monotonic() when the tail's last timed commit started
        self._snapshot_task: asyncio.Task | None = None
        self.started_from: str | None = None  # "snapshot" or "build"
        self.caught_up: int | None = None  # changes applied on top of the snapshot
        self.index: SearchIndex | None = None
        self.ready = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._sweeper: asyncio.Task | None = None
        self.build_seconds: float | None = None
        self.build_waited_on_mongo: float | None = None
        self.build_first_batch_seconds: float | None = None

    def current(self) -> SearchIndex:
        """The index to read; Unavailable until the first build is done."""
        if self.index is None:
            raise Unavailable("The search index is still being built; retry shortly", code="index_not_ready")
        return self.index

    # ------------------------------------------------------------------ start-up and rebuilds

    async def _open_stream(self, resume_after: Any = None):
        watched = [THERAPISTS, APPROACHES]
        # A rebuild renames its new collection over `therapists`: that event names it in `to`.
        pipeline = [{"$match": {"$or": [{"ns.coll": {"$in": watched}}, {"to.coll": {"$in": watched}}]}}]
        return await self.store.db.watch(
            pipeline,
            full_document="updateLookup",
            max_await_time_ms=self.max_await_ms,
            resume_after=resume_after,
        )

    async def build(self) -> SearchIndex:
        """A complete index from the read model as it is now."""
        index, report = await build_index(self.store, self.clock)
        self.build_seconds = report.seconds
        self.build_waited_on_mongo = report.waited_on_mongo
        self.build_first_batch_seconds = report.first_batch_seconds
        return index

    async def _stream_then_build(self):
        """Open a change stream, then build and install a fresh index; returns the stream."""
        stream = await self._open_stream()
        try:
            self.index = await self.build()
        except BaseException:
            await stream.close()
            raise
        self._unsaved = True
        return stream

    async def start(self) -> None:
        """Start-up step: from a snapshot, else open the stream and build; then tail (readiness
        waits for this)."""
        stream = await self._restore() if self.snapshots is not None else None
        if stream is None:
            stream = await self._stream_then_build()
            self.started_from = "build"
        self.ready.set()
        self._task = asyncio.create_task(self._tail(stream), name="search-index-tail")
        self._sweeper = asyncio.create_task(self._sweep_staleness(), name="search-staleness-sweep")

    async def stop(self) -> None:
        for task in (self._task, self._sweeper):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if self._snapshot_task is not None:
            # Its files are written by a thread, which cancelling would not stop.
            await asyncio.wait({self._snapshot_task}, timeout=SNAPSHOT_STOP_WAIT)

    # ------------------------------------------------------------------ snapshots

    async def _restore(self):
        """Install the newest usable snapshot's index, caught up to now; returns the stream
        tailing from there, or None if no snapshot could be used."""
        assert self.snapshots is not None
        collections = await self.store.collection_ids()
        for folder in await asyncio.to_thread(self.snapshots.snapshots):
            started = time.perf_counter()
            stream = None
            try:
                with self.snapshots.reading(folder) as manifest:
                    check_manifest(manifest, database=self.store.db.name, collections=collections)
                    try:
                        stream = await self._open_stream(resume_after=manifest.resume_token)
                    except PyMongoError as exc:
                        raise SnapshotRejected(f"its change-stream position is gone ({exc})") from exc
                    await asyncio.to_thread(verify_files, folder, manifest)
                    verified = time.perf_counter()
                    index = await asyncio.to_thread(SearchIndex.from_snapshot, folder)
                opened = time.perf_counter()
                self.caught_up = await self._catch_up(stream, index)
            except (SnapshotRejected, _RebuildNeeded, OSError, ValueError) as reason:
                if stream is not None:
                    await stream.close()
                SNAPSHOTS.labels("rejected").inc()
                log.warning("search_snapshot_rejected", snapshot=folder, reason=str(reason))
                await asyncio.to_thread(self.snapshots.discard, folder)
                continue
            done = time.perf_counter()
            for part, seconds in (
                ("total", done - started),
                ("verify", verified - started),
                ("open", opened - verified),
                ("catch_up", done - opened),
            ):
                INDEX_RESTORE_SECONDS.labels(part).set(seconds)
            SNAPSHOTS.labels("restored").inc()
            log.info(
                "search_index_restored",
                snapshot=folder,
                rows=manifest.rows,
                changes_caught_up=self.caught_up,
                seconds=round(done - started, 2),
            )
            self.index = index
            self.started_from = "snapshot"
            self._unsaved = self.caught_up > 0
            return stream
        return None

    async def _catch_up(self, stream, index: SearchIndex) -> int:
        """Apply to `index` the changes since the stream's position up to now; returns how many."""
        # Changes keep coming while it catches up: those after this moment are left to the tail.
        now = (await self.store.db.command("ping")).get("operationTime")
        applied = 0
        while True:
            change = await stream.try_next()
            if change is None:
                break
            await self._apply_change(change, index)
            applied += 1
            if applied % BATCH_LIMIT == 0:
                await self._commit(index)
            if now is not None and change.get("clusterTime") is not None and change["clusterTime"] >= now:
                break
        # Rows confirmed fresh when the snapshot was taken may have turned stale since.
        await self._reindex(index, index.ids_turning_stale(self.clock.now()))
        await self._commit(index)
        return applied

    async def _snapshot_if_due(self, stream) -> None:
        """Capture the index with the stream's position (between two changes, so the position
        covers exactly what the index holds); the files are written in the background."""
        if self.snapshots is None or time.monotonic() < self._snapshot_due:
            return
        self._snapshot_due = time.monotonic() + self.snapshot_every
        if not self._unsaved or (self._snapshot_task is not None and not self._snapshot_task.done()):
            return
        writer = await asyncio.to_thread(self.snapshots.begin)
        if writer is None:  # another replica on this host is writing one
            return
        started = time.perf_counter()
        try:
            collections = await self.store.collection_ids()
            index = self.current()
            async with index.lock:
                await index.commit()
                await asyncio.to_thread(writer.capture, index)
                token = stream.resume_token
        except BaseException:
            writer.close()
            raise
        self._unsaved = False
        self._snapshot_task = asyncio.create_task(self._write_snapshot(writer, token, collections, started))

    async def _write_snapshot(self, writer, token, collections, started: float) -> None:
        try:
            folder = await asyncio.to_thread(writer.finish, token, collections)
        except OSError as exc:
            SNAPSHOTS.labels("failed").inc()
            self._unsaved = True
            log.warning("search_snapshot_failed", error=str(exc))
        else:
            SNAPSHOTS.labels("written").inc()
            SNAPSHOT_WRITE_SECONDS.set(time.perf_counter() - started)
            log.info(
                "search_snapshot_written", snapshot=folder, seconds=round(time.perf_counter() - started, 2)
            )
        finally:
            writer.close()

    # ------------------------------------------------------------------ tailing

    async def _tail(self, stream) -> None:
        delay = 0.2
        while True:
            try:
                await self._follow(stream)
            except asyncio.CancelledError:
                await stream.close()
                raise
            except _RebuildNeeded as reason:
                log.warning("search_index_rebuild", reason=str(reason))
                await stream.close()
                stream = await self._rebuild_and_swap()
            except PyMongoError as exc:
                token = stream.resume_token
                await stream.close()
                log.warning("change_stream_error", error=str(exc), retry_in=delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
                try:
                    stream = await self._open_stream(resume_after=token)
                    delay = 0.2
                except PyMongoError as reopen_error:
                    log.warning("change_stream_resume_failed", error=str(reopen_error))
                    stream = await self._rebuild_and_swap()

    async def _rebuild_and_swap(self):
        while True:
            try:
                return await self._stream_then_build()
            except PyMongoError as exc:
                log.warning("search_index_rebuild_failed", error=str(exc))
                await asyncio.sleep(1.0)

    async def _follow(self, stream) -> None:
        flush: asyncio.Task | None = None
        pending = 0
        while True:
            await self._snapshot_if_due(stream)
            change = await stream.try_next()
            if change is None:
                continue
            await self._apply_change(change, self.current())
            self._unsaved = True
            pending += 1
            if pending >= BATCH_LIMIT:
                await self._commit()
                pending = 0
            elif flush is None or flush.done():
                flush = asyncio.create_task(self._commit_soon())

    async def _commit_soon(self) -> None:
        await asyncio.sleep(max(COMMIT_DELAY, self._last_commit + COMMIT_INTERVAL - time.monotonic()))
        self._last_commit = time.monotonic()
        await self._commit()

    async def _commit(self, index: SearchIndex | None = None) -> None:
        index = index or self.index
        if index is None:
            return
        async with index.lock:
            await index.commit()

    async def _apply_change(self, change: dict[str, Any], index: SearchIndex) -> None:
        operation = change["operationType"]
        collection = change.get("ns", {}).get("coll")
        if operation in ("drop", "rename", "dropDatabase", "invalidate"):
            collection = change.get("to", {}).get("coll", collection)
            raise _RebuildNeeded(f"{operation} on {collection}")
        doc = change.get("fullDocument")
        if collection == APPROACHES:
            if doc is not None:
                await self._approach_changed(index, doc)
            return
        if doc is None:  # gone before the lookup: a later change or tombstone will follow
            return
        async with index.lock:
            index.apply(doc, self.clock.now(), force=_measured_again(change))

    async def _approach_changed(self, index: SearchIndex, doc: dict[str, Any]) -> None:
        touched = index.approaches.put(doc)
        ids = index.ids_with_approach(touched)
        await self._reindex(index, ids)

    async def _reindex(self, index: SearchIndex, ids: list[str]) -> None:
        now = self.clock.now()
        for start in range(0, len(ids), 500):
            docs = await self.store.therapists_by_id(ids[start : start + 500])
            async with index.lock:
                for doc in docs:
                    index.apply(doc, now, force=True)
        if ids:
            self._unsaved = True
            await self._commit(index)

    async def _sweep_staleness(self) -> None:
        """Profiles whose availability confirmation turns 60 days old get demoted without an event."""
        while True:
            await asyncio.sleep(STALENESS_SWEEP_SECONDS)
            try:
                index = self.current()
                await self._reindex(index, index.ids_turning_stale(self.clock.now()))
            except Exception as exc:
                log.warning("staleness_sweep_failed", error=str(exc))


def _measured_again(change: dict[str, Any]) -> bool:
    """A new responsiveness measurement: the same version of the therapist, re-indexed all the same."""
    if change["operationType"] != "update":
        return False
    changed = change.get("updateDescription", {}).get("updatedFields", {})
    return any(name == "responsiveness" or name.startswith("responsiveness.") for name in changed)


class _RebuildNeeded(Exception):
    pass
