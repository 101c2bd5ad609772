"""Contacting a therapist through the gateway: a visitor's inquiry comes back as a typed result,
the therapist reads and answers theirs with their own token, and none of it is cached or logged."""

import asyncio

from tests.integration.gateway.backends import ADMIN_TOKEN, RETRY_AFTER_SECONDS, owner_token
from tests.integration.gateway.operations import (
    MARK_INQUIRY_ANSWERED,
    MY_INQUIRIES,
    SEND_INQUIRY,
    THERAPIST,
)

SEND = """
mutation ($input: InquiryInput!) {
  sendInquiry(input: $input) {
    __typename
    ... on InquirySent { id }
    ... on ValidationFailed { message fieldErrors { path field message code } }
    ... on NotFound { message }
    ... on RateLimited { retryAfterSeconds }
  }
}"""
MARK = """
mutation ($id: ID!) {
  markInquiryAnswered(id: $id) {
    __typename
    ... on Inquiry { id status answeredAt message }
  }
}"""
MESSAGE = "Hallo — I’m looking for help with panic attacks.\nEvenings work best; 日本語も少し話せます."


def inquiry(**changes) -> dict:
    return {
        "therapistId": "t0003",
        "name": "Sam Q. Visitor",
        "email": "sam@example.org",
        "message": MESSAGE,
        "consent": True,
        **changes,
    }


async def send(gw, **changes) -> dict:
    return (await gw.data(SEND, {"input": inquiry(**changes)}))["sendInquiry"]


async def test_a_sent_inquiry_answers_its_id_and_reaches_the_service_as_written(gw):
    data = await gw.data(SEND_INQUIRY, {"input": inquiry(phone="+1 512 555 0100")})
    assert data["sendInquiry"] == {"__typename": "InquirySent", "id": "inq0000"}
    call = next(c for c in gw.stub.calls if c.backend == "inquiries")
    assert call.body == inquiry(phone="+1 512 555 0100")
    assert call.headers["X-Client-Address"] == "127.0.0.1"  # the visitor's address, the rate-limit key


async def test_the_honeypot_and_the_idempotency_key_are_passed_on(gw):
    await send(gw, homepage="http://spam.example", idempotencyKey="click-1")
    call = next(c for c in gw.stub.calls if c.backend == "inquiries")
    assert call.body["homepage"] == "http://spam.example" and call.body["idempotencyKey"] == "click-1"


async def test_sending_twice_with_one_idempotency_key_is_one_inquiry(gw):
    first = await send(gw, idempotencyKey="double-click")
    second = await send(gw, idempotencyKey="double-click")
    assert first == second == {"__typename": "InquirySent", "id": "inq0000"}
    assert len(gw.stub.inquiries) == 1


async def test_an_inquiry_without_a_way_to_reply_is_validation_failed_naming_the_field(gw):
    result = await send(gw, email=None)
    assert result["__typename"] == "ValidationFailed"
    assert [e["field"] for e in result["fieldErrors"]] == ["email"]
    assert result["fieldErrors"][0]["message"] == "Give an email address or a phone number"


async def test_an_inquiry_without_consent_is_validation_failed_on_consent(gw):
    result = await send(gw, consent=False)
    assert result["__typename"] == "ValidationFailed"
    assert [e["path"] for e in result["fieldErrors"]] == [["consent"]]


async def test_an_inquiry_to_an_unknown_therapist_is_not_found(gw):
    assert (await send(gw, therapistId="nobody"))["__typename"] == "NotFound"


async def test_too_many_inquiries_are_rate_limited_with_the_wait(gw):
    gw.stub.inquiries_per_client = 1
    assert (await send(gw))["__typename"] == "InquirySent"
    assert await send(gw) == {"__typename": "RateLimited", "retryAfterSeconds": RETRY_AFTER_SECONDS}


async def test_an_inquiries_outage_is_service_unavailable_while_profiles_stay_readable(gw):
    gw.gateway.clients.urls = {**gw.gateway.clients.urls, "inquiries": "http://127.0.0.1:9"}
    status, body = await gw.post(SEND, {"input": inquiry()})
    assert [e["extensions"]["code"] for e in body["errors"]] == ["SERVICE_UNAVAILABLE"]
    assert (await gw.data(THERAPIST, {"id": "t0003"}))["therapist"]["id"] == "t0003"
    async with gw.http.get(f"{gw.url}/readyz") as response:
        assert response.status == 200  # readiness does not depend on the inquiries service


