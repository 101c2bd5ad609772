"""Every change to the catalogue is published on `directory.events`, once, from the outbox."""

from __future__ import annotations

from integration_events.approaches import (
    APPROACH_CREATED,
    APPROACH_DELETED,
    APPROACH_UPDATED,
    ApproachDeleted,
    ApproachSnapshot,
)
from integration_events.therapists import THERAPIST_CREATED
from tests.integration.approaches.conftest import eventually, therapist_event, therapist_profile


async def test_create_update_and_delete_are_published_with_successive_versions(service, events):
    created = await service.create(issues=["grief"])
    await service.patch(created["slug"], {"slug": created["slug"] + "-new", "summary": "Updated."})
    async with service.http.delete(f"/v1/approaches/{created['slug']}-new", headers=service.admin) as r:
        assert r.status == 204

    # The relay publishes concurrently; consumers order by version, so the test does too.
    published = sorted(await events.for_subject(created["id"], 3), key=lambda e: e.version)
    assert [(e.type, e.version) for e in published] == [
        (APPROACH_CREATED, 1),
        (APPROACH_UPDATED, 2),
        (APPROACH_DELETED, 3),
    ]
    first = ApproachSnapshot.model_validate(published[0].data)
    assert (first.slug, first.name, first.issues) == (created["slug"], created["name"], ["grief"])
    second = ApproachSnapshot.model_validate(published[1].data)
    assert (second.slug, second.previousSlugs, second.summary) == (
        created["slug"] + "-new",
        [created["slug"]],
        "Updated.",
    )
    deleted = ApproachDeleted.model_validate(published[2].data)
    assert (deleted.id, deleted.slug) == (created["id"], created["slug"] + "-new")
    assert all(e.source == "/directory/approaches" for e in published)


async def test_each_change_is_published_exactly_once(service, events):
    created = await service.create()
    outbox = service.app["runtime"].outbox.collection
    assert (await service.patch(created["slug"], {"summary": "Changed."})).status == 200
    arrived = await events.for_subject(created["id"], 2)
    assert sorted((e.version, e.type) for e in arrived) == [(1, APPROACH_CREATED), (2, APPROACH_UPDATED)]

    async def all_published() -> bool:  # a published event's row is deleted
        return await outbox.count_documents({"envelope.subject": created["id"]}) == 0

    # Once no row is left, nothing can be published again: each event arrived once.
    await eventually(all_published)
    assert len([e for e in events.events if e.subject == created["id"]]) == 2


async def test_writes_that_change_nothing_or_are_refused_publish_nothing(service, events, therapist_events):
    created = await service.create()
    await service.patch(created["slug"], {"name": created["name"]})
    assert (await service.patch(created["slug"], {"summary": "x"}, **{"If-Match": "9"})).status == 412
    await therapist_events(
        therapist_event(THERAPIST_CREATED, therapist_profile(f"t-{created['id']}", 1, created["slug"]))
    )

    async def referenced() -> bool:
        return await service.reference_count(created) == 1

    await eventually(referenced)
    async with service.http.delete(f"/v1/approaches/{created['slug']}", headers=service.admin) as r:
        assert r.status == 409
    # Then a real change: had any write above published an event, it would have taken version 2.
    assert (await service.patch(created["slug"], {"summary": "Changed."})).status == 200
    arrived = await events.for_subject(created["id"], 2)
    assert sorted((e.version, e.type) for e in arrived) == [(1, APPROACH_CREATED), (2, APPROACH_UPDATED)]
