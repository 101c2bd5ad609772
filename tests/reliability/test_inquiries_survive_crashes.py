"""200 inquiries sent through the gateway by 10 visitors while the inquiries service and then the
gateway are killed with SIGKILL and restarted.

Visitors behave as the web client does: an inquiry that was not acknowledged (a dropped connection,
a 5xx, a GraphQL error) is sent again with the same idempotency key. Afterwards every inquiry that
got an `InquirySent` is in its therapist's `myInquiries` with what the visitor wrote, each once,
and each therapist was mailed exactly once per inquiry, however often its event was delivered.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

import aiohttp
from pymongo import AsyncMongoClient

from tests.reliability.processes import ProcessStack, eventually
from tests.support import create_austin_therapist, token

VISITORS = 10
SENDS_PER_VISITOR = 20
THERAPISTS = 4
PACE_SECONDS = 0.3
SEND = """
mutation SendInquiry($input: InquiryInput!) {
  sendInquiry(input: $input) { __typename ... on InquirySent { id } }
}"""
INBOX_PAGE = """
query Inbox($therapistId: ID!, $after: String) {
  myInquiries(therapistId: $therapistId, first: 100, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id name email message } }
  }
}"""


class NotAcknowledged(Exception):
    """The inquiry may or may not have been stored: the visitor sends it again."""


@dataclass
class Therapist:
    id: str
    bearer: str
    email: str


@dataclass
class Visitor:
    number: int
    therapist: Therapist
    run: str
    acknowledged: dict[str, str] = field(default_factory=dict)  # message -> inquiry id
    retries: int = 0

    def inquiry(self, n: int) -> dict:
        return {
            "therapistId": self.therapist.id,
            "name": f"Visitor {self.number}",
            "email": f"visitor{self.number}@example.test",
            "message": f"Inquiry {n} of visitor {self.number} ({self.run})",
            "consent": True,
            "idempotencyKey": f"{self.run}-{self.number}-{n}",
        }


async def graphql(
    http: aiohttp.ClientSession, stack: ProcessStack, query: str, variables: dict, **headers
) -> dict:
    try:
        async with http.post(
            f"{stack.urls['gateway']}/graphql", json={"query": query, "variables": variables}, headers=headers
        ) as response:
            body = await response.json(content_type=None)
    except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
        raise NotAcknowledged(repr(exc)) from exc
    if response.status != 200 or body.get("errors"):
        raise NotAcknowledged(f"{response.status} {body.get('errors')}")
    return body["data"]


async def run_visitor(http: aiohttp.ClientSession, stack: ProcessStack, visitor: Visitor) -> None:
    for n in range(SENDS_PER_VISITOR):
        inquiry = visitor.inquiry(n)
        # The one inquiry in flight when the service died is held by its unfinished transaction
        # until the database aborts it (MongoDB's transactionLifetimeLimitSeconds, 60 s by
        # default): its retries wait that long, the other visitors' inquiries do not.
        deadline = time.monotonic() + 120
        while True:
            try:
                result = (await graphql(http, stack, SEND, {"input": inquiry}))["sendInquiry"]
                assert result["__typename"] == "InquirySent", result
                break
            except NotAcknowledged:
                visitor.retries += 1
                assert time.monotonic() < deadline, f"{inquiry['message']} never acknowledged"
                await asyncio.sleep(0.2)
        visitor.acknowledged[inquiry["message"]] = result["id"]
        await asyncio.sleep(PACE_SECONDS)


async def inject_faults(stack: ProcessStack, log: list[str]) -> None:
    started = time.monotonic()
    for name in ("inquiries", "gateway"):
        await asyncio.sleep(1.5)
        stack.kill(name)
        log.append(f"{time.monotonic() - started:5.1f}s kill -9 {name}")
        await asyncio.sleep(0.5)
        await stack.restart(name)
        log.append(f"{time.monotonic() - started:5.1f}s {name} ready again")


async def create_therapists(
    http: aiohttp.ClientSession, stack: ProcessStack, run: str, count: int = THERAPISTS
) -> list[Therapist]:
    therapists = []
    for number in range(count):
        bearer = token(f"inquiry-fault-owner-{number}-{run}")
        email = f"owner{number}.{run}@practice.example.test"
        body = await create_austin_therapist(
            http, stack.urls["profiles"], bearer, f"Inquiry Fault Therapist {number}", email=email
        )
        therapists.append(Therapist(body["id"], bearer, email))
    return therapists


async def inbox(http: aiohttp.ClientSession, stack: ProcessStack, therapist: Therapist) -> list[dict]:
    nodes: list[dict] = []
    after = None
    while True:
        data = await graphql(
            http,
            stack,
            INBOX_PAGE,
            {"therapistId": therapist.id, "after": after},
            Authorization=f"Bearer {therapist.bearer}",
        )
        page = data["myInquiries"]
        nodes += [edge["node"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            assert page["totalCount"] == len(nodes)
            return nodes
        after = page["pageInfo"]["endCursor"]


async def test_every_acknowledged_inquiry_survives_kill_9_of_the_service_and_the_gateway(stack: ProcessStack):
    run = uuid.uuid4().hex[:8]
    async with (
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http,
        AsyncMongoClient(stack.mongo.uri, serverSelectionTimeoutMS=2000) as mongo,
    ):
        therapists = await create_therapists(http, stack, run)
        ids = [t.id for t in therapists]

        async def all_known() -> bool:  # the inquiries service learns therapists from their events
            return await mongo.inquiries.therapists.count_documents({"_id": {"$in": ids}}) == len(ids)

        await eventually(all_known, what="the therapists known to the inquiries service")
        visitors = [Visitor(n, therapists[n % THERAPISTS], run) for n in range(VISITORS)]
        faults: list[str] = []
        started = time.monotonic()
        await asyncio.gather(inject_faults(stack, faults), *(run_visitor(http, stack, v) for v in visitors))
        elapsed = time.monotonic() - started
        print(
            f"\n{VISITORS * SENDS_PER_VISITOR} inquiries in {elapsed:.1f} s, "
            f"{sum(v.retries for v in visitors)} attempts sent again; faults:\n  " + "\n  ".join(faults)
        )

        stored = {t.id: {node["id"]: node for node in await inbox(http, stack, t)} for t in therapists}
        for visitor in visitors:
            assert len(visitor.acknowledged) == SENDS_PER_VISITOR
            held = stored[visitor.therapist.id]
            for message, inquiry_id in visitor.acknowledged.items():
                assert inquiry_id in held, f"{message} was acknowledged as {inquiry_id} and then lost"
                assert held[inquiry_id]["message"] == message
                assert held[inquiry_id]["email"] == f"visitor{visitor.number}@example.test"
        # Sent again with the same key, an inquiry is stored once: nothing beyond what was sent.
        for therapist in therapists:
            messages = Counter(node["message"] for node in stored[therapist.id].values())
            sent = sum(len(v.acknowledged) for v in visitors if v.therapist is therapist)
            assert sum(messages.values()) == sent and set(messages.values()) == {1}

        # Each inquiry's notification went out once, though its event may have been delivered twice.
        acknowledged = {i for v in visitors for i in v.acknowledged.values()}

        def all_mailed() -> bool:
            mailed = {m.message_id for t in therapists for m in stack.smtp.to(t.email)}
            return {f"<inquiry-{i}@therapist-directory>" for i in acknowledged} <= mailed

        await eventually(all_mailed, timeout=60, what="a notification for every inquiry")
        await asyncio.sleep(2)  # a duplicate would arrive about now
        mails = Counter(m.message_id for t in therapists for m in stack.smtp.to(t.email))
        assert len(mails) == len(acknowledged)
        assert set(mails.values()) == {1}, [m for m, n in mails.items() if n > 1]
