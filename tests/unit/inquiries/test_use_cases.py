"""The inquiries use cases over in-memory repositories: sending (contact, idempotency, honeypot,
rate limits), reading and answering (owner or admin only), therapist events and retention."""

from __future__ import annotations

from datetime import timedelta

import pytest

from integration_events.inquiries import INQUIRY_ANSWERED, INQUIRY_RECEIVED, InquiryReceived
from integration_events.therapists import THERAPIST_CREATED, THERAPIST_DELETED, THERAPIST_UPDATED
from servicekit.clock import FixedClock
from servicekit.consumer import Outcome
from servicekit.envelope import CloudEvent, new_event
from servicekit.errors import InvalidInput, NotFound, Unauthenticated
from servicekit.http import parse_model
from services.inquiries.application import (
    ListInquiries,
    MarkAnswered,
    SendInquiry,
    TherapistChange,
    apply_therapist_event,
    list_inquiries,
    mark_inquiry_answered,
    purge_expired,
    send_inquiry,
)
from services.inquiries.consumers import TherapistDirectory
from services.inquiries.domain import InquiryForm, RateLimited
from services.inquiries.ratelimits import MovingWindowLimits
from tests.unit.inquiries.fakes import NoLimits, Owners, in_memory_inquiries

THERAPIST = "t-1"
OWNER = "Bearer owner-of-t-1"
MESSAGE = "I’d like to talk about “anxiety” — evenings work best.\nThank you."


def form(**fields: object) -> InquiryForm:
    body: dict[str, object] = {
        "therapistId": THERAPIST,
        "name": "Sam Rivera",
        "email": "sam@example.org",
        "message": MESSAGE,
        "consent": True,
    }
    body.update(fields)
    return parse_model(InquiryForm, {k: v for k, v in body.items() if v is not None})


async def send(uow, clock=None, limits=None, client: str = "203.0.113.7", **fields: object):
    return await send_inquiry(
        SendInquiry(form(**fields), client), uow, clock or FixedClock(), limits or NoLimits()
    )


def owners() -> Owners:
    return Owners({THERAPIST: {OWNER}})


async def test_an_inquiry_is_stored_and_announced_with_ids_and_times_only():
    uow = in_memory_inquiries(THERAPIST)
    sent = await send(uow)
    [event] = uow.published
    assert event.type == INQUIRY_RECEIVED and event.subject == sent.receipt.id
    assert set(event.data) == {"id", "therapistId", "version", "receivedAt"}
    assert InquiryReceived.model_validate(event.data) == InquiryReceived(
        id=sent.receipt.id, therapistId=THERAPIST, version=1, receivedAt=sent.receipt.receivedAt
    )
    assert uow.state.inquiries[sent.receipt.id].visitor.message == MESSAGE


async def test_an_inquiry_without_email_or_phone_is_refused_naming_both():
    uow = in_memory_inquiries(THERAPIST)
    with pytest.raises(InvalidInput) as refused:
        await send(uow, email=None)
    assert {d["field"] for d in refused.value.details} == {"email", "phone"}
    assert uow.state.inquiries == {}


async def test_a_phone_number_alone_is_enough_to_be_answered():
    uow = in_memory_inquiries(THERAPIST)
    sent = await send(uow, email=None, phone="+1 (512) 555-0100")
    assert uow.state.inquiries[sent.receipt.id].visitor.phone == "+1 (512) 555-0100"


async def test_the_message_is_kept_exactly_as_written_up_to_2000_characters():
    uow = in_memory_inquiries(THERAPIST)
    message = (MESSAGE * 40)[:2000]
    sent = await send(uow, message=message)
    assert uow.state.inquiries[sent.receipt.id].visitor.message == message


async def test_sending_the_same_idempotency_key_again_answers_the_first_inquiry_and_stores_nothing():
    uow = in_memory_inquiries(THERAPIST)
    first = await send(uow, idempotencyKey="click-1")
    again = await send(uow, idempotencyKey="click-1")
    assert again.replayed and not first.replayed
    assert again.receipt == first.receipt
    assert len(uow.state.inquiries) == 1 and len(uow.published) == 1


