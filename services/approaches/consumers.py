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
from servicekit.consumer import PoisonEvent
from servicekit.envelope import CloudEvent
from services.approaches.domain import referenced_slugs
from services.approaches.store import ApproachStore


class TherapistReferences:
    def __init__(self, store: ApproachStore) -> None:
        self.store = store

    async def apply(self, event: CloudEvent) -> str:
        if event.type in (THERAPIST_CREATED, THERAPIST_UPDATED):
            profile = TherapistPublicProfile.model_validate(event.data)
            therapist_id, version, slugs = profile.id, profile.version, referenced_slugs(profile)
        elif event.type == THERAPIST_DELETED:
            deleted = TherapistDeleted.model_validate(event.data)
            therapist_id, version, slugs = deleted.id, deleted.version, []
        else:
            raise PoisonEvent(f"not a therapist event: {event.type}")
        applied = await self.store.record_references(therapist_id, version, slugs)
        return "applied" if applied else "stale"
