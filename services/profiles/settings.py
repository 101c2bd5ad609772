"""The profiles service's own settings, read from the environment like `servicekit.settings`:

- `LICENCE_CHECK_INTERVAL_SECONDS` (3600): how often each replica asks to run the licence check
  (licences expiring, compact states starting); the first round runs at start-up.
- `LICENCE_CHECK_LEASE_SECONDS` (600): how long the replica that took the check's lease keeps it
  (renewed before each page of profiles); another replica takes over once it has expired.
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, ConfigDict, Field
from pydantic_settings import BaseSettings

from servicekit.settings import READ_ENVIRONMENT

DEFAULT_CHECK_INTERVAL_SECONDS = 3600.0
DEFAULT_CHECK_LEASE_SECONDS = 600.0


class LicenceCheckEnvironment(BaseSettings):
    model_config = READ_ENVIRONMENT

    licence_check_interval_seconds: float = Field(DEFAULT_CHECK_INTERVAL_SECONDS, gt=0)
    licence_check_lease_seconds: float = Field(DEFAULT_CHECK_LEASE_SECONDS, gt=0)


class LicenceCheckSettings(BaseModel):
    model_config = ConfigDict(frozen=True)

    interval_seconds: float = DEFAULT_CHECK_INTERVAL_SECONDS
    lease_seconds: float = DEFAULT_CHECK_LEASE_SECONDS

    @property
    def lease_for(self) -> timedelta:
        return timedelta(seconds=self.lease_seconds)

    @classmethod
    def from_env(cls) -> LicenceCheckSettings:
        env = LicenceCheckEnvironment()
        return cls(
            interval_seconds=env.licence_check_interval_seconds,
            lease_seconds=env.licence_check_lease_seconds,
        )
