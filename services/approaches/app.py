"""Composition root of the approaches service: connections, store, unit of work, consumer and
routes."""

from __future__ import annotations

from aiohttp import web

from integration_events.subscriptions import APPROACHES_THERAPIST_EVENTS
from servicekit.http import create_app
from servicekit.runtime import ServiceRuntime
from servicekit.settings import ServiceSettings
from servicekit.unit_of_work import MongoUnitOfWork
from services.approaches.api import ApproachesApi
from services.approaches.consumers import TherapistReferences
from services.approaches.openapi import openapi_document
from services.approaches.store import ApproachStore


def build_app(settings: ServiceSettings, *, relay_poll_interval: float = 1.0) -> web.Application:
    runtime = ServiceRuntime(settings, relay_poll_interval=relay_poll_interval)
    store = ApproachStore(runtime.db)
    uow = MongoUnitOfWork(runtime.mongo, store.begin, runtime.outbox)
    runtime.prepare(store.create_indexes)
    runtime.consume(APPROACHES_THERAPIST_EVENTS, TherapistReferences(uow))

    app = create_app(settings.service, runtime.readiness())
    app["runtime"] = runtime
    app.router.add_routes(ApproachesApi(uow, runtime.verifier, document=openapi_document()).routes())
    runtime.attach(app)
    return app
