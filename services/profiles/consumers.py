"""What the profiles service learns from other services: the approaches that exist.

Approach events keep `known_approaches` up to date, so a statement can be written for an
approach as soon as its event has arrived. Applying is idempotent and order-safe by version.
"""

from __future__ import annotations

from integration_events.approaches import (
    APPROACH_CREATED,
    APPROACH_DELETED,
    APPROACH_UPDATED,
    ApproachDeleted,
    ApproachSnapshot,
)
from servicekit.consumer import Outcome, PoisonEvent
from servicekit.envelope import CloudEvent
from services.profiles.application import Profiles, forget_approach, learn_approach


class ApproachCatalogue:
    """Applies `directory.approach.*.v1` events to the approaches the profiles service knows."""

    def __init__(self, uow: Profiles) -> None:
        self.uow = uow

    async def apply(self, event: CloudEvent) -> Outcome:
        if event.type in (APPROACH_CREATED, APPROACH_UPDATED):
            return await learn_approach(ApproachSnapshot.model_validate(event.data), self.uow)
        if event.type == APPROACH_DELETED:
            return await forget_approach(ApproachDeleted.model_validate(event.data), self.uow)
        raise PoisonEvent(f"the profiles service does not handle {event.type}")
