"""The gateway's caches: tags, invalidation by change events, races with reads, single flight."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from gateway.cache import (
    APPROACH_LIST,
    SEARCH,
    SPECIALISTS,
    SingleFlight,
    TaggedCache,
    approach_tag,
    invalidation_for,
    therapist_tag,
)
from integration_events.approaches import APPROACH_UPDATED
from integration_events.inquiries import INQUIRY_ANSWERED, INQUIRY_RECEIVED
from integration_events.therapists import THERAPIST_CREATED, THERAPIST_DELETED, THERAPIST_UPDATED


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def cache(**kwargs) -> TaggedCache:
    made = TaggedCache(100, 60.0, **kwargs)
    made.enabled = True
    return made


def test_an_invalidated_tag_drops_every_entry_carrying_it():
    c = cache()
    c.put("page", "A", {SEARCH, approach_tag("emdr")}, since=c.generation)
    c.put("profile", "B", {therapist_tag("t1")}, since=c.generation)
    assert c.invalidate({SEARCH}) == 1
    assert c.get("page") is None
    assert c.get("profile").value == "B"


def test_a_read_that_raced_an_invalidation_is_not_stored():
    c = cache()
    since = c.generation  # the read starts
    c.invalidate({therapist_tag("t1")})  # the event arrives while it is in flight
    assert c.put("profile", "old", {therapist_tag("t1")}, since=since) is False
    assert c.get("profile") is None
    assert c.put("other", "fine", {therapist_tag("t2")}, since=since) is True


def test_a_disabled_cache_stores_and_serves_nothing():
    c = cache()
    c.put("k", "v", set(), since=c.generation)
    c.enabled = False
    assert c.get("k") is None
    assert c.put("k2", "v", set(), since=c.generation) is False


def test_entries_expire_after_their_ttl():
    clock = Clock()
    c = cache(clock=clock)
    c.put("k", "v", set(), since=c.generation)
    clock.now += 61
    assert c.get("k") is None


def test_search_derived_entries_are_kept_briefly_while_search_settles_after_an_event():
    clock = Clock()
    c = cache(clock=clock, settle_seconds=5.0, settling_ttl=0.25)
    c.invalidate({SEARCH}, settling={SEARCH})
    c.put("page", "maybe stale", {SEARCH}, since=c.generation)
    c.put("profile", "fresh", {therapist_tag("t1")}, since=c.generation)
    clock.now += 0.3
    assert c.get("page") is None
    assert c.get("profile") is not None
    clock.now += 5
    c.put("page", "settled", {SEARCH}, since=c.generation)
    clock.now += 10
    assert c.get("page").value == "settled"


def test_the_oldest_entries_are_evicted_beyond_the_size_limit():
    c = TaggedCache(2, 60.0)
    c.enabled = True
    for key in "abc":
        c.put(key, key, {f"tag-{key}"}, since=c.generation)
    assert c.get("a") is None and c.get("c").value == "c"
    assert len(c) == 2


def test_a_therapist_event_invalidates_the_profile_and_everything_search_derived():
    invalidation = invalidation_for(THERAPIST_UPDATED, {"id": "t9", "version": 3})
    assert invalidation.now == {therapist_tag("t9"), SEARCH, SPECIALISTS}
    assert invalidation.settling == invalidation.now
    assert invalidation_for(THERAPIST_DELETED, {"id": "t9", "version": 4}).now == invalidation.now
    assert invalidation_for(THERAPIST_CREATED, {"id": "t9", "version": 1}).now == invalidation.now


def test_an_update_of_fields_no_list_depends_on_leaves_approach_pages_not_showing_the_therapist():
    data = {"id": "t9", "version": 3}
    invalidation = invalidation_for(THERAPIST_UPDATED, data, frozenset({"pronouns", "updatedAt"}))
    assert invalidation.now == invalidation.settling == {therapist_tag("t9"), SEARCH}
    for moving in ("approaches", "listed", "availabilityConfirmedAt", "a-field-added-later"):
        changed = frozenset({"pronouns", moving})
        assert SPECIALISTS in invalidation_for(THERAPIST_UPDATED, data, changed).now, moving
    # Search judges staleness as it indexes: a listing that may have gone stale since moves.
    for days, moves in ((1, False), (58, False), (59.99, True), (90, True)):
        confirmed = (datetime.now(UTC) - timedelta(days=days)).isoformat()
        at = invalidation_for(
            THERAPIST_UPDATED, data | {"availabilityConfirmedAt": confirmed}, frozenset({"bio"})
        )
        assert (SPECIALISTS in at.now) is moves, days
    # Only an update says what it changed; a creation or deletion moves lists whatever it says.
    assert SPECIALISTS in invalidation_for(THERAPIST_DELETED, data, frozenset({"pronouns"})).now


def test_an_approach_event_invalidates_its_current_and_previous_slugs():
    invalidation = invalidation_for(
        APPROACH_UPDATED, {"id": "a1", "slug": "emdr", "previousSlugs": ["eye-movement"], "version": 2}
    )
    assert {
        approach_tag("emdr"),
        approach_tag("eye-movement"),
        APPROACH_LIST,
        SEARCH,
        SPECIALISTS,
    } <= invalidation.now


def test_an_inquiry_event_invalidates_what_search_derived_after_search_has_applied_it():
    data = {"id": "i1", "therapistId": "t9", "version": 1, "receivedAt": "2025-05-20T10:00:00+00:00"}
    for event_type in (INQUIRY_RECEIVED, INQUIRY_ANSWERED):
        invalidation = invalidation_for(event_type, data)
        assert invalidation.now == invalidation.settling == {SEARCH, SPECIALISTS}


async def test_concurrent_callers_of_one_key_share_one_computation():
    flights: SingleFlight[int] = SingleFlight()
    calls = 0

    async def work() -> int:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.01)
        return 42

    results = await asyncio.gather(*(flights.run("k", work) for _ in range(10)))
    assert results == [42] * 10 and calls == 1


async def test_a_failed_shared_computation_fails_every_waiting_caller():
    flights: SingleFlight[int] = SingleFlight()

    async def work() -> int:
        await asyncio.sleep(0.01)
        raise RuntimeError("backend down")

    results = await asyncio.gather(*(flights.run("k", work) for _ in range(3)), return_exceptions=True)
    assert all(isinstance(r, RuntimeError) for r in results)
    with pytest.raises(RuntimeError):
        await flights.run("k", work)  # nothing stays stuck behind a failure
