"""Inquiry events through the real broker and MongoDB become each therapist's responsiveness:
shown on cards, filtered by `respondsWithinHours`, an unresponsive therapist demoted and labelled,
duplicates and out-of-order events ending as in order."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from servicekit.clock import FixedClock
from services.search import application
from services.search.domain import NOT_MEASURED
from tests.integration.search.conftest import profile

UNMEASURED = {"answeredShare": None, "medianReplyHours": None, "sampleSize": 0}


def _id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def _word() -> str:
    """A word only this test's therapists carry in their bios."""
    return f"rsp{uuid.uuid4().hex[:8]}"


async def listed(search, word: str, **fields: Any) -> dict[str, Any]:
    data = profile(bio={"helpWith": word, "approach": "", "about": ""}, **fields)
    await search.put_therapist(data)
    await search.settled(data["id"], 1)
    return data


async def card_shows(search, therapist_id: str, expected: dict[str, Any], unresponsive: bool = False) -> None:
    async def shown() -> bool:
        card = await search.card(therapist_id)
        return bool(card) and (card["responsiveness"], card["unresponsive"]) == (expected, unresponsive)

    await search.eventually(shown)


async def test_a_therapist_without_inquiries_shows_nothing_measured(search):
    data = await listed(search, _word())
    card = await search.card(data["id"])
    assert card["responsiveness"] == UNMEASURED and card["unresponsive"] is False


async def test_inquiry_events_show_on_the_card_as_responsiveness(search):
    data = await listed(search, _word())
    at = datetime.now(UTC) - timedelta(days=2)
    await search.inquiry_received(data["id"], _id("q"), at)
    answered = _id("q")
    await search.inquiry_received(data["id"], answered, at)
    await search.inquiry_answered(data["id"], answered, at, timedelta(hours=6))
    await card_shows(search, data["id"], {"answeredShare": 0.5, "medianReplyHours": 6.0, "sampleSize": 2})
    # The read model keeps times only: nothing a visitor wrote ever reaches search.
    stored = await search.app["read_model"].db["inquiries"].find_one({"_id": answered})
    assert set(stored) == {"_id", "version", "therapistId", "receivedAt", "answeredAt", "appliedAt"}


async def test_responds_within_hours_keeps_only_therapists_whose_median_reply_is_that_fast(search):
    word = _word()
    quick, slow, unmeasured = [await listed(search, word) for _ in range(3)]
    at = datetime.now(UTC) - timedelta(days=3)
    for data, hours in ((quick, 3), (slow, 40)):
        await search.inquiry_answered(data["id"], _id("q"), at, timedelta(hours=hours))
    await card_shows(search, slow["id"], {"answeredShare": 1.0, "medianReplyHours": 40.0, "sampleSize": 1})
    await card_shows(search, quick["id"], {"answeredShare": 1.0, "medianReplyHours": 3.0, "sampleSize": 1})
    within_a_day = await search.search(text=word, respondsWithinHours="24")
    assert [e["node"]["id"] for e in within_a_day["edges"]] == [quick["id"]]
    within_two_days = await search.search(text=word, respondsWithinHours="48")
    assert {e["node"]["id"] for e in within_two_days["edges"]} == {quick["id"], slow["id"]}
    assert unmeasured["id"] not in str(within_two_days)
    status, body = await search.get("/v1/therapists", respondsWithinHours="0")
    assert status == 400 and body["error"]["details"][0]["field"] == "respondsWithinHours"


async def test_an_unresponsive_therapist_is_labelled_and_ranks_after_an_equal_responsive_one(search):
    word = _word()
    responsive, ghost = await listed(search, word), await listed(search, word)
    pair = (responsive["id"], ghost["id"])
    week_and_more = datetime.now(UTC) - timedelta(days=9)
    for _ in range(3):
        await search.inquiry_received(ghost["id"], _id("q"), week_and_more)
    waiting = {"answeredShare": 0.0, "medianReplyHours": None, "sampleSize": 3}
    await card_shows(search, ghost["id"], waiting, unresponsive=True)
    answers = {"state": "TX", "first": 50}
    for session in ("alpha", "beta", "gamma", "delta"):
        headers = {"X-Visitor-Session": session}
        for params in ({"text": word}, {"state": "TX", "issue": "anxiety", "first": "100"}):
            async with search.http.get("/v1/therapists", params=params, headers=headers) as response:
                nodes = [e["node"] for e in (await response.json())["edges"]]
            assert [n["id"] for n in nodes if n["id"] in pair] == list(pair), (params, session)
        async with search.http.post("/v1/match", json=answers, headers=headers) as response:
            nodes = [e["node"] for e in (await response.json())["edges"]]
        assert [n["id"] for n in nodes if n["id"] in pair] == list(pair), ("match", session)
    labelled = await search.search(text=word)
    assert [e["node"]["unresponsive"] for e in labelled["edges"]] == [False, True]
    assert labelled["edges"][1]["node"]["availabilityStale"] is False  # its own label, not staleness


