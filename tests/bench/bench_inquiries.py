"""Benchmark: visitors' inquiries through the gateway against the inquiries service's bare store
write, in the same run; and the time from an inquiry received to its notification mail stored.

The whole directory runs as processes (`tests/reliability/processes.py`: embedded databases on
disk, every service and the gateway, a real SMTP server in this process), with the inquiry rate
limits raised by environment. The inquiries service's database is on a database server of its
own, as in a deployment where each service owns its database: the store write is measured on the
server the service uses, and the other services' work on each inquiry (profiles' notification,
search's responsiveness) runs on theirs. 20 concurrent clients send `sendInquiry` through the gateway (rate
limits, the therapist's existence, the idempotency key, sealing, the inquiry and its outbox event
in one transaction, the event published). The baseline is 20 concurrent bare store writes in
this process with the service's own code: its store and unit of work (the inquiry sealed with
Fernet, its idempotency key, its event in the service's outbox, one transaction) and an outbox
relay like the service's publishing the event, so that profiles and search do the same work
after either kind: the comparison is of the path, not of what follows it. The two kinds
alternate (bare, gateway, bare, gateway, bare, gateway, bare), and each round waits until every
notification it caused has been mailed, so no round pays for another's backlog.
Goals: throughput and p95 of `sendInquiry` each within 2x of the bare write's.

First, on the quiet system, inquiries are sent one at a time (a visitor's pace) and each one's
`receivedAt` is compared with the moment its notification reached the SMTP server. Goal: p95
under 1 s. After each round the time until every notification is mailed is printed.

Run: .venv/bin/python -m pytest -m bench -s tests/bench/bench_inquiries.py
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import statistics
import time
import uuid
from datetime import UTC, datetime

import aiohttp
import pytest
from pymongo import AsyncMongoClient

from servicekit.bus import EventBus
from servicekit.outbox import Outbox, OutboxRelay
from servicekit.settings import DEAD_LETTER_EXCHANGE, EVENTS_EXCHANGE
from servicekit.unit_of_work import MongoUnitOfWork
from services.inquiries.domain import InquiryForm, new_inquiry, received_event
from services.inquiries.sealing import VisitorSeal
from services.inquiries.settings import DEVELOPMENT_ENCRYPTION_KEY
from services.inquiries.store import InquiriesTransaction, InquiryStore
from tests.bench.bench_profiles import (
    CLIENTS,
    UPDATES_PER_CLIENT,
    WARM_UP_PER_CLIENT,
    Run,
    database_server_pid,
    measure,
)
from tests.bench.calibration import machine_line
from tests.reliability.processes import running_stack
from tests.reliability.test_inquiries_survive_crashes import create_therapists
from tests.smtp import SmtpServer
from tests.support import eventually

pytestmark = pytest.mark.bench

ROUNDS = 3  # gateway runs; the bare runs number one more and enclose them
# Spread like real traffic: a therapist receives a few inquiries, not thousands (search measures
# each one's responsiveness from all of theirs in the last 90 days).
THERAPISTS = 200
PACED_INQUIRIES = 100
PACE_SECONDS = 0.1
ENVIRONMENT = {
    "INQUIRY_RATE_PER_CLIENT": "1000000/hour",
    "INQUIRY_RATE_PER_THERAPIST": "1000000/day",
    "LOG_LEVEL": "WARNING",
}
SEND = """mutation SendInquiry($input: InquiryInput!) {
  sendInquiry(input: $input) { __typename ... on InquirySent { id } ... on RateLimited { retryAfterSeconds } } }"""
VISITOR = {
    "name": "Bench Visitor",
    "email": "bench.visitor@example.test",
    "phone": "+1 (503) 555-0100",
    "message": "I have been feeling anxious since a move and would like to talk about it. " * 6,
    "consent": True,
}


class StampedSmtpServer(SmtpServer):
    """The tests' SMTP server, noting when each message (by Message-ID) was stored."""

    def __init__(self) -> None:
        super().__init__()
        self.stored_at: dict[str, float] = {}

    async def handle_DATA(self, server, session, envelope) -> str:
        reply = await super().handle_DATA(server, session, envelope)
        self.stored_at[self.received[-1].message_id] = time.time()
        return reply


@contextlib.asynccontextmanager
async def publishing(stack):
    """A connected publisher on the stack's exchange, as its services' runtimes have."""
    bus = EventBus(
        stack.amqp_url,
        service="inquiries",
        exchange=EVENTS_EXCHANGE,
        dead_letter_exchange=DEAD_LETTER_EXCHANGE,
        delivery_limit=int(stack.env["EVENT_DELIVERY_LIMIT"]),
    )
    await bus.start()
    try:
        await bus.wait_connected(15)
        yield bus
    finally:
        await bus.close()


def message_id(inquiry_id: str) -> str:
    return f"<inquiry-{inquiry_id}@therapist-directory>"


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[94]


