"""What decides how therapists sign in: DIRECTORY_ENV, the identity provider's settings, when the
development sign-in may exist, and the client's Content-Security-Policy towards the provider."""

from __future__ import annotations

import os

import pytest
from pydantic import ValidationError

from gateway.settings import GatewaySettings
from gateway.signin import ACCOUNT_RULE, auth_config, dev_sign_in_available, parse_dev_token_request
from gateway.web import CONTENT_SECURITY_POLICY, content_security_policy
from servicekit.errors import InvalidInput
from servicekit.settings import DEVELOPMENT_JWT_SECRET, AuthSettings, ServiceSettings
from tests.support import TEST_AUTH


@pytest.fixture(autouse=True)
def bare_environment(monkeypatch):
    for name in list(os.environ):
        if name.startswith(("GATEWAY_", "AUTH_", "CORS_")) or name == "DIRECTORY_ENV":
            monkeypatch.delenv(name)


def settings_with(auth: AuthSettings, environment: str = "development", **changes) -> GatewaySettings:
    service = ServiceSettings.from_env("gateway").model_copy(
        update={"auth": auth, "environment": environment}
    )
    return GatewaySettings(service=service, **changes)


DEVELOPMENT = AuthSettings(
    jwt_secret=DEVELOPMENT_JWT_SECRET, audience="therapy-directory", jwks_url=None, algorithms=("HS256",)
)
PROVIDER_KEYS = AuthSettings(
    jwt_secret=DEVELOPMENT_JWT_SECRET,
    audience="therapy-directory",
    jwks_url="https://auth.example.org/jwks",
    algorithms=("RS256",),
)


def test_a_process_is_in_development_unless_directory_env_says_production(monkeypatch):
    assert ServiceSettings.from_env("gateway").environment == "development"
    assert not ServiceSettings.from_env("gateway").is_production
    monkeypatch.setenv("DIRECTORY_ENV", "production")
    assert ServiceSettings.from_env("profiles").is_production


@pytest.mark.parametrize("value", ["prod", "Production", "staging", "development "])
def test_an_unknown_directory_env_is_refused_at_start_up_naming_the_variable(monkeypatch, value):
    monkeypatch.setenv("DIRECTORY_ENV", value)
    with pytest.raises(ValidationError) as refused:
        GatewaySettings.from_env()
    assert f"DIRECTORY_ENV must be development or production, not {value!r}" in str(refused.value)


def test_the_identity_provider_settings_have_defaults_and_are_read_from_the_environment(monkeypatch):
    settings = GatewaySettings.from_env()
    assert (settings.auth_issuer, settings.auth_client_id, settings.auth_scopes) == (
        None,
        "therapist-directory-web",
        "openid profile",
    )
    monkeypatch.setenv("AUTH_ISSUER", "https://auth.example.org/realms/directory")
    monkeypatch.setenv("AUTH_CLIENT_ID", "directory-web")
    monkeypatch.setenv("AUTH_SCOPES", "openid profile email")
    settings = GatewaySettings.from_env()
    assert settings.auth_issuer == "https://auth.example.org/realms/directory"
    assert settings.issuer_origin == "https://auth.example.org"
    assert (settings.auth_client_id, settings.auth_scopes) == ("directory-web", "openid profile email")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("AUTH_ISSUER", "auth.example.org"),
        ("AUTH_ISSUER", "ftp://auth.example.org"),
        ("AUTH_ISSUER", "https://auth.example.org/?realm=x"),
        ("AUTH_SCOPES", "profile email"),
    ],
)
def test_an_issuer_that_is_no_web_address_or_scopes_without_openid_are_refused(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError, match=name):
        GatewaySettings.from_env()


def test_the_development_secret_is_in_use_only_as_the_secret_and_without_provider_keys():
    assert DEVELOPMENT.uses_development_secret
    assert not TEST_AUTH.uses_development_secret
    assert not PROVIDER_KEYS.uses_development_secret


@pytest.mark.parametrize(
    ("auth", "environment", "available"),
    [
        (DEVELOPMENT, "development", True),
        (DEVELOPMENT, "production", False),
        (TEST_AUTH, "development", False),
        (PROVIDER_KEYS, "development", False),
        (PROVIDER_KEYS, "production", False),
    ],
)
def test_the_development_sign_in_exists_only_in_development_with_the_development_secret(
    auth, environment, available
):
    settings = settings_with(auth, environment)
    assert dev_sign_in_available(settings) is available
    assert auth_config(settings)["devSignIn"] is available


def test_the_config_names_the_client_only_with_an_issuer():
    assert auth_config(settings_with(DEVELOPMENT)) == {
        "issuer": None,
        "clientId": None,
        "scopes": "openid profile",
        "devSignIn": True,
    }
    with_provider = settings_with(PROVIDER_KEYS, "production", auth_issuer="https://auth.example.org/r/x")
    assert auth_config(with_provider) == {
        "issuer": "https://auth.example.org/r/x",
        "clientId": "therapist-directory-web",
        "scopes": "openid profile",
        "devSignIn": False,
    }


def test_the_policy_adds_the_issuers_origin_to_connect_src_only():
    plain = dict(part.split(" ", 1) for part in CONTENT_SECURITY_POLICY.split("; "))
    with_issuer = dict(
        part.split(" ", 1) for part in content_security_policy("https://auth.example.org").split("; ")
    )
    assert plain["connect-src"] == "'self'"
    assert with_issuer.pop("connect-src") == "'self' https://auth.example.org"
    plain.pop("connect-src")
    assert with_issuer == plain


@pytest.mark.parametrize("account", ["a", "therapist-1", "Dr.Quill_2", "x" * 64])
def test_account_names_of_letters_digits_dots_underscores_and_hyphens_are_taken(account):
    assert parse_dev_token_request({"account": account}).account == account


@pytest.mark.parametrize("account", ["", "x" * 65, "with space", "slash/es", "ünï", "semi;colon", None])
def test_other_account_names_are_refused_with_the_rule(account):
    with pytest.raises(InvalidInput) as refused:
        parse_dev_token_request({"account": account})
    assert refused.value.message == ACCOUNT_RULE
    assert refused.value.details[0]["field"] == "account"
