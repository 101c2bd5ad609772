"""The inquiries service over HTTP against the real MongoDB wire protocol and broker: what a
visitor sends is stored sealed and announced without a word of it; the therapist (and only the
therapist or an admin) reads it and marks it answered."""

from __future__ import annotations

import uuid

from integration_events.inquiries import INQUIRY_ANSWERED, INQUIRY_RECEIVED
from integration_events.therapists import THERAPIST_DELETED
from tests.integration.inquiries.conftest import (
    CLIENT_LIMIT,
    MESSAGE,
    eventually,
    inquiry_body,
    therapist_event,
)
from tests.support import auth_header

VISITOR_TEXT = [
    value for key, value in inquiry_body("-").items() if key in ("name", "email", "phone", "message")
]


async def test_a_sent_inquiry_is_answered_201_with_its_receipt_and_address(service):
    therapist_id, _ = await service.therapist()
    response = await service.send(therapist_id)
    assert response.status == 201
    receipt = await response.json()
    assert set(receipt) == {"id", "therapistId", "receivedAt"} and receipt["therapistId"] == therapist_id
    assert response.headers["Location"] == f"/v1/inquiries/{receipt['id']}"


async def test_the_stored_document_holds_nothing_the_visitor_wrote_in_the_clear(service):
    therapist_id, _ = await service.therapist()
    receipt = await (await service.send(therapist_id)).json()
    raw = await service.raw_inquiries.find_one({"_id": receipt["id"]})
    stored = repr(raw)
    assert all(text not in stored for text in VISITOR_TEXT)
    assert "“low”" not in stored and raw["sealed"]


async def test_the_received_event_is_published_with_ids_and_times_only(service, events):
    therapist_id, _ = await service.therapist()
    receipt = await (await service.send(therapist_id)).json()
    [event] = await events.for_subject(receipt["id"], 1)
    assert event.type == INQUIRY_RECEIVED
    assert set(event.data) == {"id", "therapistId", "version", "receivedAt"}
    assert (event.data["id"], event.data["therapistId"], event.data["version"]) == (
        receipt["id"],
        therapist_id,
        1,
    )
    body = event.to_json().decode()
    assert all(text not in body for text in VISITOR_TEXT)


async def test_the_owner_reads_the_inquiry_as_it_was_written(service):
    therapist_id, owner = await service.therapist()
    receipt = await (await service.send(therapist_id)).json()
    async with service.http.get(f"/v1/therapists/{therapist_id}/inquiries", headers=owner) as response:
        assert response.status == 200
        assert response.headers["Cache-Control"] == "no-store"
        page = await response.json()
    assert page["totalCount"] == 1 and page["pageInfo"]["hasNextPage"] is False
    node = page["edges"][0]["node"]
    assert (node["id"], node["message"], node["name"], node["status"]) == (
        receipt["id"],
        MESSAGE,
        "Sam Rivera",
        "new",
    )
    assert (node["email"], node["phone"], node["answeredAt"]) == (
        "sam.rivera@example.org",
        "+1 (512) 555-0147",
        None,
    )


async def test_an_admin_reads_any_therapists_inquiries(service):
    therapist_id, _ = await service.therapist()
    await service.send(therapist_id)
    async with service.http.get(
        f"/v1/therapists/{therapist_id}/inquiries", headers=service.admin
    ) as response:
        assert response.status == 200 and (await response.json())["totalCount"] == 1


async def test_another_therapist_gets_the_answer_for_a_therapist_that_does_not_exist(service):
    therapist_id, _ = await service.therapist()
    await service.send(therapist_id)
    stranger = auth_header("someone-else", "therapist")
    async with service.http.get(f"/v1/therapists/{therapist_id}/inquiries", headers=stranger) as response:
        assert response.status == 404
        refused = await response.json()
    async with service.http.get(f"/v1/therapists/{uuid.uuid4()}/inquiries", headers=stranger) as response:
        assert response.status == 404 and (await response.json())["error"]["code"] == refused["error"]["code"]
    assert "Sam" not in str(refused)


async def test_reading_inquiries_needs_a_valid_token(service):
    therapist_id, _ = await service.therapist()
    for headers in ({}, {"Authorization": "Bearer not-a-token"}):
        async with service.http.get(f"/v1/therapists/{therapist_id}/inquiries", headers=headers) as response:
            assert response.status == 401


