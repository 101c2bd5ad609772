"""Who a request counts against: the peer, or what trusted proxies say in X-Forwarded-For."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from gateway.ratelimit import client_address, trusted_networks
from gateway.settings import GatewayEnvironment, GatewaySettings
from servicekit.settings import ServiceSettings

PROXIES = trusted_networks(["10.0.0.0/8", "2001:db8::/32"])


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        ("198.51.100.4", [], "198.51.100.4"),
        ("198.51.100.4", ["192.0.2.1"], "198.51.100.4"),  # not a proxy of ours: header ignored
        ("10.1.2.3", ["192.0.2.1"], "192.0.2.1"),
        ("10.1.2.3", ["192.0.2.1, 10.9.9.9"], "192.0.2.1"),  # two of our proxies in a row
        ("10.1.2.3", ["203.0.113.5, 192.0.2.1"], "192.0.2.1"),  # the left one is the client's claim
        ("10.1.2.3", ["203.0.113.5", "192.0.2.1"], "192.0.2.1"),  # the header repeated
        ("10.1.2.3", ["not-an-address"], "10.1.2.3"),
        ("10.1.2.3", [], "10.1.2.3"),
        ("2001:db8::1", ["2001:db8::2, 2606:4700::1"], "2606:4700::1"),
    ],
)
def test_the_client_is_the_nearest_address_not_of_a_trusted_proxy(peer, forwarded, expected):
    assert client_address(peer, forwarded, PROXIES) == expected


def test_without_trusted_proxies_the_peer_is_the_client():
    assert client_address("10.1.2.3", ["192.0.2.1"], ()) == "10.1.2.3"


def test_limits_and_proxies_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("GATEWAY_RATE_LIMIT", "0")
    monkeypatch.setenv("GATEWAY_TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.10")
    monkeypatch.setenv("REDIS_URL", "redis://cache.internal:6379/0")
    given = GatewayEnvironment().model_dump(exclude_none=True)
    settings = GatewaySettings(service=ServiceSettings.from_env("gateway"), **given)
    assert settings.rate_limit == 0
    assert settings.trusted_proxies == ("10.0.0.0/8", "192.0.2.10")
    assert settings.redis_url == "redis://cache.internal:6379/0"


def test_a_default_limit_is_on():
    assert GatewaySettings(service=ServiceSettings.from_env("gateway")).rate_limit > 0


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("rate_limit", -1, "greater than or equal to 0"),
        ("trusted_proxies", ("10.0.0.0/8", "proxy.internal"), "'proxy.internal' is not an address"),
    ],
)
def test_bad_settings_are_refused_with_what_is_wrong(name, value, says):
    with pytest.raises(ValidationError, match=says):
        GatewaySettings(service=ServiceSettings.from_env("gateway"), **{name: value})
