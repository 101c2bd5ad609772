"""What an approach is: the content an admin writes, the approach as the catalogue keeps it, and
the merge patch that changes it, each a validating pydantic model.

Text is kept as written but refuses control characters (`servicekit.text.free_text`), so what
a visitor sees is what a person meant to write.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from integration_events.vocabulary import ISSUES
from servicekit.merge_patch import merge_patch_model
from servicekit.text import free_text

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
SLUG_MAX_LENGTH = 80
_SLUG = re.compile(SLUG_PATTERN)
_BLANK_LINE = re.compile(r"\n[ \t\r]*\n")


def is_slug(value: str) -> bool:
    """Lowercase letters and digits in words joined by single hyphens, at most 80 characters."""
    return len(value) <= SLUG_MAX_LENGTH and _SLUG.fullmatch(value) is not None


def _slug(value: str) -> str:
    if not is_slug(value):
        raise ValueError(
            "a slug is lowercase letters and digits in words joined by single hyphens, "
            "e.g. 'relational-therapy'"
        )
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
    str,
    Field(min_length=1, max_length=SLUG_MAX_LENGTH, json_schema_extra={"pattern": SLUG_PATTERN}),
    AfterValidator(_slug),
]
Name = free_text(120, required=True)
Summary = Annotated[free_text(1500), AfterValidator(_one_paragraph)]
Description = free_text(20_000)
SectionText = free_text(5_000)
IssueCode = Annotated[str, Field(json_schema_extra={"enum": sorted(ISSUES)}), AfterValidator(_issue_code)]
Aliases = Annotated[list[Name], Field(max_length=20), AfterValidator(_distinct)]
Issues = Annotated[list[IssueCode], Field(max_length=len(ISSUES)), AfterValidator(_distinct)]
RelatedSlugs = Annotated[list[Slug], Field(max_length=20), AfterValidator(_distinct)]


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
    aliases: Aliases = Field([], description="Other names people search for")
    summary: Summary = Field("", description="One plain-language paragraph")
    description: Description = Field("", description="The full description, in paragraphs")
    sections: ApproachSections = ApproachSections()
    issues: Issues = Field([], description="Issues it suits (codes shared with therapists' profiles)")
    related: RelatedSlugs = Field([], description="Slugs of related approaches")

    @model_validator(mode="after")
    def _not_related_to_itself(self) -> ApproachContent:
        if self.slug in self.related:
            raise ValueError("related must not list the approach's own slug")
        return self


# Fields a client may never set: the service owns identity, history and versioning.
READ_ONLY_FIELDS = ("id", "previousSlugs", "version", "createdAt", "updatedAt")


class Approach(ApproachContent):
    """An approach as the catalogue keeps and serves it."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="Stable identifier; never changes, even when the slug does")
    previousSlugs: list[str] = Field([], description="Former slugs; they still resolve to this approach")
    version: int = Field(ge=1)
    createdAt: datetime
    updatedAt: datetime

    def content(self) -> dict[str, Any]:
        return self.model_dump(mode="json", include=set(ApproachContent.model_fields))

    @property
    def revision(self) -> str:
        """This version of this approach. The id is part of it: an approach deleted and created
        again restarts at version 1, and must not pass for the one before."""
        return f"{self.version}-{self.id}"

    @property
    def slugs(self) -> list[str]:
        """Every slug that names this approach: the current one first."""
        return [self.slug, *self.previousSlugs]


# What PATCH accepts: any of ApproachContent's fields; null only for those with a default.
ApproachPatch = merge_patch_model(ApproachContent)
