"""The therapist profile with no I/O and no HTTP: the kinds of value it is made of (`fields`),
the models and how a profile changes (`profile`), the rules over whole profiles (`rules`), its
public view (`views`), its events (`events`), what can go wrong (`errors`), and the e-mail that
tells a therapist an inquiry waits (`notifications`)."""

from services.profiles.domain.errors import ProfileExists, VersionConflict, profile_not_found
from services.profiles.domain.events import EVENT_SOURCE, created_event, deleted_event, updated_event
from services.profiles.domain.notifications import (
    CLAIM_TIMEOUT,
    NOTICE_SUBJECT,
    NOTICE_TEXT,
    InquiryNotice,
    Notification,
    NotificationInProgress,
    NotificationState,
    claim_notice,
    sent,
)
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
    "CLAIM_TIMEOUT",
    "EVENT_SOURCE",
    "MAX_STATEMENT_LENGTH",
    "NOTICE_SUBJECT",
    "NOTICE_TEXT",
    "READ_ONLY_FIELDS",
    "ApproachStatementText",
    "AvailabilityConfirmation",
    "InquiryNotice",
    "NewTherapistProfile",
    "Notification",
    "NotificationInProgress",
    "NotificationState",
    "PracticedApproach",
    "ProfileContent",
    "ProfileExists",
    "ProfilePatch",
    "PublicProfilePage",
    "TherapistProfile",
    "VersionConflict",
    "canonical_statements",
    "check_verification_unchanged",
    "claim_notice",
    "created_event",
    "deleted_event",
    "editable_content",
    "new_profile",
    "parse_patch",
    "patched_content",
    "profile_not_found",
    "public_view",
    "revised",
    "sent",
    "unknown_approach",
    "updated_event",
    "with_availability",
    "with_statement",
    "without_statement",
]
