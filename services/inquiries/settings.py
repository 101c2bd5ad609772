"""The inquiries service's own settings, read from the environment like `servicekit.settings`:

- `INQUIRY_ENCRYPTION_KEYS`: comma-separated Fernet keys; the first seals, every one unseals (a
  key is rotated by putting the new one first and dropping the old one once nothing it sealed is
  kept). The development default is refused when `DIRECTORY_ENV=production`.
- `INQUIRY_RETENTION_DAYS` (90): inquiries older than this are deleted.
- `INQUIRY_RATE_PER_CLIENT` (`5/hour`), `INQUIRY_RATE_PER_THERAPIST` (`30/day`): how many
  inquiries one client may send, and one therapist receive, in a moving window; their own
  settings, so no other rate limit switches them off.
"""

from __future__ import annotations

from typing import Literal

from limits import parse
from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_settings import BaseSettings

from servicekit.settings import READ_ENVIRONMENT

# Named in the README beside the development token secret; never for production.
DEVELOPMENT_ENCRYPTION_KEY = "YGatzj1dNCry7gock4eDSrg0UmLAUk1rKkQu8oavwq0="
DEFAULT_RETENTION_DAYS = 90
DEFAULT_RATE_PER_CLIENT = "5/hour"
DEFAULT_RATE_PER_THERAPIST = "30/day"


class InquiryEnvironment(BaseSettings):
    """The variables only the inquiries service reads."""

    model_config = READ_ENVIRONMENT

    directory_env: Literal["development", "production"] = "development"
    inquiry_encryption_keys: str = Field(DEVELOPMENT_ENCRYPTION_KEY, repr=False)
    inquiry_retention_days: int = Field(DEFAULT_RETENTION_DAYS, ge=1)
    inquiry_rate_per_client: str = DEFAULT_RATE_PER_CLIENT
    inquiry_rate_per_therapist: str = DEFAULT_RATE_PER_THERAPIST


def _rate(value: str) -> str:
    try:
        parse(value)
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a rate such as '5/hour' or '30 per day'") from exc
    return value


class InquirySettings(BaseModel):
    """What the inquiries service is handed (tests build it directly)."""

    model_config = ConfigDict(frozen=True)

    encryption_keys: tuple[str, ...] = Field((DEVELOPMENT_ENCRYPTION_KEY,), min_length=1, repr=False)
    retention_days: int = Field(DEFAULT_RETENTION_DAYS, ge=1)
    rate_per_client: str = DEFAULT_RATE_PER_CLIENT
    rate_per_therapist: str = DEFAULT_RATE_PER_THERAPIST

    @field_validator("rate_per_client", "rate_per_therapist")
    @classmethod
    def _rates(cls, value: str) -> str:
        return _rate(value)

    @classmethod
    def from_env(cls, environment: InquiryEnvironment | None = None) -> InquirySettings:
        env = environment or InquiryEnvironment()
        keys = tuple(key.strip() for key in env.inquiry_encryption_keys.split(",") if key.strip())
        if env.directory_env == "production" and DEVELOPMENT_ENCRYPTION_KEY in keys:
            raise ValueError(
                "INQUIRY_ENCRYPTION_KEYS holds the development key, which is public: "
                "production needs keys of its own"
            )
        return cls(
            encryption_keys=keys,
            retention_days=env.inquiry_retention_days,
            rate_per_client=env.inquiry_rate_per_client,
            rate_per_therapist=env.inquiry_rate_per_therapist,
        )
