"""Settings come from the environment only, with the development defaults the README names."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic import ValidationError

from gateway.settings import GatewaySettings, QueryLimits
from servicekit.settings import (
    DEFAULT_AMQP_URL,
    DEFAULT_PORTS,
    DEVELOPMENT_JWT_SECRET,
    AuthSettings,
    ServiceSettings,
    service_urls,
)


@pytest.fixture(autouse=True)
def bare_environment(monkeypatch):
    """No variable of the directory's set: each test sets what it is about."""
    prefixes = ("GATEWAY_", "PROFILES_", "APPROACHES_", "SEARCH_", "AUTH_", "CORS_")
    names = {
        "BIND_HOST",
        "MONGODB_URI",
        "AMQP_URL",
        "EVENTS_EXCHANGE",
        "DEAD_LETTER_EXCHANGE",
        "EVENT_DELIVERY_LIMIT",
    }
    for name in list(os.environ):
        if name.startswith(prefixes) or name in names:
            monkeypatch.delenv(name)


def test_without_any_variable_a_service_runs_on_its_local_development_defaults():
    settings = ServiceSettings.from_env("profiles")
    assert (settings.host, settings.port, settings.database) == ("127.0.0.1", 8001, "profiles")
    assert settings.mongodb_uri == "mongodb://127.0.0.1:27017/?directConnection=true"
    assert settings.amqp_url == DEFAULT_AMQP_URL == "amqp://guest:guest@127.0.0.1:5672/"
    assert (settings.events_exchange, settings.dead_letter_exchange) == (
        "directory.events",
        "directory.dead-letter",
    )
    assert settings.delivery_limit == 5
    assert settings.auth == AuthSettings(
        jwt_secret=DEVELOPMENT_JWT_SECRET, audience="therapy-directory", jwks_url=None, algorithms=("HS256",)
    )
    assert settings.urls == {name: f"http://127.0.0.1:{port}" for name, port in DEFAULT_PORTS.items()}


def test_each_variable_overrides_its_default(monkeypatch):
    for name, value in {
        "BIND_HOST": "0.0.0.0",
        "SEARCH_PORT": "9003",
        "SEARCH_DB": "search_blue",
        "MONGODB_URI": "mongodb://db:27017/",
        "AMQP_URL": "amqp://u:p@broker:5672/directory",
        "EVENTS_EXCHANGE": "events",
        "DEAD_LETTER_EXCHANGE": "dead",
        "EVENT_DELIVERY_LIMIT": "8",
        "AUTH_JWT_SECRET": "s" * 40,
        "AUTH_AUDIENCE": "elsewhere",
    }.items():
        monkeypatch.setenv(name, value)
    settings = ServiceSettings.from_env("search")
    assert (settings.host, settings.port, settings.database) == ("0.0.0.0", 9003, "search_blue")
    assert (settings.mongodb_uri, settings.amqp_url) == (
        "mongodb://db:27017/",
        "amqp://u:p@broker:5672/directory",
    )
    assert (settings.events_exchange, settings.dead_letter_exchange, settings.delivery_limit) == (
        "events",
        "dead",
        8,
    )
    assert (settings.auth.jwt_secret, settings.auth.audience) == ("s" * 40, "elsewhere")


def test_an_empty_variable_counts_as_unset(monkeypatch):
    for name in ("PROFILES_PORT", "PROFILES_DB", "AMQP_URL", "EVENT_DELIVERY_LIMIT", "CORS_ALLOW_ORIGINS"):
        monkeypatch.setenv(name, "")
    settings = ServiceSettings.from_env("profiles")
    assert (settings.port, settings.database, settings.amqp_url, settings.delivery_limit) == (
        8001,
        "profiles",
        DEFAULT_AMQP_URL,
        5,
    )
    assert GatewaySettings.from_env().cors_allow_origins == ()


def test_a_jwks_url_switches_verification_to_public_keys(monkeypatch):
    monkeypatch.setenv("AUTH_JWKS_URL", "https://id.example.org/.well-known/jwks.json")
    auth = AuthSettings.from_env()
    assert auth.jwks_url == "https://id.example.org/.well-known/jwks.json"
    assert auth.algorithms == ("RS256", "ES256")


def test_service_urls_follow_each_services_port_unless_its_url_is_given(monkeypatch):
    monkeypatch.setenv("APPROACHES_PORT", "9002")
    monkeypatch.setenv("SEARCH_URL", "http://search.internal:8003/")
    urls = service_urls()
    assert urls["approaches"] == "http://127.0.0.1:9002"
    assert urls["search"] == "http://search.internal:8003"
    assert urls["profiles"] == "http://127.0.0.1:8001"


def test_the_gateway_reads_its_own_limits_and_switches(monkeypatch):
    for name, value in {
        "GATEWAY_PORT": "9000",
        "GATEWAY_MAX_DEPTH": "6",
        "GATEWAY_MAX_BODY_BYTES": "1024",
        "CORS_ALLOW_ORIGINS": "https://app.example.org, https://admin.example.org",
        "GATEWAY_GRAPHIQL": "false",
        "GATEWAY_PERSISTED_QUERIES": "/etc/directory/operations.json",
        "GATEWAY_PERSISTED_QUERIES_ONLY": "true",
        "GATEWAY_CACHE_TTL_SECONDS": "30",
        "GATEWAY_BACKEND_TIMEOUT_SECONDS": "1.5",
    }.items():
        monkeypatch.setenv(name, value)
    settings = GatewaySettings.from_env()
    assert settings.service.port == 9000
    assert settings.limits == QueryLimits(max_depth=6, max_body_bytes=1024)
    assert settings.cors_allow_origins == ("https://app.example.org", "https://admin.example.org")
    assert settings.graphiql is False
    assert settings.persisted_queries_manifest == Path("/etc/directory/operations.json")
    assert settings.persisted_queries_only is True
    assert (settings.cache_ttl_seconds, settings.backend_timeout_seconds) == (30.0, 1.5)


def test_without_variables_the_gateway_keeps_the_defaults_tests_build_it_with():
    settings = GatewaySettings.from_env()
    assert settings.model_dump(exclude={"service"}) == GatewaySettings(service=settings.service).model_dump(
        exclude={"service"}
    )


@pytest.mark.parametrize(
    "name, value, read",
    [
        ("PROFILES_PORT", "eighty", lambda: ServiceSettings.from_env("profiles")),
        ("GATEWAY_GRAPHIQL", "maybe", GatewaySettings.from_env),
    ],
)
def test_a_malformed_value_stops_the_process_at_start_up(monkeypatch, name, value, read):
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError):
        read()


def test_the_jwt_secret_stays_out_of_the_settings_repr(monkeypatch):
    monkeypatch.setenv("AUTH_JWT_SECRET", "a-production-secret-of-forty-characters!")
    assert "a-production-secret" not in repr(ServiceSettings.from_env("profiles"))
