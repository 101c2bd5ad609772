"""The events the profiles service publishes: each change with the public view and its version."""

from __future__ import annotations

from integration_events.therapists import (
    THERAPIST_CREATED,
    THERAPIST_DELETED,
    THERAPIST_UPDATED,
    TherapistDeleted,
)
from servicekit.envelope import CloudEvent, fields_changed, new_event
from services.profiles.domain.profile import TherapistProfile
from services.profiles.domain.views import public_view

EVENT_SOURCE = "/directory/profiles"


def _public(profile: TherapistProfile) -> dict:
    return public_view(profile).model_dump(mode="json")


def created_event(profile: TherapistProfile) -> CloudEvent:
    return new_event(type=THERAPIST_CREATED, source=EVENT_SOURCE, subject=profile.id, data=_public(profile))


def updated_event(profile: TherapistProfile, before: TherapistProfile) -> CloudEvent:
    """`profile` as it now is, saying which public fields differ from `before` (the version it
    replaces), so that consumers of other fields may leave it be."""
    data = _public(profile)
    return new_event(
        type=THERAPIST_UPDATED,
        source=EVENT_SOURCE,
        subject=profile.id,
        data=data,
        changed=fields_changed(_public(before), data),
    )


def deleted_event(profile: TherapistProfile) -> CloudEvent:
    """The profile is gone: its id and the version its deletion makes (one after its last)."""
    data = TherapistDeleted(id=profile.id, version=profile.version + 1)
    return new_event(
        type=THERAPIST_DELETED, source=EVENT_SOURCE, subject=profile.id, data=data.model_dump(mode="json")
    )
