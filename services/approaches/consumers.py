"""What the approaches service reacts to: therapist events, to know who references each approach.

Idempotent and order-safe by the therapist's version: a duplicate or older event changes
nothing, and a deletion leaves a tombstone so that a late update does not bring it back.
"""

from __future__ import annotations

from integration_events.therapists import THERAPIST_UPDATED, TherapistDeleted, therapist_event_data
from servicekit.consumer import Outcome, PoisonEvent
from servicekit.envelope import CloudEvent
from services.approaches.application import Catalogue, RecordTherapistReferences, record_therapist_references
from services.approaches.domain import referenced_slugs


class TherapistReferences:
    """Applies therapist events to the references that keep a used approach from deletion."""

    def __init__(self, uow: Catalogue) -> None:
        self.uow = uow

    async def apply(self, event: CloudEvent) -> Outcome:
        # References change only with the approaches: an update that says it left them alone
        # needs no write. An update that changes them is always written, so leaving this one
        # out loses nothing even if an older one arrives after it.
        changed = event.changed_fields
        if event.type == THERAPIST_UPDATED and changed is not None and "approaches" not in changed:
            return Outcome.UNCHANGED
        try:
            data = therapist_event_data(event.type, event.data)
        except KeyError:
            raise PoisonEvent(f"not a therapist event: {event.type}") from None
        if isinstance(data, TherapistDeleted):
            command = RecordTherapistReferences(data.id, data.version, [])
        else:
            command = RecordTherapistReferences(data.id, data.version, referenced_slugs(data))
        return await record_therapist_references(command, self.uow)
