"""A visitor writes to a therapist through the whole system: the inquiry is stored by the inquiries
service, the therapist is told by mail (through a real SMTP server, with nothing the visitor wrote),
reads it in the inbox (nobody else can), marks it answered, and search shows how they answer."""

from __future__ import annotations

import uuid

from tests.support import auth_header, eventually

SEND = """
mutation SendInquiry($input: InquiryInput!) {
  sendInquiry(input: $input) {
    __typename
    ... on InquirySent { id }
    ... on RateLimited { retryAfterSeconds }
  }
}"""
INBOX = """
query MyInquiries($therapistId: ID!, $first: Int, $after: String) {
  myInquiries(therapistId: $therapistId, first: $first, after: $after) {
    totalCount
    edges { node { id receivedAt name email phone message status } }
  }
}"""
ANSWERED = "mutation MarkInquiryAnswered($id: ID!) { markInquiryAnswered(id: $id) { __typename } }"
CARDS = """
query($filter: TherapistFilter) {
  searchTherapists(filter: $filter, first: 50) {
    edges { node { id unresponsive responsiveness { answeredShare medianReplyHours sampleSize } } }
  }
}"""
PROFILE_RESPONSIVENESS = """
query($id: ID!) { therapist(id: $id) { responsiveness { answeredShare medianReplyHours sampleSize } } }"""
# Longer than an event takes from the outbox through search to the gateway.
PROPAGATION_SECONDS = 20.0

VISITOR = {
    "name": "Zofia Marchetti-Olu",
    "email": "zofia.private.8841@example.test",
    "phone": "+1 (503) 555-0187",
    # Any Unicode, line breaks and typographic quotes, kept as written.
    "message": "Hello — I’ve been struggling with “panic” at work since spring.\nDo you see adults? 谢谢",
}


async def create_therapist(directory, sub: str, email: str) -> str:
    async with directory.http.post(
        f"{directory.urls['profiles']}/v1/therapists",
        headers=auth_header(sub, "therapist"),
        json={
            "displayName": "Ilse Borrowdale, LPC",
            "title": "Licensed Professional Counselor",
            "location": {"city": "Eugene", "state": "OR"},
            "email": email,
            "newClientStatus": "nopt",  # not accepting new clients: inquiries still reach them
        },
    ) as response:
        assert response.status == 201, await response.text()
        return (await response.json())["id"]


async def send(directory, therapist_id: str) -> dict:
    """sendInquiry, once the inquiries service has heard of the therapist (from their event)."""

    async def sent():
        data = await directory.graphql(
            SEND, {"input": {"therapistId": therapist_id, **VISITOR, "consent": True}}
        )
        result = data["sendInquiry"]
        assert result["__typename"] in ("InquirySent", "NotFound"), result
        return result if result["__typename"] == "InquirySent" else None

    return await eventually(sent, what="the inquiry sent")


async def card(directory, therapist_id: str) -> dict | None:
    data = await directory.graphql(CARDS, {"filter": {"state": "OR", "city": "Eugene"}})
    return next(
        (e["node"] for e in data["searchTherapists"]["edges"] if e["node"]["id"] == therapist_id), None
    )


async def test_a_visitors_inquiry_reaches_the_therapist_and_their_answer_reaches_search(directory):
    owner = f"e2e-inquiry-owner-{uuid.uuid4().hex[:6]}"
    address = f"ilse.{uuid.uuid4().hex[:6]}@practice.example.test"
    therapist_id = await create_therapist(directory, owner, address)
    # Listed before any inquiry: nothing measured yet.
    listed = await eventually(lambda: card(directory, therapist_id), what="the therapist listed")
    assert listed["responsiveness"] == {"answeredShare": None, "medianReplyHours": None, "sampleSize": 0}

    sent = await send(directory, therapist_id)

    # The therapist is told by mail, and the mail holds nothing the visitor wrote.
    (mail,) = await directory.smtp.wait_for(1, to=address, timeout=PROPAGATION_SECONDS)
    assert mail.subject == "A new inquiry is waiting"
    assert mail.message_id == f"<inquiry-{sent['id']}@therapist-directory>"
    for private in (VISITOR["name"], VISITOR["email"], VISITOR["phone"], "panic", "struggling"):
        assert private.lower() not in mail.raw.lower(), private

    # The owner reads it exactly as written; a stranger gets what a missing inquiry gets.
    inbox = (await directory.graphql(INBOX, {"therapistId": therapist_id}, auth_header(owner)))["myInquiries"]
    assert inbox["totalCount"] == 1
    (edge,) = inbox["edges"]
    assert edge["node"] == {
        "id": sent["id"],
        "receivedAt": edge["node"]["receivedAt"],
        **VISITOR,
        "status": "NEW",
    }
    stranger = auth_header(f"e2e-stranger-{uuid.uuid4().hex[:6]}")
    nothing = (await directory.graphql(INBOX, {"therapistId": therapist_id}, stranger))["myInquiries"]
    assert nothing == {"totalCount": 0, "edges": []}
    refused = await directory.graphql(ANSWERED, {"id": sent["id"]}, stranger)
    assert refused["markInquiryAnswered"]["__typename"] == "NotFound"

    # Search counts the inquiry as waiting, then as answered.
    async def waiting():
        found = await card(directory, therapist_id)
        return found if found and found["responsiveness"]["sampleSize"] == 1 else None

    found = await eventually(waiting, timeout=PROPAGATION_SECONDS, what="the inquiry counted in search")
    assert found["responsiveness"] == {"answeredShare": 0.0, "medianReplyHours": None, "sampleSize": 1}
    assert found["unresponsive"] is False

    answered = await directory.graphql(ANSWERED, {"id": sent["id"]}, auth_header(owner))
    assert answered["markInquiryAnswered"]["__typename"] == "Inquiry"

    async def counted_as_answered():
        found = await card(directory, therapist_id)
        return found if found and found["responsiveness"]["answeredShare"] == 1.0 else None

    found = await eventually(counted_as_answered, timeout=PROPAGATION_SECONDS, what="the answer in search")
    assert found["responsiveness"]["sampleSize"] == 1
    assert 0.0 <= found["responsiveness"]["medianReplyHours"] < 1.0
    profile = (await directory.graphql(PROFILE_RESPONSIVENESS, {"id": therapist_id}))["therapist"]
    assert profile["responsiveness"] == found["responsiveness"]
    inbox = (await directory.graphql(INBOX, {"therapistId": therapist_id}, auth_header(owner)))["myInquiries"]
    assert [e["node"]["status"] for e in inbox["edges"]] == ["ANSWERED"]
    # One inquiry, one mail: the answer sends nothing more.
    assert len(directory.smtp.to(address)) == 1
