"""The events of the catalogue: what it publishes when an approach changes, and what it reads
from therapists' events (the approaches a profile makes statements about)."""

from __future__ import annotations

from typing import Any

from integration_events.approaches import (
    APPROACH_CREATED,
    APPROACH_DELETED,
    APPROACH_UPDATED,
    ApproachDeleted,
    ApproachSnapshot,
)
from integration_events.therapists import TherapistPublicProfile
from servicekit.envelope import CloudEvent, new_event
from services.approaches.domain.models import Approach

EVENT_SOURCE = "/directory/approaches"


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
