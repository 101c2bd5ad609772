"""The RabbitMQ side: topology, a reconnecting connection, and publishing with confirms.

Topology: one durable topic exchange for domain events (routing key = event type), one
durable quorum queue per consuming service, and a dead-letter exchange with a `<queue>.dead`
queue for each of them.
"""

from __future__ import annotations

import asyncio
import contextlib

import aio_pika
import structlog
from aio_pika.abc import AbstractChannel, AbstractExchange, AbstractQueue, AbstractRobustConnection

from integration_events.subscriptions import DURABLE_SUBSCRIPTIONS, Subscription
from servicekit.backoff import until_it_succeeds
from servicekit.envelope import CONTENT_TYPE, CloudEvent
from servicekit.tracing import message_headers, publish_span

log = structlog.get_logger(__name__)


class BusUnavailable(RuntimeError):
    """RabbitMQ cannot be reached right now."""


async def declare_subscription(
    channel: AbstractChannel,
    subscription: Subscription,
    *,
    exchange: str,
    dead_letter_exchange: str,
    delivery_limit: int,
) -> AbstractQueue:
    dlx = await channel.declare_exchange(dead_letter_exchange, aio_pika.ExchangeType.DIRECT, durable=True)
    dead = await channel.declare_queue(
        subscription.dead_letter_queue, durable=True, arguments={"x-queue-type": "quorum"}
    )
    await dead.bind(dlx, routing_key=subscription.queue)
    queue = await channel.declare_queue(
        subscription.queue,
        durable=True,
        arguments={
            "x-queue-type": "quorum",
            "x-dead-letter-exchange": dead_letter_exchange,
            "x-dead-letter-routing-key": subscription.queue,
            # The consumer dead-letters after its own retry budget; the broker's limit is the
            # safety net for a consumer that crashes on a message again and again.
            "x-delivery-limit": delivery_limit + 2,
        },
    )
    for event_type in subscription.event_types:
        await queue.bind(exchange, routing_key=event_type)
    return queue


class EventBus:
    """One robust AMQP connection per process; reconnects by itself after broker outages."""

    def __init__(
        self,
        url: str,
        *,
        service: str,
        exchange: str,
        dead_letter_exchange: str,
        delivery_limit: int,
    ) -> None:
        self.url = url
        self.service = service
        self.exchange_name = exchange
        self.dead_letter_exchange = dead_letter_exchange
        self.delivery_limit = delivery_limit
        self.connection: AbstractRobustConnection | None = None
        self._publisher: AbstractExchange | None = None
        self._connected = asyncio.Event()
        self._connect_task: asyncio.Task | None = None

    async def start(self) -> None:
        """Connect in the background: a service starts (not ready) even while RabbitMQ is down."""
        self._connect_task = asyncio.create_task(self._connect_until_up())

    async def wait_connected(self, timeout: float | None = None) -> None:
        await asyncio.wait_for(self._connected.wait(), timeout)

    async def _connect_until_up(self) -> None:
        # Broker down or refusing: keep trying, for as long as it takes.
        await until_it_succeeds("amqp_connect_failed")(self._connect)
        self._connected.set()
        log.info("amqp_connected")

    async def _connect(self) -> None:
        connection = await aio_pika.connect_robust(
            self.url, client_properties={"connection_name": self.service}
        )
        try:
            channel = await connection.channel(publisher_confirms=True)
            exchange = await channel.declare_exchange(
                self.exchange_name, aio_pika.ExchangeType.TOPIC, durable=True
            )
            for subscription in DURABLE_SUBSCRIPTIONS:
                await declare_subscription(
                    channel,
                    subscription,
                    exchange=self.exchange_name,
                    dead_letter_exchange=self.dead_letter_exchange,
                    delivery_limit=self.delivery_limit,
                )
        except BaseException:
            await connection.close()
            raise
        self.connection = connection
        self._publisher = exchange

    @property
    def is_connected(self) -> bool:
        # A robust connection is not "closed" while it reconnects after losing the broker;
        # its `connected` event is what tells whether a transport is up right now.
        return (
            self.connection is not None
            and not self.connection.is_closed
            and self.connection.connected.is_set()
        )

    async def publish(self, event: CloudEvent, *, timeout: float = 5.0) -> None:
        """Publish and wait for the broker's confirm; raises if it was not confirmed."""
        if self._publisher is None or not self.is_connected:
            raise BusUnavailable("RabbitMQ is not connected")
        headers = message_headers(event)
        message = aio_pika.Message(
            event.to_json(),
            content_type=CONTENT_TYPE,
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            message_id=event.id,
            type=event.type,
            headers=headers,
        )
        with publish_span(event):
            await self._publisher.publish(message, routing_key=event.type, timeout=timeout)

    async def close(self) -> None:
        if self._connect_task is not None:
            self._connect_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._connect_task
        if self.connection is not None:
            await self.connection.close()
