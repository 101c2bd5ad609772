"""Composition root of the search service: read model, consumer, index sync, the responsiveness
sweep and routes."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import structlog
from aiohttp import web

from integration_events.subscriptions import SEARCH_EVENTS
from servicekit.http import create_app
from servicekit.runtime import ServiceRuntime
from servicekit.settings import ServiceSettings
from services.search import application, geo
from services.search.api import SearchApi
from services.search.consumers import ReadModelProjector
from services.search.domain import SWEEP_EVERY
from services.search.engine import SearchEngine
from services.search.index import remove_abandoned_indexes
from services.search.index.snapshot_store import SnapshotStore
from services.search.settings import SearchSettings
from services.search.store import ReadModel
from services.search.sync import IndexSync

log = structlog.get_logger(__name__)


def build_app(
    settings: ServiceSettings,
    *,
    consume: bool = True,
    change_wait_ms: int = 200,
    search_settings: SearchSettings | None = None,
) -> web.Application:
    """`consume=False` gives a replica that only serves (tests start a second replica this way)."""
    own = search_settings or SearchSettings.from_env()
    runtime = ServiceRuntime(settings, publishes=False)
    store = ReadModel(runtime.db)
    snapshots = SnapshotStore(own.snapshot_dir, runtime.db.name) if own.snapshot_dir else None
    sync = IndexSync(
        store, max_await_ms=change_wait_ms, snapshots=snapshots, snapshot_every=own.snapshot_every_seconds
    )
    runtime.prepare(store.create_indexes)
    runtime.prepare(_remove_abandoned_indexes)
    runtime.prepare(_load_places)
    # The index is built from MongoDB before the replica consumes or reports ready.
    runtime.prepare(sync.start)
    if consume:
        runtime.consume(SEARCH_EVENTS, ReadModelProjector(store))

    async def index_built() -> bool:
        return sync.ready.is_set()

    app = create_app(settings.service, {**runtime.readiness(), "index": index_built})
    app["runtime"] = runtime
    app["read_model"] = store
    app["index_sync"] = sync
    engine = SearchEngine(sync.current)
    app.router.add_routes(SearchApi(engine).routes())
    runtime.attach(app)
    if consume:
        # After the runtime's own start-up, so its shutdown stops the sweep before MongoDB closes.
        app.cleanup_ctx.append(_responsiveness_sweep(store, sync))

    async def stop_sync(_: web.Application) -> None:
        await sync.stop()
        engine.close()

    app.on_shutdown.append(stop_sync)
    return app


def _responsiveness_sweep(store: ReadModel, sync: IndexSync):
    """Time passing changes responsiveness without events: once the replica is ready and then
    every `SWEEP_EVERY`, the therapists whose measurement it can change are measured again."""

    async def sweep() -> None:
        await sync.ready.wait()
        while True:
            try:
                remeasured = await application.remeasure_waiting(store, sync.clock)
                log.info("responsiveness_remeasured", therapists=remeasured)
            except Exception as exc:
                log.warning("responsiveness_sweep_failed", error=str(exc))
            await asyncio.sleep(SWEEP_EVERY.total_seconds())

    async def lifecycle(_: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(sweep(), name="search-responsiveness-sweep")
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    return lifecycle


async def _load_places() -> None:
    """The offline ZIP and city list, loaded before the replica reports ready."""
    await asyncio.to_thread(geo.preload)


async def _remove_abandoned_indexes() -> None:
    """Index folders that replicas killed on this host left behind (each can be gigabytes)."""
    removed = await asyncio.to_thread(remove_abandoned_indexes)
    if removed:
        log.info("abandoned_search_indexes_removed", folders=removed)
