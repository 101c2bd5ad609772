"""The gateway's newMatches hub (gateway.new_matches) over a fake search: whom each subscription
is told of, and when it asks search."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import pytest

from gateway.errors import BadUserInput
from gateway.new_matches import MatchWatch, NewMatchesHub, accepting_search, search_key
from gateway.subscription_slots import SubscriptionLimitExceeded, SubscriptionSlots
from gateway.types.search import TherapistFilter
from gateway.types.therapists import NewClientStatus, SessionFormat

TEXAS = {"state": "TX", "newClientStatus": ["newpt"]}
OREGON = {"state": "OR", "newClientStatus": ["newpt"]}


def waiting(watch: MatchWatch) -> list[str]:
    found = []
    while not watch.announced.empty():
        found.append(watch.announced.get_nowait())
    return found


def test_a_therapist_who_fits_is_told_of_once_while_they_go_on_fitting():
    watch = MatchWatch()
    for _ in range(3):
        watch.learn("t1", True)
    assert waiting(watch) == ["t1"]


def test_a_therapist_who_stopped_fitting_is_told_of_again_when_they_fit_again():
    watch = MatchWatch()
    watch.learn("t1", True)
    watch.learn("t1", False)
    watch.learn("t1", True)
    assert waiting(watch) == ["t1", "t1"]


def test_a_therapist_who_never_fitted_is_not_told_of():
    watch = MatchWatch()
    watch.learn("t1", False)
    assert waiting(watch) == [] and watch.told == {}


def test_whom_a_subscription_told_is_bounded_forgetting_the_oldest_first():
    watch = MatchWatch(told_limit=2)
    for therapist_id in ("t1", "t2", "t3"):
        watch.learn(therapist_id, True)
    assert list(watch.told) == ["t2", "t3"]
    watch.learn("t1", True)  # forgotten, so news again
    watch.learn("t3", True)
    assert waiting(watch) == ["t1", "t2", "t3", "t1"]


def test_a_subscriber_who_does_not_read_is_not_told_of_more_and_hears_of_them_later():
    watch = MatchWatch(waiting_limit=1)
    watch.learn("t1", True)
    watch.learn("t2", True)
    assert list(watch.told) == ["t1"]
    assert waiting(watch) == ["t1"]
    watch.learn("t2", True)
    assert waiting(watch) == ["t2"]


def test_a_deleted_therapist_is_forgotten():
    watch = MatchWatch()
    watch.learn("t1", True)
    watch.forget("t1")
    assert watch.told == {}


def test_the_search_watched_is_the_visitors_among_therapists_accepting_new_clients():
    search = accepting_search(
        "  calm ",
        TherapistFilter(
            approaches=["emdr", "cbt", "emdr"],
            state="TX",
            formats=[SessionFormat.VIDEO],
            newClientStatus=[NewClientStatus.WAITLIST, NewClientStatus.ACCEPTING],
            slidingScale=True,
            radius=25.0,
            city="Austin",
        ),
    )
    assert search == {
        "text": "  calm ",
        "approach": ["cbt", "emdr"],
        "format": ["video"],
        "newClientStatus": ["newpt"],
        "state": "TX",
        "city": "Austin",
        "radius": 25.0,
        "slidingScale": True,
    }
    assert accepting_search(None, TherapistFilter()) == {"newClientStatus": ["newpt"]}


def test_a_search_only_for_therapists_not_accepting_is_refused():
    with pytest.raises(BadUserInput) as refused:
        accepting_search(None, TherapistFilter(newClientStatus=[NewClientStatus.WAITLIST]))
    assert refused.value.extensions["field"] == "filter.newClientStatus"


def test_searches_differing_only_in_the_order_of_their_lists_are_one():
    one = accepting_search(None, TherapistFilter(approaches=["emdr", "cbt"], state="TX"))
    other = accepting_search(None, TherapistFilter(state="TX", approaches=["cbt", "emdr"]))
    assert search_key(one) == search_key(other)
    assert search_key(one) != search_key(accepting_search(None, TherapistFilter(state="TX")))


class FakeSearch:
    """Answers fits from a table, at the version it has 'applied'."""

    def __init__(self, fitting: dict[str, set[str]], version: int = 1) -> None:
        self.fitting = fitting  # therapist id -> keys of the searches they fit
        self.version = version
        self.asked: list[tuple[str, list[dict[str, Any]]]] = []

    async def __call__(self, therapist_id: str, searches: Sequence[dict[str, Any]]) -> dict[str, Any]:
        self.asked.append((therapist_id, list(searches)))
        fits = [search_key(s) in self.fitting.get(therapist_id, set()) for s in searches]
        return {"version": self.version, "fits": fits}


def hub_over(search: FakeSearch, **settings: Any) -> NewMatchesHub:
    hub = NewMatchesHub(SubscriptionSlots(per_client=10), **settings)
    hub.fits = search
    return hub


async def test_one_request_asks_about_every_distinct_search_and_each_subscription_hears_its_own():
    search = FakeSearch({"t1": {search_key(TEXAS)}})
    hub = hub_over(search)
    async with (
        hub.watch("a", TEXAS) as texas,
        hub.watch("b", dict(TEXAS)) as texas_again,
        hub.watch("c", OREGON) as oregon,
    ):
        await hub.check("t1", 1)
        assert search.asked == [("t1", [TEXAS, OREGON])]
        assert [await anext(texas), await anext(texas_again)] == ["t1", "t1"]
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(anext(oregon), 0.05)


async def test_an_answer_from_before_the_event_is_asked_again_until_search_has_applied_it():
    search = FakeSearch({"t1": {search_key(TEXAS)}}, version=1)
    hub = hub_over(search, catch_up_seconds=2.0)
    async with hub.watch("a", TEXAS) as texas:
        checking = asyncio.create_task(hub.check("t1", 2))
        await asyncio.sleep(0.2)
        assert len(search.asked) >= 2 and not checking.done()
        search.version = 2
        await asyncio.wait_for(checking, 2.0)
        assert await anext(texas) == "t1"


async def test_nobody_is_told_when_search_does_not_catch_up_in_time():
    search = FakeSearch({"t1": {search_key(TEXAS)}}, version=1)
    hub = hub_over(search, catch_up_seconds=0.2)
    async with hub.watch("a", TEXAS) as texas:
        await hub.check("t1", 2)
        assert len(search.asked) >= 2
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(anext(texas), 0.05)


async def test_events_ask_nothing_while_no_one_watches_and_deletions_ask_nothing():
    search = FakeSearch({"t1": {search_key(TEXAS)}})
    hub = hub_over(search)
    hub.therapist_changed("t1", 1)
    async with hub.watch("a", TEXAS) as texas:
        hub.therapist_changed("t0", 2, deleted=True)
        await asyncio.sleep(0.05)
        assert search.asked == []
        hub.therapist_changed("t1", 1)
        assert await asyncio.wait_for(anext(texas), 1.0) == "t1"
    assert len(search.asked) == 1


async def test_subscriptions_take_slots_from_the_shared_limit_and_end_on_close():
    slots = SubscriptionSlots(per_client=1)
    hub = NewMatchesHub(slots)
    async with hub.watch("a", TEXAS) as texas:
        with pytest.raises(SubscriptionLimitExceeded):
            with slots.held("a"):
                pass
        hub.close()
        with pytest.raises(StopAsyncIteration):
            await anext(texas)
    with slots.held("a"):  # given back
        pass
