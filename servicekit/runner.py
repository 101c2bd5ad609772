"""Running one service process: logging, then aiohttp's server on the configured port."""

from __future__ import annotations

import uvloop
from aiohttp import web

from servicekit.logs import configure_logging
from servicekit.settings import ServiceSettings
from servicekit.tracing import configure_tracing


def serve(app: web.Application, settings: ServiceSettings) -> None:
    configure_logging(settings.service)
    configure_tracing(settings.service)
    web.run_app(
        app,
        host=settings.host,
        port=settings.port,
        access_log=None,
        print=None,
        shutdown_timeout=5,
        # uvloop's event loop: markedly less CPU per request and per database round trip.
        loop=uvloop.new_event_loop(),
    )
