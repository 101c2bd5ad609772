"""Poison events against the running search service: dead-lettered after a bounded number of
deliveries, counted in /metrics, never blocking the events behind them; and the documented
replay command (`python -m servicekit.replay search.events`) brings dead-lettered events back."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys

from pymongo import AsyncMongoClient

from integration_events.subscriptions import SEARCH_EVENTS
from tests.reliability.events import probe_event, publish, publish_raw
from tests.reliability.processes import ProcessStack, broker_channel, eventually, queue_depth
from tests.support import metric_value

DEAD = SEARCH_EVENTS.dead_letter_queue
DEAD_LETTERED = "directory_events_dead_lettered_total"


async def indexed_version(stack: ProcessStack, therapist_id: str) -> int | None:
    async with AsyncMongoClient(stack.mongo.uri) as mongo:
        doc = await mongo.search.therapists.find_one({"_id": therapist_id})
    return doc["version"] if doc else None


async def dead_letter_count(stack: ProcessStack, reason: str) -> float:
    return metric_value(await stack.metrics("search"), DEAD_LETTERED, service="search", reason=reason)


async def drain_dead_letters(channel) -> list:
    queue = await channel.declare_queue(DEAD, passive=True)
    messages = []
    while (message := await queue.get(no_ack=False, fail=False, timeout=2)) is not None:
        messages.append(message)
    return messages


async def test_poison_events_are_dead_lettered_counted_and_block_nothing_behind_them(stack: ProcessStack):
    before = {
        reason: await dead_letter_count(stack, reason) for reason in ("invalid_envelope", "invalid_payload")
    }
    behind = probe_event("Behind The Poison")
    bad_payload = probe_event("Bad Payload")
    bad_payload.data.pop("title")
    bad_payload.data["location"] = {"state": 42}
    async with broker_channel(stack) as channel:
        dead_before = await queue_depth(channel, DEAD)
        not_json = await publish_raw(channel, b"{this is not json")
        surrogate = await publish_raw(channel, b'{"specversion": "1.0", "data": {"x": "\\ud800"}}')
        invalid = await publish(channel, bad_payload)
        await publish(channel, behind)

        assert (
            await eventually(
                lambda: indexed_version(stack, behind.subject), what="event behind poison applied"
            )
            == 1
        )
        await eventually(lambda: _depth_reached(channel, dead_before + 3), what="three dead letters")
        dead = await drain_dead_letters(channel)
        try:
            ids = {m.message_id for m in dead}
            assert {not_json, surrogate, invalid} <= ids
            for message in dead:
                if message.message_id in (not_json, surrogate, invalid):
                    # Bounded: rejected at its first delivery, never redelivered in a loop.
                    deaths = message.headers.get("x-death") or []
                    assert sum(d.get("count", 1) for d in deaths) == 1, deaths
        finally:
            for message in dead:
                await message.nack(requeue=True)
    assert await dead_letter_count(stack, "invalid_envelope") == before["invalid_envelope"] + 2
    assert await dead_letter_count(stack, "invalid_payload") == before["invalid_payload"] + 1
    assert await indexed_version(stack, bad_payload.subject) is None


async def _depth_reached(channel, wanted: int) -> bool:
    return await queue_depth(channel, DEAD) >= wanted


def replay(stack: ProcessStack, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "servicekit.replay", "search.events", *args],
        env={**os.environ, "AMQP_URL": stack.amqp_url},
        capture_output=True,
        text=True,
        timeout=60,
    )


async def test_the_replay_command_brings_dead_lettered_events_back_after_the_fix(stack: ProcessStack):
    """A search build that wrongly rejected a valid event: after the fixed build is running, the
    replay command re-delivers it and it is applied; still-invalid events go back to the DLQ."""
    wrongly_rejected = probe_event("Rejected By A Bad Build")
    stack.kill("search")  # the faulty build is gone; the event waits in its queue meanwhile
    try:
        async with broker_channel(stack) as channel:
            await publish(channel, wrongly_rejected)
            queue = await channel.declare_queue(SEARCH_EVENTS.queue, passive=True)
            while True:  # what the faulty build did: reject it as poison
                message = await queue.get(no_ack=False, timeout=5)
                if message.message_id == wrongly_rejected.id:
                    await message.reject(requeue=False)
                    break
                await message.nack(requeue=True)
    finally:
        await stack.restart("search")
    async with broker_channel(stack) as channel:
        await eventually(lambda: _depth_reached(channel, 1), what="the event in the dead-letter queue")
        depth = await queue_depth(channel, DEAD)
    assert await indexed_version(stack, wrongly_rejected.subject) is None

    listed = await asyncio.to_thread(replay, stack, "--dry-run")
    assert listed.returncode == 0, listed.stderr
    assert wrongly_rejected.id in listed.stdout
    assert "Rejected By A Bad Build" not in listed.stdout  # ids and reasons only, never payloads

    moved = await asyncio.to_thread(replay, stack)
    assert moved.returncode == 0, moved.stderr
    assert json.loads(moved.stdout)["moved"] >= depth
    assert (
        await eventually(
            lambda: indexed_version(stack, wrongly_rejected.subject), what="replayed event applied"
        )
        == 1
    )
    async with broker_channel(stack) as channel:
        # Whatever is still invalid is dead-lettered again; the replayed valid event is not.
        await eventually(lambda: _depth_reached(channel, depth - 1), what="invalid events dead again")
        await asyncio.sleep(1)
        assert await queue_depth(channel, DEAD) == depth - 1
