"""An approach that therapists still reference cannot be deleted; the service learns who
references what from therapist events, idempotently and in version order."""

from __future__ import annotations

import uuid

import pytest
from pydantic import ValidationError

from integration_events.therapists import THERAPIST_CREATED, THERAPIST_DELETED, THERAPIST_UPDATED
from servicekit.consumer import PoisonEvent
from servicekit.envelope import CloudEvent, new_event
from services.approaches.consumers import TherapistReferences
from tests.integration.approaches.conftest import eventually, therapist_event, therapist_profile


def therapist_id() -> str:
    return f"therapist-{uuid.uuid4().hex[:8]}"


async def delete_status(service, slug: str) -> tuple[int, dict | None]:
    async with service.http.delete(
        f"/v1/approaches/{slug}", headers=service.admin, allow_redirects=False
    ) as response:
        return response.status, (await response.json() if response.status != 204 else None)


async def test_deleting_an_approach_that_therapists_reference_is_a_409_saying_how_many(
    service, therapist_events
):
    approach = await service.create()
    for _ in range(2):
        await therapist_events(
            therapist_event(THERAPIST_CREATED, therapist_profile(therapist_id(), 1, approach["slug"], "emdr"))
        )
    await eventually(lambda: _count_is(service, approach, 2))
    status, body = await delete_status(service, approach["slug"])
    assert status == 409
    assert body["error"]["code"] == "approach_in_use"
    assert body["error"]["message"].startswith("2 therapists reference this approach")
    assert body["error"]["details"][0]["therapistCount"] == 2
    async with service.http.get(f"/v1/approaches/{approach['slug']}") as response:
        assert response.status == 200


async def _count_is(service, approach: dict, expected: int) -> bool:
    return await service.reference_count(approach) == expected


async def test_once_the_last_therapist_drops_the_approach_it_can_be_deleted(service, therapist_events):
    approach = await service.create()
    keeps, drops = therapist_id(), therapist_id()
    await therapist_events(therapist_event(THERAPIST_CREATED, therapist_profile(keeps, 1, approach["slug"])))
    await therapist_events(therapist_event(THERAPIST_CREATED, therapist_profile(drops, 1, approach["slug"])))
    await eventually(lambda: _count_is(service, approach, 2))
    # One removes the statement, the other leaves the directory.
    await therapist_events(therapist_event(THERAPIST_UPDATED, therapist_profile(drops, 2)))
    await therapist_events(therapist_event(THERAPIST_DELETED, {"id": keeps, "version": 2}))
    await eventually(lambda: _count_is(service, approach, 0))
    assert (await delete_status(service, approach["slug"]))[0] == 204


async def test_statements_made_under_an_old_slug_still_count(service, therapist_events):
    approach = await service.create()
    old = approach["slug"]
    renamed = await (await service.patch(old, {"slug": f"{old}-renamed"})).json()
    await therapist_events(therapist_event(THERAPIST_CREATED, therapist_profile(therapist_id(), 1, old)))
    await eventually(lambda: _count_is(service, renamed, 1))
    status, body = await delete_status(service, renamed["slug"])
    assert status == 409 and body["error"]["message"].startswith("1 therapist references")


async def test_a_duplicate_or_older_therapist_event_changes_nothing(service):
    handle = TherapistReferences(service.uow).apply
    approach = await service.create()
    who = therapist_id()
    newer = therapist_event(THERAPIST_UPDATED, therapist_profile(who, 3, approach["slug"]))
    older = therapist_event(THERAPIST_UPDATED, therapist_profile(who, 2))
    assert await handle(newer) == "applied"
    assert await handle(newer) == "stale"
    assert await handle(older) == "stale"
    assert await service.reference_count(approach) == 1


async def test_a_deleted_therapist_is_not_brought_back_by_a_late_update(service):
    handle = TherapistReferences(service.uow).apply
    approach = await service.create()
    who = therapist_id()
    assert await handle(therapist_event(THERAPIST_DELETED, {"id": who, "version": 5})) == "applied"
    late = therapist_event(THERAPIST_UPDATED, therapist_profile(who, 4, approach["slug"]))
    assert await handle(late) == "stale"
    assert await service.reference_count(approach) == 0


async def test_an_event_that_is_not_a_valid_therapist_event_is_poison(service):
    handle = TherapistReferences(service.uow).apply
    with pytest.raises(ValidationError):
        await handle(therapist_event(THERAPIST_CREATED, {"id": therapist_id(), "version": 1}))
    with pytest.raises(PoisonEvent):
        await handle(therapist_event("directory.something.else.v1", {"id": "x", "version": 1}))


def updated(data: dict[str, object], changed: set[str]) -> CloudEvent:
    return new_event(
        type=THERAPIST_UPDATED,
        source="/directory/profiles",
        subject=str(data["id"]),
        data=data,
        changed=changed,
    )


async def test_an_update_that_says_it_left_the_approaches_alone_is_not_written(service):
    handle = TherapistReferences(service.uow).apply
    approach, other = await service.create(), await service.create()
    who = therapist_id()
    assert (
        await handle(therapist_event(THERAPIST_CREATED, therapist_profile(who, 1, approach["slug"])))
        == "applied"
    )
    assert await handle(updated(therapist_profile(who, 2, approach["slug"]), {"pronouns"})) == "unchanged"
    # The next change of approaches is written, and one older than it that arrives late is not.
    assert await handle(updated(therapist_profile(who, 4, other["slug"]), {"approaches"})) == "applied"
    assert await handle(updated(therapist_profile(who, 3, approach["slug"]), {"approaches"})) == "stale"
    assert await service.reference_count(approach) == 0 and await service.reference_count(other) == 1
    # An update that does not say what it changed is written.
    assert (
        await handle(therapist_event(THERAPIST_UPDATED, therapist_profile(who, 5, approach["slug"])))
        == "applied"
    )
    assert await service.reference_count(approach) == 1
