"""The inquiries service's settings: keys, retention and its own rate limits from the
environment; the public development key is refused in production."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from pydantic import ValidationError

from services.inquiries.settings import DEVELOPMENT_ENCRYPTION_KEY, InquiryEnvironment, InquirySettings


def test_the_defaults_are_the_development_key_90_days_and_the_documented_rates(monkeypatch):
    for name in (
        "INQUIRY_ENCRYPTION_KEYS",
        "INQUIRY_RETENTION_DAYS",
        "INQUIRY_RATE_PER_CLIENT",
        "DIRECTORY_ENV",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("INQUIRY_RATE_PER_THERAPIST", raising=False)
    settings = InquirySettings.from_env()
    assert settings.encryption_keys == (DEVELOPMENT_ENCRYPTION_KEY,)
    assert (settings.retention_days, settings.rate_per_client, settings.rate_per_therapist) == (
        90,
        "5/hour",
        "30/day",
    )


def test_keys_are_read_in_order_first_one_sealing(monkeypatch):
    new, old = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    monkeypatch.setenv("INQUIRY_ENCRYPTION_KEYS", f"{new}, {old}")
    assert InquirySettings.from_env().encryption_keys == (new, old)


def test_production_refuses_the_development_key(monkeypatch):
    monkeypatch.setenv("DIRECTORY_ENV", "production")
    monkeypatch.delenv("INQUIRY_ENCRYPTION_KEYS", raising=False)
    with pytest.raises(ValueError, match="development key"):
        InquirySettings.from_env()


def test_production_takes_keys_of_its_own():
    key = Fernet.generate_key().decode()
    env = InquiryEnvironment(directory_env="production", inquiry_encryption_keys=key)
    assert InquirySettings.from_env(env).encryption_keys == (key,)


def test_a_rate_that_is_not_one_is_refused():
    with pytest.raises(ValidationError):
        InquirySettings(rate_per_client="often")
