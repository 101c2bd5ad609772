"""Approach events, published by the approaches service."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

APPROACH_CREATED = "directory.approach.created.v1"
APPROACH_UPDATED = "directory.approach.updated.v1"
APPROACH_DELETED = "directory.approach.deleted.v1"
APPROACH_EVENT_TYPES = (APPROACH_CREATED, APPROACH_UPDATED, APPROACH_DELETED)


class _Snapshot(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class ApproachSnapshot(_Snapshot):
    """Data of `approach.created.v1` and `approach.updated.v1`.

    `previousSlugs` lists slugs the approach was known by before a rename; consumers treat them
    as the same approach so that statements and links never break.
    """

    id: str  # stable across slug renames
    slug: str
    version: int = Field(ge=1)
    name: str
    summary: str = ""
    description: str = ""
    aliases: list[str] = []
    previousSlugs: list[str] = []
    issues: list[str] = []
    related: list[str] = []
    createdAt: datetime
    updatedAt: datetime


class ApproachDeleted(_Snapshot):
    id: str
    slug: str
    version: int = Field(ge=1)
