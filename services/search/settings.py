"""The search service's own settings, read from the environment like `servicekit.settings`:

- `SEARCH_SNAPSHOT_DIR` (unset: no snapshots): a folder on the replica's local disk where it keeps
  a snapshot of its index, so that a restart serves from it after catching up instead of
  rebuilding from the read model. Replicas on one host may share it (one writes at a time).
- `SEARCH_SNAPSHOT_EVERY_SECONDS` (300): how often a replica writes a new snapshot while its
  index changes.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from pydantic_settings import BaseSettings

from servicekit.settings import READ_ENVIRONMENT

DEFAULT_SNAPSHOT_EVERY = 300.0


class SearchEnvironment(BaseSettings):
    """The variables only the search service reads."""

    model_config = READ_ENVIRONMENT

    search_snapshot_dir: str | None = None
    search_snapshot_every_seconds: float = Field(DEFAULT_SNAPSHOT_EVERY, gt=0)


class SearchSettings(BaseModel):
    """What the search service is handed (tests build it directly)."""

    model_config = ConfigDict(frozen=True)

    snapshot_dir: str | None = None
    snapshot_every_seconds: float = Field(DEFAULT_SNAPSHOT_EVERY, gt=0)

    @classmethod
    def from_env(cls, environment: SearchEnvironment | None = None) -> SearchSettings:
        env = environment or SearchEnvironment()
        return cls(
            snapshot_dir=env.search_snapshot_dir, snapshot_every_seconds=env.search_snapshot_every_seconds
        )
