"""Configuration read from environment variables, with local development defaults.

Every service and the gateway are configured only through the environment, so the same
image runs on a laptop, in compose and in Kubernetes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

DEVELOPMENT_JWT_SECRET = "dev-only-secret-change-me-in-production-0123456789"
DEFAULT_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/"
DEFAULT_MONGODB_URI = "mongodb://127.0.0.1:27017/?directConnection=true"
EVENTS_EXCHANGE = "directory.events"
DEAD_LETTER_EXCHANGE = "directory.dead-letter"

DEFAULT_PORTS = {"gateway": 8000, "profiles": 8001, "approaches": 8002, "search": 8003}


def env(name: str, default: str) -> str:
    value = os.environ.get(name)
    return default if value is None or value == "" else value


def env_int(name: str, default: int) -> int:
    return int(env(name, str(default)))


def env_float(name: str, default: float) -> float:
    return float(env(name, str(default)))


@dataclass(frozen=True)
class AuthSettings:
    jwt_secret: str
    audience: str
    jwks_url: str | None
    # Algorithms accepted for the configured key material; never "none".
    algorithms: tuple[str, ...]

    @classmethod
    def from_env(cls) -> AuthSettings:
        jwks_url = os.environ.get("AUTH_JWKS_URL") or None
        algorithms = ("RS256", "ES256") if jwks_url else ("HS256",)
        return cls(
            jwt_secret=env("AUTH_JWT_SECRET", DEVELOPMENT_JWT_SECRET),
            audience=env("AUTH_AUDIENCE", "therapy-directory"),
            jwks_url=jwks_url,
            algorithms=algorithms,
        )


@dataclass(frozen=True)
class ServiceSettings:
    """What one service process needs to know about its surroundings."""

    service: str
    host: str
    port: int
    mongodb_uri: str
    database: str
    amqp_url: str
    events_exchange: str
    dead_letter_exchange: str
    auth: AuthSettings
    # How often a consumer retries a message before it is dead-lettered.
    delivery_limit: int = 5
    urls: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, service: str) -> ServiceSettings:
        upper = service.upper()
        return cls(
            service=service,
            host=env("BIND_HOST", "127.0.0.1"),
            port=env_int(f"{upper}_PORT", DEFAULT_PORTS[service]),
            mongodb_uri=env("MONGODB_URI", DEFAULT_MONGODB_URI),
            database=env(f"{upper}_DB", service),
            amqp_url=env("AMQP_URL", DEFAULT_AMQP_URL),
            events_exchange=env("EVENTS_EXCHANGE", EVENTS_EXCHANGE),
            dead_letter_exchange=env("DEAD_LETTER_EXCHANGE", DEAD_LETTER_EXCHANGE),
            auth=AuthSettings.from_env(),
            delivery_limit=env_int("EVENT_DELIVERY_LIMIT", 5),
            urls=service_urls(),
        )


def service_urls() -> dict[str, str]:
    """Base URLs of the services, for the gateway and for service-to-service reads."""
    urls = {}
    for name, port in DEFAULT_PORTS.items():
        default = f"http://127.0.0.1:{env_int(f'{name.upper()}_PORT', port)}"
        urls[name] = env(f"{name.upper()}_URL", default).rstrip("/")
    return urls
