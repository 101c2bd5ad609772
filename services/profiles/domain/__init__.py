"""The therapist profile with no I/O and no HTTP: the kinds of value it is made of (`fields`),
the models and how a profile changes (`profile`), the rules over whole profiles (`rules`), its
public view (`views`), its events (`events`) and what can go wrong (`errors`)."""

from services.profiles.domain.errors import ProfileExists, VersionConflict, profile_not_found
from services.profiles.domain.events import EVENT_SOURCE, created_event, deleted_event, updated_event
from services.profiles.domain.profile import (
    MAX_STATEMENT_LENGTH,
    READ_ONLY_FIELDS,
    ApproachStatementText,
    AvailabilityConfirmation,
    NewTherapistProfile,
    PracticedApproach,
    ProfileContent,
    ProfilePatch,
    TherapistProfile,
    editable_content,
    new_profile,
    parse_patch,
    patched_content,
    revised,
    with_availability,
    with_statement,
    without_statement,
)
from services.profiles.domain.rules import (
    canonical_statements,
    check_verification_unchanged,
    unknown_approach,
)
from services.profiles.domain.views import PublicProfilePage, public_view

__all__ = [
    "EVENT_SOURCE",
    "MAX_STATEMENT_LENGTH",
    "READ_ONLY_FIELDS",
    "ApproachStatementText",
    "AvailabilityConfirmation",
    "NewTherapistProfile",
    "PracticedApproach",
    "ProfileContent",
    "ProfileExists",
    "ProfilePatch",
    "PublicProfilePage",
    "TherapistProfile",
    "VersionConflict",
    "canonical_statements",
    "check_verification_unchanged",
    "created_event",
    "deleted_event",
    "editable_content",
    "new_profile",
    "parse_patch",
    "patched_content",
    "profile_not_found",
    "public_view",
    "revised",
    "unknown_approach",
    "updated_event",
    "with_availability",
    "with_statement",
    "without_statement",
]