@pytest.mark.bench
async def test_inquiries_through_the_gateway_keep_up_with_the_bare_store_write(amqp_url, tmp_path):
    smtp = StampedSmtpServer()
    async with (
        running_stack(
            tmp_path, amqp_url, extra_env=ENVIRONMENT, smtp=smtp, own_database=("inquiries",)
        ) as stack,
        aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=CLIENTS)) as http,
        AsyncMongoClient(stack.databases["inquiries"].uri) as mongo,
        publishing(stack) as bus,
    ):
        run = uuid.uuid4().hex[:8]
        therapists = [therapist.id for therapist in await create_therapists(http, stack, run, THERAPISTS)]
        known = mongo.inquiries.therapists

        async def all_known() -> bool:
            return await known.count_documents({"_id": {"$in": therapists}}) == THERAPISTS

        await eventually(all_known, timeout=30, what="the therapists known to the inquiries service")
        sequence = itertools.count()
        sent: list[str] = []

        async def send(worker: int, n: int) -> str:
            form = {
                **VISITOR,
                "therapistId": therapists[(worker + 20 * n) % THERAPISTS],
                "idempotencyKey": f"{run}-{next(sequence)}",
            }
            async with http.post(
                f"{stack.urls['gateway']}/graphql", json={"query": SEND, "variables": {"input": form}}
            ) as response:
                body = await response.json()
            assert body.get("data"), body
            result = body["data"]["sendInquiry"]
            assert result["__typename"] == "InquirySent", body
            sent.append(result["id"])
            return result["id"]

        # The bare write is the service's own store write: its repository (sealing included) and
        # unit of work, the event in the service's outbox, published by a relay like the service's,
        # so that profiles and search do the same work after it as after a `sendInquiry`.
        store = InquiryStore(mongo.inquiries, VisitorSeal([DEVELOPMENT_ENCRYPTION_KEY]))
        outbox = Outbox(mongo.inquiries.outbox)
        relay = OutboxRelay(outbox, bus, service="inquiries")
        relay.start()
        uow = MongoUnitOfWork(mongo, store.begin, outbox)
        inquiries = mongo.inquiries.inquiries

        async def bare_store_write(worker: int, n: int) -> None:
            form = InquiryForm(
                **VISITOR,
                therapistId=therapists[(worker + 20 * n) % THERAPISTS],
                idempotencyKey=f"bare-{run}-{next(sequence)}",
            )
            inquiry = new_inquiry(form, now=datetime.now(UTC))

            async def work(tx: InquiriesTransaction) -> None:
                await tx.inquiries.add(inquiry)
                tx.emit(received_event(inquiry))

            await uow.run(work)
            sent.append(inquiry.id)

        async def notifications_caught_up() -> bool:
            return all(message_id(i) in smtp.stored_at for i in sent)

        processes = {name: stack.processes[name].pid for name in ("gateway", "inquiries")}
        processes["client"] = os.getpid()
        if (database_pid := database_server_pid(stack.databases["inquiries"].uri)) is not None:
            processes = {"database": database_pid, **processes}
        if (shared_pid := database_server_pid(stack.mongo.uri)) is not None:
            processes["other services' database"] = shared_pid
        bare, gateway = Run("bare store write, pooled"), Run("sendInquiry via the gateway, pooled")
        print("\n" + machine_line())
        print(
            f"{CLIENTS} clients, {UPDATES_PER_CLIENT} inquiries each per round after {WARM_UP_PER_CLIENT} to warm up"
        )
        # A visitor's pace first, on a quiet system: one inquiry at a time, each notification awaited.
        delays = []
        for n in range(PACED_INQUIRIES):
            inquiry_id = await send(n, n)
            await eventually(
                lambda wanted=message_id(inquiry_id): wanted in smtp.stored_at,
                timeout=30,
                what="the notification",
            )
            stored = await inquiries.find_one({"_id": inquiry_id}, {"receivedAt": 1})
            received = stored["receivedAt"].replace(tzinfo=UTC).timestamp()
            delays.append(smtp.stored_at[message_id(inquiry_id)] - received)
            await asyncio.sleep(PACE_SECONDS)
        notification_p95 = p95(delays)
        print(
            f"inquiry received -> notification stored: median {statistics.median(delays) * 1000:.1f} ms, "
            f"p95 {notification_p95 * 1000:.1f} ms, worst {max(delays) * 1000:.1f} ms ({PACED_INQUIRIES} inquiries)"
        )

        catch_up = {"bare store write": [], "sendInquiry": []}
        for round_ in range(2 * ROUNDS + 1):
            kind, write = ("bare store write", bare_store_write) if round_ % 2 == 0 else ("sendInquiry", send)
            result = await measure(f"{kind} ({round_ // 2 + 1})", write, processes)
            (bare if round_ % 2 == 0 else gateway).add(result)
            print(label(result), flush=True)
            # The consumers (profiles' mail, search's responsiveness) work through what the round
            # left them before the next round starts; how long that takes is reported.
            started = time.monotonic()
            await eventually(notifications_caught_up, timeout=900, what="every notification mailed")
            catch_up[kind].append(time.monotonic() - started)
        await relay.stop()
        for kind, seconds in catch_up.items():
            print(
                f"after each {kind} round, every notification mailed within "
                + ", ".join(f"{value:.1f} s" for value in seconds)
            )

    print(label(bare))
    print(label(gateway))
    throughput_ratio = bare.throughput / gateway.throughput
    p95_ratio = gateway.p95_ms / bare.p95_ms
    print(f"bare/gateway throughput {throughput_ratio:.2f}x   gateway/bare p95 {p95_ratio:.2f}x")
    assert throughput_ratio <= 2.0
    assert p95_ratio <= 2.0
    assert notification_p95 < 1.0


def label(result: Run) -> str:
    """The run's line, in inquiries rather than the profile benchmark's updates."""
    return result.line().replace("ms/update", "ms/inquiry").replace("updates", "inquiries")
