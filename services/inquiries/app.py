"""Composition root of the inquiries service: connections, the seal, store, unit of work, sending
limits, the profiles ownership check, the consumer of therapist events, the retention purge
(at start-up, then hourly) and routes."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import structlog
from aiohttp import web

from integration_events.subscriptions import INQUIRIES_THERAPIST_EVENTS
from servicekit.clock import SYSTEM_CLOCK, Clock
from servicekit.http import create_app
from servicekit.runtime import ServiceRuntime
from servicekit.settings import ServiceSettings
from servicekit.unit_of_work import MongoUnitOfWork
from services.inquiries.api import InquiriesApi
from services.inquiries.application import Inquiries, OwnershipChecker, purge_expired
from services.inquiries.consumers import TherapistDirectory
from services.inquiries.openapi import openapi_document
from services.inquiries.ownership import ProfilesOwnership
from services.inquiries.ratelimits import MovingWindowLimits
from services.inquiries.sealing import VisitorSeal
from services.inquiries.settings import InquirySettings
from services.inquiries.store import InquiryStore

log = structlog.get_logger(__name__)

PURGE_INTERVAL_SECONDS = 3600.0
STORE = web.AppKey("inquiries.store", InquiryStore)


async def purge_periodically(
    runtime: ServiceRuntime, uow: Inquiries, clock: Clock, retention_days: int, interval: float
) -> None:
    """Delete what is past retention once the store is prepared, then every `interval` seconds."""
    await runtime.prepared.wait()
    while True:
        try:
            purged = await purge_expired(uow, clock, retention_days)
            log.info("inquiries_purged", count=purged, retention_days=retention_days)
        except Exception as exc:  # MongoDB away: the next round tries again
            log.warning("inquiry_purge_failed", error=type(exc).__name__)
        await asyncio.sleep(interval)


def build_app(
    settings: ServiceSettings,
    *,
    relay_poll_interval: float = 1.0,
    inquiry_settings: InquirySettings | None = None,
    ownership: OwnershipChecker | None = None,
    clock: Clock = SYSTEM_CLOCK,
    purge_interval: float = PURGE_INTERVAL_SECONDS,
) -> web.Application:
    """`ownership` defaults to asking the profiles service at `settings.urls["profiles"]`."""
    own = inquiry_settings or InquirySettings.from_env()
    runtime = ServiceRuntime(settings, relay_poll_interval=relay_poll_interval)
    store = InquiryStore(runtime.db, VisitorSeal(own.encryption_keys))
    uow = MongoUnitOfWork(runtime.mongo, store.begin, runtime.outbox)
    profiles = ProfilesOwnership(settings.urls["profiles"]) if ownership is None else None
    runtime.prepare(store.create_indexes)
    runtime.consume(INQUIRIES_THERAPIST_EVENTS, TherapistDirectory(uow))

    app = create_app(settings.service, runtime.readiness())
    app["runtime"] = runtime
    app[STORE] = store
    api = InquiriesApi(
        uow,
        runtime.verifier,
        ownership or profiles,
        MovingWindowLimits(own.rate_per_client, own.rate_per_therapist),
        document=openapi_document(),
        clock=clock,
    )
    app.router.add_routes(api.routes())
    runtime.attach(app)

    async def purge_and_ownership(_: web.Application) -> AsyncIterator[None]:
        purge = asyncio.create_task(
            purge_periodically(runtime, uow, clock, own.retention_days, purge_interval), name="inquiry-purge"
        )
        yield
        purge.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await purge
        if profiles is not None:
            await profiles.close()

    app.cleanup_ctx.append(purge_and_ownership)
    return app