async def test_a_filled_honeypot_is_answered_like_success_but_nothing_is_stored_or_announced():
    uow = in_memory_inquiries(THERAPIST)
    sent = await send(uow, homepage="https://spam.example")
    assert sent.receipt.id and not sent.replayed
    assert uow.state.inquiries == {} and uow.published == []


@pytest.mark.parametrize("known", [(), ("deleted",)])
async def test_an_inquiry_to_an_unknown_or_deleted_therapist_is_not_found(known):
    uow = in_memory_inquiries()
    if known:
        await apply_therapist_event(TherapistChange(THERAPIST, 1), uow)
        await apply_therapist_event(TherapistChange(THERAPIST, 2, deleted=True), uow)
    with pytest.raises(NotFound):
        await send(uow)


async def test_one_client_sending_too_often_is_told_how_long_to_wait():
    uow = in_memory_inquiries(THERAPIST, "t-2")
    limits = MovingWindowLimits("2/hour", "30/day")
    await send(uow, limits=limits)
    await send(uow, limits=limits, therapistId="t-2")
    with pytest.raises(RateLimited) as refused:
        await send(uow, limits=limits)
    assert 3590 <= refused.value.retry_after_seconds <= 3600
    assert refused.value.details[0]["retryAfterSeconds"] == refused.value.retry_after_seconds
    assert len(uow.state.inquiries) == 2
    await send(uow, limits=limits, client="198.51.100.4")  # another client is not held back


async def test_a_therapist_receiving_too_many_inquiries_holds_back_every_client():
    uow = in_memory_inquiries(THERAPIST, "t-2")
    limits = MovingWindowLimits("5/hour", "2/day")
    await send(uow, limits=limits, client="a")
    await send(uow, limits=limits, client="b")
    with pytest.raises(RateLimited) as refused:
        await send(uow, limits=limits, client="c")
    assert 86_390 <= refused.value.retry_after_seconds <= 86_400
    await send(uow, limits=limits, client="c", therapistId="t-2")  # c's own allowance is untouched


async def test_the_owner_reads_their_inquiries_newest_first_in_pages():
    uow, clock = in_memory_inquiries(THERAPIST), FixedClock()
    ids = []
    for _ in range(3):
        ids.append((await send(uow, clock=clock)).receipt.id)
        clock.advance(minutes=1)
    first = await list_inquiries(ListInquiries(THERAPIST, OWNER, first=2), uow, owners())
    assert first.totalCount == 3 and first.pageInfo.hasNextPage
    assert [e.node.id for e in first.edges] == [ids[2], ids[1]]
    assert first.edges[0].node.message == MESSAGE and first.edges[0].node.status == "new"
    rest = await list_inquiries(ListInquiries(THERAPIST, OWNER, 2, first.pageInfo.endCursor), uow, owners())
    assert [e.node.id for e in rest.edges] == [ids[0]] and not rest.pageInfo.hasNextPage


async def test_anyone_but_the_owner_or_an_admin_is_told_there_is_no_such_therapist():
    uow = in_memory_inquiries(THERAPIST)
    await send(uow)
    with pytest.raises(NotFound):
        await list_inquiries(ListInquiries(THERAPIST, "Bearer another-therapist"), uow, owners())


async def test_a_token_that_is_not_valid_stays_unauthenticated():
    uow = in_memory_inquiries(THERAPIST)
    with pytest.raises(Unauthenticated):
        await list_inquiries(
            ListInquiries(THERAPIST, "Bearer junk"), uow, Owners(invalid=frozenset({"Bearer junk"}))
        )


async def test_marking_an_inquiry_answered_twice_announces_it_once():
    uow, clock = in_memory_inquiries(THERAPIST), FixedClock()
    sent = await send(uow, clock=clock)
    clock.advance(hours=5)
    marked = await mark_inquiry_answered(MarkAnswered(sent.receipt.id, OWNER), uow, clock, owners())
    clock.advance(hours=1)
    again = await mark_inquiry_answered(MarkAnswered(sent.receipt.id, OWNER), uow, clock, owners())
    assert again == marked and marked.status == "answered"
    assert marked.answeredAt - sent.receipt.receivedAt == timedelta(hours=5)
    answers = [e for e in uow.published if e.type == INQUIRY_ANSWERED]
    assert len(answers) == 1 and answers[0].data["version"] == 2


