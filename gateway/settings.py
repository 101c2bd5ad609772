"""The gateway's configuration: the shared service settings plus its own limits and switches."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from gateway.ratelimit import trusted_networks
from servicekit.settings import READ_ENVIRONMENT, ServiceSettings


class QueryLimits(BaseModel):
    """What one GraphQL document may ask for."""

    model_config = ConfigDict(frozen=True)

    max_depth: int = 10
    max_tokens: int = 2000
    max_aliases: int = 15
    max_body_bytes: int = 64 * 1024
    # The most an operation's static cost (gateway.cost) may be: the web client's dearest
    # operation, its search page with the facets, passes with room even at the largest page
    # (100); every approach with 100 specialists each does not (tests/integration/gateway).
    max_cost: int = 3000


# Cost units (gateway.cost) per minute per client: about 28 of the web client's dearest page (its
# search with every facet, 713) a minute, or hundreds of cached approach pages, which a person
# browsing does not reach; a scraper at a few pages a second spends it within a minute.
DEFAULT_RATE_LIMIT = 20_000
DEFAULT_CLIENT_ID = "therapist-directory-web"
DEFAULT_SCOPES = "openid profile"


class GatewaySettings(BaseModel):
    model_config = ConfigDict(frozen=True)

    service: ServiceSettings
    limits: QueryLimits = QueryLimits()
    # Origins allowed to call the gateway from a browser; "*" allows any.
    cors_allow_origins: tuple[str, ...] = ()
    # GraphiQL and introspection: on unless DIRECTORY_ENV=production, where only an explicit
    # `true` turns them on.
    graphiql: bool | None = None
    introspection: bool | None = None
    # A JSON manifest {sha256: query} of registered operations (see gateway.persisted); the
    # gateway's own (gateway/operations/, its web client's) are registered without one.
    persisted_queries_manifest: Path | None = None
    # When set, only registered operations run; APQ registration of new ones is refused. In
    # production that is so unless `allow_arbitrary_queries` is set.
    persisted_queries_only: bool = False
    allow_arbitrary_queries: bool = False
    response_cache_entries: int = 20_000
    read_cache_entries: int = 50_000
    # A safety net only: events invalidate entries long before this.
    cache_ttl_seconds: float = 600.0
    # Search applies an event shortly after the gateway hears it: for this long after an event,
    # search-derived entries are kept only `settling_ttl_seconds`.
    search_settle_seconds: float = 5.0
    settling_ttl_seconds: float = 0.05
    backend_timeout_seconds: float = 5.0
    # HTTP caching of anonymous answers (browsers, a CDN): seconds fresh, then served stale while
    # revalidated; a CDN is purged by tag through `cdn_purge_url` (gateway.cdn) when data changes.
    cdn_max_age: int = Field(10, ge=0)
    cdn_stale_while_revalidate: int = Field(30, ge=0)
    cdn_purge_url: str | None = None
    # Per client (gateway.ratelimit): cost units per minute, 0 for no limit; the proxies whose
    # X-Forwarded-For is believed (addresses or networks); Redis shared by every replica, if set.
    rate_limit: int = Field(DEFAULT_RATE_LIMIT, ge=0)
    # Subscriptions (gateway.subscriptions) open at once on one WebSocket, and per client on
    # one replica.
    subscriptions_per_connection: int = Field(20, ge=1)
    subscriptions_per_client: int = Field(100, ge=1)
    trusted_proxies: tuple[str, ...] = ()
    redis_url: str | None = None
    # Signing in from the web client (gateway.signin): the OpenID provider's issuer URL (its
    # discovery document is `<issuer>/.well-known/openid-configuration`), the client id the
    # operator registered there for the web client, and the scopes it asks for.
    auth_issuer: str | None = None
    auth_client_id: str = DEFAULT_CLIENT_ID
    auth_scopes: str = DEFAULT_SCOPES

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies_are_addresses(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        trusted_networks(value)  # a ValueError names the entry that is not an address
        return value

    @field_validator("auth_issuer")
    @classmethod
    def _issuer_is_a_web_address(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("https", "http") or not parts.hostname or parts.query or parts.fragment:
            raise ValueError(f"AUTH_ISSUER must be the provider's http(s) issuer URL, not {value!r}")
        return value

    @field_validator("auth_scopes")
    @classmethod
    def _asks_for_openid(cls, value: str) -> str:
        scopes = value.split()
        if "openid" not in scopes:
            raise ValueError(f"AUTH_SCOPES must include 'openid' (got {value!r})")
        return " ".join(scopes)

    @property
    def graphiql_on(self) -> bool:
        return self.graphiql if self.graphiql is not None else not self.service.is_production

    @property
    def introspection_on(self) -> bool:
        return self.introspection if self.introspection is not None else not self.service.is_production

    @property
    def only_registered(self) -> bool:
        production = self.service.is_production and not self.allow_arbitrary_queries
        return self.persisted_queries_only or production

    @property
    def csrf_prevention(self) -> bool:
        """Refuse what a browser could send from another site without asking first (production)."""
        return self.service.is_production

    @property
    def urls(self) -> dict[str, str]:
        return self.service.urls

    @property
    def issuer_origin(self) -> str | None:
        """`https://auth.example.org` for the issuer `https://auth.example.org/realms/x`."""
        if self.auth_issuer is None:
            return None
        parts = urlsplit(self.auth_issuer)
        return f"{parts.scheme}://{parts.netloc}"

    @classmethod
    def from_env(cls) -> GatewaySettings:
        given = GatewayEnvironment().model_dump(exclude_none=True)
        limits = {name: given.pop(name) for name in QueryLimits.model_fields if name in given}
        return cls(service=ServiceSettings.from_env("gateway"), limits=QueryLimits(**limits), **given)


class GatewayEnvironment(BaseSettings):
    """The gateway's own variables, `GATEWAY_<FIELD>` (and `CORS_ALLOW_ORIGINS`, `AUTH_ISSUER`,
    `AUTH_CLIENT_ID`, `AUTH_SCOPES`); one left unset keeps `GatewaySettings`' default."""

    model_config = READ_ENVIRONMENT | SettingsConfigDict(env_prefix="GATEWAY_")

    max_depth: int | None = None
    max_tokens: int | None = None
    max_aliases: int | None = None
    max_body_bytes: int | None = None
    max_cost: int | None = None
    # A comma-separated list, e.g. `https://app.example.org,https://admin.example.org`.
    cors_allow_origins: Annotated[tuple[str, ...] | None, NoDecode] = Field(
        None, validation_alias="CORS_ALLOW_ORIGINS"
    )
    graphiql: bool | None = None
    introspection: bool | None = None
    persisted_queries_manifest: Path | None = Field(None, validation_alias="GATEWAY_PERSISTED_QUERIES")
    persisted_queries_only: bool | None = None
    allow_arbitrary_queries: bool | None = None
    response_cache_entries: int | None = None
    read_cache_entries: int | None = None
    cache_ttl_seconds: float | None = None
    search_settle_seconds: float | None = None
    settling_ttl_seconds: float | None = None
    backend_timeout_seconds: float | None = None
    cdn_max_age: int | None = None
    cdn_stale_while_revalidate: int | None = None
    cdn_purge_url: str | None = None
    rate_limit: int | None = None
    subscriptions_per_connection: int | None = None
    subscriptions_per_client: int | None = None
    trusted_proxies: Annotated[tuple[str, ...] | None, NoDecode] = None
    redis_url: str | None = Field(None, validation_alias="REDIS_URL")
    auth_issuer: str | None = Field(None, validation_alias="AUTH_ISSUER")
    auth_client_id: str | None = Field(None, validation_alias="AUTH_CLIENT_ID")
    auth_scopes: str | None = Field(None, validation_alias="AUTH_SCOPES")

    @field_validator("cors_allow_origins", "trusted_proxies", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(item.strip() for item in value.split(",") if item.strip())
        return value
