"""The catalogue of approaches as the directory knows it, with no I/O and no HTTP: the models
(`models`), the rules for creating and changing them (`rules`) and their events (`events`)."""

from services.approaches.domain.events import (
    EVENT_SOURCE,
    created_event,
    deleted_event,
    referenced_slugs,
    updated_event,
)
from services.approaches.domain.models import (
    READ_ONLY_FIELDS,
    Approach,
    ApproachContent,
    ApproachPatch,
    ApproachSections,
    is_slug,
)
from services.approaches.domain.rules import (
    new_approach,
    not_found,
    refuse_deletion_while_referenced,
    revise,
    slug_taken,
    validated_patch,
)

__all__ = [
    "EVENT_SOURCE",
    "READ_ONLY_FIELDS",
    "Approach",
    "ApproachContent",
    "ApproachPatch",
    "ApproachSections",
    "created_event",
    "deleted_event",
    "is_slug",
    "new_approach",
    "not_found",
    "referenced_slugs",
    "refuse_deletion_while_referenced",
    "revise",
    "slug_taken",
    "updated_event",
    "validated_patch",
]
