"""The inquiries store on the real wire protocol: pages of a therapist's inquiries and the
idempotency keys kept beside them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from servicekit.http import parse_model
from services.inquiries.app import STORE
from services.inquiries.domain import IdempotencyKeyTaken, InquiryForm, PagePosition, new_inquiry
from tests.integration.inquiries.conftest import inquiry_body


def sent(therapist_id: str, at: datetime, key: str | None = None):
    form = parse_model(InquiryForm, {**inquiry_body(therapist_id), "idempotencyKey": key})
    return new_inquiry(form, now=at)


async def test_pages_follow_newest_first_across_inquiries_received_at_the_same_moment(service):
    repository = service.app[STORE].begin(None).inquiries
    therapist_id = f"t-pages-{uuid.uuid4().hex[:8]}"
    moment = datetime.now(UTC).replace(microsecond=0)
    # Five at one moment (the ties a page boundary can fall among) and three older.
    inquiries = [sent(therapist_id, moment) for _ in range(5)]
    inquiries += [sent(therapist_id, moment - timedelta(minutes=n)) for n in (1, 2, 3)]
    for inquiry in inquiries:
        await repository.add(inquiry)
    expected = sorted(inquiries, key=lambda i: (i.receivedAt, i.id), reverse=True)

    seen, after = [], None
    while True:
        page = await repository.page(therapist_id, after, 3)
        seen += [inquiry.id for inquiry in page]
        if len(page) < 3:
            break
        after = PagePosition(received_at=page[-1].receivedAt, inquiry_id=page[-1].id)
    assert seen == [inquiry.id for inquiry in expected]


async def test_an_idempotency_key_finds_its_inquiry_and_cannot_be_used_twice(service):
    repository = service.app[STORE].begin(None).inquiries
    key = f"click-{uuid.uuid4().hex}"
    first = sent("t-keys", datetime.now(UTC).replace(microsecond=0), key)
    await repository.add(first)
    assert await repository.with_idempotency_key(key) == first
    again = sent("t-keys", datetime.now(UTC).replace(microsecond=0), key)
    try:
        await repository.add(again)
    except IdempotencyKeyTaken:
        pass
    else:
        raise AssertionError("a second inquiry with the same key was stored")
    assert await repository.get(again.id) is None


async def test_purged_and_forgotten_inquiries_take_their_keys_with_them(service):
    repository = service.app[STORE].begin(None).inquiries
    old_key, deleted_key = f"old-{uuid.uuid4().hex}", f"gone-{uuid.uuid4().hex}"
    now = datetime.now(UTC).replace(microsecond=0)
    old = sent("t-purge", now - timedelta(days=100), old_key)
    deleted = sent(f"t-forgotten-{uuid.uuid4().hex[:8]}", now, deleted_key)
    for inquiry in (old, deleted):
        await repository.add(inquiry)
    await repository.remove_received_before(now - timedelta(days=90))
    await repository.remove_of_therapist(deleted.therapistId)
    keys = service.app[STORE].idempotency_keys
    assert await keys.count_documents({"_id": {"$in": [old_key, deleted_key]}}) == 0
    # A key whose inquiry is gone may be used again.
    assert await repository.with_idempotency_key(old_key) is None
