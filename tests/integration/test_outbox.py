"""The transactional outbox behind the unit of work: committed events are published once,
uncommitted never."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import aio_pika
import pytest

from servicekit.bus import EventBus
from servicekit.envelope import CloudEvent, new_event
from servicekit.mongo import connect
from servicekit.outbox import Outbox, OutboxRelay
from servicekit.unit_of_work import MongoUnitOfWork, Transaction


@pytest.fixture
async def outbox(infra):
    client = connect(infra.mongodb_uri, app_name="outbox-test")
    box = Outbox(client.get_database(f"outbox_test_{uuid.uuid4().hex[:8]}")["outbox"])
    yield MongoUnitOfWork(client, Transaction, box), box
    await client.close()


def emitting(*events: CloudEvent):
    async def work(tx: Transaction) -> None:
        for event in events:
            tx.emit(event)

    return work


@pytest.fixture
async def observed(infra):
    """A temporary queue bound to every event type, to see what reaches the exchange."""
    connection = await aio_pika.connect_robust(infra.amqp_url)
    channel = await connection.channel()
    exchange = await channel.declare_exchange("directory.events", aio_pika.ExchangeType.TOPIC, durable=True)
    queue = await channel.declare_queue(exclusive=True, auto_delete=True)
    await queue.bind(exchange, routing_key="test.outbox.#")
    yield queue
    await connection.close()


def _bus(infra) -> EventBus:
    return EventBus(
        infra.amqp_url,
        service="outbox-test",
        exchange="directory.events",
        dead_letter_exchange="directory.dead-letter",
        delivery_limit=3,
    )


async def _connected_bus(infra) -> EventBus:
    bus = _bus(infra)
    await bus.start()
    await bus.wait_connected(timeout=10)
    return bus


async def _drain(queue, wait: float = 0.5) -> list[CloudEvent]:
    events = []
    while True:
        message = await queue.get(no_ack=True, fail=False, timeout=wait)
        if message is None:
            return events
        events.append(CloudEvent.from_json(message.body))


def _event(n: int) -> CloudEvent:
    return new_event(
        type="test.outbox.changed.v1",
        source="/tests",
        subject=f"thing-{n}",
        data={"id": f"thing-{n}", "version": n},
    )


async def test_an_event_written_while_the_broker_is_unreachable_is_published_later_exactly_once(
    infra, outbox, observed
):
    uow, box = outbox
    event = _event(1)

    await uow.run(emitting(event))
    bus = _bus(infra)
    relay = OutboxRelay(box, bus, service="outbox-test")
    # Not connected yet: nothing can be published and the event stays pending.
    assert await relay.publish_pending_events() == 0
    assert await box.pending_count() == 1

    await bus.start()
    await bus.wait_connected(timeout=10)
    assert await relay.publish_pending_events() == 1
    assert await relay.publish_pending_events() == 0
    await bus.close()

    received = await _drain(observed)
    assert [e.id for e in received] == [event.id]
    assert received[0].data == {"id": "thing-1", "version": 1}
    assert await box.pending_count() == 0


async def test_an_aborted_transaction_publishes_nothing(infra, outbox, observed):
    uow, box = outbox

    async def emit_then_fail(tx: Transaction) -> None:
        tx.emit(_event(2))
        raise RuntimeError("the change itself failed")

    with pytest.raises(RuntimeError):
        await uow.run(emit_then_fail)
    assert await box.pending_count() == 0
    assert box.take_fresh() == []
    assert await _drain(observed) == []


async def test_committed_events_go_to_the_fast_path_without_being_read_back(infra, outbox, observed):
    uow, box = outbox
    events = [_event(3), _event(4)]

    await uow.run(emitting(*events))
    fresh = box.take_fresh()
    assert [event.id for _, event in fresh] == [e.id for e in events]
    assert sorted(key for key, _ in fresh) == sorted(
        row["_id"] for row in await box.collection.find({}).to_list()
    )


async def test_two_relays_publish_each_event_once(infra, outbox, observed):
    uow, box = outbox
    events = [_event(n) for n in range(10, 40)]

    await uow.run(emitting(*events))
    buses = [await _connected_bus(infra), await _connected_bus(infra)]
    relays = [OutboxRelay(box, bus, service="outbox-test", batch_size=7) for bus in buses]
    counts = await asyncio.gather(*(relay.publish_pending_events() for relay in relays))
    for bus in buses:
        await bus.close()

    assert sum(counts) == len(events)
    received = await _drain(observed)
    assert sorted(e.id for e in received) == sorted(e.id for e in events)


async def test_an_event_its_writer_never_published_is_swept_up_after_the_grace_period(
    infra, outbox, observed
):
    uow, box = outbox
    event = _event(50)

    await uow.run(emitting(event))
    box.take_fresh()  # the writing process dies before its relay publishes
    bus = await _connected_bus(infra)
    waiting = OutboxRelay(box, bus, service="outbox-test", sweep_after=timedelta(minutes=1))
    assert await waiting.publish_pending_events() == 0
    sweeper = OutboxRelay(box, bus, service="outbox-test", sweep_after=timedelta(0))
    assert await sweeper.publish_pending_events() == 1
    await bus.close()

    assert [e.id for e in await _drain(observed)] == [event.id]
    assert await box.pending_count() == 0


async def test_rows_sort_oldest_first_and_are_deleted_once_published(infra, outbox, observed):
    uow, box = outbox
    events = [_event(n) for n in range(70, 75)]
    for event in events:  # five transactions, one after another
        await uow.run(emitting(event))
    box.take_fresh()
    rows = await box.collection.find({}, sort=[("_id", 1)]).to_list()
    assert [row["envelope"]["id"] for row in rows] == [e.id for e in events]  # keys sort by age
    assert list(await box.collection.index_information()) == ["_id_"]
    bus = await _connected_bus(infra)
    relay = OutboxRelay(box, bus, service="outbox-test", sweep_after=timedelta(0), batch_size=2)
    assert await relay.publish_pending_events() == 5
    await bus.close()

    assert await box.pending_count() == 0
    assert sorted(e.id for e in await _drain(observed)) == sorted(e.id for e in events)
