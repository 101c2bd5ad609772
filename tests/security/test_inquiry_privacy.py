"""What a visitor writes to a therapist (the message, their name and contact details) is health
data: it never appears in any event on the broker, in any process's DEBUG logs, in the
notification mail, or in another service's database, and the inquiries service's own database
holds it only sealed. Only the therapist reads it back."""

from __future__ import annotations

import asyncio
import time

import aio_pika
import pytest
from bson import json_util
from pymongo import AsyncMongoClient

from tests.reliability.processes import eventually
from tests.security.conftest import Caller
from tests.security.test_private_data import leaked
from tests.support import token

OWNER = f"sec-inquiry-owner-{time.time_ns()}"
THERAPIST_EMAIL = f"sec.inquiry.{time.time_ns()}@practice.example.test"
VISITOR = {
    "name": "Thessaly Vorquist-Amane",
    "email": "thessaly.vorquist.3307@example.test",
    "phone": "+1 (602) 555-0143",
    "message": "My marrowfen insomnia and the quillshade panic attacks are back since the lanternmoss move.",
}
SECRETS = {**VISITOR, "message words": "quillshade panic", "other words": "lanternmoss"}
SEND = """mutation($input: InquiryInput!) { sendInquiry(input: $input) {
  __typename ... on InquirySent { id } ... on ValidationFailed { message } } }"""
INBOX = """query($id: ID!) { myInquiries(therapistId: $id) {
  totalCount edges { node { id name email phone message status } } } }"""
ANSWERED = "mutation($id: ID!) { markInquiryAnswered(id: $id) { __typename } }"


def owner_headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {token(OWNER)}"}


async def _dump(mongo: AsyncMongoClient, database: str) -> str:
    db = mongo[database]
    docs = []
    for name in await db.list_collection_names():
        docs.extend([json_util.dumps(doc) async for doc in db[name].find()])
    return "\n".join(docs)


@pytest.fixture(scope="module")
async def inquiry(stack, caller: Caller):
    """An inquiry sent through the gateway, read and marked answered by its therapist, and one
    refused (consent missing), while the exchange is observed; yields (therapist id, inquiry id,
    raw bodies of every event published meanwhile)."""
    status, created, _ = await caller.call(
        "profiles",
        "POST",
        "/v1/therapists",
        headers=owner_headers(),
        json={
            "displayName": "Inquiry Privacy Probe",
            "title": "Licensed Psychologist",
            "location": {"city": "Tempe", "state": "AZ"},
            "email": THERAPIST_EMAIL,
        },
    )
    assert status == 201, created
    therapist_id = created["id"]
    connection = await aio_pika.connect(stack.amqp_url, timeout=15)
    async with connection:
        channel = await connection.channel()
        queue = await channel.declare_queue(exclusive=True, auto_delete=True)
        await queue.bind("directory.events", routing_key="#")
        form = {"therapistId": therapist_id, **VISITOR, "consent": True}

        async def sent():  # the inquiries service learns of the therapist from their event
            status, body, _ = await caller.graphql(SEND, {"input": form})
            assert status == 200 and not body.get("errors"), body
            result = body["data"]["sendInquiry"]
            return result["id"] if result["__typename"] == "InquirySent" else None

        inquiry_id = await eventually(sent, what="the inquiry sent")
        status, body, _ = await caller.graphql(SEND, {"input": {**form, "consent": False}})
        assert body["data"]["sendInquiry"]["__typename"] == "ValidationFailed", body
        status, body, text = await caller.graphql(INBOX, {"id": therapist_id}, headers=owner_headers())
        assert status == 200 and VISITOR["message"] in text, body
        status, body, _ = await caller.graphql(ANSWERED, {"id": inquiry_id}, headers=owner_headers())
        assert body["data"]["markInquiryAnswered"]["__typename"] == "Inquiry", body
        bodies: list[bytes] = []

        async def both_events_of_the_inquiry() -> bool:
            while (message := await queue.get(no_ack=True, fail=False, timeout=2)) is not None:
                bodies.append(message.body)
            return sum(inquiry_id.encode() in b for b in bodies) >= 2

        await eventually(both_events_of_the_inquiry, what="the inquiry's received and answered events")
    yield therapist_id, inquiry_id, bodies


async def test_what_a_visitor_wrote_never_appears_in_events(inquiry):
    _, inquiry_id, bodies = inquiry
    for body in bodies:
        assert not leaked(body.decode(), SECRETS), body[:300]
    assert any(inquiry_id.encode() in b for b in bodies)  # the events themselves did travel


async def test_what_a_visitor_wrote_is_sealed_at_rest_and_in_no_other_database(stack, inquiry):
    _, inquiry_id, _ = inquiry
    async with AsyncMongoClient(stack.mongo.uri) as mongo:

        async def answered_in_search() -> bool:
            doc = await mongo.search.inquiries.find_one({"_id": inquiry_id})
            return bool(doc and doc.get("answeredAt"))

        await eventually(answered_in_search, what="the answered inquiry in the search read model")
        for database in ("search", "profiles", "approaches"):
            assert not leaked(await _dump(mongo, database), SECRETS), database
        own = await _dump(mongo, "inquiries")
    assert inquiry_id in own  # stored, ...
    assert not leaked(own, SECRETS)  # ... and only sealed


async def test_the_therapists_notification_says_nothing_the_visitor_wrote(stack, inquiry):
    _, inquiry_id, _ = inquiry
    (mail,) = await stack.smtp.wait_for(1, to=THERAPIST_EMAIL, timeout=30)
    assert mail.message_id == f"<inquiry-{inquiry_id}@therapist-directory>"
    assert not leaked(mail.raw, SECRETS)


async def test_what_a_visitor_wrote_never_reaches_any_log(stack, inquiry):
    await asyncio.sleep(0.5)  # let the processes flush their last lines
    logs = stack.all_logs()
    assert "inquiries" in logs  # the inquiries service's log was captured (at DEBUG level)
    assert not leaked(logs, SECRETS)
    assert not leaked(logs, {"therapist's address": THERAPIST_EMAIL})


async def test_nobody_but_the_therapist_reads_it(caller: Caller, inquiry):
    therapist_id, _, _ = inquiry
    stranger = {"Authorization": f"Bearer {token(f'sec-inquiry-stranger-{time.time_ns()}')}"}
    for headers in (stranger, None):
        status, body, text = await caller.graphql(INBOX, {"id": therapist_id}, headers=headers)
        assert status == 200, body
        assert not leaked(text, SECRETS)
    status, body, text = await caller.call(
        "inquiries", "GET", f"/v1/therapists/{therapist_id}/inquiries", headers=stranger
    )
    assert status in (403, 404), body
    assert not leaked(text, SECRETS)
