"""The approaches use cases over an in-memory catalogue: one behaviour each."""

from __future__ import annotations

import pytest

from integration_events.approaches import APPROACH_CREATED, APPROACH_DELETED, APPROACH_UPDATED
from servicekit.clock import FixedClock
from servicekit.consumer import Outcome
from servicekit.errors import Conflict, InvalidInput, Moved, NotFound, PreconditionFailed
from services.approaches.application import (
    ChangeApproach,
    DeleteApproach,
    RecordTherapistReferences,
    change_approach,
    create_approach,
    delete_approach,
    list_approaches,
    read_approach,
    record_therapist_references,
)
from services.approaches.domain import Approach, ApproachContent
from tests.unit.approaches.fakes import in_memory_catalogue

APPLIED, STALE = Outcome.APPLIED, Outcome.STALE


@pytest.fixture
def uow():
    return in_memory_catalogue()


@pytest.fixture
def clock():
    return FixedClock()


async def create(uow, clock, slug: str = "relational-therapy", **fields: object) -> Approach:
    content = ApproachContent.model_validate({"slug": slug, "name": "Relational Therapy", **fields})
    return await create_approach(content, uow, clock)


async def rename(uow, clock, old: str, new: str) -> Approach:
    return await change_approach(ChangeApproach(old, {"slug": new}), uow, clock)


async def test_a_created_approach_is_announced_at_version_1_stamped_by_the_clock(uow, clock):
    created = await create(uow, clock)
    assert (created.version, created.createdAt, created.updatedAt) == (1, clock.now(), clock.now())
    assert [(e.type, e.subject) for e in uow.published] == [(APPROACH_CREATED, created.id)]


async def test_a_slug_another_approach_holds_is_a_conflict(uow, clock):
    await create(uow, clock)
    with pytest.raises(Conflict) as refused:
        await create(uow, clock)
    assert refused.value.code == "slug_taken"
    assert refused.value.details[0]["field"] == "slug"


async def test_a_former_slug_of_another_approach_is_a_conflict_too(uow, clock):
    await create(uow, clock, "old-name")
    await rename(uow, clock, "old-name", "new-name")
    other = await create(uow, clock, "other")
    with pytest.raises(Conflict):
        await rename(uow, clock, other.slug, "old-name")


async def test_a_renamed_slug_resolves_as_moved_with_the_new_slug(uow, clock):
    await create(uow, clock, "old-name")
    await rename(uow, clock, "old-name", "new-name")
    with pytest.raises(Moved) as moved:
        await read_approach("old-name", uow)
    assert moved.value.code == "approach_moved"
    assert moved.value.location == "/v1/approaches/new-name"


async def test_a_change_sent_to_a_former_slug_is_moved_and_changes_nothing(uow, clock):
    await create(uow, clock, "old-name")
    renamed = await rename(uow, clock, "old-name", "new-name")
    with pytest.raises(Moved):
        await change_approach(ChangeApproach("old-name", {"summary": "Lost."}), uow, clock)
    assert await read_approach("new-name", uow) == renamed


async def test_an_unknown_slug_is_not_found(uow):
    with pytest.raises(NotFound) as missing:
        await read_approach("nothing-here", uow)
    assert missing.value.code == "approach_not_found"


async def test_a_stale_if_match_is_a_precondition_failure_naming_the_current_etag(uow, clock):
    created = await create(uow, clock)
    await change_approach(ChangeApproach(created.slug, {"summary": "Second."}), uow, clock)
    stale_change = ChangeApproach(created.slug, {"summary": "Third."}, frozenset({"1"}))
    with pytest.raises(PreconditionFailed) as stale:
        await change_approach(stale_change, uow, clock)
    assert stale.value.current_etag == f'"2-{created.id}"'


@pytest.mark.parametrize("tag", ["{version}", "{version}-{id}", "*"])
async def test_if_match_may_name_the_version_the_etag_or_any(uow, clock, tag):
    created = await create(uow, clock)
    based_on = frozenset({tag.format(version=1, id=created.id)})
    changed = await change_approach(ChangeApproach(created.slug, {"summary": "New."}, based_on), uow, clock)
    assert changed.version == 2


async def test_a_change_is_announced_at_the_next_version_stamped_by_the_clock(uow, clock):
    created = await create(uow, clock)
    later = clock.advance(minutes=5)
    changed = await change_approach(ChangeApproach(created.slug, {"summary": "New."}), uow, clock)
    assert (changed.version, changed.createdAt, changed.updatedAt) == (2, created.createdAt, later)
    assert [(e.type, e.version) for e in uow.published[1:]] == [(APPROACH_UPDATED, 2)]


