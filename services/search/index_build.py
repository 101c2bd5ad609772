"""Building a replica's index from the read model: one scan of every therapist document, indexed
while MongoDB prepares the next batches."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import time
from dataclasses import dataclass
from typing import Any

import structlog
from prometheus_client import Gauge

from servicekit.clock import Clock
from services.search.index import BUILD_HEAP, SearchIndex
from services.search.store import ReadModel

log = structlog.get_logger(__name__)

BUILD_BATCH = 1000
BUILD_STEP = 100

INDEX_BUILD_SECONDS = Gauge(
    "directory_search_index_build_seconds",
    "Seconds this replica's last index build took, in all and until MongoDB's first batch",
    ["part"],
)
INDEX_BUILD_DOCUMENTS = Gauge(
    "directory_search_index_build_documents", "Read-model documents this replica's last index build read"
)


@dataclass(frozen=True)
class BuildReport:
    seconds: float
    waited_on_mongo: float  # of it, waiting for MongoDB's next batch
    first_batch_seconds: float | None
    documents: int  # tombstones included


async def build_index(store: ReadModel, clock: Clock) -> tuple[SearchIndex, BuildReport]:
    """A complete index from the read model as it is now, and how its build went."""
    started = time.perf_counter()
    # One indexing thread keeps up with this thread's preparing of documents; with two, each
    # builds segments of its own, whose term dictionaries are written twice and then merged.
    index = SearchIndex(writer_heap=BUILD_HEAP, writer_threads=1)
    for doc in await store.live_approaches():
        index.approaches.put(doc)
    now = clock.now()
    # MongoDB prepares the next batches while this process indexes the current one.
    batches: asyncio.Queue[list[dict[str, Any]] | None] = asyncio.Queue(maxsize=4)
    reader = asyncio.create_task(_read_batches(store, batches))
    count = 0
    waited = 0.0
    first_batch = None
    # The build allocates millions of short-lived objects that reference counting frees; the
    # cycle collector would walk the whole heap again and again meanwhile. Off for the build
    # (during a rebuild beside a serving index, requests' cyclic garbage waits until it ends).
    collecting = gc.isenabled()
    gc.disable()
    try:
        while True:
            wait_started = time.perf_counter()
            batch = await batches.get()
            waited += time.perf_counter() - wait_started
            if first_batch is None:
                first_batch = time.perf_counter() - started
            if batch is None:
                break
            for start in range(0, len(batch), BUILD_STEP):
                for doc in batch[start : start + BUILD_STEP]:
                    index.apply(doc, now)
                # Let requests (served from the current index during a rebuild) and the reader
                # through every few documents, not only between batches.
                await asyncio.sleep(0)
            count += len(batch)
    finally:
        if collecting:
            gc.enable()
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reader
    await asyncio.to_thread(index.finish_bulk_load)
    report = BuildReport(time.perf_counter() - started, waited, first_batch, count)
    INDEX_BUILD_SECONDS.labels("total").set(report.seconds)
    INDEX_BUILD_SECONDS.labels("first_batch").set(first_batch or 0.0)
    INDEX_BUILD_DOCUMENTS.set(count)
    log.info(
        "search_index_built",
        documents=count,
        seconds=round(report.seconds, 2),
        waited_on_mongodb=round(waited, 2),
        first_batch_after=round(first_batch or 0.0, 2),
    )
    return index, report


async def _read_batches(store: ReadModel, batches: asyncio.Queue) -> None:
    # Every document, tombstones included (the index records their versions, so a late older
    # update cannot bring a deleted therapist back): a plain scan, no filter to evaluate.
    cursor = store.therapists.find({}, batch_size=BUILD_BATCH)
    while True:
        batch = await cursor.to_list(BUILD_BATCH)
        await batches.put(batch or None)
        if not batch:
            return
