"""The rules of the catalogue: how an approach begins, how a merge patch changes it (slug renames
included), and what the catalogue refuses, as `servicekit.errors` domain errors.

Pure: the clock's reading and every stored fact a rule needs are handed in.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from servicekit.errors import Conflict, InvalidInput, NotFound, invalid_input
from servicekit.merge_patch import merge_patch
from services.approaches.domain.models import READ_ONLY_FIELDS, Approach, ApproachContent, ApproachPatch


def new_approach(content: ApproachContent, *, now: datetime) -> Approach:
    return Approach(
        **content.model_dump(),
        id=str(uuid.uuid4()),
        previousSlugs=[],
        version=1,
        createdAt=now,
        updatedAt=now,
    )


def validated_patch(patch: Any) -> dict[str, Any]:
    """A merge patch that may be applied to any approach: an object, no read-only field, every
    field it names valid (null only where the field has a default)."""
    if not isinstance(patch, dict):
        raise InvalidInput("A merge patch is a JSON object", field="(body)")
    read_only = [key for key in READ_ONLY_FIELDS if key in patch]
    if read_only:
        raise InvalidInput(
            f"Read-only fields cannot be changed: {', '.join(read_only)}",
            details=[{"field": key, "message": "is read-only"} for key in read_only],
        )
    try:
        return ApproachPatch.model_validate(patch).model_dump(exclude_unset=True)
    except ValidationError as exc:
        raise invalid_input(exc) from exc


def revise(current: Approach, patch: dict[str, Any], *, now: datetime) -> Approach | None:
    """`current` with a validated merge patch applied: its next version, or None when the patch
    changes nothing. InvalidInput when the patched approach is not valid as a whole."""
    try:
        content = ApproachContent.model_validate(merge_patch(current.content(), patch))
    except ValidationError as exc:
        raise invalid_input(exc) from exc
    if content.model_dump(mode="json") == current.content():
        return None
    previous_slugs = current.previousSlugs
    if content.slug != current.slug:
        # Renaming back to a former slug makes it current again rather than a redirect to itself.
        previous_slugs = [s for s in current.previousSlugs if s != content.slug] + [current.slug]
    return Approach(
        **content.model_dump(),
        id=current.id,
        previousSlugs=previous_slugs,
        version=current.version + 1,
        createdAt=current.createdAt,
        updatedAt=now,
    )


def not_found(slug: str) -> NotFound:
    return NotFound(
        f"No approach has the slug {slug!r}",
        code="approach_not_found",
        details=[{"field": "slug", "message": "no approach has this slug"}],
    )


def slug_taken(slug: str) -> Conflict:
    """A slug names one approach for good: the current slug of one, or a former one (which keeps
    resolving to it) until that approach is deleted."""
    return Conflict(
        f"The slug {slug!r} already names an approach (now or before a rename, and old slugs keep resolving)",
        code="slug_taken",
        details=[{"field": "slug", "message": "already names an approach"}],
    )


def refuse_deletion_while_referenced(reference_count: int) -> None:
    """An approach that therapists' profiles make statements about stays in the catalogue."""
    if reference_count:
        noun = "therapist references" if reference_count == 1 else "therapists reference"
        raise Conflict(
            f"{reference_count} {noun} this approach; it cannot be deleted while any do",
            code="approach_in_use",
            details=[
                {
                    "field": "slug",
                    "message": f"referenced by {reference_count} therapists",
                    "therapistCount": reference_count,
                }
            ],
        )
