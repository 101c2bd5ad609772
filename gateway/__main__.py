"""`python -m gateway`: serve the GraphQL gateway on GATEWAY_PORT (default 8000)."""

from gateway.app import build_app
from gateway.settings import GatewaySettings
from servicekit.runner import serve

settings = GatewaySettings.from_env()
serve(build_app(settings), settings.service)