async def test_duplicate_and_out_of_order_inquiry_events_end_as_in_order(search):
    word = _word()
    in_order, shuffled = await listed(search, word), await listed(search, word)
    at = datetime.now(UTC) - timedelta(days=1)
    first, second = _id("q"), _id("q")
    await search.inquiry_received(in_order["id"], first, at)
    await search.inquiry_answered(in_order["id"], first, at, timedelta(hours=5))
    await search.inquiry_received(in_order["id"], second, at)
    await search.inquiry_answered(shuffled["id"], first + "s", at, timedelta(hours=5))
    await search.inquiry_received(shuffled["id"], first + "s", at)  # its answer came first
    await search.inquiry_received(shuffled["id"], second + "s", at)
    await search.inquiry_received(shuffled["id"], second + "s", at)  # delivered twice
    await search.inquiry_answered(shuffled["id"], first + "s", at, timedelta(hours=5))
    expected = {"answeredShare": 0.5, "medianReplyHours": 5.0, "sampleSize": 2}
    await card_shows(search, in_order["id"], expected)
    marker = await listed(search, _word())  # one queue: once the marker is in, the rest was handled
    await search.settled(marker["id"], 1)
    await card_shows(search, shuffled["id"], expected)


async def test_inquiries_for_a_therapist_not_listed_yet_show_once_they_are(search):
    therapist_id = _id("t")
    await search.inquiry_answered(therapist_id, _id("q"), datetime.now(UTC), timedelta(hours=1))
    marker = await listed(search, _word())
    await search.settled(marker["id"], 1)
    assert await search.card(therapist_id) is None
    await listed(search, _word(), id=therapist_id)
    await card_shows(search, therapist_id, {"answeredShare": 1.0, "medianReplyHours": 1.0, "sampleSize": 1})


async def test_a_measurement_that_read_earlier_never_overwrites_a_later_one(search):
    store = search.app["read_model"]
    therapist_id = _id("t")
    earlier, later = await store.next_revision(therapist_id), await store.next_revision(therapist_id)
    assert await store.put_responsiveness(therapist_id, later, {**NOT_MEASURED, "sampleSize": 2})
    assert not await store.put_responsiveness(therapist_id, earlier, {**NOT_MEASURED, "sampleSize": 1})
    stored = await store.therapists.find_one({"_id": therapist_id})
    assert stored["responsiveness"]["sampleSize"] == 2 and stored["version"] == 0  # a placeholder


async def test_measurements_taken_at_once_each_get_their_own_revision(search):
    store = search.app["read_model"]
    therapist_id = _id("t")
    # Replicas measuring the same therapist at the same moment, the first ones included.
    taken = await asyncio.gather(*(store.next_revision(therapist_id) for _ in range(12)))
    assert sorted(taken) == list(range(1, 13))
    assert await store.next_revision(therapist_id) == 13


async def test_the_sweep_labels_a_therapist_whose_inquiries_have_waited_a_week(search):
    data = await listed(search, _word())
    now = datetime.now(UTC)
    for _ in range(3):
        await search.inquiry_received(data["id"], _id("q"), now - timedelta(days=6))
    waiting = {"answeredShare": 0.0, "medianReplyHours": None, "sampleSize": 3}
    await card_shows(search, data["id"], waiting)
    a_day_later = FixedClock(now + timedelta(days=1, hours=1))
    assert await application.remeasure_waiting(search.app["read_model"], a_day_later) >= 1
    await card_shows(search, data["id"], waiting, unresponsive=True)
