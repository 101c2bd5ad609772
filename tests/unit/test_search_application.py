"""The search use cases, over an in-memory read model and a small real index (no broker, no
database): events land in the read model, the read model in the index, and the index answers."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from typing import Any

import pytest

from integration_events.approaches import ApproachDeleted, ApproachSnapshot
from integration_events.inquiries import InquiryAnswered, InquiryReceived
from integration_events.therapists import TherapistDeleted, TherapistPublicProfile
from servicekit.clock import FixedClock
from servicekit.consumer import Outcome
from servicekit.errors import BadRequest, NotFound, Unavailable
from servicekit.http import STATUS_OF
from services.search import application
from services.search import engine as engine_module
from services.search.domain import InquiryTimes, MatchQuestionnaire, PageParameters, search_query
from services.search.engine import SearchEngine
from services.search.index import SearchIndex
from services.search.store import stored_listing, therapist_fields
from services.search.sync import IndexSync
from tests.integration.search.conftest import approach, profile

CLOCK = FixedClock()


class InMemoryReadModel:
    """The read model's writes, version-conditional like MongoDB's (fields not written are kept,
    as `$set` keeps them)."""

    def __init__(self) -> None:
        self.therapists: dict[str, dict[str, Any]] = {}
        self.approaches: dict[str, dict[str, Any]] = {}
        self.inquiries: dict[str, dict[str, Any]] = {}
        self.revisions: dict[str, int] = {}

    @staticmethod
    def _write(collection: dict, doc_id: str, version: int, fields: dict[str, Any]) -> bool:
        stored = collection.get(doc_id, {})
        if doc_id in collection and stored["version"] >= version:
            return False
        collection[doc_id] = {**stored, "_id": doc_id, "version": version, **fields}
        return True

    async def put_therapist(self, therapist_id, version, profile_data, points) -> bool:
        return self._write(self.therapists, therapist_id, version, therapist_fields(profile_data, points))

    async def delete_therapist(self, therapist_id, version) -> bool:
        return self._write(self.therapists, therapist_id, version, {"deleted": True, "listing": None})

    async def put_approach(self, approach_id, version, fields) -> bool:
        return self._write(self.approaches, approach_id, version, {"deleted": False, **fields})

    async def delete_approach(self, approach_id, version, slug) -> bool:
        return self._write(self.approaches, approach_id, version, {"deleted": True, "slug": slug})

    async def put_inquiry(self, inquiry_id, version, fields) -> bool:
        return self._write(self.inquiries, inquiry_id, version, fields)

    async def inquiry_times(self, therapist_id, received_since, answered_since) -> list[InquiryTimes]:
        found = []
        for inquiry in self.inquiries.values():
            times = InquiryTimes(inquiry["receivedAt"], inquiry["answeredAt"])
            answered_lately = times.answered_at is not None and times.answered_at >= answered_since
            if inquiry["therapistId"] == therapist_id and (
                times.received_at >= received_since or answered_lately
            ):
                found.append(times)
        return found

    async def therapists_to_remeasure(self, received_since, window_start) -> list[str]:
        return sorted(
            {
                i["therapistId"]
                for i in self.inquiries.values()
                if i["receivedAt"] >= received_since
                and (i["answeredAt"] is None or i["receivedAt"] < window_start)
            }
        )

    async def next_revision(self, therapist_id) -> int:
        self.revisions[therapist_id] = self.revisions.get(therapist_id, 0) + 1
        return self.revisions[therapist_id]

    async def put_responsiveness(self, therapist_id, revision, measured) -> bool:
        stored = self.therapists.setdefault(therapist_id, {"_id": therapist_id, "version": 0})
        if stored.get("responsivenessRevision", 0) >= revision:
            return False
        stored.update(responsiveness=measured, responsivenessRevision=revision)
        return True

    def index(self) -> SearchIndex:
        """An index built from what the read model holds, as a replica builds it."""
        built = SearchIndex()
        for doc in self.approaches.values():
            built.approaches.put(doc)
        for doc in self.therapists.values():
            built.apply(doc, CLOCK.now())
        built.commit_blocking()
        return built


def therapist(**fields) -> TherapistPublicProfile:
    fields.setdefault("availabilityConfirmedAt", (CLOCK.now() - timedelta(days=3)).isoformat())
    return TherapistPublicProfile.model_validate(profile(**fields))


@pytest.fixture
def read_model() -> InMemoryReadModel:
    return InMemoryReadModel()


async def engine_over(read_model: InMemoryReadModel) -> SearchEngine:
    index = read_model.index()
    return SearchEngine(lambda: index, threads=1)


async def test_a_therapist_event_lists_the_profile_with_its_practice_points(read_model):
    data = therapist(locations=[{"city": "Austin", "state": "TX", "postalCode": "78701"}])
    assert await application.apply_therapist_event(data, read_model) is Outcome.APPLIED
    listed, points = stored_listing(read_model.therapists[data.id])
    assert listed["displayName"] == data.displayName
    assert len(points) == 1 and points[0][0] == pytest.approx(30.27, abs=0.1)


async def test_a_duplicate_or_older_therapist_event_is_stale(read_model):
    data = therapist()
    await application.apply_therapist_event(data.model_copy(update={"version": 2}), read_model)
    assert await application.apply_therapist_event(data, read_model) is Outcome.STALE
    assert await application.apply_therapist_event(data.model_copy(update={"version": 2}), read_model) is (
        Outcome.STALE
    )


async def test_a_deletion_leaves_a_tombstone_that_a_late_update_cannot_overwrite(read_model):
    data = therapist()
    await application.apply_therapist_event(data, read_model)
    gone = TherapistDeleted(id=data.id, version=3)
    assert await application.apply_therapist_event(gone, read_model) is Outcome.APPLIED
    late = data.model_copy(update={"version": 2})
    assert await application.apply_therapist_event(late, read_model) is Outcome.STALE
    assert stored_listing(read_model.therapists[data.id]) is None


async def test_an_approach_event_records_what_the_index_resolves_and_a_deletion_removes_it(read_model):
    renamed = ApproachSnapshot.model_validate(
        approach("talk-new", previousSlugs=["talk-old"], aliases=["chat"])
    )
    assert await application.apply_approach_event(renamed, read_model) is Outcome.APPLIED
    assert read_model.approaches[renamed.id] | {"_id": None} == {
        "_id": None, "version": 1, "deleted": False, "slug": "talk-new", "name": "Talk New",
        "aliases": ["chat"], "previousSlugs": ["talk-old"],
    }  # fmt: skip
    gone = ApproachDeleted(id=renamed.id, slug="talk-new", version=2)
    assert await application.apply_approach_event(gone, read_model) is Outcome.APPLIED
    assert read_model.approaches[renamed.id]["deleted"] is True


async def test_a_search_finds_what_the_events_listed(read_model):
    wanted = therapist(displayName="Odile Farrowgate")
    for data in (wanted, therapist(displayName="Bram Ellory")):
        await application.apply_therapist_event(data, read_model)
    engine = await engine_over(read_model)
    page = await application.search_therapists(search_query({"text": "farrowgate"}), 0, engine)
    assert page.total == 1 and [h.id for h in page.hits] == [wanted.id]
    engine.close()


async def test_an_approach_page_lists_under_the_current_slug_after_a_rename(read_model):
    renamed = ApproachSnapshot.model_validate(approach("talk-new", previousSlugs=["talk-old"]))
    await application.apply_approach_event(renamed, read_model)
    data = therapist(approaches=[{"slug": "talk-old", "statement": "Talking it through."}])
    await application.apply_therapist_event(data, read_model)
    engine = await engine_over(read_model)
    found = await application.find_specialists("talk-old", PageParameters(), 0, engine)
    assert found.slug == "talk-new" and [h.id for h in found.page.hits] == [data.id]
    assert found.page.hits[0].card["approaches"] == [{"slug": "talk-new", "statement": "Talking it through."}]
    engine.close()


async def test_a_card_of_nobody_listed_is_not_found(read_model):
    engine = await engine_over(read_model)
    with pytest.raises(NotFound):
        await application.read_card("t-nobody", engine)


async def test_matches_come_best_first_with_reasons_as_of_the_clock(read_model):
    best = therapist(displayName="Ines Calloway", issues=[{"slug": "grief", "top": True}])
    other = therapist(displayName="Tam Oduya", issues=[{"slug": "anxiety", "top": False}])
    for data in (other, best):
        await application.apply_therapist_event(data, read_model)
    engine = await engine_over(read_model)
    answers = MatchQuestionnaire(state="TX", concerns=["grief"])
    found = await application.match_therapists(answers, 0, engine, CLOCK)
    assert found.total == 2 and [m.hit.id for m in found.matches] == [best.id, other.id]
    assert found.matches[0].score == 1.0 and found.matches[1].score == 0.0
    assert "Accepting new clients (confirmed 3 days ago)" in found.matches[0].reasons
    assert "Helps with grief and loss (a main focus)" in found.matches[0].reasons
    engine.close()


async def test_a_match_near_an_unknown_zip_code_is_a_bad_request(read_model):
    engine = await engine_over(read_model)
    with pytest.raises(BadRequest) as caught:
        await application.match_therapists(MatchQuestionnaire(state="TX", zip="00000"), 0, engine, CLOCK)
    assert caught.value.code == "unknown_place" and caught.value.details[0]["field"] == "zip"
    engine.close()


def test_until_the_first_build_the_index_is_unavailable():
    with pytest.raises(Unavailable) as caught:
        IndexSync(InMemoryReadModel()).current()  # type: ignore[arg-type]
    assert STATUS_OF[Unavailable] == 503 and caught.value.code == "index_not_ready"
    assert caught.value.message == "The search index is still being built; retry shortly"


async def test_a_fee_ceiling_beyond_any_fee_leaves_out_no_one_with_a_fee(read_model):
    for data in (therapist(), therapist(money={"fees": [], "insurance": []})):
        await application.apply_therapist_event(data, read_model)
    engine = await engine_over(read_model)
    page = await application.search_therapists(search_query({"maxFee": "9" * 30}), 0, engine)
    assert page.total == 1
    engine.close()


def forged_cursor(sort: str, key: object) -> str:
    raw = json.dumps({"s": sort, "k": key, "i": "t-x", "p": 0}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize("small_result", [2000, 0])
@pytest.mark.parametrize(("key", "listed"), [(-5, 0), (2**70, 1), (12.5, 0)])
async def test_a_cursor_with_a_key_out_of_range_pages_from_that_end(
    read_model, monkeypatch, small_result, key, listed
):
    monkeypatch.setattr(engine_module, "SMALL_RESULT", small_result)  # both answering paths
    await application.apply_therapist_event(therapist(), read_model)
    engine = await engine_over(read_model)
    query = search_query({"sort": "freshness", "after": forged_cursor("freshness", key)})
    page = await application.search_therapists(query, 0, engine)
    assert len(page.hits) == listed
    engine.close()


# --------------------------------------------------------------------------------------- inquiries


def received(therapist_id: str, inquiry_id: str, at) -> InquiryReceived:
    return InquiryReceived(id=inquiry_id, therapistId=therapist_id, version=1, receivedAt=at)


def answered(therapist_id: str, inquiry_id: str, at, after_hours: float) -> InquiryAnswered:
    return InquiryAnswered(
        id=inquiry_id,
        therapistId=therapist_id,
        version=2,
        receivedAt=at,
        answeredAt=at + timedelta(hours=after_hours),
    )


async def test_an_inquiry_event_keeps_only_times_and_measures_the_therapist(read_model):
    data = therapist()
    await application.apply_therapist_event(data, read_model)
    at = CLOCK.now() - timedelta(days=1)
    assert await application.apply_inquiry_event(received(data.id, "q-1", at), read_model, CLOCK) is (
        Outcome.APPLIED
    )
    assert read_model.inquiries["q-1"] | {"_id": None} == {
        "_id": None, "version": 1, "therapistId": data.id, "receivedAt": at, "answeredAt": None,
    }  # fmt: skip
    assert read_model.therapists[data.id]["responsiveness"] == {
        "answeredShare": 0.0, "medianReplyHours": None, "sampleSize": 1, "unresponsive": False,
    }  # fmt: skip


async def test_an_answer_applied_before_its_receipt_ends_as_in_order(read_model):
    at = CLOCK.now() - timedelta(days=2)
    in_order = InMemoryReadModel()
    for event in (received("t-1", "q-1", at), answered("t-1", "q-1", at, 5)):
        await application.apply_inquiry_event(event, in_order, CLOCK)
    answer, receipt = answered("t-1", "q-1", at, 5), received("t-1", "q-1", at)
    assert await application.apply_inquiry_event(answer, read_model, CLOCK) is Outcome.APPLIED
    assert await application.apply_inquiry_event(receipt, read_model, CLOCK) is Outcome.STALE
    assert read_model.inquiries == in_order.inquiries
    assert read_model.therapists["t-1"]["responsiveness"] == in_order.therapists["t-1"]["responsiveness"]
    assert read_model.therapists["t-1"]["responsiveness"]["medianReplyHours"] == 5.0


async def test_a_duplicate_inquiry_event_is_stale(read_model):
    event = received("t-1", "q-1", CLOCK.now())
    await application.apply_inquiry_event(event, read_model, CLOCK)
    assert await application.apply_inquiry_event(event, read_model, CLOCK) is Outcome.STALE
    assert read_model.therapists["t-1"]["responsiveness"]["sampleSize"] == 1


async def test_a_therapist_measured_before_being_listed_keeps_the_measurement(read_model):
    data = therapist()
    at = CLOCK.now() - timedelta(days=1)
    await application.apply_inquiry_event(answered(data.id, "q-1", at, 3), read_model, CLOCK)
    assert stored_listing(read_model.therapists[data.id]) is None  # a placeholder, not listed
    await application.apply_therapist_event(data, read_model)
    engine = await engine_over(read_model)
    card = (await application.read_card(data.id, engine)).card
    assert card["responsiveness"] == {"answeredShare": 1.0, "medianReplyHours": 3.0, "sampleSize": 1}
    assert card["unresponsive"] is False
    engine.close()


async def test_responds_within_hours_keeps_therapists_whose_median_reply_is_that_fast(read_model):
    quick, slow, unmeasured = therapist(), therapist(), therapist()
    at = CLOCK.now() - timedelta(days=3)
    for data, hours in ((quick, 6), (slow, 30)):
        await application.apply_inquiry_event(answered(data.id, f"q-{data.id}", at, hours), read_model, CLOCK)
    for data in (quick, slow, unmeasured):
        await application.apply_therapist_event(data, read_model)
    engine = await engine_over(read_model)
    for hours, expected in (("6", {quick.id}), ("29", {quick.id}), ("30", {quick.id, slow.id})):
        page = await application.search_therapists(search_query({"respondsWithinHours": hours}), 0, engine)
        assert {h.id for h in page.hits} == expected, hours
    engine.close()


async def test_the_sweep_marks_a_therapist_unresponsive_once_inquiries_wait_a_week(read_model):
    clock = FixedClock(CLOCK.now())
    start = clock.now()
    for n in range(3):
        await application.apply_inquiry_event(received("t-1", f"q-{n}", start), read_model, clock)
    await application.apply_inquiry_event(answered("t-2", "q-9", start, 1), read_model, clock)
    assert read_model.therapists["t-1"]["responsiveness"]["unresponsive"] is False
    clock.advance(days=7, hours=1)
    assert await application.remeasure_waiting(read_model, clock) == 1  # t-2 has nothing waiting
    assert read_model.therapists["t-1"]["responsiveness"]["unresponsive"] is True


async def test_the_sweep_remeasures_a_therapist_whose_inquiry_left_the_window(read_model):
    clock = FixedClock(CLOCK.now())
    await application.apply_inquiry_event(answered("t-1", "q-1", clock.now(), 2), read_model, clock)
    clock.advance(days=90, minutes=30)
    assert await application.remeasure_waiting(read_model, clock) == 1
    assert read_model.therapists["t-1"]["responsiveness"]["sampleSize"] == 0