@pytest.mark.parametrize("credentials", ["Bearer another-therapist", OWNER])
async def test_marking_is_not_found_for_anyone_not_allowed_and_for_a_missing_inquiry(credentials):
    uow = in_memory_inquiries(THERAPIST)
    sent = await send(uow)
    target = sent.receipt.id if credentials != OWNER else "no-such-inquiry"
    with pytest.raises(NotFound):
        await mark_inquiry_answered(MarkAnswered(target, credentials), uow, FixedClock(), owners())
    assert [e.type for e in uow.published] == [INQUIRY_RECEIVED]


async def test_a_deleted_therapists_inquiries_are_forgotten():
    uow = in_memory_inquiries(THERAPIST, "t-2")
    await send(uow)
    kept = await send(uow, therapistId="t-2")
    outcome = await apply_therapist_event(TherapistChange(THERAPIST, 2, deleted=True), uow)
    assert outcome is Outcome.APPLIED
    assert list(uow.state.inquiries) == [kept.receipt.id]


async def test_an_update_older_than_the_deletion_does_not_bring_the_therapist_back():
    uow = in_memory_inquiries()
    await apply_therapist_event(TherapistChange(THERAPIST, 3, deleted=True), uow)
    assert await apply_therapist_event(TherapistChange(THERAPIST, 2), uow) is Outcome.STALE
    with pytest.raises(NotFound):
        await send(uow)


async def test_the_purge_removes_only_inquiries_past_retention():
    uow, clock = in_memory_inquiries(THERAPIST), FixedClock()
    old = await send(uow, clock=clock)
    clock.advance(days=50)
    recent = await send(uow, clock=clock)
    clock.advance(days=41)
    assert await purge_expired(uow, clock, 90) == 1
    assert old.receipt.id not in uow.state.inquiries and recent.receipt.id in uow.state.inquiries


def therapist_event(event_type: str, version: int) -> CloudEvent:
    data = {"id": THERAPIST, "version": version}
    if event_type != THERAPIST_DELETED:
        now = "2026-01-05T09:00:00+00:00"
        data |= {"displayName": "Rowan Vell", "title": "LMFT", "location": {"city": "Austin", "state": "TX"}}
        data |= {"createdAt": now, "updatedAt": now}
    return new_event(type=event_type, source="/directory/profiles", subject=THERAPIST, data=data)


async def test_updates_of_a_therapist_this_consumer_recorded_are_not_written_until_the_deletion():
    uow = in_memory_inquiries()
    apply = TherapistDirectory(uow).apply
    assert await apply(therapist_event(THERAPIST_CREATED, 1)) is Outcome.APPLIED
    assert await apply(therapist_event(THERAPIST_UPDATED, 2)) is Outcome.UNCHANGED
    assert uow.state.therapists[THERAPIST].version == 1  # existence is all the service keeps
    await send(uow)
    assert await apply(therapist_event(THERAPIST_DELETED, 3)) is Outcome.APPLIED
    assert uow.state.therapists[THERAPIST].deleted and not uow.state.inquiries
    # Forgotten by the consumer with the deletion: a late update goes to the store, which refuses it.
    assert await apply(therapist_event(THERAPIST_UPDATED, 2)) is Outcome.STALE
    with pytest.raises(NotFound):
        await send(uow)


async def test_an_update_another_replica_wrote_first_is_checked_against_the_store():
    uow = in_memory_inquiries(THERAPIST)  # held at version 1, not by this consumer
    apply = TherapistDirectory(uow).apply
    assert await apply(therapist_event(THERAPIST_CREATED, 1)) is Outcome.STALE
    assert await apply(therapist_event(THERAPIST_UPDATED, 2)) is Outcome.APPLIED
    assert await apply(therapist_event(THERAPIST_UPDATED, 3)) is Outcome.UNCHANGED
