"""Configuration read from environment variables, with local development defaults.

Every service and the gateway are configured only through the environment, so the same
image runs on a laptop, in compose and in Kubernetes. pydantic-settings reads it: a
`BaseSettings` class names each variable (its field in capitals, after the class's prefix) with
its development default, and an empty variable counts as unset. The settings the code is handed
(`ServiceSettings`, `AuthSettings`) are plain frozen values built from those, so a test builds
them directly without the environment getting a say.

`DIRECTORY_ENV` (`development`, the default, or `production`) says which kind of deployment a
process is part of; it is read once here, checked at start-up, and handed on as
`ServiceSettings.environment`, so each rule that differs in production asks one place.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEVELOPMENT_JWT_SECRET = "dev-only-secret-change-me-in-production-0123456789"
DEFAULT_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/"
DEFAULT_MONGODB_URI = "mongodb://127.0.0.1:27017/?directConnection=true"
EVENTS_EXCHANGE = "directory.events"
DEAD_LETTER_EXCHANGE = "directory.dead-letter"
DEFAULT_DELIVERY_LIMIT = 5

DeploymentEnvironment = Literal["development", "production"]
DEPLOYMENT_ENVIRONMENTS: tuple[str, ...] = ("development", "production")

DEFAULT_PORTS = {"gateway": 8000, "profiles": 8001, "approaches": 8002, "search": 8003, "inquiries": 8004}

# How every variable is read: an empty value (`FOO=` in a compose file) means "use the default".
READ_ENVIRONMENT = SettingsConfigDict(env_ignore_empty=True, frozen=True)


class Environment(BaseSettings):
    """The variables every process reads (`BIND_HOST`, `MONGODB_URI`, `AMQP_URL`, ...)."""

    model_config = READ_ENVIRONMENT

    bind_host: str = "127.0.0.1"
    mongodb_uri: str = DEFAULT_MONGODB_URI
    amqp_url: str = DEFAULT_AMQP_URL
    events_exchange: str = EVENTS_EXCHANGE
    dead_letter_exchange: str = DEAD_LETTER_EXCHANGE
    event_delivery_limit: int = DEFAULT_DELIVERY_LIMIT
    auth_jwt_secret: str = Field(DEVELOPMENT_JWT_SECRET, repr=False)
    auth_audience: str = "therapy-directory"
    auth_jwks_url: str | None = None
    directory_env: DeploymentEnvironment = "development"
    # The port `./dev up` gives its embedded MongoDB server, when that port is free.
    embedded_mongodb_port: int = 27017

    @field_validator("directory_env", mode="before")
    @classmethod
    def _known_environment(cls, value: object) -> object:
        # Refused at start-up in words an operator can act on: a typo ("prod") must not quietly
        # run a production deployment with development conveniences switched on.
        if isinstance(value, str) and value not in DEPLOYMENT_ENVIRONMENTS:
            raise ValueError(f"DIRECTORY_ENV must be {' or '.join(DEPLOYMENT_ENVIRONMENTS)}, not {value!r}")
        return value


class ServiceEnvironment(BaseSettings):
    """The variables named after one service: `<SERVICE>_PORT`, `<SERVICE>_DB`, `<SERVICE>_URL`."""

    model_config = READ_ENVIRONMENT

    port: int | None = None
    db: str | None = None
    url: str | None = None

    @classmethod
    def of(cls, service: str) -> ServiceEnvironment:
        return cls(_env_prefix=f"{service.upper()}_")


def service_port(service: str) -> int:
    """The port `service` listens on: `<SERVICE>_PORT`, else its default."""
    port = ServiceEnvironment.of(service).port
    return DEFAULT_PORTS[service] if port is None else port


def service_urls() -> dict[str, str]:
    """Base URLs of the services, for the gateway and for service-to-service reads."""
    urls = {}
    for name in DEFAULT_PORTS:
        url = ServiceEnvironment.of(name).url or f"http://127.0.0.1:{service_port(name)}"
        urls[name] = url.rstrip("/")
    return urls


class AuthSettings(BaseModel):
    model_config = ConfigDict(frozen=True)

    jwt_secret: str = Field(repr=False)
    audience: str
    jwks_url: str | None
    # Algorithms accepted for the configured key material; never "none".
    algorithms: tuple[str, ...]

    @property
    def uses_development_secret(self) -> bool:
        """Whether tokens are checked with the public development secret (anyone can mint them)."""
        return self.jwks_url is None and self.jwt_secret == DEVELOPMENT_JWT_SECRET

    @classmethod
    def from_env(cls, environment: Environment | None = None) -> AuthSettings:
        env = environment or Environment()
        return cls(
            jwt_secret=env.auth_jwt_secret,
            audience=env.auth_audience,
            jwks_url=env.auth_jwks_url,
            algorithms=("RS256", "ES256") if env.auth_jwks_url else ("HS256",),
        )


class ServiceSettings(BaseModel):
    """What one service process needs to know about its surroundings."""

    model_config = ConfigDict(frozen=True)

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
    delivery_limit: int = DEFAULT_DELIVERY_LIMIT
    urls: dict[str, str] = Field(default_factory=dict)
    # DIRECTORY_ENV: what production switches off or refuses, each rule asks `is_production`.
    environment: DeploymentEnvironment = "development"

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def development_tokens_allowed(self) -> bool:
        """Whether development conveniences that hand out tokens may exist: never in production,
        and only while the tokens they mint are signed with the public development secret."""
        return not self.is_production and self.auth.uses_development_secret

    @classmethod
    def from_env(cls, service: str) -> ServiceSettings:
        env = Environment()
        return cls(
            service=service,
            host=env.bind_host,
            port=service_port(service),
            mongodb_uri=env.mongodb_uri,
            database=ServiceEnvironment.of(service).db or service,
            amqp_url=env.amqp_url,
            events_exchange=env.events_exchange,
            dead_letter_exchange=env.dead_letter_exchange,
            auth=AuthSettings.from_env(env),
            delivery_limit=env.event_delivery_limit,
            urls=service_urls(),
            environment=env.directory_env,
        )
