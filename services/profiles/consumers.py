"""What the profiles service learns from other services: the approaches that exist.

Approach events keep `known_approaches` up to date, so a statement can be written for an
approach as soon as its event has arrived. Handling is idempotent and order-safe by version.
"""

from __future__ import annotations

from integration_events.approaches import (
    APPROACH_CREATED,
    APPROACH_DELETED,
    APPROACH_UPDATED,
    ApproachDeleted,
    ApproachSnapshot,
)
from servicekit.consumer import PoisonEvent
from servicekit.envelope import CloudEvent
from services.profiles.store import ProfileStore


class ApproachCatalogue:
    """Handles `directory.approach.*.v1` events for the profiles service."""

    def __init__(self, store: ProfileStore) -> None:
        self.store = store

    async def apply(self, event: CloudEvent) -> str:
        if event.type in (APPROACH_CREATED, APPROACH_UPDATED):
            return await self.store.learn_approach(ApproachSnapshot.model_validate(event.data))
        if event.type == APPROACH_DELETED:
            return await self.store.forget_approach(ApproachDeleted.model_validate(event.data))
        raise PoisonEvent(f"the profiles service does not handle {event.type}")