async def test_the_owner_reads_their_inquiries_newest_first_with_their_token_forwarded(gw):
    await send(gw, message="first")
    await send(gw, message="second", email=None, phone="+1 512 555 0100")
    await send(gw, therapistId="t0004", message="for someone else")
    data = await gw.data(
        MY_INQUIRIES, {"therapistId": "t0003"}, headers={"Authorization": owner_token("t0003")}
    )
    connection = data["myInquiries"]
    assert connection["totalCount"] == 2
    assert [e["node"]["message"] for e in connection["edges"]] == ["second", "first"]
    assert connection["edges"][0]["node"] == {
        "id": "inq0001",
        "receivedAt": "2025-05-20T10:00:00+00:00",
        "name": "Sam Q. Visitor",
        "email": None,
        "phone": "+1 512 555 0100",
        "message": "second",
        "status": "NEW",
    }
    call = next(c for c in gw.stub.calls if c.path == "/v1/therapists/t0003/inquiries")
    assert call.headers["Authorization"] == owner_token("t0003")
    assert ("first", "20") in call.query


async def test_inquiries_page_on_with_the_end_cursor(gw):
    for n in range(3):
        await send(gw, message=f"message {n}")
    query = """query ($after: String) { myInquiries(therapistId: "t0003", first: 2, after: $after) {
      pageInfo { hasNextPage endCursor } edges { node { message } } } }"""
    headers = {"Authorization": ADMIN_TOKEN}
    page1 = (await gw.data(query, {"after": None}, headers=headers))["myInquiries"]
    assert page1["pageInfo"]["hasNextPage"] is True
    page2 = (await gw.data(query, {"after": page1["pageInfo"]["endCursor"]}, headers=headers))["myInquiries"]
    assert [e["node"]["message"] for e in page1["edges"] + page2["edges"]] == [
        "message 2",
        "message 1",
        "message 0",
    ]


async def test_a_stranger_gets_an_empty_connection(gw):
    await send(gw)
    data = await gw.data(
        MY_INQUIRIES, {"therapistId": "t0003"}, headers={"Authorization": owner_token("t0004")}
    )
    assert data["myInquiries"] == {"totalCount": 0, "edges": []}


async def test_my_inquiries_without_a_token_is_unauthenticated_and_nothing_is_asked(gw):
    status, body = await gw.post(MY_INQUIRIES, {"therapistId": "t0003"})
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert gw.stub.count("inquiries") == 0


async def test_my_inquiries_are_never_cached(gw):
    await send(gw)
    headers = {"Authorization": owner_token("t0003")}
    for _ in range(2):
        await gw.data(MY_INQUIRIES, {"therapistId": "t0003"}, headers=headers)
    assert gw.stub.count("inquiries", "/v1/therapists/t0003/inquiries") == 2
    assert len(gw.gateway.read_cache) == 0 and len(gw.gateway.response_cache) == 0


async def test_marking_an_inquiry_answered_returns_it_answered(gw):
    sent = await send(gw)
    headers = {"Authorization": owner_token("t0003")}
    assert (await gw.data(MARK_INQUIRY_ANSWERED, {"id": sent["id"]}, headers=headers)) == {
        "markInquiryAnswered": {"__typename": "Inquiry"}
    }
    again = (await gw.data(MARK, {"id": sent["id"]}, headers=headers))["markInquiryAnswered"]
    assert again == {
        "__typename": "Inquiry",
        "id": sent["id"],
        "status": "ANSWERED",
        "answeredAt": "2025-05-20T10:00:00+00:00",
        "message": MESSAGE,
    }
    call = next(c for c in gw.stub.calls if c.path.endswith("/answered"))
    assert call.method == "POST" and call.headers["Authorization"] == owner_token("t0003")


async def test_marking_someone_elses_inquiry_is_not_found(gw):
    sent = await send(gw)
    data = await gw.data(MARK, {"id": sent["id"]}, headers={"Authorization": owner_token("t0004")})
    assert data["markInquiryAnswered"]["__typename"] == "NotFound"
    assert gw.stub.inquiries[0]["status"] == "new"


async def test_what_a_visitor_writes_is_never_logged(gw, capsys):
    secret = "panic-attacks-3f9a"
    await send(gw, message=secret, name=secret)
    await send(gw, message=secret, email=None)  # refused: its message and details are not logged either
    await gw.post(SEND, {"input": {**inquiry(message=secret), "consent": secret}})  # a GraphQL error
    await gw.data(MY_INQUIRIES, {"therapistId": "t0003"}, headers={"Authorization": owner_token("t0003")})
    captured = capsys.readouterr()
    assert secret not in captured.out and secret not in captured.err


async def test_two_visitors_sending_the_same_words_at_once_send_two_inquiries(gw):
    # Identical anonymous reads arriving together share one execution; a mutation never may.
    gw.stub.inquiry_delay = 0.3
    first, second = await asyncio.gather(send(gw), send(gw))
    assert {first["__typename"], second["__typename"]} == {"InquirySent"}
    assert first["id"] != second["id"]
    assert len(gw.stub.inquiries) == 2
