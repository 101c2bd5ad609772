"""What the approaches service reacts to: therapist events, to know who references each approach.

Idempotent and order-safe by the therapist's version: a duplicate or older event changes
nothing, and a deletion leaves a tombstone so that a late update does not bring it back.
"""

from __future__ import annotations

from integration_events.therapists import (
    THERAPIST_CREATED,
    THERAPIST_DELETED,
    THERAPIST_UPDATED,
    TherapistDeleted,
    TherapistPublicProfile,
)
from servicekit.consumer import Outcome, PoisonEvent
from servicekit.envelope import CloudEvent
from services.approaches.application import Catalogue, RecordTherapistReferences, record_therapist_references
from services.approaches.domain import referenced_slugs


class TherapistReferences:
    """Applies therapist events to the references that keep a used approach from deletion."""

    def __init__(self, uow: Catalogue) -> None:
        self.uow = uow

    async def apply(self, event: CloudEvent) -> Outcome:
        if event.type in (THERAPIST_CREATED, THERAPIST_UPDATED):
            profile = TherapistPublicProfile.model_validate(event.data)
            command = RecordTherapistReferences(profile.id, profile.version, referenced_slugs(profile))
        elif event.type == THERAPIST_DELETED:
            deleted = TherapistDeleted.model_validate(event.data)
            command = RecordTherapistReferences(deleted.id, deleted.version, [])
        else:
            raise PoisonEvent(f"not a therapist event: {event.type}")
        return await record_therapist_references(command, self.uow)
