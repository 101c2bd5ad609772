"""Composition root of the profiles service: connections, collections, use cases' unit of work,
consumers, the mailer and routes."""

from __future__ import annotations

from aiohttp import web

from integration_events.subscriptions import PROFILES_APPROACH_EVENTS, PROFILES_INQUIRY_EVENTS
from servicekit.http import create_app, json_response
from servicekit.runtime import ServiceRuntime
from servicekit.settings import ServiceSettings
from servicekit.unit_of_work import MongoUnitOfWork
from services.profiles.api import ProfilesApi
from services.profiles.application import Mailer
from services.profiles.consumers import ApproachCatalogue, InquiryNotifier
from services.profiles.mailer import MailSettings, SmtpMailer
from services.profiles.openapi import openapi_document
from services.profiles.store import ProfileStore

STORE = web.AppKey("profiles.store", ProfileStore)
CATALOGUE = web.AppKey("profiles.catalogue", ApproachCatalogue)
NOTIFIER = web.AppKey("profiles.notifier", InquiryNotifier)


def build_app(
    settings: ServiceSettings, *, relay_poll_interval: float = 1.0, mailer: Mailer | None = None
) -> web.Application:
    """`mailer` is the SMTP server of `SMTP_URL` and `SMTP_FROM` unless given."""
    runtime = ServiceRuntime(settings, relay_poll_interval=relay_poll_interval)
    store = ProfileStore(runtime.db)
    uow = MongoUnitOfWork(runtime.mongo, store.begin, runtime.outbox)
    catalogue = ApproachCatalogue(uow)
    notifier = InquiryNotifier(uow, mailer or SmtpMailer(MailSettings.from_env()))
    runtime.prepare(store.create_indexes)
    runtime.consume(PROFILES_APPROACH_EVENTS, catalogue)
    runtime.consume(PROFILES_INQUIRY_EVENTS, notifier)

    app = create_app(settings.service, runtime.readiness())
    app["runtime"] = runtime
    app[STORE] = store
    app[CATALOGUE] = catalogue
    app[NOTIFIER] = notifier
    app.router.add_routes(ProfilesApi(uow, runtime.verifier).routes())
    document = openapi_document()

    async def openapi(_: web.Request) -> web.Response:
        return json_response(document)

    app.router.add_get("/openapi.json", openapi)
    runtime.attach(app)
    return app
