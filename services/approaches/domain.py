"""Approaches as the directory knows them: the validating models, the rules for changing
them (JSON Merge Patch, slug renames, versions), their HTTP validators and their events.

Pure: no I/O. The store persists what this module decides; the API translates it to HTTP.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from integration_events.approaches import (
    APPROACH_CREATED,
    APPROACH_DELETED,
    APPROACH_UPDATED,
    ApproachDeleted,
    ApproachSnapshot,
)
from integration_events.therapists import TherapistPublicProfile
from integration_events.vocabulary import ISSUES
from servicekit.envelope import CloudEvent, new_event
from servicekit.merge_patch import merge_patch

EVENT_SOURCE = "/directory/approaches"
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
_SLUG = re.compile(SLUG_PATTERN)
_BLANK_LINE = re.compile(r"\n[ \t\r]*\n")

# Fields a client may never set: the service owns identity, history and versioning.
READ_ONLY_FIELDS = ("id", "previousSlugs", "version", "createdAt", "updatedAt")


def is_slug(value: str) -> bool:
    return len(value) <= 80 and _SLUG.fullmatch(value) is not None


def _slug(value: str) -> str:
    if not is_slug(value):
        raise ValueError(
            "a slug is lowercase letters and digits in words joined by single hyphens, "
            "e.g. 'relational-therapy'"
        )
    return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


def _one_paragraph(value: str) -> str:
    if _BLANK_LINE.search(value):
        raise ValueError("the summary is one paragraph: it must not contain a blank line")
    return value


def _issue_code(value: str) -> str:
    if value not in ISSUES:
        raise ValueError(f"unknown issue code {value!r}; use a code from the shared vocabulary")
    return value


def _distinct(values: list[str]) -> list[str]:
    seen: set[str] = set()
    for value in values:
        key = value.casefold()
        if key in seen:
            raise ValueError(f"{value!r} is listed more than once")
        seen.add(key)
    return values


Slug = Annotated[
    str, Field(min_length=1, max_length=80, json_schema_extra={"pattern": SLUG_PATTERN}),
    AfterValidator(_slug),
]
Name = Annotated[str, Field(min_length=1, max_length=120), AfterValidator(_not_blank)]
Summary = Annotated[str, Field(max_length=1500), AfterValidator(_one_paragraph)]
Description = Annotated[str, Field(max_length=20_000)]
SectionText = Annotated[str, Field(max_length=5_000)]
IssueCode = Annotated[str, Field(json_schema_extra={"enum": sorted(ISSUES)}), AfterValidator(_issue_code)]


class ApproachSections(BaseModel):
    """The description in the four parts an approach page shows."""

    model_config = ConfigDict(extra="forbid")

    whatItIs: SectionText = Field("", description="What the approach believes about people and change")
    howItWorks: SectionText = Field("", description="What happens in a session")
    helpsWith: SectionText = Field("", description="The problems it suits best")
    whatYouLearn: SectionText = Field("", description="What a client learns and takes away")


class ApproachContent(BaseModel):
    """What an admin writes: the body of `POST /v1/approaches`, and what a merge patch must leave
    valid."""

    model_config = ConfigDict(extra="forbid")

    slug: Slug = Field(description="Lowercase letters, digits and hyphens; the approach page's address")
    name: Name
    aliases: Annotated[list[Name], Field(max_length=20), AfterValidator(_distinct)] = Field(
        [], description="Other names people search for"
    )
    summary: Summary = Field("", description="One plain-language paragraph")
    description: Description = Field("", description="The full description, in paragraphs")
    sections: ApproachSections = ApproachSections()
    issues: Annotated[list[IssueCode], Field(max_length=len(ISSUES)), AfterValidator(_distinct)] = Field(
        [], description="Issues it suits (codes shared with therapists' profiles)"
    )
    related: Annotated[list[Slug], Field(max_length=20), AfterValidator(_distinct)] = Field(
        [], description="Slugs of related approaches"
    )

    @model_validator(mode="after")
    def _not_related_to_itself(self) -> ApproachContent:
        if self.slug in self.related:
            raise ValueError("related must not list the approach's own slug")
        return self


class Approach(ApproachContent):
    """An approach as the service stores and serves it."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="Stable identifier; never changes, even when the slug does")
    previousSlugs: list[str] = Field([], description="Former slugs; they still resolve to this approach")
    version: int = Field(ge=1)
    createdAt: datetime
    updatedAt: datetime

    def content(self) -> dict[str, Any]:
        return self.model_dump(mode="json", include=set(ApproachContent.model_fields))

    @property
    def etag(self) -> str:
        # The id is part of it: an approach deleted and created again restarts at version 1.
        return f'"{self.version}-{self.id}"'

    @property
    def slugs(self) -> list[str]:
        """Every slug that names this approach: the current one first."""
        return [self.slug, *self.previousSlugs]


