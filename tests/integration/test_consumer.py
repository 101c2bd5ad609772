"""The consumer: idempotent handling, bounded retries, dead-lettering that blocks nothing."""

from __future__ import annotations

import asyncio
import uuid

import aio_pika
import pytest

from integration_events.subscriptions import Subscription
from servicekit.bus import EventBus
from servicekit.consumer import EventConsumer, PoisonEvent
from servicekit.envelope import CloudEvent, new_event
from tests.support import eventually


@pytest.fixture
async def bus(infra):
    bus = EventBus(
        infra.amqp_url,
        service="consumer-test",
        exchange="directory.events",
        dead_letter_exchange="directory.dead-letter",
        delivery_limit=3,
    )
    await bus.start()
    await bus.wait_connected(timeout=10)
    yield bus
    await bus.close()


def _subscription() -> Subscription:
    name = f"consumer-test-{uuid.uuid4().hex[:8]}"
    return Subscription(f"{name}.events", (f"test.{name}.v1",))


async def _dead_letters(bus: EventBus, subscription: Subscription) -> list[bytes]:
    channel = await bus.connection.channel()
    queue = await channel.declare_queue(subscription.dead_letter_queue, passive=True)
    bodies = []
    while (message := await queue.get(no_ack=True, fail=False, timeout=1)) is not None:
        bodies.append(message.body)
    await queue.delete(if_unused=False, if_empty=False)
    await channel.close()
    return bodies


async def _publish_raw(bus: EventBus, routing_key: str, body: bytes) -> None:
    await bus._publisher.publish(aio_pika.Message(body, delivery_mode=2), routing_key=routing_key)


async def _consume(bus: EventBus, subscription: Subscription, handler) -> EventConsumer:
    consumer = EventConsumer(bus, subscription, handler, service="consumer-test", retry_base_delay=0.01)
    consumer.start()
    await eventually(lambda: consumer._queue is not None)
    return consumer


async def test_a_failing_event_is_retried_up_to_the_limit_then_dead_lettered_without_blocking_others(bus):
    subscription = _subscription()
    event_type = subscription.event_types[0]
    attempts: dict[str, int] = {}
    applied: list[str] = []

    async def handler(event: CloudEvent) -> str:
        attempts[event.subject] = attempts.get(event.subject, 0) + 1
        if event.subject == "broken":
            raise RuntimeError("downstream failure")
        applied.append(event.subject)
        return "applied"

    consumer = await _consume(bus, subscription, handler)
    for subject in ("broken", "fine-1", "fine-2"):
        await bus.publish(new_event(type=event_type, source="/t", subject=subject, data={"version": 1}))
    await eventually(lambda: len(applied) == 2 and attempts.get("broken") == 3)
    await asyncio.sleep(0.3)
    await consumer.stop()

    assert attempts["broken"] == bus.delivery_limit
    dead = [CloudEvent.from_json(body).subject for body in await _dead_letters(bus, subscription)]
    assert dead == ["broken"]


async def test_an_invalid_envelope_is_dead_lettered_at_once(bus):
    subscription = _subscription()
    calls: list[str] = []

    async def handler(event: CloudEvent) -> str:
        calls.append(event.id)
        return "applied"

    consumer = await _consume(bus, subscription, handler)
    await _publish_raw(bus, subscription.event_types[0], b'{"not": "a cloud event"')
    good = new_event(type=subscription.event_types[0], source="/t", subject="ok", data={"version": 1})
    await bus.publish(good)
    await eventually(lambda: calls == [good.id])
    await consumer.stop()

    assert await _dead_letters(bus, subscription) == [b'{"not": "a cloud event"']


async def test_a_poison_payload_is_dead_lettered_without_retries(bus):
    subscription = _subscription()
    attempts = []

    async def handler(event: CloudEvent) -> str:
        attempts.append(event.id)
        raise PoisonEvent("payload lacks a name")

    consumer = await _consume(bus, subscription, handler)
    await bus.publish(
        new_event(type=subscription.event_types[0], source="/t", subject="p", data={"version": 1})
    )
    await eventually(lambda: len(attempts) == 1)
    await asyncio.sleep(0.3)
    await consumer.stop()

    assert len(attempts) == 1
    assert len(await _dead_letters(bus, subscription)) == 1
