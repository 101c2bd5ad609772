"""Composition root of the profiles service: connections, collections, use cases' unit of work,
consumers, the mailer, the scheduled licence check and routes."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import uuid
from collections.abc import AsyncIterator

import structlog
from aiohttp import web

from integration_events.subscriptions import PROFILES_APPROACH_EVENTS, PROFILES_INQUIRY_EVENTS
from servicekit.clock import SYSTEM_CLOCK, Clock
from servicekit.http import create_app, json_response
from servicekit.lease import MongoLease
from servicekit.runtime import ServiceRuntime
from servicekit.settings import ServiceSettings
from servicekit.unit_of_work import MongoUnitOfWork
from services.profiles.api import ProfilesApi
from services.profiles.application import LicenceCheck, Mailer
from services.profiles.consumers import ApproachCatalogue, InquiryNotifier
from services.profiles.mailer import MailSettings, SmtpMailer
from services.profiles.openapi import openapi_document
from services.profiles.settings import LicenceCheckSettings
from services.profiles.store import ProfileStore

log = structlog.get_logger(__name__)

STORE = web.AppKey("profiles.store", ProfileStore)
CATALOGUE = web.AppKey("profiles.catalogue", ApproachCatalogue)
NOTIFIER = web.AppKey("profiles.notifier", InquiryNotifier)
LICENCE_CHECK = web.AppKey("profiles.licence_check", LicenceCheck)
LICENCE_CHECK_LEASE = "licence-check"


def replica_name() -> str:
    """This process among the service's replicas (the holder of the leases it takes)."""
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


async def check_licences_periodically(runtime: ServiceRuntime, check: LicenceCheck, interval: float) -> None:
    """A licence check once the store is prepared, then every `interval` seconds."""
    await runtime.prepared.wait()
    while True:
        try:
            run = await check.run_once()
            if run.ran:
                log.info("licence_check_done", republished=run.republished)
        except Exception as exc:  # MongoDB away: the next round tries again
            log.warning("licence_check_failed", error=type(exc).__name__)
        await asyncio.sleep(interval)


def build_app(
    settings: ServiceSettings,
    *,
    relay_poll_interval: float = 1.0,
    mailer: Mailer | None = None,
    clock: Clock = SYSTEM_CLOCK,
    licence_check: LicenceCheckSettings | None = None,
) -> web.Application:
    """`mailer` is the SMTP server of `SMTP_URL` and `SMTP_FROM` unless given; `licence_check`
    comes from `LICENCE_CHECK_*` unless given."""
    checking = licence_check or LicenceCheckSettings.from_env()
    runtime = ServiceRuntime(settings, relay_poll_interval=relay_poll_interval)
    store = ProfileStore(runtime.db)
    uow = MongoUnitOfWork(runtime.mongo, store.begin, runtime.outbox)
    catalogue = ApproachCatalogue(uow)
    notifier = InquiryNotifier(uow, mailer or SmtpMailer(MailSettings.from_env()))
    check = LicenceCheck(
        uow,
        clock,
        MongoLease(store.leases, LICENCE_CHECK_LEASE),
        holder=replica_name(),
        lease_for=checking.lease_for,
    )
    runtime.prepare(store.create_indexes)
    runtime.consume(PROFILES_APPROACH_EVENTS, catalogue)
    runtime.consume(PROFILES_INQUIRY_EVENTS, notifier)

    app = create_app(settings.service, runtime.readiness())
    app["runtime"] = runtime
    app[STORE] = store
    app[CATALOGUE] = catalogue
    app[NOTIFIER] = notifier
    app[LICENCE_CHECK] = check
    app.router.add_routes(ProfilesApi(uow, runtime.verifier, clock).routes())
    document = openapi_document()

    async def openapi(_: web.Request) -> web.Response:
        return json_response(document)

    app.router.add_get("/openapi.json", openapi)
    runtime.attach(app)

    async def licence_checks(_: web.Application) -> AsyncIterator[None]:
        # After the runtime's own start-up, so its shutdown stops the checks before MongoDB closes.
        task = asyncio.create_task(
            check_licences_periodically(runtime, check, checking.interval_seconds), name="licence-check"
        )
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    app.cleanup_ctx.append(licence_checks)
    return app
