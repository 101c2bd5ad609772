"""Applying therapist, approach and inquiry events to the read model (queue `search.events`).

Payloads are validated with the shared event contracts; an invalid one is a `PoisonEvent`
(dead-lettered at once). The use cases do the rest.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from integration_events.approaches import (
    APPROACH_DELETED,
    APPROACH_EVENT_TYPES,
    ApproachDeleted,
    ApproachSnapshot,
)
from integration_events.inquiries import (
    INQUIRY_ANSWERED,
    INQUIRY_EVENT_TYPES,
    InquiryAnswered,
    InquiryReceived,
)
from integration_events.therapists import (
    THERAPIST_DELETED,
    THERAPIST_EVENT_TYPES,
    TherapistDeleted,
    TherapistPublicProfile,
)
from servicekit.clock import SYSTEM_CLOCK, Clock
from servicekit.consumer import Outcome, PoisonEvent
from servicekit.envelope import CloudEvent, describe_validation_error
from services.search.application import apply_approach_event, apply_inquiry_event, apply_therapist_event
from services.search.store import ReadModel


def _valid(model: type[BaseModel], event: CloudEvent) -> Any:
    try:
        return model.model_validate(event.data)
    except ValidationError as exc:
        raise PoisonEvent(f"{event.type} payload invalid: {describe_validation_error(exc)}") from None


class ReadModelProjector:
    """The event applier of queue `search.events`."""

    def __init__(self, store: ReadModel, clock: Clock = SYSTEM_CLOCK) -> None:
        self.store = store
        self.clock = clock

    async def apply(self, event: CloudEvent) -> Outcome:
        if event.type in THERAPIST_EVENT_TYPES:
            model = TherapistDeleted if event.type == THERAPIST_DELETED else TherapistPublicProfile
            return await apply_therapist_event(_valid(model, event), self.store)
        if event.type in APPROACH_EVENT_TYPES:
            model = ApproachDeleted if event.type == APPROACH_DELETED else ApproachSnapshot
            return await apply_approach_event(_valid(model, event), self.store)
        if event.type in INQUIRY_EVENT_TYPES:
            model = InquiryAnswered if event.type == INQUIRY_ANSWERED else InquiryReceived
            return await apply_inquiry_event(_valid(model, event), self.store, self.clock)
        raise PoisonEvent(f"search does not handle {event.type}")