class InvalidPatch(ValueError):
    def __init__(self, message: str, details: list[dict[str, str]]) -> None:
        super().__init__(message)
        self.details = details


def utc_now() -> datetime:
    # MongoDB keeps milliseconds; so do we, so a stored approach reads back exactly as written.
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def new_approach(content: ApproachContent, *, now: datetime | None = None) -> Approach:
    now = now or utc_now()
    return Approach(
        **content.model_dump(), id=str(uuid.uuid4()), previousSlugs=[], version=1,
        createdAt=now, updatedAt=now,
    )


def revise(current: Approach, patch: Any, *, now: datetime | None = None) -> Approach | None:
    """`current` with a merge patch applied: the next version, or None when nothing changes.

    Raises InvalidPatch for a patch that is not an object or touches read-only fields, and
    pydantic's ValidationError when the patched approach is not valid.
    """
    if not isinstance(patch, dict):
        raise InvalidPatch(
            "A merge patch is a JSON object", [{"field": "(body)", "message": "must be a JSON object"}]
        )
    read_only = [key for key in READ_ONLY_FIELDS if key in patch]
    if read_only:
        raise InvalidPatch(
            f"Read-only fields cannot be changed: {', '.join(read_only)}",
            [{"field": key, "message": "is read-only"} for key in read_only],
        )
    content = ApproachContent.model_validate(merge_patch(current.content(), patch))
    if content.model_dump(mode="json") == current.content():
        return None
    previous_slugs = current.previousSlugs
    if content.slug != current.slug:
        # Renaming back to a former slug makes it current again rather than a redirect to itself.
        previous_slugs = [s for s in current.previousSlugs if s != content.slug] + [current.slug]
    return Approach(
        **content.model_dump(), id=current.id, previousSlugs=previous_slugs,
        version=current.version + 1, createdAt=current.createdAt, updatedAt=now or utc_now(),
    )


def _entity_tags(header: str) -> list[str]:
    return [tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()]


def none_match(header: str | None, etag: str) -> bool:
    """Whether an `If-None-Match` header lets a read answer 304 (weak comparison)."""
    if header is None:
        return False
    tags = _entity_tags(header)
    return "*" in tags or etag in tags


def if_match_holds(header: str | None, approach: Approach) -> bool:
    """Whether an `If-Match` header allows writing `approach`.

    Accepts the ETag this service gave, `*`, or the bare version number (as profiles does).
    """
    if header is None:
        return True
    for tag in _entity_tags(header):
        if tag in ("*", approach.etag) or tag.strip('"') == str(approach.version):
            return True
    return False


def _snapshot(approach: Approach) -> dict[str, Any]:
    return ApproachSnapshot.model_validate(approach.model_dump()).model_dump(mode="json")


def _event(event_type: str, approach: Approach, data: dict[str, Any]) -> CloudEvent:
    return new_event(type=event_type, source=EVENT_SOURCE, subject=approach.id, data=data)


def created_event(approach: Approach) -> CloudEvent:
    return _event(APPROACH_CREATED, approach, _snapshot(approach))


def updated_event(approach: Approach) -> CloudEvent:
    return _event(APPROACH_UPDATED, approach, _snapshot(approach))


def deleted_event(approach: Approach) -> CloudEvent:
    # The deletion is the approach's next version, so consumers order it after every update.
    data = ApproachDeleted(id=approach.id, slug=approach.slug, version=approach.version + 1)
    return _event(APPROACH_DELETED, approach, data.model_dump(mode="json"))


def referenced_slugs(profile: TherapistPublicProfile) -> list[str]:
    """The approach slugs a therapist's public profile makes statements about."""
    return sorted({statement.slug for statement in profile.approaches})
