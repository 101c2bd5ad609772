"""Applying therapist and approach events to the read model (queue `search.events`).

Payloads are validated with the shared event contracts; an invalid one is a `PoisonEvent`
(dead-lettered at once). Practice locations are placed on the map here, once, so every replica
indexes the same coordinates.
"""

from __future__ import annotations

from pydantic import ValidationError

from integration_events.approaches import (
    APPROACH_DELETED,
    APPROACH_EVENT_TYPES,
    ApproachDeleted,
    ApproachSnapshot,
)
from integration_events.therapists import (
    THERAPIST_DELETED,
    THERAPIST_EVENT_TYPES,
    TherapistDeleted,
    TherapistPublicProfile,
)
from servicekit.consumer import PoisonEvent
from servicekit.envelope import CloudEvent, describe_validation_error
from services.search import geo
from services.search.store import ReadModel


def practice_points(profile: TherapistPublicProfile) -> list[list[float]]:
    """Coordinates of each practice location (own point, ZIP, or city), else the primary city."""
    points = []
    for location in profile.locations:
        found = geo.locate(
            zip_code=location.postalCode,
            city=location.city,
            state=location.state,
            point=(location.point.lat, location.point.lon) if location.point else None,
        )
        if found is not None:
            points.append([round(found.lat, 5), round(found.lon, 5)])
    if not points:
        found = geo.city_point(profile.location.city, profile.location.state)
        if found is not None:
            points.append([round(found.lat, 5), round(found.lon, 5)])
    return [list(p) for p in dict.fromkeys(tuple(p) for p in points)]


def _valid(model, event: CloudEvent):
    try:
        return model.model_validate(event.data)
    except ValidationError as exc:
        raise PoisonEvent(f"{event.type} payload invalid: {describe_validation_error(exc)}") from None


class ReadModelProjector:
    """The event handler of queue `search.events`; returns `applied` or `stale`."""

    def __init__(self, store: ReadModel) -> None:
        self.store = store

    async def apply(self, event: CloudEvent) -> str:
        if event.type in THERAPIST_EVENT_TYPES:
            applied = await self._therapist(event)
        elif event.type in APPROACH_EVENT_TYPES:
            applied = await self._approach(event)
        else:
            raise PoisonEvent(f"search does not handle {event.type}")
        return "applied" if applied else "stale"

    async def _therapist(self, event: CloudEvent) -> bool:
        if event.type == THERAPIST_DELETED:
            deleted = _valid(TherapistDeleted, event)
            return await self.store.delete_therapist(deleted.id, deleted.version)
        profile = _valid(TherapistPublicProfile, event)
        return await self.store.put_therapist(
            profile.id, profile.version, profile.model_dump(mode="json"), practice_points(profile)
        )

    async def _approach(self, event: CloudEvent) -> bool:
        if event.type == APPROACH_DELETED:
            deleted = _valid(ApproachDeleted, event)
            return await self.store.delete_approach(deleted.id, deleted.version, deleted.slug)
        approach = _valid(ApproachSnapshot, event)
        return await self.store.put_approach(
            approach.id,
            approach.version,
            {
                "slug": approach.slug,
                "name": approach.name,
                "aliases": approach.aliases,
                "previousSlugs": approach.previousSlugs,
            },
        )
