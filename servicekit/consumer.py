"""Consuming events: idempotent handlers, bounded retries, then the dead-letter queue.

A handler returns an outcome (`applied`, `stale` or `unchanged`) or raises. A message that is not a valid
CloudEvent, or whose payload the handler rejects as invalid (`PoisonEvent`), is dead-lettered
at once. Any other failure is retried with back-off, up to the delivery limit, and then
dead-lettered; it never blocks the messages behind it for longer than its back-off.

A handler failing because the service's own MongoDB is unreachable is not the event's fault:
the message is held (unacknowledged) and handled again once the database answers, without
spending its retry budget, so an outage of any length parks nothing in the dead-letter queue.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from enum import StrEnum
from typing import Protocol

import structlog
from aio_pika.abc import AbstractIncomingMessage, AbstractQueue
from pydantic import ValidationError
from pymongo.errors import ConnectionFailure

from integration_events.subscriptions import Subscription
from servicekit.backoff import delay_before_retry, until_it_succeeds
from servicekit.bus import EventBus, declare_subscription
from servicekit.envelope import CloudEvent, InvalidEnvelope, describe_validation_error
from servicekit.metrics import (
    EVENT_PROPAGATION,
    EVENTS_CONSUMED,
    EVENTS_DEAD_LETTERED,
    EVENTS_RETRIED,
)
from servicekit.tracing import traced_handler

log = structlog.get_logger(__name__)

EventHandler = Callable[[CloudEvent], Awaitable[str]]


class Outcome(StrEnum):
    APPLIED = "applied"
    STALE = "stale"  # a duplicate, or older than what the service holds: nothing changed
    UNCHANGED = "unchanged"  # newer, but it changed nothing this service keeps (not written)


class EventApplier(Protocol):
    """What every service's consumer is: it applies one event idempotently and says how it went.

    It raises `PoisonEvent` for an event it can never apply; anything else it raises is retried.
    """

    async def apply(self, event: CloudEvent) -> Outcome: ...


class PoisonEvent(ValueError):
    """The event can never be applied (bad payload); retrying would not help."""


class EventConsumer:
    def __init__(
        self,
        bus: EventBus,
        subscription: Subscription,
        handle: EventHandler,
        *,
        service: str,
        prefetch: int = 64,
        retry_base_delay: float = 0.2,
    ) -> None:
        self.bus = bus
        self.subscription = subscription
        self.handle = traced_handler(handle, queue=subscription.queue, service=service)
        self.service = service
        self.prefetch = prefetch
        self.retry_base_delay = retry_base_delay
        self._task: asyncio.Task | None = None
        self._queue: AbstractQueue | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._start_when_connected())

    async def _start_when_connected(self) -> None:
        await self.bus.wait_connected()
        assert self.bus.connection is not None
        # A robust channel re-declares the queue and re-subscribes after reconnects.
        channel = await self.bus.connection.channel()
        await channel.set_qos(prefetch_count=self.prefetch)
        self._queue = await declare_subscription(
            channel,
            self.subscription,
            exchange=self.bus.exchange_name,
            dead_letter_exchange=self.bus.dead_letter_exchange,
            delivery_limit=self.bus.delivery_limit,
        )
        await self._queue.consume(self.on_message)
        log.info("consumer_started", queue=self.subscription.queue)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def on_message(self, message: AbstractIncomingMessage) -> None:
        event_type = message.type or "unknown"
        try:
            event = CloudEvent.from_json(message.body)
        except InvalidEnvelope as exc:
            await self._dead_letter(message, event_type, "invalid_envelope", str(exc))
            return
        try:
            outcome = await self._handle_once_database_answers(event)
        except (PoisonEvent, ValidationError) as exc:
            detail = describe_validation_error(exc) if isinstance(exc, ValidationError) else str(exc)
            await self._dead_letter(message, event.type, "invalid_payload", detail)
            return
        except Exception as exc:
            await self._retry_or_dead_letter(message, event, exc)
            return
        await message.ack()
        EVENTS_CONSUMED.labels(self.service, event.type, outcome).inc()
        EVENT_PROPAGATION.labels(self.service, event.type).observe(
            max(0.0, (datetime.now(UTC) - event.time).total_seconds())
        )

    async def _handle_once_database_answers(self, event: CloudEvent) -> str:
        waiting = until_it_succeeds(
            "event_waits_for_database",
            retry_on=ConnectionFailure,
            first_delay=self.retry_base_delay,
            event_id=event.id,
            event_type=event.type,
        )
        return await waiting(self.handle, event)

    async def _retry_or_dead_letter(
        self, message: AbstractIncomingMessage, event: CloudEvent, exc: Exception
    ) -> None:
        # Quorum queues count redeliveries in the x-delivery-count header.
        previous = int((message.headers or {}).get("x-delivery-count", 0) or 0)
        attempt = previous + 1
        if attempt >= self.bus.delivery_limit:
            await self._dead_letter(message, event.type, "retries_exhausted", repr(exc))
            return
        EVENTS_RETRIED.labels(self.service, event.type).inc()
        log.warning(
            "event_handling_failed",
            event_id=event.id,
            event_type=event.type,
            attempt=attempt,
            error=repr(exc),
        )
        # The broker counts the deliveries, so a redelivered event backs off as a retry loop would.
        await asyncio.sleep(delay_before_retry(attempt, self.retry_base_delay))
        await message.nack(requeue=True)

    async def _dead_letter(
        self, message: AbstractIncomingMessage, event_type: str, reason: str, detail: str
    ) -> None:
        # Only ids and reasons are logged: payloads stay out of logs.
        log.error(
            "event_dead_lettered",
            message_id=message.message_id,
            event_type=event_type,
            reason=reason,
            detail=detail[:500],
            queue=self.subscription.queue,
        )
        EVENTS_DEAD_LETTERED.labels(self.service, event_type, reason).inc()
        await message.reject(requeue=False)
