"""The events the profiles service publishes: each change with the public view and its version."""

from __future__ import annotations

from integration_events.therapists import (
    THERAPIST_CREATED,
    THERAPIST_DELETED,
    THERAPIST_UPDATED,
    TherapistDeleted,
)
from servicekit.envelope import CloudEvent, new_event
from services.profiles.domain.profile import TherapistProfile
from services.profiles.domain.views import public_view

EVENT_SOURCE = "/directory/profiles"


def _profile_event(event_type: str, profile: TherapistProfile) -> CloudEvent:
    return new_event(
        type=event_type,
        source=EVENT_SOURCE,
        subject=profile.id,
        data=public_view(profile).model_dump(mode="json"),
    )


def created_event(profile: TherapistProfile) -> CloudEvent:
    return _profile_event(THERAPIST_CREATED, profile)


def updated_event(profile: TherapistProfile) -> CloudEvent:
    return _profile_event(THERAPIST_UPDATED, profile)


def deleted_event(profile: TherapistProfile) -> CloudEvent:
    """The profile is gone: its id and the version its deletion makes (one after its last)."""
    data = TherapistDeleted(id=profile.id, version=profile.version + 1)
    return new_event(
        type=THERAPIST_DELETED, source=EVENT_SOURCE, subject=profile.id, data=data.model_dump(mode="json")
    )
