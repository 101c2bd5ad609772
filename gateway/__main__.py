"""`python -m gateway`: serve the GraphQL gateway on GATEWAY_PORT (default 8000)."""

import gc

from gateway.app import build_app
from gateway.settings import GatewaySettings
from servicekit.runner import serve

settings = GatewaySettings.from_env()
app = build_app(settings)
# The schema and libraries are long-lived: keep them out of the collector's full passes, whose
# pauses would otherwise show in the tail latency.
gc.freeze()
serve(app, settings.service)
