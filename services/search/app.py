"""Composition root of the search service: read model, consumer, index sync and routes."""

from __future__ import annotations

import asyncio

import structlog
from aiohttp import web

from integration_events.subscriptions import SEARCH_EVENTS
from servicekit.http import create_app
from servicekit.runtime import ServiceRuntime
from servicekit.settings import ServiceSettings
from services.search import geo
from services.search.api import SearchApi
from services.search.consumers import ReadModelProjector
from services.search.engine import SearchEngine
from services.search.index import remove_abandoned_indexes
from services.search.store import ReadModel
from services.search.sync import IndexSync

log = structlog.get_logger(__name__)


def build_app(
    settings: ServiceSettings, *, consume: bool = True, change_wait_ms: int = 200
) -> web.Application:
    """`consume=False` gives a replica that only serves (tests start a second replica this way)."""
    runtime = ServiceRuntime(settings, publishes=False)
    store = ReadModel(runtime.db)
    sync = IndexSync(store, max_await_ms=change_wait_ms)
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

    async def stop_sync(_: web.Application) -> None:
        await sync.stop()
        engine.close()

    app.on_shutdown.append(stop_sync)
    return app


async def _load_places() -> None:
    """The offline ZIP and city list, loaded before the replica reports ready."""
    await asyncio.to_thread(geo.preload)


async def _remove_abandoned_indexes() -> None:
    """Index folders that replicas killed on this host left behind (each can be gigabytes)."""
    removed = await asyncio.to_thread(remove_abandoned_indexes)
    if removed:
        log.info("abandoned_search_indexes_removed", folders=removed)
