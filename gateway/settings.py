"""The gateway's configuration: the shared service settings plus its own limits and switches."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from servicekit.settings import ServiceSettings, env, env_float, env_int


def env_bool(name: str, default: bool) -> bool:
    return env(name, "true" if default else "false").strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in env(name, "").split(",") if item.strip())


@dataclass(frozen=True)
class QueryLimits:
    """What one GraphQL document may ask for."""

    max_depth: int = 10
    max_tokens: int = 2000
    max_aliases: int = 15
    max_body_bytes: int = 64 * 1024


@dataclass(frozen=True)
class GatewaySettings:
    service: ServiceSettings
    limits: QueryLimits = QueryLimits()
    # Origins allowed to call the gateway from a browser; "*" allows any.
    cors_allow_origins: tuple[str, ...] = ()
    graphiql: bool = True
    # A JSON manifest {sha256: query} of registered operations (see gateway.persisted).
    persisted_queries_manifest: Path | None = None
    # When set, only registered operations run; APQ registration of new ones is refused.
    persisted_queries_only: bool = False
    response_cache_entries: int = 20_000
    read_cache_entries: int = 50_000
    # A safety net only: events invalidate entries long before this.
    cache_ttl_seconds: float = 600.0
    # Search applies an event shortly after the gateway hears it: for this long after an event,
    # search-derived entries are kept only `settling_ttl_seconds`.
    search_settle_seconds: float = 5.0
    settling_ttl_seconds: float = 0.05
    backend_timeout_seconds: float = 5.0

    @property
    def urls(self) -> dict[str, str]:
        return self.service.urls

    @classmethod
    def from_env(cls) -> GatewaySettings:
        manifest = env("GATEWAY_PERSISTED_QUERIES", "")
        return cls(
            service=ServiceSettings.from_env("gateway"),
            limits=QueryLimits(
                max_depth=env_int("GATEWAY_MAX_DEPTH", QueryLimits.max_depth),
                max_tokens=env_int("GATEWAY_MAX_TOKENS", QueryLimits.max_tokens),
                max_aliases=env_int("GATEWAY_MAX_ALIASES", QueryLimits.max_aliases),
                max_body_bytes=env_int("GATEWAY_MAX_BODY_BYTES", QueryLimits.max_body_bytes),
            ),
            cors_allow_origins=env_list("CORS_ALLOW_ORIGINS"),
            graphiql=env_bool("GATEWAY_GRAPHIQL", True),
            persisted_queries_manifest=Path(manifest) if manifest else None,
            persisted_queries_only=env_bool("GATEWAY_PERSISTED_QUERIES_ONLY", False),
            response_cache_entries=env_int("GATEWAY_RESPONSE_CACHE_ENTRIES", 20_000),
            read_cache_entries=env_int("GATEWAY_READ_CACHE_ENTRIES", 50_000),
            cache_ttl_seconds=env_float("GATEWAY_CACHE_TTL_SECONDS", 600.0),
            search_settle_seconds=env_float("GATEWAY_SEARCH_SETTLE_SECONDS", 5.0),
            settling_ttl_seconds=env_float("GATEWAY_SETTLING_TTL_SECONDS", 0.05),
            backend_timeout_seconds=env_float("GATEWAY_BACKEND_TIMEOUT_SECONDS", 5.0),
        )

    def replace(self, **changes: object) -> GatewaySettings:
        return dataclasses.replace(self, **changes)