async def test_marking_answered_is_announced_once(service, events):
    therapist_id, owner = await service.therapist()
    receipt = await (await service.send(therapist_id)).json()
    for _ in range(2):
        async with service.http.post(f"/v1/inquiries/{receipt['id']}/answered", headers=owner) as response:
            assert response.status == 200
            node = await response.json()
            assert node["status"] == "answered" and node["answeredAt"]
    published = await events.for_subject(receipt["id"], 2)
    answered = [e for e in published if e.type == INQUIRY_ANSWERED]
    assert len(answered) == 1 and answered[0].data["answeredAt"]

    async def outbox_empty() -> bool:  # nothing left that could be published later
        return (
            await service.app["runtime"].outbox.collection.count_documents(
                {"envelope.subject": receipt["id"]}
            )
            == 0
        )

    await eventually(outbox_empty)
    assert len([e for e in events.events if e.subject == receipt["id"]]) == 2


async def test_marking_someone_elses_inquiry_answered_is_not_found(service):
    therapist_id, _ = await service.therapist()
    receipt = await (await service.send(therapist_id)).json()
    stranger = auth_header("someone-else", "therapist")
    for inquiry_id in (receipt["id"], str(uuid.uuid4())):
        async with service.http.post(f"/v1/inquiries/{inquiry_id}/answered", headers=stranger) as response:
            assert response.status == 404


async def test_sending_too_often_is_refused_429_with_the_wait(service):
    therapist_id, _ = await service.therapist()
    client = uuid.uuid4().hex
    for _ in range(CLIENT_LIMIT):
        assert (await service.send(therapist_id, client=client)).status == 201
    refused = await service.send(therapist_id, client=client)
    assert refused.status == 429
    wait = int(refused.headers["Retry-After"])
    assert 3500 < wait <= 3600
    error = (await refused.json())["error"]
    assert error["code"] == "rate_limited" and error["details"][0]["retryAfterSeconds"] == wait


async def test_an_inquiry_to_an_unknown_therapist_is_not_found(service):
    response = await service.send(str(uuid.uuid4()))
    assert response.status == 404 and (await response.json())["error"]["code"] == "not_found"


async def test_the_same_idempotency_key_answers_200_with_the_first_inquiry(service, events):
    therapist_id, owner = await service.therapist()
    key = uuid.uuid4().hex
    first = await service.send(therapist_id, idempotencyKey=key)
    again = await service.send(therapist_id, idempotencyKey=key)
    assert (first.status, again.status) == (201, 200)
    assert await first.json() == await again.json()
    async with service.http.get(f"/v1/therapists/{therapist_id}/inquiries", headers=owner) as response:
        assert (await response.json())["totalCount"] == 1


async def test_a_filled_honeypot_is_answered_201_and_nothing_is_stored(service):
    therapist_id, owner = await service.therapist()
    response = await service.send(therapist_id, homepage="https://cheap-pills.example")
    assert response.status == 201
    assert await service.raw_inquiries.find_one({"_id": (await response.json())["id"]}) is None


async def test_an_invalid_form_is_refused_422_naming_the_fields(service):
    therapist_id, _ = await service.therapist()
    response = await service.send(therapist_id, email=None, phone=None, consent=False)
    assert response.status == 422
    error = (await response.json())["error"]
    assert error["code"] == "validation_failed" and {d["field"] for d in error["details"]} >= {"consent"}
    no_contact = await service.send(therapist_id, email=None, phone=None)
    assert {d["field"] for d in (await no_contact.json())["error"]["details"]} == {"email", "phone"}


async def test_a_deleted_therapists_inquiries_are_forgotten_and_no_more_can_be_sent(service):
    therapist_id, _ = await service.therapist()
    await service.send(therapist_id)
    await service.publish(therapist_event(THERAPIST_DELETED, {"id": therapist_id, "version": 2}))

    async def forgotten() -> bool:
        return await service.raw_inquiries.count_documents({"therapistId": therapist_id}) == 0

    await eventually(forgotten, what="the deleted therapist's inquiries deleted")
    assert (await service.send(therapist_id)).status == 404
