"""Replaying the dead-letter queue (`python -m servicekit.replay`), on the real broker."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import uuid

import aio_pika
import pytest

from integration_events.subscriptions import Subscription
from servicekit.bus import declare_subscription
from servicekit.replay import REPLAY_COUNT_HEADER, main, replay_dead_letters


@pytest.fixture
async def channel(infra):
    connection = await aio_pika.connect(infra.amqp_url)
    async with connection:
        yield await connection.channel(publisher_confirms=True)


@pytest.fixture
async def dead_lettered(channel, infra):
    """A subscription of its own with three events that its consumer rejected (dead-lettered)."""
    settings = infra.settings("replay")
    name = f"replay-test-{uuid.uuid4().hex[:8]}"
    subscription = Subscription(f"{name}.events", (f"test.{name}.v1",))
    exchange = await channel.declare_exchange(
        settings.events_exchange, aio_pika.ExchangeType.TOPIC, durable=True
    )
    queue = await declare_subscription(
        channel,
        subscription,
        exchange=settings.events_exchange,
        dead_letter_exchange=settings.dead_letter_exchange,
        delivery_limit=settings.delivery_limit,
    )
    for number in range(3):
        await exchange.publish(
            aio_pika.Message(
                b'{"n": %d}' % number,
                message_id=f"event-{number}",
                type=subscription.event_types[0],
                headers={"traceparent": "kept"},
            ),
            routing_key=subscription.event_types[0],
        )
    for _ in range(3):
        message = await queue.get(timeout=5)
        await message.reject(requeue=False)
    await _wait_until(lambda: _count(channel, subscription.dead_letter_queue), 3)
    yield subscription
    for queue_name in (subscription.queue, subscription.dead_letter_queue):
        await channel.queue_delete(queue_name)


async def _count(channel, queue_name: str) -> int:
    queue = await channel.declare_queue(queue_name, passive=True)
    return queue.declaration_result.message_count


async def _wait_until(count, expected: int, timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while (current := await count()) != expected:
        assert asyncio.get_running_loop().time() < deadline, f"{current} messages, expected {expected}"
        await asyncio.sleep(0.05)


async def test_a_dry_run_lists_the_dead_letters_and_moves_none(channel, dead_lettered):
    report = await replay_dead_letters(channel, dead_lettered.queue, dry_run=True)
    assert report.moved == 0
    assert [m["messageId"] for m in report.listed] == ["event-0", "event-1", "event-2"]
    assert {m["reason"] for m in report.listed} == {"rejected"}
    await _wait_until(lambda: _count(channel, dead_lettered.dead_letter_queue), 3)
    assert await _count(channel, dead_lettered.queue) == 0


async def test_replay_moves_the_oldest_dead_letters_back_up_to_the_limit(channel, dead_lettered):
    report = await replay_dead_letters(channel, dead_lettered.queue, limit=2)
    assert report.moved == 2
    await _wait_until(lambda: _count(channel, dead_lettered.queue), 2)
    assert await _count(channel, dead_lettered.dead_letter_queue) == 1
    queue = await channel.get_queue(dead_lettered.queue)
    first = await queue.get(timeout=5, no_ack=True)
    assert (first.message_id, first.body) == ("event-0", b'{"n": 0}')
    assert first.type == dead_lettered.event_types[0]


async def test_a_replayed_event_gets_a_fresh_retry_budget_and_keeps_its_trace(channel, dead_lettered):
    await replay_dead_letters(channel, dead_lettered.queue)
    queue = await channel.get_queue(dead_lettered.queue)
    await _wait_until(lambda: _count(channel, dead_lettered.queue), 3)
    message = await queue.get(timeout=5, no_ack=True)
    assert not [key for key in message.headers if key.startswith("x-") and key != "x-delivery-count"]
    assert int(message.headers.get("x-delivery-count", 0) or 0) == 0
    assert message.headers["traceparent"] == "kept"
    assert message.headers[REPLAY_COUNT_HEADER] == 1
    assert message.delivery_mode == aio_pika.DeliveryMode.PERSISTENT


async def test_one_run_moves_each_dead_letter_once_even_while_they_keep_failing(channel, dead_lettered):
    queue = await channel.get_queue(dead_lettered.queue)

    async def still_broken(message) -> None:
        await message.reject(requeue=False)  # the bug is not fixed yet: dead-lettered again

    tag = await queue.consume(still_broken)
    try:
        report = await asyncio.wait_for(replay_dead_letters(channel, dead_lettered.queue), timeout=10)
    finally:
        await queue.cancel(tag)
    assert report.moved == 3
    await _wait_until(lambda: _count(channel, dead_lettered.dead_letter_queue), 3)


async def test_replaying_an_unknown_queue_fails_and_creates_nothing(infra):
    name = f"no-such-queue-{uuid.uuid4().hex[:8]}"
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        status = await asyncio.to_thread(main, [name, "--amqp-url", infra.amqp_url])
    assert status == 2
    assert f"{name}.dead" in stderr.getvalue()
    connection = await aio_pika.connect(infra.amqp_url)
    async with connection:
        with pytest.raises(aio_pika.exceptions.ChannelNotFoundEntity):
            await (await connection.channel()).declare_queue(f"{name}.dead", passive=True)


async def test_the_command_prints_what_it_moved(infra, channel, dead_lettered):
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        status = await asyncio.to_thread(
            main, [dead_lettered.queue, "--limit", "1", "--amqp-url", infra.amqp_url]
        )
    assert status == 0
    report = json.loads(stdout.getvalue())
    assert (report["moved"], report["deadLetterQueue"]) == (1, dead_lettered.dead_letter_queue)
    assert "body" not in json.dumps(report) and '"n"' not in json.dumps(report)