async def test_a_patch_changing_nothing_emits_no_event(uow, clock):
    created = await create(uow, clock, summary="Same.")
    unchanged = await change_approach(ChangeApproach(created.slug, {"summary": "Same."}), uow, clock)
    assert unchanged == created
    assert [e.type for e in uow.published] == [APPROACH_CREATED]


async def test_null_for_a_required_field_is_refused_naming_it(uow, clock):
    created = await create(uow, clock)
    with pytest.raises(InvalidInput) as refused:
        await change_approach(ChangeApproach(created.slug, {"name": None}), uow, clock)
    assert [d["field"] for d in refused.value.details] == ["name"]


async def test_a_malformed_patch_is_refused_whatever_the_precondition(uow, clock):
    created = await create(uow, clock)
    with pytest.raises(InvalidInput):
        await change_approach(ChangeApproach(created.slug, {"summary": 3}, frozenset({"9"})), uow, clock)


async def test_a_control_character_in_a_name_is_refused_naming_the_field(uow, clock):
    created = await create(uow, clock)
    with pytest.raises(InvalidInput) as refused:
        await change_approach(ChangeApproach(created.slug, {"name": "Relational\x00Therapy"}), uow, clock)
    assert [d["field"] for d in refused.value.details] == ["name"]


async def test_deleting_while_therapists_reference_it_is_refused_with_the_count(uow, clock):
    created = await create(uow, clock)
    for therapist in ("t1", "t2"):
        await record_therapist_references(RecordTherapistReferences(therapist, 1, [created.slug]), uow)
    with pytest.raises(Conflict) as refused:
        await delete_approach(DeleteApproach(created.slug), uow)
    assert refused.value.code == "approach_in_use"
    assert refused.value.details[0]["therapistCount"] == 2
    assert await read_approach(created.slug, uow) == created


async def test_references_made_under_a_former_slug_count_too(uow, clock):
    await create(uow, clock, "old-name")
    await rename(uow, clock, "old-name", "new-name")
    await record_therapist_references(RecordTherapistReferences("t1", 1, ["old-name"]), uow)
    with pytest.raises(Conflict):
        await delete_approach(DeleteApproach("new-name"), uow)


async def test_deleting_is_announced_as_the_next_version_and_frees_every_slug(uow, clock):
    await create(uow, clock, "old-name")
    renamed = await rename(uow, clock, "old-name", "new-name")
    await delete_approach(DeleteApproach("new-name"), uow)
    assert (uow.published[-1].type, uow.published[-1].version) == (APPROACH_DELETED, 3)
    assert (await create(uow, clock, "old-name")).id != renamed.id


async def test_a_delete_with_a_stale_if_match_is_a_precondition_failure(uow, clock):
    created = await create(uow, clock)
    await change_approach(ChangeApproach(created.slug, {"summary": "Second."}), uow, clock)
    with pytest.raises(PreconditionFailed):
        await delete_approach(DeleteApproach(created.slug, frozenset({"1"})), uow)


async def test_the_catalogue_lists_by_name_and_finds_former_slugs(uow, clock):
    zeta = await create(uow, clock, "zeta", name="zeta")
    alpha = await create(uow, clock, "alpha", name="Alpha")
    renamed = await rename(uow, clock, "zeta", "omega")
    assert [a.slug for a in await list_approaches([], uow)] == [alpha.slug, renamed.slug]
    assert [a.id for a in await list_approaches(["zeta", "unknown"], uow)] == [zeta.id]


async def test_an_older_therapist_references_event_is_stale(uow):
    assert await record_therapist_references(RecordTherapistReferences("t1", 3, ["emdr"]), uow) == APPLIED
    assert await record_therapist_references(RecordTherapistReferences("t1", 2, []), uow) == STALE
    assert uow.state.references["t1"] == (3, ["emdr"])


async def test_a_repeated_therapist_references_event_is_stale(uow):
    assert await record_therapist_references(RecordTherapistReferences("t1", 3, ["emdr"]), uow) == APPLIED
    assert await record_therapist_references(RecordTherapistReferences("t1", 3, ["emdr"]), uow) == STALE


async def test_a_deleted_therapist_is_not_brought_back_by_a_late_update(uow):
    assert await record_therapist_references(RecordTherapistReferences("t1", 5, []), uow) == APPLIED
    assert await record_therapist_references(RecordTherapistReferences("t1", 4, ["emdr"]), uow) == STALE
